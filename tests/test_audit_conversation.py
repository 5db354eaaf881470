"""Evasions split over consecutive agent messages are found and name every message."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.audit.chunk import audit_chunk
from guard.audit.conversation import (
    WINDOW_MESSAGES,
    WINDOW_SECONDS,
    Conversations,
    Turn,
    split_findings,
)
from guard.audit.fastpath import Shortcut, _scoped_words
from guard.audit.judge import AuditConfig, Auditor
from guard.audit.readers import open_source, read_chunks
from guard.audit.report import merge_reports
from guard.audit.run import audit_to_report

from .conftest import load_jsonl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "samples"))
from generate import chat_log

START = datetime(2026, 11, 1, 10, 0)


def write_log(path: Path, rows: list[tuple]) -> Path:
    """rows: (seconds after START, role, text[, agent[, conversation]])."""
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            seconds, role, text = row[:3]
            agent = row[3] if len(row) > 3 else "客服1"
            conversation = row[4] if len(row) > 4 else "C1"
            moment = (START + timedelta(seconds=seconds)).isoformat() + "+08:00"
            out.write(json.dumps({"shop": "店铺A", "agent": agent, "conversation": conversation,
                                  "time": moment, "role": role, "text": text},
                                 ensure_ascii=False) + "\n")
    return path


def splits(report):  # type: ignore[no-untyped-def]
    return [f for f in report.findings if f.split]


def test_a_split_evasion_names_both_messages(tmp_path: Path, guard) -> None:
    log = write_log(tmp_path / "log.jsonl", [
        (0, "buyer", "能加个联系方式吗"),
        (10, "agent", "用那个绿色软件"),
        (20, "buyer", "哪个？"),  # a buyer's line in between does not break the window
        (30, "agent", "号是mm520"),
    ])
    report = audit_to_report([str(log)], guard=guard)
    assert report.totals["block"] == 1  # the message that completed the evasion
    (finding,) = splits(report)
    assert finding.lines == (2, 4)
    assert finding.line == 4
    assert finding.message == "用那个绿色软件\n号是mm520"
    assert finding.text == finding.message[finding.start:finding.end]
    assert "\n" in finding.text  # the span reaches over the boundary
    assert finding.masked.count("█") > 0
    assert report.worst[0].lines == (2, 4)


def test_three_messages_and_only_new_findings(tmp_path: Path, guard) -> None:
    log = write_log(tmp_path / "log.jsonl", [
        (0, "agent", "号码是 138"),
        (5, "agent", "1234"),
        (9, "agent", "5678"),
        (60, "agent", "加我微信 abc12345"),  # a violation in one message …
        (70, "agent", "好的亲"),              # … is not reported again with its neighbours
    ])
    report = audit_to_report([str(log)], guard=guard)
    (phone,) = splits(report)
    assert phone.rule == "phone" and phone.lines == (1, 2, 3)
    singles = [f for f in report.findings if not f.split]
    assert {f.line for f in singles} == {4}
    assert report.totals["block"] == 2


def test_the_window_has_limits(tmp_path: Path, guard) -> None:
    log = write_log(tmp_path / "log.jsonl", [
        (0, "agent", "微"),
        (400, "agent", "信 abcd1234"),             # more than 5 minutes later
        (500, "agent", "淘", "客服1"),
        (510, "agent", "宝搜店名", "客服2"),        # another agent
        (600, "agent", "京", "客服1", "C2"),
        (610, "agent", "东有现货", "客服1", "C3"),  # another conversation
    ])
    assert splits(audit_to_report([str(log)], guard=guard)) == []


def test_found_across_chunk_boundaries(tmp_path: Path, guard) -> None:
    rows: list[tuple] = [(i, "agent", "好的亲，马上为您处理", "客服9", f"F{i}") for i in range(40)]
    rows += [(50, "agent", "微"), (51, "buyer", "嗯？"), (52, "agent", "信 abcd1234")]
    rows += [(60 + i, "buyer", "谢谢", "客服9", f"G{i}") for i in range(40)]
    log = write_log(tmp_path / "log.jsonl", rows)
    whole = audit_to_report([str(log)], guard=guard)
    assert [f.lines for f in splits(whole)] == [(41, 43), (41, 43)]
    for chunk_bytes in (1, 150, 700):
        cut = audit_to_report([str(log)], guard=guard, chunk_bytes=chunk_bytes)
        assert cut.to_dict() == whole.to_dict(), chunk_bytes


def test_the_shortcut_changes_no_result(guard) -> None:
    """Skipping the joined check of quiet windows finds exactly what checking them finds.

    Every violation of the corpora is cut in two at every position (those of
    the large families corpus at every third, a different third for each
    text), and clean messages are paired with each other and with violations.
    """
    shortcut = Shortcut(guard)
    assert shortcut.enabled
    corpora = ("check", "holdout", "families", "blind_dev")
    violations = [r["text"] for name in corpora
                  for r in load_jsonl(f"{name}_violations.jsonl")]
    clean = [r["text"] for name in corpora for r in load_jsonl(f"{name}_clean.jsonl")]
    strided = {r["text"] for r in load_jsonl("families_violations.jsonl")}
    windows: list[list[str]] = []
    for index, text in enumerate(violations):
        step = 3 if text in strided else 1
        for cut in range(1 + index % step, len(text), step):
            windows.append([text[:cut], text[cut:]])
    for index, text in enumerate(clean):
        windows.append([text, clean[(index * 7 + 1) % len(clean)]])
        windows.append([violations[index % len(violations)], text])
        windows.append([text[-6:], violations[(index * 3) % len(violations)][:8],
                        clean[(index + 5) % len(clean)]])
    skipped = 0
    for texts in windows:
        turns = [Turn(i, START, t) for i, t in enumerate(texts)]
        found = split_findings(guard.check, turns[:-1], turns[-1])
        if shortcut.window_is_quiet(texts):
            skipped += 1
            assert found == [], texts
        edges = [shortcut.edges(t) for t in texts]
        if all(shortcut.closed(a, b) for a, b in pairwise(edges)):  # the audit loop's test
            assert shortcut.window_is_quiet(texts) and found == [], texts
    assert skipped > len(clean) // 2  # and it does skip (most clean pairs)


@pytest.mark.parametrize("texts", [
    ["您去myshop点", "com看看"],                       # a disguised dot (obfuscated.py)
    ["您看下abcshop。", "com上面的"],
    ["号码136再加上", "0000再加上1111"],               # pieces joined by linking words
    ["您记一下136接着是", "0000接着是1111好吧"],
    ["好的前三位138，中间四位1234，最后四位", "5678"],
    ["复制¥", "AbCd1234Ef¥打开"],                      # a 口令's symbol (numbers.toml)
    ["号码是 138", "1234", "5678"],
    ["把逗号换成", "点：myshop,com"],                   # a swap instruction cut in two …
    ["地址是 myshop,com", "把逗号换成点就行，您稍等，我这边马上帮您看一下物流，好的亲"],
    ["把逗号换成点就行，您稍等，我这边马上帮您看一下物流，好的亲", "好的", "myshop,com"],
])
def test_the_shortcut_asks_the_registry_what_continues(guard, texts: list[str]) -> None:
    """Each recognizer's continuation characters open the boundary it can cross, and
    a swap instruction (obfuscated.py's cue) the whole window: it is judged joined,
    and the split is found (these were skipped once)."""
    shortcut = Shortcut(guard)
    turns = [Turn(i, START, t) for i, t in enumerate(texts)]
    assert all(shortcut.edges(t).quiet for t in texts)  # no message alone has anything
    assert not shortcut.window_is_quiet(texts)
    assert split_findings(guard.check, turns[:-1], turns[-1])


@pytest.mark.parametrize("cut", ["", "，＆", "，＆记得", "，＆记得换成"])
def test_a_swap_instruction_without_its_lead_word_opens_the_window(guard, cut: str) -> None:
    """"＆记得换成 @" (no 把 before the symbol) reaches the address in another message,
    whole or cut where a space may stand: the window is judged joined (the e-mail read
    back is found, not only the domain the first message shows alone)."""
    first, second = "宝子，客服邮箱：service＆beautyzone.cn", "，＆记得换成 @ 哈"
    texts = [first + cut, second[len(cut):]]
    shortcut = Shortcut(guard)
    turns = [Turn(i, START, t) for i, t in enumerate(texts)]
    assert not shortcut.window_is_quiet(texts)
    assert [f.finding.category for f in split_findings(guard.check, turns[:-1], turns[-1])] \
        == ["contact_number"]


# Pieces an evader cuts a contact detail into, and the chat around them.
_PIECES = ["138", "1234", "5678", "一三八", "幺二", "l38", "yi san", "ba", "0571", "-", "88886666",
           "再加上", "接着是", "前三位", "最后四位", "尾号", "手机", "电话", "卡号", "6222021234",
           "567890128", "abc", "shop", "@", "qq", ".", "com", "点", "艾特", "at", "dot", "【点】",
           "www", "http", "://", "¥", "AbCd1234", "Ef", "把", "逗号", "换成", "微", "信", "号是",
           "vx", "淘", "宝", "好的", "亲", "😊", "！", "，", " ", "的", "是", "您",
           # warnings and what could raise them across a boundary
           "收件人王磊", "您的手机号13812345678", "地址北京市朝阳区", "对吗", "联系我们", "返现",
           "好评", "我们没有微信的哦", "去淘宝", "不能", "加", "群", "朋友圈", "新", "嗯", "。"]


def test_the_scoped_words_carry_the_rules_their_concepts_meet(guard) -> None:
    """Each context word's bits are the message-scoped rules that look at one of
    its concepts (`unless` included), as the plain definition gives them."""
    compiled = guard.compiled
    automaton, windows, _ = _scoped_words(compiled)
    scoped = [rule for rule in compiled.rule_index.rules if rule.scope == "message"]
    assert scoped and len(windows) == len(scoped)
    bits_of = dict(automaton.items())
    checked = 0
    for word, (length, _, _, concepts) in list(compiled.context.items())[::5]:
        bits = sum(1 << index for index, rule in enumerate(scoped)
                   if set(concepts) & set(rule.concepts))
        assert bits_of.get(word, (length, 0)) == (length, bits) if bits else word not in bits_of
        checked += bool(bits)
    assert checked > 100


@pytest.fixture(scope="module")
def shortcut(guard) -> Shortcut:  # type: ignore[no-untyped-def]
    return Shortcut(guard)


@settings(max_examples=int(os.environ.get("GUARD_SHORTCUT_EXAMPLES", "400")), deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6).map("".join),
                min_size=2, max_size=3))
def test_a_window_the_shortcut_skips_holds_no_split(guard, shortcut: Shortcut,
                                                    texts: list[str]) -> None:
    """Whatever the messages, a window the shortcut calls quiet has no split finding."""
    if shortcut.window_is_quiet(texts):
        turns = [Turn(i, START, t) for i, t in enumerate(texts)]
        assert split_findings(guard.check, turns[:-1], turns[-1]) == [], texts


@pytest.mark.parametrize("texts", [
    ["好的", "是的"],          # linking words alone start no number given in pieces
    ["好的😊", "OK"],          # an emoji continues no shape
    ["收到啦！", "【已发货】"],
])
def test_a_boundary_no_recognizer_continues_is_closed(guard, texts: list[str]) -> None:
    shortcut = Shortcut(guard)
    left, right = (shortcut.edges(t) for t in texts)
    assert shortcut.closed(left, right)


def test_the_shortcut_changes_no_report_on_a_generated_log(tmp_path: Path, guard) -> None:
    """Audited with and without the shortcut, a generated log (read-backs of buyers'
    addresses, warnings, split evasions, canned replies) gives the same report."""
    records = chat_log(12000, seed=23, shops=3, agents_per_shop=2, violation_rate=0.15)
    log = tmp_path / "log.jsonl"
    log.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    chunks = list(read_chunks(open_source(str(log)), 200_000))
    reports = []
    for use_shortcut in (True, False):
        auditor = Auditor(AuditConfig(), use_shortcut=use_shortcut, guard=guard)
        reports.append(merge_reports(*(audit_chunk(auditor, c) for c in chunks)))
    assert reports[0].totals["split_findings"] > 0
    assert reports[0].to_dict() == reports[1].to_dict()


# ---------------------------------------------------------------- Conversations.window

def reference_window(history: list[Turn], current: Turn, lookback: int) -> tuple[Turn, ...]:
    """The window by its definition: the conversation's previous turns in reach, newest
    back to the first out of reach, at most WINDOW_MESSAGES in all with the current one."""
    taken: list[Turn] = []
    for turn in reversed(history[-(WINDOW_MESSAGES - 1):]):
        if (current.line - turn.line > lookback
                or abs(current.moment - turn.moment) > timedelta(seconds=WINDOW_SECONDS)):
            break
        taken.append(turn)
    return (*reversed(taken), current) if taken else ()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(1, 12),
                          st.sampled_from([0, 1, 150, 299, 300, 301, -150, -300, -301]),
                          st.booleans()), max_size=40),
       st.booleans())
def test_conversations_offer_the_windows_the_definition_gives(
        steps: list[tuple[int, int, int, bool]], with_closed: bool) -> None:
    """Each turn's window is the definition's; with `closed`, a window whose every
    boundary is closed is not offered, and one with an open boundary is."""
    lookback = 20

    def closed(left: bool, right: bool) -> bool:  # facts: whether the message is "inert"
        return left and right

    conversations = Conversations(closed if with_closed else None, lookback=lookback)
    histories: dict[int, list[Turn]] = {}
    inert_of: dict[int, bool] = {}  # line → the message's facts
    line, seconds = 0, 0
    for key, gap, drift, inert in steps:
        line += gap
        seconds += drift
        current = Turn(line, START + timedelta(seconds=seconds), f"t{line}")
        expected = reference_window(histories.setdefault(key, []), current, lookback)
        if with_closed and expected and all(
                closed(inert_of[a.line], inert_of[b.line]) if b is not current
                else closed(inert_of[a.line], inert)
                for a, b in pairwise(expected)):
            expected = ()
        got = conversations.window(key, current.line, current.moment, current.text, inert)
        assert [(t.line, t.text) for t in got] == [(t.line, t.text) for t in expected]
        histories[key].append(current)
        inert_of[line] = inert

