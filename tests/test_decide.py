"""decide: context, allow-list, whole tokens, negation, masking."""

from __future__ import annotations

import pytest

from guard import Guard
from tests.conftest import load_jsonl


@pytest.mark.parametrize(("text", "verdict"), [
    ("加我微信", "block"),                  # context word before
    ("微信号多少", "block"),                 # context word after
    ("这款手表支持微信消息提醒", "warn"),        # a bare name only warns
    ("微信付款的订单1-3分钟到账", "pass"),     # allow-list: payment explanation
    ("北京东路的仓库发货", "pass"),            # 京东 is not a token here
    ("京东方的屏幕", "pass"),
    ("去京东买", "block"),
    ("卫星定位很准", "pass"),                 # needs_context without context
    ("加个卫星", "block"),
    ("亲，不能加微信哦", "warn"),             # refusal
    ("私下交易是不允许的哈", "warn"),          # refusal after the term
    ("不方便 您加下我徽信吧", "block"),        # negation never excuses an evasive spelling
    ("1TB 硬盘", "pass"),                    # tb needs a word edge
    ("加我vx123", "block"),                  # …but a digit may follow
    ("有问题直接加V：xhcy6785", "block"),       # V + id: "vx" in the dense view is no term here
    ("+威 lily8888", "block"),                 # a look-alike with an account after it
    ("这个牌子很权威", "pass"),                 # …but 威 inside a word is no look-alike
    ("来咸鱼找我", "block"),
    ("咸鱼干来一包", "pass"),
])
def test_verdicts(guard: Guard, text: str, verdict: str) -> None:
    assert guard.check(text).verdict == verdict, guard.check(text).to_dict()


@pytest.mark.parametrize(("text", "verdict"), [
    ("天🐱旗舰店更便宜", "block"),            # an emoji for a syllable inside a name
    ("快🖐️上搜我们店", "block"),
    ("小红📕搜我们", "block"),
    ("我们天猫🐱店也有", "block"),            # after the syllable it repeats: the name's spelling
    ("天猫🐱", "warn"),                      # …a name written in full, adorned: a bare name
    ("🐱店铺头像是我们家的猫", "pass"),        # at a name's start it is the picture
    ("我们家🐱超喜欢这个猫爬架", "pass"),       # 猫超 would begin with it
    ("今天🐱很乖", "pass"),                   # 天猫 is no whole word here
    ("很快🖐就能修好", "pass"),
])
def test_emoji_read_as_a_syllable(guard: Guard, text: str, verdict: str) -> None:
    assert guard.check(text).verdict == verdict, guard.check(text).to_dict()


@pytest.mark.parametrize(("text", "verdict"), [
    ("我们不走微信也不走支付宝，只在拼多多交易", "warn"),  # a refused verb before each term
    ("不用加微信，平台上聊就行", "warn"),                 # …or before its one guidance word
    ("不用走平台微信转我", "block"),                     # …never further away
    ("要不走支付宝吧，省手续费", "block"),                # a suggestion
    ("为什么不走支付宝呢，更便宜", "block"),
    ("不走支付宝的话要加手续费", "block"),                # a condition
    ("不走，微信转我", "block"),                         # not across a clause
    ("我们只在平台回复，不留微信QQ电话", "warn"),         # names side by side: a list too
    ("这边不留微信QQ，有事在这里说", "warn"),
    ("不走支付宝转我就行", "block"),                     # …not where a hand-over follows one
    ("不用微信支付宝转我", "block"),
    ("不留微信QQ的话没法发货", "block"),                 # a condition
    # an adding verb refused, the buyer named before the app (加不了您微信)
    ("加不了您微信，有问题在这里说就可以", "warn"),
    ("这边加不上您的微信，抱歉", "warn"),
    ("加不了您微信的话，您加我吧", "block"),              # a condition
])
def test_a_refused_verb_refuses_only_what_follows_it(guard: Guard, text: str,
                                                    verdict: str) -> None:
    assert guard.check(text).verdict == verdict, guard.check(text).to_dict()


