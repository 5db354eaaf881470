"""The after-sales scenarios (SPEC "Scenario ids") and the facts a reply quotes for each.

A template (lexicons/replies/templates.toml) is text; what goes into it comes
from here: for each scenario, the parameters it reads, and `facts` computed
from them with guard.replies.policy, so every date in a reply is the policy's
arithmetic and never a template author's guess. Facts are of two kinds:
*conditions* (a few named values, e.g. payment = "debit", window = "closed")
that choose which parts of a template apply, and *texts* (formatted dates and
durations) that fill its {placeholders}. A fact that does not apply to the
case is None, so a template that quotes it unguarded fails loudly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from guard.errors import UsageError
from guard.replies.policy import (
    PAYMENT_METHODS,
    Deadline,
    evidence_deadline,
    format_cn_datetime,
    format_cn_duration,
    freight_subsidy_deadline,
    group_auto_refund,
    no_reason_return_window,
    refund_arrival,
    return_freight_payer,
    to_china_time,
    validate_payment_method,
)

__all__ = [
    "DATE_PARAMETERS",
    "PARAMETERS",
    "SCENARIOS",
    "MissingParameterError",
    "ReplyError",
    "ReplyParams",
    "ScenarioSpec",
    "UnknownScenarioError",
    "flag",
    "parameter_hint",
]


class ReplyError(UsageError, ValueError):
    """A reply asked for wrongly (unknown scenario, missing or conflicting parameter)."""


class UnknownScenarioError(ReplyError):
    """The scenario id is not one of SPEC's; the message lists the known ones."""


class MissingParameterError(ReplyError):
    """The scenario's reply depends on a parameter that was not given."""

    def __init__(self, scenario: str, parameter: str) -> None:
        self.scenario = scenario
        self.parameter = parameter
        why = _WHY.get(parameter, "")
        super().__init__(f"{scenario} 需要 {flag(parameter)}（{parameter_hint(parameter)}）"
                         + (f"：{why}" if why else ""))


@dataclass(frozen=True, slots=True)
class ReplyParams:
    """What is known about the case. None means "not said" (the reply then covers every case).

    Times may be naive (read as China time) or aware. `at` is "now" for the
    deadlines and for whether a date needs its year; None means the current time.
    """

    payment: str | None = None
    shipped: bool | None = None
    quality: bool | None = None
    wrong_item: bool | None = None
    approved_at: dt.datetime | None = None
    received_at: dt.datetime | None = None
    intervened_at: dt.datetime | None = None
    failed_at: dt.datetime | None = None
    platform_intervened: bool | None = None
    """The platform has stepped in (work-order). Choosing that scenario by name implies it."""
    at: dt.datetime | None = None

    def __post_init__(self) -> None:
        if self.payment is not None:  # a wrong method would quote a wrong arrival time
            try:
                canonical = validate_payment_method(self.payment)
            except ValueError:
                raise ReplyError(f"未知的支付方式 {self.payment!r}；"
                                 f"可选：{'|'.join(PAYMENT_METHODS)}") from None
            object.__setattr__(self, "payment", canonical)

    def merged(self, other: ReplyParams) -> ReplyParams:
        """These params, with every field `other` gives (not None) taking precedence."""
        given = {f.name: getattr(other, f.name) for f in fields(other)
                 if getattr(other, f.name) is not None}
        return _replace(self, given)


def _replace(params: ReplyParams, changes: Mapping[str, Any]) -> ReplyParams:
    values = {f.name: getattr(params, f.name) for f in fields(params)}
    values.update(changes)
    return ReplyParams(**values)


PARAMETERS: tuple[str, ...] = tuple(f.name for f in fields(ReplyParams) if f.name != "at")
"""Parameters a scenario may read (`at` is read by all that have dates)."""

DATE_PARAMETERS = ("approved_at", "received_at", "intervened_at", "failed_at")

_HINTS = {
    "payment": "|".join(PAYMENT_METHODS),
    "shipped": "--shipped 或 --not-shipped",
    "quality": "开关，不带值",
    "wrong_item": "开关，不带值",
    **{name: "中国时间，例如 2026-11-27T14:30" for name in DATE_PARAMETERS},
}


_WHY = {
    "payment": "缺少支付方式，退款到账时间取决于它",
    "approved_at": "缺少审核通过（同意退货）的时间",
    "received_at": "缺少签收时间",
    "intervened_at": "缺少平台介入时间",
    "failed_at": "缺少拼单未成功的时间",
}


def flag(parameter: str) -> str:
    """The command-line option for a parameter: approved_at → --approved-at."""
    return "--" + parameter.replace("_", "-")


def parameter_hint(parameter: str) -> str:
    """What values a parameter takes, for error messages."""
    return _HINTS.get(parameter, "")


# --------------------------------------------------------------------------- facts

Facts = dict[str, str | bool | None]
Computed = dict[str, Any]


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else to_china_time(moment).isoformat()


def _cause(params: ReplyParams) -> str:
    """Why the item goes back: decides who pays freight (policy point 3)."""
    if params.quality and params.wrong_item:
        return "both"
    if params.quality:
        return "quality"
    if params.wrong_item:
        return "wrong-item"
    if params.quality is None and params.wrong_item is None:
        return "unknown"
    return "none"


