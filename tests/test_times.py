"""guard.times: the one time parser the audit and the replies share."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import guard.audit.readers as readers
import guard.audit.rows as rows
from guard.cli import main
from guard.times import CHINA_TZ, is_date_only, parse_time
from tests.conftest import cn


def test_the_audit_reads_times_with_the_shared_parser() -> None:
    assert rows.parse_time is parse_time


@pytest.mark.parametrize("text", ["2026-11-19T10:00", "2026-11-19 10:00", "2026/11/19 10:00",
                                  "2026/11/19T10:00:00", "20261119T1000",
                                  "2026-11-19T02:00:00+00:00", "2026-11-19 10:00+08:00"])
def test_one_moment_however_it_is_written(text: str) -> None:
    parsed = parse_time(text)
    assert parsed is not None
    assert parsed.moment == cn(2026, 11, 19, 10, 0)


def test_no_offset_means_china_time_and_the_day_is_as_written() -> None:
    parsed = parse_time("2026/11/19 23:30")
    assert parsed is not None and parsed.moment.tzinfo is CHINA_TZ
    assert parsed.day == "2026-11-19"
    utc = parse_time("2026-11-19T23:30:00+00:00")
    assert utc is not None and utc.day == "2026-11-19"  # the export's own date


@pytest.mark.parametrize("text", ["yesterday", "", "2026-13-01 10:00", "19/11/2026 10:00",
                                  "2026年11月19日"])
def test_not_a_time(text: str) -> None:
    assert parse_time(text) is None


def test_bare_dates_are_recognized() -> None:
    assert all(is_date_only(t) for t in ("2026-11-19", "2026/11/19", "20261119", " 2026-1-9 "))
    assert not any(is_date_only(t) for t in ("2026-11-19 10:00", "2026/11/19T10:00"))


@given(st.datetimes(min_value=dt.datetime(1992, 1, 1), max_value=dt.datetime(9998, 1, 1)))
def test_dashes_and_slashes_read_alike(moment: dt.datetime) -> None:
    iso = moment.isoformat(sep=" ")
    slashed = iso.replace("-", "/")
    assert parse_time(iso) == parse_time(slashed)
    assert parse_time(iso).moment == moment.replace(tzinfo=CHINA_TZ)  # type: ignore[union-attr]


def test_reply_and_audit_accept_the_same_time(capsys: pytest.CaptureFixture) -> None:
    """`2026/11/19 10:00`, which the audit accepts, is a time for `guard reply` too."""
    row = readers.make_row(1, "店", "客服", "c1", "2026/11/19 10:00", "agent", "您好")
    assert isinstance(row, readers.Row) and row.moment == cn(2026, 11, 19, 10, 0)
    assert main(["reply", "return", "--received-at", "2026/11/19 10:00",
                 "--at", "2026/11/20 10:00", "--json"]) == 0
    assert '"received_at":"2026-11-19T10:00:00+08:00"' in capsys.readouterr().out
