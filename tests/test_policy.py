"""Tests for guard.replies.policy: the after-sales facts replies quote."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guard.replies.policy import (
    CHINA_TZ,
    PAYMENT_METHODS,
    evidence_deadline,
    format_cn_datetime,
    format_cn_duration,
    freight_subsidy_deadline,
    group_auto_refund,
    holidays_between,
    no_reason_return_window,
    refund_arrival,
    return_freight_payer,
    to_china_time,
    validate_payment_method,
)
from tests.conftest import calendar_knows, cn

UTC = dt.UTC
NEW_YORK = ZoneInfo("America/New_York")




# ------------------------------------------------------------------ time zones


def test_china_tz_is_shanghai() -> None:
    assert CHINA_TZ.key == "Asia/Shanghai"


def test_naive_is_taken_as_china_time() -> None:
    got = to_china_time(dt.datetime(2026, 3, 10, 12, 0))
    assert got == cn(2026, 3, 10, 12, 0)
    assert got.tzinfo is CHINA_TZ
    assert got.hour == 12


def test_aware_is_converted_to_china_time() -> None:
    got = to_china_time(dt.datetime(2026, 3, 10, 20, 0, tzinfo=UTC))
    assert got.tzinfo is CHINA_TZ
    assert (got.year, got.month, got.day, got.hour) == (2026, 3, 11, 4)


def test_date_without_time_is_refused() -> None:
    with pytest.raises(TypeError):
        to_china_time(dt.date(2026, 3, 10))  # type: ignore[arg-type]


def test_naive_and_aware_inputs_give_the_same_refund() -> None:
    naive = refund_arrival("debit", dt.datetime(2026, 3, 10, 12, 0))
    china = refund_arrival("debit", cn(2026, 3, 10, 12, 0))
    utc = refund_arrival("debit", dt.datetime(2026, 3, 10, 4, 0, tzinfo=UTC))
    assert naive == china == utc
    assert utc.latest.tzinfo is CHINA_TZ
    assert utc.latest.hour == 12


def test_aware_input_changes_the_china_date() -> None:
    # 20:00 UTC is 04:00 next day in China: the window starts on the 11th.
    got = refund_arrival("wechat", dt.datetime(2026, 3, 10, 20, 0, tzinfo=UTC))
    assert got.refunded_at == cn(2026, 3, 11, 4, 0)
    assert got.latest == cn(2026, 3, 12, 4, 0)


# ------------------------------------------------------------ payment methods


def test_payment_methods() -> None:
    assert PAYMENT_METHODS == ("wechat", "alipay", "debit", "credit")


def test_payment_method_case_and_spaces_forgiven() -> None:
    assert validate_payment_method(" WeChat ") == "wechat"


@pytest.mark.parametrize("bad", ["paypal", "", "weixin", "储蓄卡"])
def test_unknown_payment_method_names_the_known_ones(bad: str) -> None:
    with pytest.raises(ValueError) as info:
        refund_arrival(bad, cn(2026, 3, 10, 12, 0))
    message = str(info.value)
    for known in ("wechat", "alipay", "debit", "credit"):
        assert known in message


def test_unknown_payment_method_in_group_refund() -> None:
    with pytest.raises(ValueError, match="known methods: wechat, alipay, debit, credit"):
        group_auto_refund(cn(2026, 3, 10, 12, 0), "cash")


# ------------------------------------------------------- refund arrival (pt 2)


@pytest.mark.parametrize("method", ["wechat", "alipay"])
@pytest.mark.parametrize(
    ("approved", "latest"),
    [
        (cn(2026, 3, 10, 23, 59), cn(2026, 3, 11, 23, 59)),  # crosses midnight
        (cn(2026, 1, 31, 23, 59), cn(2026, 2, 1, 23, 59)),  # crosses month end
        (cn(2026, 2, 28, 23, 59), cn(2026, 3, 1, 23, 59)),  # end of February
        (cn(2026, 12, 31, 23, 59), cn(2027, 1, 1, 23, 59)),  # crosses year end
        (cn(2024, 2, 28, 23, 59), cn(2024, 2, 29, 23, 59)),  # leap day
    ],
)
def test_24h_refund_at_2359(method: str, approved: dt.datetime, latest: dt.datetime) -> None:
    got = refund_arrival(method, approved)
    assert got.payment_method == method
    assert got.refunded_at == approved
    assert got.earliest == approved
    assert got.latest == latest
    assert got.latest - got.refunded_at == dt.timedelta(hours=24)


def test_24h_refund_across_year_end_holiday_flag() -> None:
    got = refund_arrival("wechat", cn(2026, 12, 31, 23, 59))
    if calendar_knows(2027):
        assert got.holiday_in_window is True
        assert "元旦" in got.holiday_names
    else:
        # 2026-12-31 is an ordinary Thursday; 2027 is unknown to the calendar.
        assert got.holiday_in_window is None
        assert got.holidays == ()


def test_debit_and_credit_windows_are_calendar_days() -> None:
    approved = cn(2026, 3, 10, 23, 59)
    debit = refund_arrival("debit", approved)
    assert (debit.earliest, debit.latest) == (cn(2026, 3, 12, 23, 59), cn(2026, 3, 16, 23, 59))
    credit = refund_arrival("credit", approved)
    assert (credit.earliest, credit.latest) == (
        cn(2026, 3, 13, 23, 59),
        cn(2026, 3, 17, 23, 59),
    )


def test_debit_window_across_year_end() -> None:
    got = refund_arrival("debit", cn(2026, 12, 31, 23, 59))
    assert got.earliest == cn(2027, 1, 2, 23, 59)
    assert got.latest == cn(2027, 1, 6, 23, 59)


def test_golden_week_2026_debit() -> None:
    got = refund_arrival("debit", cn(2026, 9, 30, 10, 0))
    assert got.earliest == cn(2026, 10, 2, 10, 0)
    assert got.latest == cn(2026, 10, 6, 10, 0)
    assert got.holiday_in_window is True
    assert got.holiday_names == ("国庆节",)
    assert {h.name for h in got.holidays} == {"National Day"}
    assert [h.date for h in got.holidays] == [dt.date(2026, 10, d) for d in range(1, 7)]


def test_golden_week_2026_credit() -> None:
    got = refund_arrival("credit", cn(2026, 9, 30, 10, 0))
    assert got.earliest == cn(2026, 10, 3, 10, 0)
    assert got.latest == cn(2026, 10, 7, 10, 0)
    assert got.holiday_in_window is True
    assert got.holiday_names == ("国庆节",)
    assert got.holidays[-1].date == dt.date(2026, 10, 7)


def test_golden_week_2026_wechat_at_2359() -> None:
    got = refund_arrival("wechat", cn(2026, 9, 30, 23, 59))
    assert got.latest == cn(2026, 10, 1, 23, 59)
    assert got.holiday_in_window is True
    assert [h.date for h in got.holidays] == [dt.date(2026, 10, 1)]


def test_golden_week_2025_includes_mid_autumn() -> None:
    got = refund_arrival("credit", cn(2025, 9, 30, 9, 0))
    assert (got.earliest, got.latest) == (cn(2025, 10, 3, 9, 0), cn(2025, 10, 7, 9, 0))
    assert got.holiday_in_window is True
    assert got.holiday_names == ("国庆节", "中秋")


def test_no_holiday_in_window() -> None:
    got = refund_arrival("wechat", cn(2026, 3, 10, 12, 0))
    assert got.holiday_in_window is False
    assert got.holidays == ()
    assert got.holiday_names == ()


def test_ordinary_weekend_is_not_a_statutory_holiday() -> None:
    # Fri 2026-03-13 + 6 days spans Sat 14 and Sun 15: weekends, not holidays.
    got = refund_arrival("debit", cn(2026, 3, 13, 12, 0))
    assert got.holiday_in_window is False


def test_make_up_workday_is_not_a_holiday() -> None:
    # 2025-10-11 (Saturday) was a make-up working day after Golden Week.
    got = refund_arrival("wechat", cn(2025, 10, 10, 12, 0))
    assert got.latest == cn(2025, 10, 11, 12, 0)
    assert got.holiday_in_window is False


def test_unknown_year_reports_holiday_check_as_unknown() -> None:
    assert not calendar_knows(2099)
    got = refund_arrival("credit", cn(2099, 10, 1, 12, 0))
    assert got.holiday_in_window is None
    assert got.holidays == ()
    assert got.earliest == cn(2099, 10, 4, 12, 0)
    assert got.latest == cn(2099, 10, 8, 12, 0)


def test_holidays_between_partly_known_span_still_finds_known_holidays() -> None:
    # 2026-10-01 is known; 2099 is not: a found holiday is still a holiday.
    check = holidays_between(dt.date(2026, 12, 31), dt.date(2099, 1, 1))
    assert check.complete is False
    assert check.any_holiday is None
    check = holidays_between(dt.date(2026, 10, 1), dt.date(2026, 10, 1))
    assert check.complete is True
    assert check.any_holiday is True


def test_results_are_frozen() -> None:
    got = refund_arrival("wechat", cn(2026, 3, 10, 12, 0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.latest = cn(2030, 1, 1)  # type: ignore[misc]


# ---------------------------------------------------- group auto-refund (pt 1)


def test_group_auto_refund_wechat() -> None:
    got = group_auto_refund(cn(2026, 3, 10, 23, 59), "wechat")
    assert got.group_failed_at == cn(2026, 3, 10, 23, 59)
    assert got.refund_at == cn(2026, 3, 11, 23, 59)
    assert got.arrival is not None
    assert got.arrival.refunded_at == got.refund_at
    assert got.arrival.earliest == cn(2026, 3, 12, 0, 0)
    assert got.arrival.latest == cn(2026, 3, 12, 0, 2)


def test_group_auto_refund_across_year_end() -> None:
    got = group_auto_refund(dt.datetime(2026, 12, 30, 23, 58), "wechat")
    assert got.refund_at == cn(2026, 12, 31, 23, 58)
    assert got.arrival is not None
    assert got.arrival.earliest == cn(2026, 12, 31, 23, 59)
    assert got.arrival.latest == cn(2027, 1, 1, 0, 1)


@pytest.mark.parametrize("method", ["alipay", "debit", "credit"])
def test_group_auto_refund_other_methods_have_no_stated_arrival(method: str) -> None:
    got = group_auto_refund(cn(2026, 3, 10, 8, 0), method)
    assert got.refund_at == cn(2026, 3, 11, 8, 0)
    assert got.arrival is None


# ------------------------------------------------------------ freight (pt 3)


@pytest.mark.parametrize(("quality", "wrong"), [(True, False), (False, True), (True, True)])
def test_merchant_pays_freight_both_ways(quality: bool, wrong: bool) -> None:
    got = return_freight_payer(quality_problem=quality, wrong_item=wrong)
    assert got.payer == "merchant"
    assert got.both_ways is True
    assert "商家承担来回运费" in got.phrase_zh


def test_buyer_pays_return_freight_otherwise() -> None:
    got = return_freight_payer(quality_problem=False, wrong_item=False)
    assert got.payer == "buyer"
    assert got.both_ways is False
    assert "顾客承担" in got.phrase_zh
    assert "商家" not in got.phrase_zh


def test_freight_payer_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        return_freight_payer(True, False)  # type: ignore[misc]


# --------------------------------------------------- 7-day return (pt 3)


RECEIVED = cn(2026, 11, 21, 10, 30)
RETURN_DEADLINE = cn(2026, 11, 28, 10, 30)


def test_return_deadline_is_seven_days_to_the_minute() -> None:
    got = no_reason_return_window(RECEIVED, RECEIVED)
    assert got.start == RECEIVED
    assert got.deadline == RETURN_DEADLINE
    assert got.is_open is True
    assert got.remaining == dt.timedelta(days=7)


def test_return_open_one_minute_before_deadline() -> None:
    got = no_reason_return_window(RECEIVED, RETURN_DEADLINE - dt.timedelta(minutes=1))
    assert got.is_open is True
    assert got.remaining == dt.timedelta(minutes=1)


def test_return_still_open_at_exactly_the_deadline() -> None:
    got = no_reason_return_window(RECEIVED, RETURN_DEADLINE)
    assert got.is_open is True
    assert got.remaining == dt.timedelta(0)


def test_return_closed_one_minute_after_deadline() -> None:
    got = no_reason_return_window(RECEIVED, RETURN_DEADLINE + dt.timedelta(minutes=1))
    assert got.is_open is False
    assert got.remaining == dt.timedelta(0)


def test_return_closed_one_second_after_deadline() -> None:
    got = no_reason_return_window(RECEIVED, RETURN_DEADLINE + dt.timedelta(seconds=1))
    assert got.is_open is False


def test_return_window_naive_and_aware_mix() -> None:
    # Signed for 23:59 on Dec 28 (China); asked at 15:58 UTC on Jan 4 = 23:58 China.
    got = no_reason_return_window(
        dt.datetime(2026, 12, 28, 23, 59), dt.datetime(2027, 1, 4, 15, 58, tzinfo=UTC)
    )
    assert got.deadline == cn(2027, 1, 4, 23, 59)
    assert got.is_open is True
    assert got.remaining == dt.timedelta(minutes=1)


def test_return_moment_before_sign_for_is_an_error() -> None:
    with pytest.raises(ValueError):
        no_reason_return_window(RECEIVED, RECEIVED - dt.timedelta(minutes=1))


# ----------------------------------------------- 48-hour evidence (pt 4)


INTERVENED = cn(2026, 12, 30, 23, 59)
EVIDENCE_DEADLINE = cn(2027, 1, 1, 23, 59)


def test_evidence_deadline_is_48_hours() -> None:
    got = evidence_deadline(INTERVENED, INTERVENED)
    assert got.deadline == EVIDENCE_DEADLINE
    assert got.remaining == dt.timedelta(hours=48)
    assert format_cn_duration(got.remaining) == "2天"


def test_evidence_open_one_minute_before() -> None:
    got = evidence_deadline(INTERVENED, EVIDENCE_DEADLINE - dt.timedelta(minutes=1))
    assert got.is_open is True
    assert got.remaining == dt.timedelta(minutes=1)


def test_evidence_open_at_exactly_the_deadline() -> None:
    got = evidence_deadline(INTERVENED, EVIDENCE_DEADLINE)
    assert got.is_open is True
    assert got.remaining == dt.timedelta(0)


def test_evidence_closed_one_minute_after() -> None:
    got = evidence_deadline(INTERVENED, EVIDENCE_DEADLINE + dt.timedelta(minutes=1))
    assert got.is_open is False
    assert got.remaining == dt.timedelta(0)


def test_evidence_remaining_midway() -> None:
    got = evidence_deadline(INTERVENED, cn(2026, 12, 31, 20, 59))
    assert got.remaining == dt.timedelta(hours=27)
    assert format_cn_duration(got.remaining) == "1天3小时"


def test_evidence_moment_before_intervention_is_an_error() -> None:
    with pytest.raises(ValueError):
        evidence_deadline(INTERVENED, INTERVENED - dt.timedelta(seconds=1))


# ------------------------------------------- freight subsidy (pt 6)


def test_subsidy_computed_within_24h_of_agreement() -> None:
    assert freight_subsidy_deadline(cn(2026, 12, 31, 23, 59)) == cn(2027, 1, 1, 23, 59)


def test_subsidy_counts_from_the_later_of_agreement_and_address() -> None:
    agreed = cn(2026, 3, 10, 9, 0)
    address = cn(2026, 3, 10, 15, 30)
    assert freight_subsidy_deadline(agreed, address) == cn(2026, 3, 11, 15, 30)
    assert freight_subsidy_deadline(address, agreed) == cn(2026, 3, 11, 15, 30)


def test_subsidy_naive_input() -> None:
    got = freight_subsidy_deadline(dt.datetime(2026, 3, 10, 9, 0))
    assert got == cn(2026, 3, 11, 9, 0)
    assert got.tzinfo is CHINA_TZ


# --------------------------------------------------------------- formatting


def test_format_datetime_same_year() -> None:
    assert format_cn_datetime(cn(2026, 11, 28, 23, 59), reference_year=2026) == "11月28日 23:59"


def test_format_datetime_other_year_shows_year() -> None:
    text = format_cn_datetime(cn(2027, 1, 1, 0, 5), reference_year=2026)
    assert text == "2027年1月1日 00:05"


def test_format_datetime_without_reference_shows_year() -> None:
    assert format_cn_datetime(cn(2026, 11, 28, 23, 59)) == "2026年11月28日 23:59"


def test_format_datetime_converts_to_china_time() -> None:
    moment = dt.datetime(2026, 12, 31, 16, 5, tzinfo=UTC)  # 2027-01-01 00:05 China
    assert format_cn_datetime(moment, reference_year=2026) == "2027年1月1日 00:05"


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (dt.timedelta(days=1, hours=3), "1天3小时"),
        (dt.timedelta(hours=2, minutes=5), "2小时5分钟"),
        (dt.timedelta(days=7), "7天"),
        (dt.timedelta(days=1, minutes=1), "1天1分钟"),
        (dt.timedelta(hours=47, minutes=59, seconds=59), "1天23小时59分钟"),
        (dt.timedelta(minutes=1), "1分钟"),
        (dt.timedelta(seconds=59), "不到1分钟"),
        (dt.timedelta(0), "0分钟"),
    ],
)
def test_format_duration(span: dt.timedelta, text: str) -> None:
    assert format_cn_duration(span) == text


def test_format_negative_duration_is_an_error() -> None:
    with pytest.raises(ValueError):
        format_cn_duration(dt.timedelta(minutes=-1))


# --------------------------------------------------------------- invariants


approval_times = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),
    max_value=dt.datetime(2026, 12, 31, 23, 59, 59),
    timezones=st.sampled_from([None, CHINA_TZ, UTC, NEW_YORK]),
)


@given(approved=approval_times, method=st.sampled_from(PAYMENT_METHODS))
def test_arrival_window_invariants(approved: dt.datetime, method: str) -> None:
    got = refund_arrival(method, approved)
    start = to_china_time(approved)
    assert got.refunded_at == start
    assert start <= got.earliest <= got.latest
    assert got.latest - start <= dt.timedelta(days=7)
    assert got.earliest.tzinfo is CHINA_TZ
    assert got.latest.tzinfo is CHINA_TZ
    if got.holidays:
        assert got.holiday_in_window is True
    else:
        assert got.holiday_in_window in (False, None)
    if got.latest.year <= 2026:
        assert got.holiday_in_window is bool(got.holidays)
    for holiday in got.holidays:
        assert start.date() <= holiday.date <= got.latest.date()


@given(
    start=approval_times,
    offset=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=30)),
)
def test_deadline_invariants(start: dt.datetime, offset: dt.timedelta) -> None:
    at = to_china_time(start) + offset
    got = evidence_deadline(start, at)
    assert got.deadline - got.start == dt.timedelta(hours=48)
    assert got.is_open is (offset <= dt.timedelta(hours=48))
    assert got.remaining == max(dt.timedelta(hours=48) - offset, dt.timedelta(0))
