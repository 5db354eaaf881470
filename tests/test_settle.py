"""Findings settled into what a verdict reports (guard/settle.py)."""

from __future__ import annotations

import pytest

from guard import Guard
from guard.settle import settle
from guard.verdict import Finding, Severity, new_finding

TEXT = "以后不用在这下单了，直接加我微信找我拿货"


def _finding(rule: str, category: str, severity: Severity, start: int, end: int) -> Finding:
    return new_finding(rule, category, severity, start, end, TEXT[start:end], rule)


@pytest.mark.parametrize(("inner", "kept"), [
    # a block inside a block of its category is dropped
    (("direct_payment", "offplatform_trade", "block", 12, 14), False),
    # a block inside a block of another category is kept: two violations, two reasons
    # (the contact inside the off-platform trade)
    (("wechat", "contact_im", "block", 14, 16), True),
    # a warning inside any finding is dropped
    (("wechat", "contact_im", "warn", 14, 16), False),
])
def test_a_finding_inside_a_block(inner: tuple[str, str, Severity, int, int],
                                  kept: bool) -> None:
    outer = _finding("skip_platform", "offplatform_trade", "block", 2, 19)
    found = _finding(*inner)
    assert settle(TEXT, [found, outer]) == ((outer, found) if kept else (outer,))


def test_same_span_of_two_categories_keeps_both() -> None:
    first = _finding("number_pointer", "contact_number", "block", 2, 9)
    second = _finding("written_pointer", "contact_im", "block", 2, 9)
    assert {f.category for f in settle(TEXT, [second, first])} == {"contact_number", "contact_im"}


def test_the_message_shows_both_reasons(guard: Guard) -> None:
    verdict = guard.check(TEXT)
    assert verdict.verdict == "block"
    assert {"offplatform_trade", "contact_im"} <= {f.category for f in verdict.findings}
