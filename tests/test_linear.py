"""The slow path's work grows linearly with the text, counted without a clock.

A message of nothing but violations, repeated n, 2n and 4n times: the number
of lines of guard's own code executed (traced) must grow by about 2× per
doubling. A comparison of every hit against every span, or a pass over all
findings per finding, shows as 4× at once. (Work inside one C call — string
slicing — is not traced; bench/bench_linear.py times the whole.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import guard as guard_package
from guard import Guard

PACKAGE = str(Path(guard_package.__file__).parent)

DENSE_MESSAGES = [
    "加我微信abc123 ",                                    # the message
    "电话13812345678，",
    "扫码加我，复制这条口令打开手淘。",                      # overlapping findings merged
    "加我vx：abc_123，去某宝拍，转账给我，好评返现5元，www.abc.cn ",
    "微信付款的订单，微信淘宝 v我 ",                        # allow-listed phrases, context words
    "不能加微信哦，加我薇信 ",                               # refusal cues
    "发邮件到 a1@b.cn 或 www.c.cn ",
    "五星好评送红包，直接转账给我，不走平台，看我主页联系方式 ",  # the rule language's concepts
    "这边说话不方便，加我vx详聊 ",                           # an excuse around a soft cue
    "我手机前三位是138，中间四位1234，最后四位5678 ",          # assembled numbers
    "myshop点com 把点换成. 把#换成@：service#163.com ",      # swap instructions
]


def traced_lines(guard: Guard, text: str) -> int:
    """Lines of guard's code executed while checking `text`."""
    count = 0

    def local(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal count
        if event == "line":
            count += 1
        return local

    def call(frame, event, arg):  # type: ignore[no-untyped-def]
        return local if frame.f_code.co_filename.startswith(PACKAGE) else None

    sys.settrace(call)
    try:
        guard.check(text)
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("unit", DENSE_MESSAGES)
def test_work_per_violation_stays_constant(guard: Guard, unit: str) -> None:
    guard.check("去南京东路买")  # the tokenizer loaded: its first load is no part of the shape
    lines = [traced_lines(guard, unit * n) for n in (60, 120, 240)]
    assert lines[0] > 1000  # the message has work to do
    assert lines[1] / lines[0] <= 2.05, lines
    assert lines[2] / lines[1] <= 2.05, lines


def test_findings_grow_with_the_message(guard: Guard) -> None:
    """The shape above is measured on real work: each copy adds its findings."""
    one = len(guard.check(DENSE_MESSAGES[0] * 60).findings)
    assert len(guard.check(DENSE_MESSAGES[0] * 120).findings) == 2 * one > 0


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12)), max_size=40))
def test_spans_keep_what_a_pass_over_all_kept_spans_would(spans: list[tuple[int, int]]) -> None:
    """recognizers.unit.Spans (one bisect per span) against the plain quadratic test."""
    from guard.recognizers.unit import Spans

    fast = Spans()
    kept: list[tuple[int, int]] = []
    for start, length in spans:
        end = start + length
        plain = not any(a < end and start < b for a, b in kept)
        if plain:
            kept.append((start, end))
        assert fast.add(start, end) == plain


def test_a_long_message_pauses_the_collector_only_while_it_is_judged(
        guard: Guard, monkeypatch: pytest.MonkeyPatch) -> None:
    """decide() pauses the cyclic garbage collector for a long message (it makes no
    cycles), starts it again afterwards, and leaves a collector that was off, off."""
    import gc

    import guard.decide as decide_module

    unit = DENSE_MESSAGES[3]
    text = unit * (decide_module.PAUSE_COLLECTOR_FROM // len(unit) + 1)
    running: list[bool] = []  # whether the collector ran while each message was judged
    inner = decide_module._decide

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        running.append(gc.isenabled())
        return inner(*args, **kwargs)

    monkeypatch.setattr(decide_module, "_decide", spy)
    assert gc.isenabled()
    verdict = guard.check(text)
    assert gc.isenabled() and verdict.verdict == "block"
    guard.check(unit)  # a short message: the collector keeps running
    gc.disable()
    try:
        guard.check(text)
        assert not gc.isenabled()  # off before, left off
    finally:
        gc.enable()
    assert running == [False, True, False]
