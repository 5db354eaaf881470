"""The suggestion for a blocked message: it passes, keeps what may stay, and quotes the reply."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guard.cli import main
from guard.replies.render import render_reply
from guard.rewrite import Rewriter, rewriter_for, why_sentence, with_suggestion

from .conftest import load_jsonl

VIOLATIONS = [r["text"] for name in ("check_violations.jsonl", "holdout_violations.jsonl")
              for r in load_jsonl(name)]
CLEAN = [r["text"] for name in ("check_clean.jsonl", "holdout_clean.jsonl")
         for r in load_jsonl(name)]


@pytest.fixture(scope="module")
def rewriter(guard) -> Rewriter:  # type: ignore[no-untyped-def]
    return rewriter_for(guard)


def suggestion(guard, rewriter, text: str) -> str | None:  # type: ignore[no-untyped-def]
    return with_suggestion(guard, guard.check(text), rewriter).suggestion


def test_the_sentence_is_the_marked_part_of_the_off_platform_reply() -> None:
    sentence = why_sentence()
    assert sentence and "拼多多" in sentence
    assert sentence in render_reply("off-platform-request").reply
    assert sentence != render_reply("off-platform-request").reply  # a part, not the whole reply


def test_every_blocked_corpus_message_gets_a_suggestion_that_passes(guard, rewriter) -> None:
    blocked = 0
    for text in VIOLATIONS:
        verdict = guard.check(text)
        if verdict.verdict != "block":
            continue
        blocked += 1
        suggested = with_suggestion(guard, verdict, rewriter).suggestion
        assert suggested is not None
        assert guard.check(suggested).verdict == "pass", (text, suggested)
    assert blocked > 400


def test_the_offending_clause_goes_and_the_rest_stays(guard, rewriter) -> None:
    sentence = rewriter.sentence
    assert suggestion(guard, rewriter, "您好，这个问题比较复杂，方便加个微信详细说吗") == \
        "您好，这个问题比较复杂。" + sentence
    assert suggestion(guard, rewriter, "建议您去淘宝拍，这边这个规格发不了") == \
        "这边这个规格发不了。" + sentence
    # clauses told apart by spaces only
    assert suggestion(guard, rewriter, "亲 加我薇信 我给您发安装视频") == \
        "我给您发安装视频。" + sentence
    # a message that is nothing but the violation: the sentence alone
    assert suggestion(guard, rewriter, "加我vx abc123") == sentence
    # short words around the evasion ("加我 ｖ 信 详聊") go with it
    assert suggestion(guard, rewriter, "加我 ｖ 信 详聊") == sentence


def test_the_message_keeps_its_own_ending(guard, rewriter) -> None:
    suggested = suggestion(guard, rewriter, "好的亲，稍等一下哈！加我微信发您视频！")
    assert suggested == "好的亲，稍等一下哈！" + rewriter.sentence


def test_nothing_for_pass_or_warn(guard, rewriter) -> None:
    for text in ("您好", "不能加微信哦"):
        verdict = guard.check(text)
        assert verdict.verdict != "block"
        assert with_suggestion(guard, verdict, rewriter).suggestion is None
        assert "suggestion" not in verdict.to_dict()


def test_a_candidate_that_fails_falls_back(guard) -> None:
    rewriter = rewriter_for(guard)
    # A sentence that itself blocks (a merchant's lexicon might make it so) is never suggested.
    bad = Rewriter("加我微信", guard.compiled.tables.boundaries)
    text = "您好，这个问题比较复杂，方便加个微信详细说吗"
    assert with_suggestion(guard, guard.check(text), bad).suggestion == "您好，这个问题比较复杂"
    # A caller that accepts nothing gets the empty message, which sends nothing off the platform.
    refused = with_suggestion(guard, guard.check(text), rewriter, passes=lambda _: False)
    assert refused.suggestion == ""


def test_json_forms_carry_it(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["check", "--json", "去京东买"]) == 1
    result = orjson.loads(capsys.readouterr().out)
    assert result["suggestion"] == why_sentence()
    assert main(["check", "--json", "您好"]) == 0
    assert "suggestion" not in orjson.loads(capsys.readouterr().out)


def test_jsonl_carries_it_on_blocked_lines(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    lines = tmp_path / "in.jsonl"
    lines.write_text('{"text": "好的", "id": 1}\n{"text": "加我vx abc123 详聊", "id": 2}\n',
                     encoding="utf-8")
    assert main(["check", "--jsonl", str(lines), "--quiet"]) == 1
    first, second = (orjson.loads(line) for line in capsys.readouterr().out.splitlines())
    assert "suggestion" not in first
    assert second["id"] == 2 and second["suggestion"] == why_sentence()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=st.sampled_from(CLEAN), violation=st.sampled_from(VIOLATIONS),
       after=st.sampled_from(CLEAN), joint=st.sampled_from(["，", "。", " ", "！", "\n", ""]))
def test_property_a_suggestion_always_passes(guard, rewriter, before: str, violation: str,
                                             after: str, joint: str) -> None:
    text = before + joint + violation + joint + after
    verdict = guard.check(text)
    suggested = with_suggestion(guard, verdict, rewriter).suggestion
    if verdict.verdict != "block":
        assert suggested is None
        return
    assert suggested is not None
    assert guard.check(suggested).verdict == "pass", (text, suggested)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("加我微信vx淘宝京东 ，。1386-5432转账红包亲好的~")),
               max_size=60))
def test_property_noise_around_terms(guard, rewriter, text: str) -> None:
    verdict = guard.check(text)
    suggested = with_suggestion(guard, verdict, rewriter).suggestion
    if verdict.verdict == "block":
        assert suggested is not None and guard.check(suggested).verdict == "pass"
