"""Reply templates and rendering: every variant is compliant and states the policy's facts."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from guard import Guard
from guard.lexicon import LexiconError, builtin_dir
from guard.replies.command import PAYMENT_CHOICES
from guard.replies.policy import CHINA_TZ, PAYMENT_METHODS
from guard.replies.render import Reply, render_reply, unused_parameters
from guard.replies.scenarios import (
    SCENARIOS,
    MissingParameterError,
    ReplyError,
    ReplyParams,
    UnknownScenarioError,
)
from guard.replies.templates import load_templates, templates_path
from tests.conftest import calendar_knows, cn

SPEC_SCENARIOS = ("group-refund", "refund-unshipped", "refund-shipped", "return", "work-order",
                  "off-platform-request", "return-freight")
NOW = dt.datetime(2026, 9, 29, 10, 0, tzinfo=CHINA_TZ)




# ---------------------------------------------------------------- every variant

# Values each parameter takes in the exhaustive test: "not said", and cases that
# reach every branch of the templates (a holiday window, a year the calendar
# does not know, a deadline still open and one passed).
VALUES: dict[str, tuple[object, ...]] = {
    "payment": (None, *PAYMENT_METHODS),
    "quality": (None, False, True),
    "wrong_item": (None, False, True),
    "approved_at": (None, cn(2026, 3, 10, 23, 59), cn(2026, 9, 28, 23, 59),
                    cn(2099, 5, 1, 12, 0), cn(2026, 12, 31, 23, 0)),
    "received_at": (None, NOW - dt.timedelta(days=3), NOW - dt.timedelta(days=8)),
    "intervened_at": (None, NOW - dt.timedelta(hours=1), NOW - dt.timedelta(hours=49)),
    "failed_at": (None, cn(2026, 9, 28, 23, 59), cn(2026, 9, 1, 8, 0)),
    "platform_intervened": (None, True),
}


def variants() -> Iterator[tuple[str, ReplyParams]]:
    """Every scenario with every combination of the parameters it reads."""
    for scenario, spec in SCENARIOS.items():
        names = [n for n in spec.uses if n != "shipped"]
        for combo in itertools.product(*(VALUES[n] for n in names)):
            yield scenario, ReplyParams(**dict(zip(names, combo, strict=True)), at=NOW,
                                        shipped=spec.shipped)


ALL_VARIANTS = list(variants())


def test_variants_cover_every_scenario() -> None:
    assert {s for s, _ in ALL_VARIANTS} == set(SPEC_SCENARIOS)
    assert len(ALL_VARIANTS) > 100


def test_every_variant_renders_and_passes_guard_with_no_finding(guard: Guard) -> None:
    """A later lexicon change must not make guard flag its own advice (SPEC)."""
    failures = []
    for scenario, params in ALL_VARIANTS:
        reply = render_reply(scenario, params, strict=False)
        verdict = guard.check(reply.reply)
        if verdict.verdict != "pass" or verdict.findings:
            failures.append((scenario, params, verdict.to_dict()))
    assert not failures, failures[:3]


def test_every_variant_is_filled_in_and_keeps_the_note_apart() -> None:
    for scenario, params in ALL_VARIANTS:
        reply = render_reply(scenario, params, strict=False)
        for text in (reply.reply, reply.merchant_note):
            assert text.strip()
            assert "{" not in text and "}" not in text and "None" not in text
        assert reply.reply.startswith("亲"), reply.reply
        assert "【商家后台】" not in reply.reply and "商家中心" not in reply.reply
        assert len(reply.reply) < 260, (scenario, len(reply.reply))


def test_every_strict_variant_that_has_its_parameters_renders() -> None:
    templates = load_templates()
    rendered = 0
    for scenario, params in ALL_VARIANTS:
        if all(getattr(params, p) is not None for p in templates.scenarios[scenario].requires):
            assert render_reply(scenario, params).reply
            rendered += 1
    assert rendered > 50


# ------------------------------------------------------------------- the facts


def reply(scenario: str, **params: object) -> Reply:
    params.setdefault("at", NOW)
    return render_reply(scenario, ReplyParams(**params))  # type: ignore[arg-type]


@pytest.mark.parametrize(("method", "window"), [("wechat", "24小时内"), ("alipay", "24小时内"),
                                                 ("debit", "2–6天"), ("credit", "3–7天")])
def test_refund_unshipped_states_the_arrival_window(method: str, window: str) -> None:
    text = reply("refund-unshipped", payment=method).reply
    assert window in text
    assert "审核通过后" in text
    others = {"24小时内", "2–6天", "3–7天"} - {window}
    assert not any(o in text for o in others)


def test_refund_unshipped_24h_caveat_without_dates() -> None:
    assert "法定节假日" in reply("refund-unshipped", payment="wechat").reply


def test_debit_reply_gives_the_computed_dates() -> None:
    r = reply("refund-unshipped", payment="debit", approved_at=cn(2026, 3, 10, 12, 0),
              at=cn(2026, 3, 11, 9, 0))
    assert "2–6天" in r.reply
    assert "3月12日 12:00到3月16日 12:00之间到账" in r.reply
    assert "法定节假日" not in r.reply  # no holiday in that window
    assert r.params["computed"]["arrival_latest"] == "2026-03-16T12:00:00+08:00"


def test_credit_reply_gives_the_computed_dates() -> None:
    r = reply("refund-unshipped", payment="credit", approved_at=cn(2026, 3, 10, 12, 0),
              at=cn(2026, 3, 10, 12, 0))
    assert "3–7天" in r.reply and "3月13日 12:00到3月17日 12:00之间到账" in r.reply


def test_approval_at_2359_arrives_by_2359_next_day() -> None:
    r = reply("refund-unshipped", payment="wechat", approved_at=cn(2026, 3, 10, 23, 59),
              at=cn(2026, 3, 11, 8, 0))
    assert "预计3月11日 23:59前到账" in r.reply


def test_approval_at_2359_on_new_years_eve_names_the_year() -> None:
    r = reply("refund-unshipped", payment="alipay", approved_at=cn(2026, 12, 31, 23, 59),
              at=cn(2026, 12, 31, 23, 59))
    assert "预计2027年1月1日 23:59前到账" in r.reply


@pytest.mark.skipif(not calendar_knows(2026), reason="holiday calendar lacks 2026")
def test_golden_week_debit_refund_warns_of_delay() -> None:
    r = reply("refund-unshipped", payment="debit", approved_at=cn(2026, 9, 28, 23, 59))
    assert "9月30日 23:59到10月4日 23:59之间到账" in r.reply
    assert "国庆节" in r.reply and "延迟" in r.reply
    assert "国庆节" in r.merchant_note
    assert r.params["computed"]["holiday_in_window"] is True


@pytest.mark.skipif(not calendar_knows(2026), reason="holiday calendar lacks 2026")
def test_refund_approved_after_golden_week_has_no_holiday_caveat() -> None:
    r = reply("refund-unshipped", payment="wechat", approved_at=cn(2026, 10, 8, 9, 0),
              at=cn(2026, 10, 8, 9, 0))
    assert "预计10月9日 09:00前到账" in r.reply
    assert "节假日" not in r.reply


def test_unknown_calendar_year_keeps_the_general_caveat() -> None:
    r = reply("refund-unshipped", payment="wechat", approved_at=cn(2099, 5, 1, 12, 0))
    assert "2099年5月2日 12:00前到账" in r.reply
    assert "如果遇到法定节假日" in r.reply
    assert "无法确认" in r.merchant_note


def test_suggested_refund_without_payment_states_every_window() -> None:
    text = render_reply("refund-unshipped", ReplyParams(), strict=False).reply
    assert all(w in text for w in ("24小时内", "2–6天", "3–7天", "储蓄卡", "信用卡"))


def test_group_refund_facts() -> None:
    text = reply("group-refund").reply
    assert "不能立即申请退款" in text and "仅退款" in text and "官方客服" in text
    assert "满24小时" in text and "1–3分钟" in text and "微信支付" in text


def test_group_refund_dates_from_failure_at_2359() -> None:
    r = reply("group-refund", payment="wechat", failed_at=cn(2026, 3, 10, 23, 59),
              at=cn(2026, 3, 11, 8, 0))
    assert "预计3月11日 23:59自动退款" in r.reply
    assert "最晚3月12日 00:02前到账" in r.reply


@pytest.mark.parametrize("method", ["alipay", "debit", "credit"])
def test_group_refund_states_no_arrival_time_the_policy_does_not_give(method: str) -> None:
    text = reply("group-refund", payment=method, failed_at=cn(2026, 3, 10, 8, 0)).reply
    assert "分钟" not in text and "到账" not in text
    assert "3月11日 08:00自动退款" in text


def test_refund_shipped_asks_to_refuse_and_intercept() -> None:
    text = reply("refund-shipped").reply
    assert "拒收" in text and "拒签" in text and "拦截退回" in text


@pytest.mark.parametrize(("quality", "wrong"), [(True, False), (False, True), (True, True)])
def test_quality_or_wrong_item_return_merchant_pays_both_ways(quality: bool, wrong: bool) -> None:
    text = reply("return", quality=quality, wrong_item=wrong).reply
    assert "来回运费都由我们商家承担" in text
    assert "您这边承担" not in text
    if quality:
        assert "以质量问题申请" in text


def test_non_quality_return_buyer_pays() -> None:
    r = reply("return", quality=False, wrong_item=False)
    assert "7天无理由退换货" in r.reply
    assert "运费需要您这边承担" in r.reply
    assert "商家承担" not in r.reply
    assert r.params["computed"]["freight_payer"] == "buyer"


def test_unsaid_cause_states_both_freight_cases() -> None:
    """Not knowing whether the item is faulty, a reply must not assume the buyer pays."""
    for scenario in ("return", "return-freight"):
        r = reply(scenario)
        assert r.params["computed"]["freight_payer"] is None
        assert "商家承担" in r.reply and "您这边承担" in r.reply


def test_return_window_is_seven_days_to_the_minute() -> None:
    received = cn(2026, 11, 21, 10, 30)
    open_ = reply("return", received_at=received, at=cn(2026, 11, 28, 10, 30))
    assert "11月28日 10:30之前都可以申请" in open_.reply
    assert "还剩0分钟" in open_.merchant_note
    closed = reply("return", received_at=received, at=cn(2026, 11, 28, 10, 31))
    assert "已经超过7天无理由退换货的期限" in closed.reply
    assert "运费需要您这边承担" not in closed.reply
    before = reply("return", received_at=received, at=cn(2026, 11, 28, 10, 29))
    assert "还剩1分钟" in before.merchant_note


def test_quality_note_mentions_the_after_sales_detail_notice() -> None:
    assert "要求商家承担退货运费" in reply("return", quality=True).merchant_note
    assert "要求商家承担退货运费" not in reply("return").merchant_note


def test_evidence_deadline_is_48_hours() -> None:
    intervened = cn(2026, 11, 27, 9, 0)
    at_deadline = reply("work-order", intervened_at=intervened, at=cn(2026, 11, 29, 9, 0))
    assert "举证截止：11月29日 09:00（还剩0分钟）" in at_deadline.merchant_note
    assert "提交" in at_deadline.reply
    late = reply("work-order", intervened_at=intervened, at=cn(2026, 11, 29, 9, 1))
    assert "逾期无法再举证" in late.merchant_note
    assert "提交" not in late.reply  # no promise the merchant can no longer keep
    early = reply("work-order", intervened_at=intervened, at=cn(2026, 11, 27, 10, 30))
    assert "还剩1天22小时30分钟" in early.merchant_note


def test_work_order_note_has_the_path_and_the_evidence() -> None:
    note = reply("work-order").merchant_note
    assert "【商家后台】-【售后管理】-【工单管理】" in note
    assert "48小时" in note and "盖章证明" in note and "揽收底单" in note


def test_off_platform_refusal_names_no_app(guard: Guard) -> None:
    text = reply("off-platform-request").reply
    verdict = guard.check(text)
    assert verdict.verdict == "pass" and not verdict.findings
    assert "拼多多" in text


def test_off_platform_note_carries_the_penalty() -> None:
    note = reply("off-platform-request").merchant_note
    assert "10万元以上的保证金" in note and "限制提现" in note


def test_return_freight_subsidy() -> None:
    r = reply("return-freight", approved_at=cn(2026, 3, 10, 23, 59))
    assert "平台承担" in r.reply and "付款账户" in r.reply and "24小时内" in r.reply
    assert "3月11日 23:59前" in r.reply
    assert "运费险以一周为周期" in r.merchant_note


def test_return_freight_quality_merchant_pays() -> None:
    text = reply("return-freight", quality=True).reply
    assert "来回运费都由我们商家承担" in text and "您这边承担" not in text


def test_suggested_freight_reply_states_both_rules() -> None:
    text = render_reply("return-freight", ReplyParams(), strict=False).reply
    assert "来回运费都由我们商家承担" in text and "运费需要您这边承担" in text


# ------------------------------------------------------------- mistakes, shapes


def test_missing_parameter_is_named_with_its_values() -> None:
    with pytest.raises(MissingParameterError) as caught:
        render_reply("refund-unshipped", ReplyParams())
    message = str(caught.value)
    assert "--payment" in message and "wechat|alipay|debit|credit" in message
    assert caught.value.parameter == "payment"


def test_unknown_scenario_lists_the_known_ones() -> None:
    with pytest.raises(UnknownScenarioError) as caught:
        render_reply("refund")
    assert all(s in str(caught.value) for s in SPEC_SCENARIOS)


def test_unknown_payment_method_is_refused() -> None:
    with pytest.raises(ReplyError, match="wechat"):
        ReplyParams(payment="paypal")
    assert ReplyParams(payment=" WeChat ").payment == "wechat"


@pytest.mark.parametrize(("scenario", "shipped"), [("refund-unshipped", True),
                                                   ("refund-shipped", False)])
def test_contradicting_shipping_state_is_refused(scenario: str, shipped: bool) -> None:
    with pytest.raises(ReplyError, match="请改用 refund-"):
        render_reply(scenario, ReplyParams(payment="wechat", shipped=shipped))


def test_moment_before_the_start_is_refused() -> None:
    with pytest.raises(ReplyError, match="--received-at"):
        reply("return", received_at=cn(2026, 11, 21, 10, 30), at=cn(2026, 11, 20, 10, 30))


def test_unused_parameters_are_reported() -> None:
    assert unused_parameters("work-order", ReplyParams(payment="debit", quality=True)) == (
        "payment", "quality")
    assert unused_parameters("return", ReplyParams(quality=True)) == ()


def test_json_shape() -> None:
    data = reply("refund-unshipped", payment="debit", approved_at=cn(2026, 3, 10, 12, 0)).to_dict()
    assert list(data) == ["scenario", "reply", "merchant_note", "params"]
    assert data["scenario"] == "refund-unshipped"
    assert isinstance(data["reply"], str) and isinstance(data["merchant_note"], str)
    assert data["params"]["payment"] == "debit"
    assert data["params"]["approved_at"] == "2026-03-10T12:00:00+08:00"
    assert data["params"]["at"] == NOW.isoformat()


def test_naive_times_are_china_time() -> None:
    naive = reply("refund-unshipped", payment="wechat", approved_at=dt.datetime(2026, 3, 10, 12))
    utc = reply("refund-unshipped", payment="wechat",
                approved_at=dt.datetime(2026, 3, 10, 4, tzinfo=dt.UTC))
    assert naive.reply == utc.reply


def test_payment_choices_of_the_cli_match_the_policy() -> None:
    assert PAYMENT_CHOICES == PAYMENT_METHODS


def test_templates_live_with_the_builtin_lexicons() -> None:
    assert templates_path() == builtin_dir() / "replies" / "templates.toml"
    assert templates_path().is_file()


# ----------------------------------------------------------- broken template files


def broken(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """A copy of the templates with one edit, and the line the edit is on."""
    text = templates_path().read_text("utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path = tmp_path / "templates.toml"
    path.write_text(text, "utf-8")
    line = text[: text.index(new)].count("\n") + 1 if new else 1
    return path, line


@pytest.mark.parametrize(("old", "new", "what"), [
    ("text = \"亲，您的订单已经发货了哦～",
     "text = \"亲，{tracking}您的订单已经发货了哦～", "unknown placeholder {tracking}"),
    ('when = { payment = "debit" }', 'when = { paymnet = "debit" }', "no fact 'paymnet'"),
    ('when = { payment = "debit" }', 'when = { payment = "visa" }', "cannot be \"visa\""),
    ('when = { dated = true }', 'when = { dated = "yes" }', "cannot be \"yes\""),
    ('title = "已发货订单的仅退款"', 'titel = "已发货订单的仅退款"', "unknown key 'titel'"),
    ('requires = ["payment"]\n\n[[refund-unshipped',
     'requires = ["received_at"]\n\n[[refund-unshipped', "'requires'"),
    ('policy = "第4条 工单处理"', 'policy = 4', "'policy'"),
    ('title = "婉拒站外联系或交易"', 'title = "婉拒站外联系或交易', "Illegal character"),
])
def test_broken_template_fails_with_file_and_line(tmp_path: Path, old: str, new: str,
                                                 what: str) -> None:
    path, line = broken(tmp_path, old, new)
    with pytest.raises(LexiconError) as caught:
        load_templates(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert what in message


def test_unknown_and_missing_scenarios_are_reported(tmp_path: Path) -> None:
    path, line = broken(tmp_path, "[refund-shipped]\n", "[refund-shiped]\n")
    with pytest.raises(LexiconError, match=rf"{re.escape(str(path))}:{line}: unknown scenario"):
        load_templates(path)
    text = templates_path().read_text("utf-8")
    start = text.index("[work-order]")
    end = text.index("# ----", start)
    path.write_text(text[:start] + text[end:], "utf-8")
    with pytest.raises(LexiconError, match="no template for scenario 'work-order'"):
        load_templates(path)


def test_placeholder_without_its_condition_fails_when_filled(tmp_path: Path) -> None:
    path, line = broken(tmp_path, 'text = "退回储蓄卡的，退款审核通过后{refund_debit}到账"',
                        'text = "退回储蓄卡的，预计{arrival_latest}到账"')
    templates = load_templates(path)
    ok = render_reply("refund-unshipped", ReplyParams(payment="debit", approved_at=NOW, at=NOW),
                      templates=templates)
    assert "预计10月5日 10:00到账" in ok.reply
    with pytest.raises(LexiconError, match=rf":{line - 2}: {{arrival_latest}} is not known"):
        render_reply("refund-unshipped", ReplyParams(payment="debit", at=NOW),
                     templates=templates)


def test_unreadable_template_file(tmp_path: Path) -> None:
    path = tmp_path / "templates.toml"
    path.write_bytes(b'[return]\ntitle = "\xff"\n')
    with pytest.raises(LexiconError, match=r":2: not valid UTF-8"):
        load_templates(path)
    with pytest.raises(LexiconError, match=r":0: cannot read"):
        load_templates(tmp_path / "missing.toml")


def test_template_copy_is_independent(tmp_path: Path) -> None:
    copy = tmp_path / "templates.toml"
    shutil.copy(templates_path(), copy)
    assert load_templates(copy).scenarios.keys() == load_templates().scenarios.keys()


# -------------------------------------------- the policy, stated right (issue 11 §0)

_QUOTED_MOMENT = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日 (\d\d):(\d\d)")
_TIME_SPAN = re.compile(r"\d+\s*(?:[–~～-]\s*\d+\s*)?(?:分钟|小时|天)")


def quoted_moments(text: str, now: dt.datetime) -> Iterator[tuple[dt.datetime, str]]:
    """Every moment a reply quotes, with the clause that leads up to it."""
    for match in _QUOTED_MOMENT.finditer(text):
        year = int(match.group(1) or now.year)
        moment = dt.datetime(year, *map(int, match.groups()[1:]), tzinfo=CHINA_TZ)
        clause = re.split(r"[，。；！～]", text[: match.start()])[-1]
        yield moment, clause


def test_a_moment_already_past_is_never_an_estimate() -> None:
    """Policy deadlines that lie behind `now` read as passed, never as 预计… or 等一等."""
    past_seen = 0
    for scenario, params in ALL_VARIANTS:
        text = render_reply(scenario, params, strict=False).reply
        for moment, clause in quoted_moments(text, NOW):
            if moment < NOW:
                past_seen += 1
                assert "预计" not in clause and "等" not in clause, (scenario, params, text)
    assert past_seen > 20


@pytest.mark.parametrize(("scenario", "params"), [
    ("group-refund", {"payment": "wechat", "failed_at": cn(2026, 9, 1, 8, 0)}),
    ("group-refund", {"payment": "credit", "failed_at": cn(2026, 9, 1, 8, 0)}),
    ("refund-unshipped", {"payment": "debit", "approved_at": cn(2026, 9, 1, 8, 0)}),
    ("refund-unshipped", {"payment": "wechat", "approved_at": cn(2026, 9, 1, 8, 0)}),
    ("return-freight", {"approved_at": cn(2026, 9, 1, 8, 0)}),
])
def test_a_deadline_weeks_back_says_what_to_do_now(scenario: str,
                                                   params: dict[str, object]) -> None:
    text = reply(scenario, **params).reply
    assert "预计" not in text and "等一等" not in text
    assert "查看" in text  # the buyer is told to look at the account the money went to
    assert any(moment < NOW for moment, _ in quoted_moments(text, NOW))


def test_a_deadline_still_ahead_is_an_estimate() -> None:
    text = reply("refund-unshipped", payment="debit", approved_at=NOW).reply
    estimates = [m for m, clause in quoted_moments(text, NOW) if "预计" in clause]
    assert estimates and all(m > NOW for m in estimates)


def test_shipped_refund_says_what_happens_to_the_money_and_invents_no_time() -> None:
    """Point 2: refuse delivery, the courier returns the parcel; the refund follows its return.
    The policy gives no time for that, so the reply gives none."""
    r = reply("refund-shipped")
    assert "拒收" in r.reply and "拦截" in r.reply
    money = r.reply[r.reply.index("拦截"):]
    assert "退款" in money  # what happens to the money comes after the interception
    assert not _TIME_SPAN.search(r.reply), r.reply
    assert not _QUOTED_MOMENT.search(r.reply)


def test_work_order_reply_assumes_intervention_only_when_known() -> None:
    named = reply("work-order")  # the agent chose the scenario: the platform has stepped in
    assert named.params["platform_intervened"] is True
    unknown = render_reply("work-order", ReplyParams(at=NOW), strict=False)
    facts, _ = SCENARIOS["work-order"].facts(ReplyParams(), NOW)
    assert facts["platform"] == "unknown"
    assert unknown.reply != named.reply
    assert "如果平台介入" in unknown.reply  # a condition, not a statement that it has
