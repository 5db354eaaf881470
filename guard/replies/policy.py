"""After-sales facts from the policy (shared/policy/after-sales-rules.md), as code.

Canned replies and calculators must quote the policy's times and duties exactly,
so they are computed here once, from the policy text, and nowhere else.

Readings this module commits to (each is stated where it is used):

* Every moment is China time (``Asia/Shanghai``): a naive datetime is taken as
  China time, an aware one is converted.
* "N 小时" and "N 天" are elapsed time: 24 h after 23:59 is 23:59 the next
  day; "2-6 天" is approval + 2 calendar days ... approval + 6 calendar days,
  not working days (the policy says days, and says holidays only *may* delay).
* The 7-day no-reason return runs 7 x 24 h from sign-for, to the minute.
* A deadline is inclusive: at exactly the deadline the window is still open;
  it closes at any later moment ("逾期" means after the deadline).
* Statutory holidays come from the maintained ``chinese_calendar`` package
  (guard/replies/china_dates.py, with China time and how replies write dates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from guard.replies.china_dates import (
    HolidayCheck,
    StatutoryHoliday,
    format_cn_datetime,
    format_cn_duration,
    holidays_between,
    to_china_time,
)
from guard.times import CHINA_TZ

__all__ = [
    "CHINA_TZ",
    "EVIDENCE_PERIOD",
    "GROUP_AUTO_REFUND_DELAY",
    "NO_REASON_RETURN_PERIOD",
    "PAYMENT_METHODS",
    "PAYMENT_METHOD_LABELS",
    "PERIODS",
    "SUBSIDY_COMPUTATION_PERIOD",
    "Deadline",
    "FreightPayer",
    "GroupAutoRefund",
    "HolidayCheck",
    "PaymentMethod",
    "PolicyPeriod",
    "RefundArrival",
    "StatutoryHoliday",
    "evidence_deadline",
    "format_cn_datetime",
    "format_cn_duration",
    "freight_subsidy_deadline",
    "group_auto_refund",
    "holidays_between",
    "no_reason_return_window",
    "refund_arrival",
    "return_freight_payer",
    "to_china_time",
    "validate_payment_method",
]

PaymentMethod = Literal["wechat", "alipay", "debit", "credit"]

PAYMENT_METHODS: tuple[str, ...] = ("wechat", "alipay", "debit", "credit")
"""Payment methods the policy distinguishes (point 2), in display order."""

PAYMENT_METHOD_LABELS = MappingProxyType(
    {
        "wechat": "微信支付",
        "alipay": "支付宝",
        "debit": "储蓄卡",
        "credit": "信用卡",
    }
)
"""Chinese names of the payment methods, for replies (read-only)."""

GROUP_AUTO_REFUND_DELAY = dt.timedelta(hours=24)
"""Point 1: the system refunds an unformed group 24 h after the group failed."""

WECHAT_GROUP_ARRIVAL = (dt.timedelta(minutes=1), dt.timedelta(minutes=3))
"""Point 1: WeChat Pay group refunds arrive 1-3 minutes after the refund."""

REFUND_ARRIVAL_WINDOWS = MappingProxyType(
    {
        # Point 2: "退款审核通过后 24 小时内到账" — within 24 h, so from approval.
        "wechat": (dt.timedelta(0), dt.timedelta(hours=24)),
        "alipay": (dt.timedelta(0), dt.timedelta(hours=24)),
        # Point 2: debit card 2-6 days, credit card 3-7 days after approval.
        "debit": (dt.timedelta(days=2), dt.timedelta(days=6)),
        "credit": (dt.timedelta(days=3), dt.timedelta(days=7)),
    }
)
"""Point 2: (earliest, latest) arrival after refund approval, per method."""

NO_REASON_RETURN_PERIOD = dt.timedelta(days=7)
"""Point 3: 7-day no-reason return, read as 7 x 24 h from sign-for."""

EVIDENCE_PERIOD = dt.timedelta(hours=48)
"""Point 4: evidence must be submitted within 48 h of platform intervention."""

SUBSIDY_COMPUTATION_PERIOD = dt.timedelta(hours=24)
"""Point 6: the return-freight subsidy is computed within 24 h."""


@dataclass(frozen=True, slots=True)
class PolicyPeriod:
    """A length of time the policy states, in the unit it states it in ("2–6天", "24小时内").

    The training demo judges trainees' numbers against these, and the quiz asks
    about them, so a change to a constant above changes what counts as right.
    """

    low: dt.timedelta
    """Zero for "within `high`" (24小时内)."""
    high: dt.timedelta
    unit: Literal["分钟", "小时", "天"]

    @property
    def amounts(self) -> tuple[int, int]:
        """(low, high) in the period's unit."""
        size = _UNITS[self.unit]
        return self.low // size, self.high // size

    @property
    def text(self) -> str:
        """How a reply writes it: "2–6天", "1–3分钟", "24小时内", "7天"."""
        low, high = self.amounts
        if low == 0:
            return f"{high}{self.unit}内"
        return f"{high}{self.unit}" if low == high else f"{low}–{high}{self.unit}"


