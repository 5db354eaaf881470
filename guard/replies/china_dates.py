"""China time, its statutory holidays, and how a reply writes a date or a duration.

The policy's calculators (policy.py) think in China time and name the holidays that may
delay a refund; these helpers are theirs and the replies' alike. Statutory holidays come
from the maintained ``chinese_calendar`` package; for years it does not cover, the holiday
check is reported as unknown (None), never guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar

from guard.times import CHINA_TZ

__all__ = [
    "HolidayCheck",
    "StatutoryHoliday",
    "format_cn_datetime",
    "format_cn_duration",
    "holidays_between",
    "to_china_time",
]


def to_china_time(moment: dt.datetime) -> dt.datetime:
    """Return ``moment`` in China time, so every comparison uses one clock.

    A naive datetime is taken as China time (agents and logs think in it);
    an aware one is converted. A bare ``date`` is refused: the policy's
    deadlines are to the minute, and a date has no time of day.
    """
    if not isinstance(moment, dt.datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=CHINA_TZ)
    return moment.astimezone(CHINA_TZ)


# ----------------------------------------------------------------------- holidays


@dataclass(frozen=True, slots=True)
class StatutoryHoliday:
    """One statutory day off, so a reply can name why a refund may be late."""

    date: dt.date
    name: str
    """The calendar package's English name, e.g. "National Day"."""
    name_zh: str
    """The Chinese name, e.g. "国庆节" (the English one if the package has none)."""


@dataclass(frozen=True, slots=True)
class HolidayCheck:
    """Statutory holidays on a span of days, and whether the calendar knew them all."""

    holidays: tuple[StatutoryHoliday, ...]
    complete: bool
    """False when some day's year is outside the calendar's data."""

    @property
    def any_holiday(self) -> bool | None:
        """True if a holiday was found, False if surely none, None if unknown."""
        if self.holidays:
            return True
        return False if self.complete else None


def _chinese_holiday_name(english: str) -> str:
    """Map the package's English holiday name to its Chinese one."""
    try:
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english


def holidays_between(first: dt.date, last: dt.date) -> HolidayCheck:
    """Statutory holidays from ``first`` to ``last`` (both included).

    Only days the calendar lists as statutory days off count: ordinary
    weekends do not, and make-up working days (调休上班) do not. A day in a year
    the calendar does not cover (it raises NotImplementedError) marks the
    check incomplete instead of failing: refund times are still answerable,
    only the holiday warning is unknown.
    """
    if isinstance(first, dt.datetime):
        first = to_china_time(first).date()
    if isinstance(last, dt.datetime):
        last = to_china_time(last).date()
    found: list[StatutoryHoliday] = []
    complete = True
    day = first
    while day <= last:
        try:
            is_day_off, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            complete = False
        else:
            if is_day_off and name is not None:
                found.append(StatutoryHoliday(day, name, _chinese_holiday_name(name)))
        day += dt.timedelta(days=1)
    return HolidayCheck(tuple(found), complete)


# --------------------------------------------------------------------- formatting


def format_cn_datetime(moment: dt.datetime, reference_year: int | None = None) -> str:
    """Format a moment for a Chinese reply: "11月28日 23:59", in China time.

    The year is added ("2027年1月1日 00:05") when it differs from
    ``reference_year`` (usually the year of "now"); with no reference the year
    is always shown, because a bare date could be read in the wrong year.
    """
    local = to_china_time(moment)
    text = f"{local.month}月{local.day}日 {local.hour:02d}:{local.minute:02d}"
    if reference_year is None or local.year != reference_year:
        text = f"{local.year}年{text}"
    return text


def format_cn_duration(span: dt.timedelta) -> str:
    """Format a duration as "1天3小时" / "2小时5分钟" for a reply.

    Whole minutes only (seconds are dropped, so the time left is never
    overstated); zero parts are omitted; "0分钟" for zero and "不到1分钟" for
    a positive span under a minute. A negative span is an error.
    """
    if span < dt.timedelta(0):
        raise ValueError(f"negative duration: {span}")
    minutes_total = span // dt.timedelta(minutes=1)
    if minutes_total == 0:
        return "不到1分钟" if span > dt.timedelta(0) else "0分钟"
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{value}{unit}"
        for value, unit in ((days, "天"), (hours, "小时"), (minutes, "分钟"))
        if value
    ]
    return "".join(parts)