def _payer(params: ReplyParams) -> str | None:
    if params.quality is None and params.wrong_item is None:
        return None
    return return_freight_payer(quality_problem=bool(params.quality),
                                wrong_item=bool(params.wrong_item)).payer


def _group_refund(params: ReplyParams, now: dt.datetime) -> tuple[Facts, Computed]:
    """Point 1: automatic refund 24 h after the group failed; WeChat Pay 1–3 minutes later.

    `passed`: the automatic refund is already due (a reply then says it is
    done and what to do if the money is not there, not "please wait").
    """
    facts: Facts = {"payment": params.payment or "none", "dated": False, "passed": False,
                    "refund_at": None, "arrival_latest": None}
    computed: Computed = {}
    if params.failed_at is not None:
        auto = group_auto_refund(params.failed_at, params.payment or "wechat")
        facts["dated"] = True
        facts["passed"] = auto.refund_at < now
        facts["refund_at"] = format_cn_datetime(auto.refund_at, now.year)
        computed["refund_at"] = _iso(auto.refund_at)
        if params.payment == "wechat" and auto.arrival is not None:
            facts["arrival_latest"] = format_cn_datetime(auto.arrival.latest, now.year)
            computed["arrival_earliest"] = _iso(auto.arrival.earliest)
            computed["arrival_latest"] = _iso(auto.arrival.latest)
    return facts, computed


def _refund_unshipped(params: ReplyParams, now: dt.datetime) -> tuple[Facts, Computed]:
    """Point 2: arrival after approval by payment method, and a holiday that may delay it.

    `passed`: the latest arrival time is already behind `now`.
    """
    facts: Facts = {"payment": params.payment or "none", "dated": False, "holiday": "none",
                    "passed": False,
                    "approved": None, "arrival_earliest": None, "arrival_latest": None,
                    "holiday_names": None}
    computed: Computed = {}
    if params.payment is not None and params.approved_at is not None:
        arrival = refund_arrival(params.payment, params.approved_at)
        facts.update(
            dated=True,
            approved=format_cn_datetime(arrival.refunded_at, now.year),
            arrival_earliest=format_cn_datetime(arrival.earliest, now.year),
            arrival_latest=format_cn_datetime(arrival.latest, now.year),
            holiday={True: "yes", False: "no", None: "unknown"}[arrival.holiday_in_window],
            holiday_names="、".join(arrival.holiday_names) or None,
            passed=arrival.latest < now,
        )
        computed.update(
            arrival_earliest=_iso(arrival.earliest),
            arrival_latest=_iso(arrival.latest),
            holiday_in_window=arrival.holiday_in_window,
            holidays=list(arrival.holiday_names),
        )
    return facts, computed


def _refund_shipped(params: ReplyParams, now: dt.datetime) -> tuple[Facts, Computed]:
    """Point 2, shipped: refuse delivery and intercept; the policy gives no dates."""
    return {}, {}


def _return(params: ReplyParams, now: dt.datetime) -> tuple[Facts, Computed]:
    """Point 3: who pays freight, and whether the 7-day no-reason return is still open."""
    facts: Facts = {"cause": _cause(params), "window": "none", "received": None,
                    "window_deadline": None, "window_remaining": None}
    computed: Computed = {"freight_payer": _payer(params)}
    if params.received_at is not None:
        window = _window(no_reason_return_window, params.received_at, now, "--received-at")
        state, start, deadline, remaining = _shown(window, now)
        facts.update(window=state, received=start, window_deadline=deadline,
                     window_remaining=remaining)
        computed.update(return_deadline=_iso(window.deadline), return_open=window.is_open)
    return facts, computed


def _work_order(params: ReplyParams, now: dt.datetime) -> tuple[Facts, Computed]:
    """Point 4: the 48-hour evidence deadline after the platform intervenes.

    `platform`: "yes" when the platform is known to have stepped in (the
    scenario chosen by name, --intervened-at, or the buyer says so); "unknown"
    for a buyer who only threatens to complain: the reply must not say it has.
    """
    stepped_in = bool(params.platform_intervened) or params.intervened_at is not None
    facts: Facts = {"platform": "yes" if stepped_in else "unknown", "evidence": "none",
                    "intervened": None, "evidence_deadline": None, "evidence_remaining": None}
    computed: Computed = {}
    if params.intervened_at is not None:
        window = _window(evidence_deadline, params.intervened_at, now, "--intervened-at")
        state, start, deadline, remaining = _shown(window, now)
        facts.update(evidence=state, intervened=start, evidence_deadline=deadline,
                     evidence_remaining=remaining)
        computed.update(evidence_deadline=_iso(window.deadline), evidence_open=window.is_open)
    return facts, computed


def _off_platform(params: ReplyParams, now: dt.datetime) -> tuple[Facts, Computed]:
    """Point 5: a refusal; nothing depends on the case."""
    return {}, {}


