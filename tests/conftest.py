"""Shared fixtures: one Guard for the whole run (it is immutable and thread-safe)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import settings

from guard import Guard
from guard.replies.policy import CHINA_TZ

DATA = Path(__file__).parent / "data"

# CI replays the same examples every run (a red build is a real regression);
# a developer's run explores new ones each time.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def cn(*args: int) -> dt.datetime:
    """An aware China-time datetime, to compare results against."""
    return dt.datetime(*args, tzinfo=CHINA_TZ)


def calendar_knows(year: int) -> bool:
    """Whether the installed chinese_calendar has data for ``year``."""
    try:
        chinese_calendar.get_holiday_detail(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def load_jsonl(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="session")
def guard() -> Guard:
    return Guard()