_UNITS = {"分钟": dt.timedelta(minutes=1), "小时": dt.timedelta(hours=1),
          "天": dt.timedelta(days=1)}

PERIODS = MappingProxyType({
    "group_auto_refund": PolicyPeriod(GROUP_AUTO_REFUND_DELAY, GROUP_AUTO_REFUND_DELAY, "小时"),
    "group_wechat_arrival": PolicyPeriod(*WECHAT_GROUP_ARRIVAL, "分钟"),
    "refund_wechat": PolicyPeriod(*REFUND_ARRIVAL_WINDOWS["wechat"], "小时"),
    "refund_alipay": PolicyPeriod(*REFUND_ARRIVAL_WINDOWS["alipay"], "小时"),
    "refund_debit": PolicyPeriod(*REFUND_ARRIVAL_WINDOWS["debit"], "天"),
    "refund_credit": PolicyPeriod(*REFUND_ARRIVAL_WINDOWS["credit"], "天"),
    "no_reason_return": PolicyPeriod(NO_REASON_RETURN_PERIOD, NO_REASON_RETURN_PERIOD, "天"),
    "evidence_period": PolicyPeriod(EVIDENCE_PERIOD, EVIDENCE_PERIOD, "小时"),
    "freight_subsidy": PolicyPeriod(dt.timedelta(0), SUBSIDY_COMPUTATION_PERIOD, "小时"),
})
"""Every period the policy states, by name (read-only): what training facts and the quiz cite."""


# --------------------------------------------------------------------------- time