@pytest.mark.parametrize(("text", "verdict"), [
    # a refusal after a list refuses its items
    ("红包、转账这些我们都不收的，请走平台订单", "warn"),
    ("红包和转账我们都不收", "warn"),
    ("QQ和微信都不方便加，平台消息我一直在线", "warn"),   # a soft cue before the verb refused
    ("QQ或者微信我们这边都不用的", "warn"),
    ("红包、转账我们都不收手续费，直接转我", "block"),     # the refusal governs another word
    ("QQ和微信都不方便加的话，钉钉也可以", "block"),      # a condition
    ("微信、QQ都不方便，私聊我钉钉", "block"),            # a soft cue with no verb: an excuse
    ("微信不方便，加我钉钉", "block"),                    # no verb across a clause refused
    ("支付宝这些都不行，微信转我", "block"),              # the refusal reaches no later clause
    ("红包转账都可以，加我微信", "block"),
    ("加QQ群这个不行哦，活动看店铺公告", "warn"),          # 这个 names the one item refused
    ("私下转账这个我们真不做", "warn"),
    ("支付宝这个不行，微信转我", "block"),
    ("私下交易这些我们都不做的", "warn"),                # a cue holding fillers (我们都不): read on
    ("红包、转账这些我们都不收手续费，直接转我", "block"),
    # two items or more closed by 这些/之类的 may stand a clause mark before their refusal,
    # each with its own verb (加微信、加QQ); one item, or a list not so closed, may not
    ("加微信、加QQ这些，我们都不做的", "warn"),
    ("转账、红包之类的，我们一律不收", "warn"),
    ("加微信这个，我们不做的", "block"),
    ("去淘宝、京东，我们这边都不行的", "block"),
    ("加我微信、QQ这些，都可以的", "block"),
    # a closing is read within the clause: 的亲 across a clause mark is 的, then the next one
    ("私下交易这种事情我们是绝对不会做的。亲 有问题您在这里说", "warn"),
    ("私下交易这种事情我们是绝对不会做的\n亲 您把问题发我", "warn"),
    ("私下交易这种事情我们是绝对不会做的亲，好的", "warn"),
])
def test_a_refusal_after_a_list_refuses_its_items(guard: Guard, text: str, verdict: str) -> None:
    assert guard.check(text).verdict == verdict, guard.check(text).to_dict()


@pytest.mark.parametrize(("text", "verdict"), [
    ("不方便加我vx", "warn"),            # a soft cue written right before its verb refuses it
    ("不方便加您微信", "warn"),
    ("不方便 加我vx", "block"),          # …not after a pause: the excuse, then the move
    ("这边不方便 加个v聊", "block"),
    ("不方便  wx详聊", "block"),
])
def test_a_soft_cue_refuses_only_the_verb_written_right_after_it(guard: Guard, text: str,
                                                                 verdict: str) -> None:
    assert guard.check(text).verdict == verdict, guard.check(text).to_dict()


@pytest.mark.parametrize(("text", "verdict"), [
    ("抖音上那个视频是别人盗用我们的图，我们没有在抖音卖货", "warn"),  # the app refused once
    ("淘宝上那家店不是我们开的，我们不在淘宝卖", "warn"),
    ("抖音上搜我们店名，我们没有在抖音卖假货", "block"),   # 搜 more than places the name
    ("我们不在抖音卖，快手上有我们的店", "block"),         # another app is not refused
    ("抖音上那个视频是我们拍的", "block"),                # no refusal at all
])
def test_a_refused_app_is_refused_where_a_place_word_alone_names_it(
        guard: Guard, text: str, verdict: str) -> None:
    assert guard.check(text).verdict == verdict, guard.check(text).to_dict()


