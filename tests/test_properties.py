"""Invariants over any input (hypothesis)."""

from __future__ import annotations

import re
import threading

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from guard import Guard
from tests.conftest import load_jsonl

# Text built from the characters evasions are made of, plus anything at all.
TRICKY = ("微信薇vVｖＶ𝐕xX淘宝寶京东北路加我号QQ扣企鹅🐧0123456789一三八幺①③⑧"
          " .-_❤\u200b\u200d\ufeff@:/¥")
messages = st.one_of(
    st.text(),
    st.text(alphabet=TRICKY, max_size=60),
    st.lists(st.sampled_from([r["text"] for r in load_jsonl("check_violations.jsonl")]),
             min_size=1, max_size=3).map("".join),
)
SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(messages)
def test_any_text_checks_and_spans_index_the_original(guard: Guard, text: str) -> None:
    verdict = guard.check(text)
    assert verdict.verdict in {"pass", "warn", "block"}
    assert len(verdict.masked) == len(text)
    for finding in verdict.findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.text == text[finding.start:finding.end]
    assert (verdict.warning is None) == (verdict.verdict == "pass")


@SETTINGS
@given(messages)
@example(text="1300000000一天猫店")  # 天猫 masked leaves the 一 of 一天: no eleventh digit
@example(text="惊喜包裹里扫二维码教程")  # 二维码 masked keeps 教程 (unless) in the rule's reach
def test_masked_message_does_not_block(guard: Guard, text: str) -> None:
    verdict = guard.check(text)
    if verdict.verdict == "block":
        assert guard.check(verdict.masked).verdict != "block", verdict.to_dict()


@SETTINGS
@given(messages)
def test_fast_path_shortcuts_change_no_verdict(guard: Guard, text: str) -> None:
    assert guard.check(text) == guard.check_without_shortcuts(text)


@SETTINGS
@given(messages)
def test_inspect_then_judge_is_check(guard: Guard, text: str) -> None:
    candidates = guard.inspect(text)
    verdict = guard.judge(candidates)
    assert verdict == guard.check(text)
    if candidates.quiet:
        assert verdict.verdict == "pass" and not verdict.findings


@pytest.mark.parametrize("text", [
    "一七三一三二五兩兩兩四0",  # numerals alone make a mobile beside an ASCII digit
    "138一二三四五六七八",
    "一三八一二三四五六七八9",
])
def test_number_prefilter_covers_every_reading(guard: Guard, text: str) -> None:
    assert guard.check(text) == guard.check_without_shortcuts(text)
    assert guard.check(text).verdict == "block"


def test_shortcuts_change_no_verdict_on_the_corpora(guard: Guard) -> None:
    quiet = 0
    for name in ("check_violations.jsonl", "check_clean.jsonl", "holdout_violations.jsonl",
                 "holdout_clean.jsonl"):
        for record in load_jsonl(name):
            text = record["text"]
            verdict = guard.check(text)
            assert verdict == guard.check_without_shortcuts(text), text
            candidates = guard.inspect(text)
            assert guard.judge(candidates) == verdict, text
            quiet += candidates.quiet
            assert not (candidates.quiet and verdict.verdict != "pass"), text
    assert quiet > 100  # the clean corpora are mostly quiet


def test_result_does_not_depend_on_thread_or_order(guard: Guard) -> None:
    texts = [r["text"] for r in load_jsonl("check_violations.jsonl")[:80]]
    texts += [r["text"] for r in load_jsonl("check_clean.jsonl")[:80]]
    expected = {t: guard.check(t).to_dict() for t in texts}
    results: dict[int, list] = {}

    def worker(index: int) -> None:
        order = texts[index::1] if index % 2 else list(reversed(texts))
        results[index] = [(t, guard.check(t).to_dict()) for t in order]

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for pairs in results.values():
        for text, result in pairs:
            assert result == expected[text]
    fresh = Guard()  # a second instance, used in another order, agrees too
    for text in reversed(texts):
        assert fresh.check(text).to_dict() == expected[text]


