"""Lengths of time as people write them: 2-6天, 2～6天, 两到六天, 二至六天, 两三天, 48h, 一周.

The trainer compares what a trainee says with the policy's periods
(guard.replies.policy.PERIODS), so every spelling of the same period must read
the same. cn2an was tried and left out: it reads 一两天 as 12天 and 两三天 as
23天 (a wrong number where the trainee wrote a right one), leaves 两到六天 half
converted, and costs 0.26 s to import. The grammar needed here is small: a
number (Arabic, or Chinese up to the hundreds), an optional range, a unit.

Input is guard's light view (NFKC, case-folded, simplified, no spaces): ２－６天
is already 2-6天 there.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["SaidPeriod", "chinese_number", "said_periods"]

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_UNITS = {
    "分钟": dt.timedelta(minutes=1), "min": dt.timedelta(minutes=1),
    "小时": dt.timedelta(hours=1), "个小时": dt.timedelta(hours=1), "钟头": dt.timedelta(hours=1),
    "个钟头": dt.timedelta(hours=1), "h": dt.timedelta(hours=1),
    "天": dt.timedelta(days=1), "日": dt.timedelta(days=1), "个工作日": dt.timedelta(days=1),
    "工作日": dt.timedelta(days=1), "个自然日": dt.timedelta(days=1),
    "周": dt.timedelta(days=7), "个星期": dt.timedelta(days=7), "星期": dt.timedelta(days=7),
}
_NUM = r"\d+|[零〇一二两三四五六七八九十百]+"
# Longest first, so 个小时 is not read as 个 + 小时 and 分钟 never as 分.
_UNIT = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_SEP = r"[-–—~～]|到|至"
_PERIOD = re.compile(
    rf"(?P<pair>[一二两三四五六七八九]{{2}})(?P<pu>{_UNIT})"        # 两三天: a rough range
    rf"|(?P<a>{_NUM})(?P<au>{_UNIT})?(?:{_SEP})(?P<b>{_NUM})(?P<bu>{_UNIT})"  # 2-6天, 两天到六天
    rf"|(?P<n>{_NUM})(?P<nu>{_UNIT})"                                # 48小时
)


@dataclass(frozen=True, slots=True)
class SaidPeriod:
    """A length of time found in a text: [start, end) of the text it was read from."""

    low: dt.timedelta
    high: dt.timedelta
    start: int
    end: int


def chinese_number(text: str) -> int | None:
    """二十四 → 24, 两 → 2, 一百二 → 120, 48 → 48; None for anything else (一二三 is no number)."""
    if text.isdigit():
        return int(text)
    total, current, seen_unit = 0, None, False
    for char in text:
        if char in "零〇" and seen_unit:
            continue  # 一百零五
        if char in _DIGITS:
            if current is not None:
                return None  # two digits in a row: 二四 is not a number
            current = _DIGITS[char]
        elif char in "十百":
            scale = 10 if char == "十" else 100
            total += (1 if current is None else current) * scale
            current, seen_unit = None, True
        else:
            return None
    if current is not None:
        # 一百二 is 120: a last digit after 百 counts tens.
        total += current * (10 if seen_unit and text[-2:-1] == "百" else 1)
    return total


def said_periods(light: str) -> list[SaidPeriod]:
    """Every length of time in `light`, in order. A date (3日) is not a period: 日 counts only
    where no 月 comes right before the number."""
    found = []
    for match in _PERIOD.finditer(light):
        if match.group("pair"):
            first, second = (_DIGITS[c] for c in match.group("pair"))
            if second <= first:
                continue  # 二二, 六三: not a range anyone writes
            unit = _UNITS[match.group("pu")]
            found.append(SaidPeriod(first * unit, second * unit, *match.span()))
            continue
        if match.group("n") is not None:
            value, unit_text = chinese_number(match.group("n")), match.group("nu")
            if value is None or _is_date(light, match.start(), unit_text):
                continue
            unit = _UNITS[unit_text]
            found.append(SaidPeriod(value * unit, value * unit, *match.span()))
            continue
        low, high = chinese_number(match.group("a")), chinese_number(match.group("b"))
        if low is None or high is None or _is_date(light, match.start(), match.group("bu")):
            continue
        high_unit = _UNITS[match.group("bu")]
        low_unit = _UNITS[match.group("au")] if match.group("au") else high_unit
        found.append(SaidPeriod(low * low_unit, high * high_unit, *match.span()))
    return found


def _is_date(light: str, start: int, unit: str) -> bool:
    """11月3日 is a date, not three days."""
    if unit != "日":
        return False
    before = light[max(0, start - 4):start]
    return "月" in before
