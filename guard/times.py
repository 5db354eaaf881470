"""The one time parser: what a time written by a merchant, an agent or a chat export means.

The audit reads chat logs' `time` field with it and `guard reply` its --*-at
options, so a time one accepts the other accepts too (ARCHITECTURE: "how a
time is parsed lives once").

Accepted: ISO 8601 as Python reads it (2026-11-19T10:00, 2026-11-19 10:00:05,
20261119T1000, with or without an offset) and the same with slashes in the
date, as Chinese exports write it (2026/11/19 10:00), and the date and time without
zero padding as Excel re-saves a CSV (2026/11/1 8:46, 2026-11-1 8:46:05). A time without an offset
is China Standard Time: merchants, agents and Pinduoduo's deadlines think in it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

__all__ = ["CHINA_TZ", "ParsedTime", "is_date_only", "parse_time"]

CHINA_TZ = ZoneInfo("Asia/Shanghai")
"""The policy's and the merchants' clock."""

_DATE_ONLY = re.compile(r"\d{4}([-/])\d{1,2}\1\d{1,2}|\d{8}")
# Excel's re-saved form: no zero padding, seconds optional.
_UNPADDED = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?")


class ParsedTime(NamedTuple):
    """An aware moment, and the local date as written (YYYY-MM-DD), for per-day counts."""

    moment: datetime
    day: str


def parse_time(value: str) -> ParsedTime | None:
    """The moment `value` names, or None if it is not a time this tool reads.

    The day is the date as written when the text starts with one (an export's
    local date, whatever offset follows), else the moment's own date.
    """
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = datetime.fromisoformat(value.replace("/", "-"))
        except ValueError:
            return _unpadded(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA_TZ)
    if value[4:5] in ("-", "/") and value[7:8] == value[4:5]:
        return ParsedTime(moment, value[:10].replace("/", "-"))
    return ParsedTime(moment, moment.date().isoformat())


def _unpadded(value: str) -> ParsedTime | None:
    """2026/11/1 8:46 (a CSV that Excel re-saved): China time, the day as written."""
    match = _UNPADDED.fullmatch(value.strip())
    if match is None:
        return None
    year, _, month, day, hour, minute, second = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute),
                          int(second or 0), tzinfo=CHINA_TZ)
    except ValueError:
        return None
    return ParsedTime(moment, moment.date().isoformat())


def is_date_only(value: str) -> bool:
    """Whether `value` is a bare date (2026-11-19, 2026/11/19, 20261119): no time of day.

    The parser reads it as midnight; a caller whose deadlines run to the
    minute (the after-sales replies) refuses it rather than guess the hour.
    """
    return _DATE_ONLY.fullmatch(value.strip()) is not None