def test_results_do_not_depend_on_the_hash_seed(tmp_path) -> None:
    """Sets and dicts iterate in hash order; no verdict may show it (once one did)."""
    import json
    import os
    import subprocess
    import sys

    texts = ["有啥事加qQ找我，qQ群号⑥⑧②③④⑤⑦⑧"]
    for name in ("check_violations.jsonl", "holdout_violations.jsonl"):
        texts += [record["text"] for record in load_jsonl(name)]
    lines = tmp_path / "in.jsonl"
    lines.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts),
                     encoding="utf-8")
    outputs = []
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-m", "guard.cli", "check", "--jsonl", str(lines)],
                              capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 1, done.stderr  # violations blocked, nothing rejected
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") == len(texts)


NUMBERISH = "0123456789一二三四五六七八九零〇幺两洞拐①③⑧壹贰叁lIioO yaosanbaling-、，前后位个加再"


@SETTINGS
@given(st.one_of(messages, st.text(alphabet=NUMBERISH, max_size=40)))
def test_the_any_number_scan_passes_whatever_a_number_prefilter_could_hold(
        guard: Guard, text: str) -> None:
    """The engine asks `any_number` first and skips both number prefilters without it:
    that only holds if neither can say yes where it finds nothing."""
    from guard.normalize import normalize
    from guard.recognizers import may_hold_number, may_hold_pieces

    recognizers, tables = guard.recognizers, guard.compiled.tables
    dense = normalize(text, tables)
    if recognizers.any_number.search(dense) is None:
        assert not may_hold_number(dense, recognizers)
        assert not may_hold_pieces(dense, recognizers)


LINKISH = ("abcxyzWWW.@/:：。．＠ⓐⒶ𝐚𝟏ａＡ１1８点點艾特圈a小老鼠dotAT【】(){} #￥$€%&=?_-"
           "替换成倒过来反着读淘口令复制打开")


@SETTINGS
@given(st.one_of(messages, st.text(alphabet=LINKISH, max_size=40)))
@example("𝟏.𝟐")
@example("ⓐ@ⓑ.ⓒⓞⓜ")
@example("１２３@ｑｑ．ｃｏｍ")
def test_the_any_number_scan_passes_whatever_a_link_prefilter_could_hold(
        guard: Guard, text: str) -> None:
    """The engine skips the link prefilters where `any_number` finds nothing in the
    dense view (a letter, or two digits side by side): that only holds if they can
    never say yes there."""
    from guard.engine import _links
    from guard.normalize import normalize

    recognizers = guard.recognizers
    if recognizers.any_number.search(normalize(text, guard.compiled.tables)) is None:
        assert not _links(text, guard.compiled, recognizers)

@SETTINGS
@given(st.one_of(messages, st.text(alphabet=NUMBERISH + "0000111", max_size=60)))
@example("一13812345678")  # a numeral before an ASCII mobile: the run is searched
@example("一三八一二三四五六七八0755")
@example("订单2023120512345678号")
@example("138123456789")
def test_the_number_prefilter_asks_runs_as_a_search_of_the_whole_text_would(
        guard: Guard, text: str) -> None:
    """`may_hold_number` asks the phone and card shapes of each run of digits or
    numerals (an ASCII run whole): the same answer as searching the whole text."""
    from guard.normalize import normalize
    from guard.recognizers import may_hold_number

    recognizers = guard.recognizers
    dense = normalize(text, guard.compiled.tables)
    assert may_hold_number(dense, recognizers) == (
        recognizers.number_candidate.search(dense) is not None)


_LEAD = re.compile(r"\(\?=\[(?:\\.|[^\]\\])*\]\)")  # a lookahead of one class: `leading`
LEADABLE = ("abdotAITDOT 0123456789点點。艾特圈小老鼠替换成倒过来reverse"
            "后前中间位段个再加是【】(){}.")


@SETTINGS
@given(st.text(alphabet=LEADABLE, max_size=40))
def test_the_leads_before_alternations_change_no_match(guard: Guard, text: str) -> None:
    """The lookaheads that lead the recognizers' alternations (`unit.leading`) are a
    speed-up only: without them each pattern matches the same spans."""
    recognizers = guard.recognizers
    for pattern in (recognizers.disguises.disguised, recognizers.part_links,
                    recognizers.part_positions, recognizers.pieces.links):
        assert _LEAD.search(pattern.pattern), pattern.pattern[:80]
        bare = re.compile(_LEAD.sub("", pattern.pattern), pattern.flags)
        assert [m.span() for m in pattern.finditer(text)] == [
            m.span() for m in bare.finditer(text)]