def test_block_carries_the_penalty_warning_and_warn_the_reminder(guard: Guard) -> None:
    block = guard.check("加我微信")
    assert "10 万元以上的保证金" in block.warning
    assert "限制提现" in block.warning
    warn = guard.check("这款手表支持微信消息提醒")
    assert warn.warning and "保证金" not in warn.warning
    assert guard.check("您好").warning is None


def test_masked_hides_the_spans_and_keeps_the_rest(guard: Guard) -> None:
    verdict = guard.check("亲 加我 v x 哦")
    assert verdict.masked == "亲 加我 █ █ 哦"


def test_json_form_is_the_contract(guard: Guard) -> None:
    data = guard.check("加我微信").to_dict()
    assert list(data) == ["verdict", "findings", "masked", "warning"]
    assert list(data["findings"][0]) == ["rule", "category", "severity", "start", "end",
                                         "text", "reason"]


def test_the_tokenizer_loads_only_where_a_word_may_cross_a_term() -> None:
    fresh = Guard()
    fresh.check("亲，您的包裹明天到，请注意查收")
    fresh.check("微信付款的订单1-3分钟到账")
    assert fresh.check("去京东买").verdict == "block"  # no dictionary word crosses 京东 here
    assert fresh.check("亲，加我vx").verdict == "block"
    assert not fresh.tokenizer_loaded
    assert fresh.check("去南京东路买").verdict == "pass"  # 南京 crosses: the tokenizer decides
    assert fresh.tokenizer_loaded


def test_adjacent_terms_are_both_found(guard: Guard) -> None:
    """flashtext finds only 微信 in 微信淘宝; the automaton finds both."""
    assert [f.rule for f in guard.check("微信淘宝").findings] == ["wechat", "taobao"]


def test_pass_verdict_equals_a_normally_built_one() -> None:
    from guard.verdict import Verdict, pass_verdict

    assert pass_verdict("您好") == Verdict("pass", (), "您好", None, "您好")
    assert hash(pass_verdict("您好")) == hash(Verdict("pass", (), "您好", None, "您好"))


def test_quickly_built_results_equal_normally_built_ones() -> None:
    from guard.verdict import Finding, Verdict, new_finding, new_verdict

    quick = new_finding("wechat", "contact_im", "block", 2, 4, "微信", "理由")
    normal = Finding("wechat", "contact_im", "block", 2, 4, "微信", "理由")
    assert quick == normal and hash(quick) == hash(normal) and quick.joined is None
    assert new_verdict("block", (quick,), "加我██", "警告", "加我微信") == Verdict(
        "block", (normal,), "加我██", "警告", "加我微信")
    with pytest.raises(AttributeError):  # still frozen
        quick.start = 0  # type: ignore[misc]


def test_overlapping_findings_of_one_category_are_one_finding(guard: Guard) -> None:
    """Reports count violations, not n-grams: 扫码加 + 码加我 is one finding."""
    text = "扫码加我，复制这条口令打开手淘领券"
    findings = guard.check(text).findings
    assert [(f.category, f.text) for f in findings] == [
        ("link", "扫码加我"), ("link", "复制这条口令打开手淘")]
    assert all(text[f.start:f.end] == f.text for f in findings)
    assert all(f.severity == "block" for f in findings)


def test_findings_of_other_categories_are_not_merged(guard: Guard) -> None:
    findings = guard.check("加我微信abc123").findings
    assert [(f.category, f.text) for f in findings] == [
        ("contact_im", "微信"), ("contact_number", "abc123")]


def test_mask_stars_every_span_once_in_one_pass() -> None:
    from guard.settle import mask
    from guard.verdict import Finding

    def finding(start: int, end: int) -> Finding:
        return Finding("r", "link", "block", start, end, "", "")

    text = "ab cd ef gh"
    assert mask(text, (finding(6, 8), finding(0, 4), finding(3, 5))) == "██ ██ ██ gh"
    assert mask(text, ()) == text


