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

# The HTML report says when it was made; pages compared across runs (one worker
# or two, local or Spark) must not differ by the minute they were made in.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1793500000")


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


@pytest.fixture(scope="session")
def spark():  # type: ignore[no-untyped-def]
    """One local[2] SparkSession for every Spark test (a JVM is slow to start), lean.

    Skips, saying why, only where pyspark (pip install '.[spark]') or Java is missing.
    """
    import shutil
    import sys

    pytest.importorskip("pyspark", reason="pyspark is not installed: pip install '.[spark]'")
    pytest.importorskip("pyarrow", reason="pyarrow is not installed: pip install '.[spark]'")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java (17 or newer): no java on PATH and no JAVA_HOME")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("guard tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.default.parallelism", "2")
               .config("spark.driver.memory", "768m")
               .config("spark.log.level", "ERROR")
               .getOrCreate())
    yield session
    session.stop()
