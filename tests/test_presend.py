"""The pre-send check: a message with the agent's earlier messages (the audit's split rule)."""

from __future__ import annotations

from datetime import datetime

import pytest

from guard.audit.conversation import Turn, split_findings
from guard.presend import Presend


@pytest.fixture(scope="module")
def presend(guard) -> Presend:  # type: ignore[no-untyped-def]
    return Presend.for_guard(guard)


def test_a_message_that_completes_a_split_is_blocked(presend: Presend) -> None:
    alone = presend.verdict("号是mm520")
    assert alone.verdict != "block"
    verdict = presend.verdict("号是mm520", ["好的亲", "用那个绿色软件"])
    assert verdict.verdict == "block"
    (finding,) = [f for f in verdict.findings if f.joined is not None]
    joined = finding.joined
    assert joined.context == (1,)  # the second earlier message, not the first
    assert joined.text == "用那个绿色软件\n号是mm520"
    assert joined.text[joined.start:joined.end] == "绿色软件\n号"
    assert finding.text == "号是mm520"[finding.start:finding.end] == "号"
    data = verdict.to_dict()
    assert data["findings"][0]["split"]["context"] == [1]
    # the suggestion passes alone and after the same context
    assert presend.verdict(verdict.suggestion, ["好的亲", "用那个绿色软件"]).verdict == "pass"


def test_same_findings_as_the_audit_rule(presend: Presend, guard) -> None:  # type: ignore[no-untyped-def]
    moment = datetime(2026, 11, 1, 10, 0)
    context = ["号码是 138", "1234"]
    turns = [Turn(i, moment, t) for i, t in enumerate(context)]
    audit = split_findings(guard.check, turns, Turn(2, moment, "5678"))
    served = [f for f in presend.verdict("5678", context).findings if f.joined]
    assert [(s.finding.rule, s.text) for s in audit] == [(f.rule, f.joined.text) for f in served]
    assert served[0].joined.context == (0, 1)


def test_own_findings_are_not_reported_twice(presend: Presend) -> None:
    verdict = presend.verdict("加我微信 abc12345", ["好的亲"])
    assert all(f.joined is None for f in verdict.findings)
    assert verdict.to_dict() | {"suggestion": None} == \
        presend.verdict("加我微信 abc12345").to_dict() | {"suggestion": None}


def test_only_the_window_counts(presend: Presend) -> None:
    # at most three messages: "微" is three back, outside the window
    assert presend.verdict("信 abcd1234", ["微", "好的", "稍等"]).verdict != "block"
    assert presend.verdict("信 abcd1234", ["好的", "微"]).verdict == "block"


def test_no_context_is_the_plain_check(presend: Presend, guard) -> None:  # type: ignore[no-untyped-def]
    for text in ("您好", "加我微信", "不能加微信哦"):
        assert presend.verdict(text).findings == guard.check(text).findings