def test_the_gate_never_closes_on_a_rules_own_example(guard: Guard) -> None:
    """The gate (anchors + the gate automaton, before any context pass) must stay open
    wherever a reporting rule matches: on every rule's examples, and on the
    families' violations that rules find."""
    from guard.decide import _gate_open
    from guard.normalize import normalize
    from guard.scan import scan_terms

    compiled = guard.compiled
    texts = [e for rule in compiled.lexicon.rules if rule.effect == "report"
             for e in rule.examples]
    texts += [r["text"] for r in load_jsonl("families_violations.jsonl")]
    opened = 0
    for text in texts:
        dense = normalize(text, compiled.tables)
        hits = scan_terms(dense, compiled, text)
        if not any(e.kind == "concept" for h in hits for e in h.entries):
            continue
        rules = {f.rule for f in guard.check_without_shortcuts(text).findings}
        if rules & {r.id for r in compiled.lexicon.rules}:
            assert _gate_open(hits, dense, compiled), text
            opened += 1
    assert opened > 100


def test_the_gate_keeps_an_ordinary_reply_on_the_fast_path(guard: Guard) -> None:
    """电话 and 微信 start rules (asking the buyer's number), but with none of their
    other words the message needs no context pass."""
    for text in ("请保持电话畅通，快递员会联系您", "微信付款的订单退款1-3分钟到账"):
        candidates = guard.inspect(text)
        assert candidates.quiet and candidates.context is None, text
    assert guard.inspect("方便留个您的电话吗").context is not None


@pytest.mark.parametrize("text", [
    "亲 这个型号是 QX-30，和 V8 Pro 不通用哦",  # v, q: WeChat and QQ only beside a word
    "京东快递单号 JD834863166552，请注意查收",  # jd: 京东 only beside a word
])
def test_a_term_with_no_near_word_skips_the_context_pass(guard: Guard, text: str) -> None:
    """A needs_context term with none of the words that can stand near it in reach (the
    small `near` automaton) cannot be supported: no context pass is made for it."""
    candidates = guard.inspect(text)
    assert candidates.hits and candidates.quiet and candidates.context is None, text
    assert guard.check(text).verdict == guard.check_without_shortcuts(text).verdict == "pass"


@pytest.mark.parametrize("text", ["有问题v我哦", "q我一下就行", "拍下后私聊v"])
def test_a_term_with_a_near_word_is_still_judged(guard: Guard, text: str) -> None:
    candidates = guard.inspect(text)
    assert candidates.supported and not candidates.quiet, text


def test_ordinary_replies_stay_on_the_fast_path(guard: Guard) -> None:
    """A budget, not a clock: of the generated clean replies (samples/generate.py, seed 7),
    how many leave the keyword pass for the context pass is deterministic. A rule anchored
    on a common word (app, 找我, a colour) sends thousands more there and slows every
    check; this fails first. (2,252 of 19,008 before the concept gate; 707 after it — all
    of them a needs_context term such as v or jd in a model code or a tracking number,
    with no word in reach that could make it one; 0 since the near-word gate.)"""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "samples"))
    from generate import messages

    clean = [text for text, violation in messages(20_000, seed=7, violation_rate=0.05)
             if not violation]
    slow = sum(guard.inspect(text).context is not None for text in clean)
    assert len(clean) == 19_008
    assert slow <= 100, f"{slow} of {len(clean)} clean replies take the context pass"


@pytest.mark.parametrize(("text", "edge"), [
    ("1688 上拿货", True),     # a space after it: the word after decides, not the space
    ("在 1688 搜我们店名", True),
    ("到手价1688 元", False),  # a unit after the space: an amount
    ("1688件已经发完了", False),
])
def test_a_number_named_app_is_judged_past_a_space(guard: Guard, text: str, edge: bool) -> None:
    from guard.message_state import latin_boundaries_ok
    start = text.index("1688")
    assert latin_boundaries_ok(text, (start, start + 4), guard.compiled, False) is edge