def _return_freight(params: ReplyParams, now: dt.datetime) -> tuple[Facts, Computed]:
    """Points 3 and 6: who pays freight, and when the platform's subsidy is computed."""
    facts: Facts = {"cause": _cause(params), "dated": False, "passed": False, "approved": None,
                    "subsidy_deadline": None}
    computed: Computed = {"freight_payer": _payer(params)}
    if params.approved_at is not None:
        deadline = freight_subsidy_deadline(params.approved_at)
        facts.update(dated=True, passed=deadline < now,
                     approved=format_cn_datetime(params.approved_at, now.year),
                     subsidy_deadline=format_cn_datetime(deadline, now.year))
        computed["subsidy_deadline"] = _iso(deadline)
    return facts, computed


def _window(compute: Callable[[dt.datetime, dt.datetime], Deadline], start: dt.datetime,
            now: dt.datetime, option: str) -> Deadline:
    """A policy deadline seen at `now`; `now` before the start is the user's mistake."""
    try:
        return compute(start, now)
    except ValueError:
        raise ReplyError(f"{option} {_iso(start)} 晚于 --at {_iso(now)}"
                         "（当前时间），请检查这两个时间") from None


def _shown(window: Deadline, now: dt.datetime) -> tuple[str, str, str, str]:
    """A policy window as a reply shows it: open or closed, its start, deadline, time left."""
    return ("open" if window.is_open else "closed", format_cn_datetime(window.start, now.year),
            format_cn_datetime(window.deadline, now.year), format_cn_duration(window.remaining))


# ----------------------------------------------------------------------- scenarios

_BOOL = (True, False)
_PAYMENT = ("none", *PAYMENT_METHODS)
_CAUSE = ("unknown", "none", "quality", "wrong-item", "both")
_WINDOW = ("none", "open", "closed")


@dataclass(frozen=True)
class ScenarioSpec:
    """What a scenario reads and which facts its template may use.

    `conditions`: fact → its possible values (for `when`); `texts`: facts
    that fill placeholders; `shipped`: the order state the scenario is about
    (a contradicting --shipped/--not-shipped is an error), None if either;
    `implies`: what naming the scenario says about the case (an agent who
    asks for the work-order reply knows the platform has stepped in).
    """

    id: str
    uses: tuple[str, ...]
    conditions: Mapping[str, tuple[str | bool, ...]]
    texts: tuple[str, ...]
    compute: Callable[[ReplyParams, dt.datetime], tuple[Facts, Computed]] = field(repr=False)
    shipped: bool | None = None
    implies: Mapping[str, Any] = field(default_factory=dict)

    def facts(self, params: ReplyParams, now: dt.datetime) -> tuple[Facts, Computed]:
        """The facts for this case, checked against the declared names (a bug guard)."""
        try:
            facts, computed = self.compute(params, to_china_time(now))
        except OverflowError:
            raise ReplyError("日期超出范围（加上政策规定的期限后须在公元 1–9999 年之间）") from None
        expected = set(self.conditions) | set(self.texts)
        if set(facts) != expected:
            raise AssertionError(f"{self.id}: facts {sorted(facts)} != {sorted(expected)}")
        return facts, computed


def _spec(id: str, uses: tuple[str, ...], conditions: dict[str, tuple[str | bool, ...]],
          texts: tuple[str, ...], compute: Callable[[ReplyParams, dt.datetime],
                                                     tuple[Facts, Computed]],
          shipped: bool | None = None, implies: dict[str, Any] | None = None) -> ScenarioSpec:
    return ScenarioSpec(id, uses, MappingProxyType(conditions), texts, compute, shipped,
                        MappingProxyType(implies or {}))


SCENARIOS: Mapping[str, ScenarioSpec] = MappingProxyType({
    spec.id: spec for spec in (
        _spec("group-refund", ("payment", "failed_at"),
              {"payment": _PAYMENT, "dated": _BOOL, "passed": _BOOL},
              ("refund_at", "arrival_latest"),
              _group_refund),
        _spec("refund-unshipped", ("payment", "shipped", "approved_at"),
              {"payment": _PAYMENT, "dated": _BOOL, "passed": _BOOL,
               "holiday": ("none", "yes", "no", "unknown")},
              ("approved", "arrival_earliest", "arrival_latest", "holiday_names"),
              _refund_unshipped, shipped=False),
        _spec("refund-shipped", ("shipped",), {}, (), _refund_shipped, shipped=True),
        _spec("return", ("quality", "wrong_item", "received_at"),
              {"cause": _CAUSE, "window": _WINDOW},
              ("received", "window_deadline", "window_remaining"), _return),
        _spec("work-order", ("platform_intervened", "intervened_at"),
              {"platform": ("yes", "unknown"), "evidence": _WINDOW},
              ("intervened", "evidence_deadline", "evidence_remaining"), _work_order,
              implies={"platform_intervened": True}),
        _spec("off-platform-request", (), {}, (), _off_platform),
        _spec("return-freight", ("quality", "wrong_item", "approved_at"),
              {"cause": _CAUSE, "dated": _BOOL, "passed": _BOOL},
              ("approved", "subsidy_deadline"),
              _return_freight),
    )
})
"""SPEC's scenario ids, in SPEC's order."""