def _after(moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """Add elapsed time (not wall-clock time) and return China time.

    China has had no daylight saving since 1991, so this equals wall-clock
    addition for every date the tool meets; going through UTC keeps it exact
    even for older dates.
    """
    start = to_china_time(moment)
    return (start.astimezone(dt.UTC) + delta).astimezone(CHINA_TZ)


# ------------------------------------------------------------------------ refunds


def validate_payment_method(method: str) -> PaymentMethod:
    """Return the canonical payment method, or raise ValueError naming the known ones.

    Case and surrounding spaces are forgiven; anything else is an error,
    because a wrong method would quote the buyer a wrong arrival time.
    """
    key = method.strip().lower() if isinstance(method, str) else method
    if key not in PAYMENT_METHODS:
        known = ", ".join(PAYMENT_METHODS)
        raise ValueError(f"unknown payment method {method!r}; known methods: {known}")
    return key  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class RefundArrival:
    """When a refund reaches the buyer, and whether a holiday may delay it."""

    payment_method: PaymentMethod
    refunded_at: dt.datetime
    """Approval (point 2) or automatic refund (point 1) time, China time."""
    earliest: dt.datetime
    latest: dt.datetime
    holiday_in_window: bool | None
    """A statutory holiday falls between ``refunded_at`` and ``latest`` (dates
    included), so a delay is possible; None when the calendar does not cover
    every year in that span and no holiday was found in the part it covers."""
    holidays: tuple[StatutoryHoliday, ...]

    @property
    def holiday_names(self) -> tuple[str, ...]:
        """Chinese names of the holidays in the window, each once, in date order."""
        return tuple(dict.fromkeys(h.name_zh for h in self.holidays))


def _arrival(
    method: PaymentMethod,
    refunded_at: dt.datetime,
    window: tuple[dt.timedelta, dt.timedelta],
) -> RefundArrival:
    """Build a RefundArrival for a window, checking holidays from refund to latest.

    The check starts on the refund day, not the earliest-arrival day: a
    holiday before the earliest day can hold the bank's processing up too.
    """
    start = to_china_time(refunded_at)
    earliest = _after(start, window[0])
    latest = _after(start, window[1])
    check = holidays_between(start.date(), latest.date())
    return RefundArrival(method, start, earliest, latest, check.any_holiday, check.holidays)


def refund_arrival(payment_method: str, approved_at: dt.datetime) -> RefundArrival:
    """When an approved refund arrives (policy point 2, refund-only orders).

    WeChat Pay and Alipay: within 24 h of approval (earliest = approval).
    Debit card (储蓄卡): 2-6 days after approval; credit card (信用卡): 3-7 days.
    Days are calendar days (approval + 2 x 24 h ...), not working days: the
    policy says days, and holidays only *may* delay — hence the holiday flag.
    """
    method = validate_payment_method(payment_method)
    return _arrival(method, approved_at, REFUND_ARRIVAL_WINDOWS[method])


@dataclass(frozen=True, slots=True)
class GroupAutoRefund:
    """The automatic refund of an unformed group order (policy point 1)."""

    group_failed_at: dt.datetime
    refund_at: dt.datetime
    """The system refunds 24 h after the group failed."""
    arrival: RefundArrival | None
    """1-3 minutes after ``refund_at`` for WeChat Pay; None for the other
    methods, because the policy states no arrival time for them here."""


def group_auto_refund(group_failed_at: dt.datetime, payment_method: str) -> GroupAutoRefund:
    """The automatic refund of a group that did not form, and its WeChat arrival.

    Point 1 gives the refund time (failure + 24 h) and, for WeChat Pay only,
    the arrival (1-3 minutes later). For other methods the arrival is left
    unknown rather than borrowed from point 2 (which is about refund-only
    orders): replies must not state a guess as policy.
    """
    method = validate_payment_method(payment_method)
    failed = to_china_time(group_failed_at)
    refund_at = _after(failed, GROUP_AUTO_REFUND_DELAY)
    arrival = _arrival(method, refund_at, WECHAT_GROUP_ARRIVAL) if method == "wechat" else None
    return GroupAutoRefund(failed, refund_at, arrival)


# ------------------------------------------------------------------------ freight


@dataclass(frozen=True, slots=True)
class FreightPayer:
    """Who pays return freight (policy point 3), with the phrase a reply quotes."""

    payer: Literal["merchant", "buyer"]
    both_ways: bool
    """True when the payer bears freight there and back (来回运费)."""
    phrase_zh: str


MERCHANT_PAYS = FreightPayer("merchant", True, "由商家承担来回运费")
BUYER_PAYS = FreightPayer("buyer", False, "由顾客承担退换货运费")


def return_freight_payer(*, quality_problem: bool, wrong_item: bool) -> FreightPayer:
    """Who pays freight for a return or exchange (policy point 3).

    A quality problem or a wrong item sent by the merchant: the merchant pays
    freight both ways. Otherwise (no-reason return): the buyer pays the
    return freight. Keyword-only so a call cannot swap the two reasons.
    """
    return MERCHANT_PAYS if (quality_problem or wrong_item) else BUYER_PAYS


# ---------------------------------------------------------------------- deadlines


@dataclass(frozen=True, slots=True)
class Deadline:
    """A window that opens at ``start`` and closes after ``deadline``, seen at ``at``.

    Inclusive: at exactly ``deadline`` the window is still open ("逾期" means
    after it); ``remaining`` is ``deadline - at``, zero once closed.
    """

    start: dt.datetime
    deadline: dt.datetime
    at: dt.datetime

    @property
    def is_open(self) -> bool:
        """Whether the buyer or merchant can still act at ``at``."""
        return self.at <= self.deadline

    @property
    def remaining(self) -> dt.timedelta:
        """Time left until the deadline; zero when closed (never negative)."""
        return max(self.deadline - self.at, dt.timedelta(0))


def _deadline(start: dt.datetime, period: dt.timedelta, at: dt.datetime, what: str) -> Deadline:
    """Build a Deadline; a moment before the start is a caller error."""
    begin = to_china_time(start)
    moment = to_china_time(at)
    if moment < begin:
        raise ValueError(
            f"{what}: moment {moment.isoformat()} is before the start {begin.isoformat()}"
        )
    return Deadline(begin, _after(begin, period), moment)


def no_reason_return_window(received_at: dt.datetime, at: dt.datetime) -> Deadline:
    """The 7-day no-reason return (policy point 3), seen at ``at``.

    Read as 7 x 24 h from sign-for (签收), to the minute: signed for on
    11-21 10:30, the window is open until 11-28 10:30 inclusive.
    """
    return _deadline(received_at, NO_REASON_RETURN_PERIOD, at, "no-reason return")


def evidence_deadline(intervened_at: dt.datetime, at: dt.datetime) -> Deadline:
    """The 48-hour evidence window after the platform intervenes (policy point 4).

    After the deadline no evidence is accepted ("逾期将无法举证").
    """
    return _deadline(intervened_at, EVIDENCE_PERIOD, at, "evidence deadline")


def freight_subsidy_deadline(
    agreed_at: dt.datetime, address_given_at: dt.datetime | None = None
) -> dt.datetime:
    """Latest time the return-freight subsidy is computed (policy point 6).

    The 24 h run from when the merchant has both agreed to the return and
    given the return address, i.e. from the later of the two moments.
    """
    start = to_china_time(agreed_at)
    if address_given_at is not None:
        start = max(start, to_china_time(address_given_at))
    return _after(start, SUBSIDY_COMPUTATION_PERIOD)
