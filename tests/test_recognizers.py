"""Contact numbers, links and codes: found in their disguises, not in order numbers."""

from __future__ import annotations

import pytest

from guard import Guard


def rules(guard: Guard, text: str) -> set[str]:
    return {f.rule for f in guard.check(text).findings if f.severity == "block"}


@pytest.mark.parametrize("text", [
    "有事打我 138-1234-5678",
    "手机 138 1234 5678",
    "+86 13812345678",
    "电话一三八幺二三四五六七八",
    "电话①③⑧①②③④⑤⑥⑦⑧",
    "号码是一38零123五六七八",
    "打我电话 一三八一二三四五六七八0755-26881234",  # spoken, right before a written number
    "有事打我手机 182\n8504\n6062",
])
def test_mobile_numbers_in_every_disguise(guard: Guard, text: str) -> None:
    assert "phone" in rules(guard, text)


@pytest.mark.parametrize("text", [
    "您的订单号 231127-138123456789012 已经发货",
    "快递单号 13812345678901 请查收",
    "物流单号SF1381234567890",
    "条形码 6901234567892",
    "价格 138.00 元，尺码 36 37 38",
    "2024-05-06 13:00-15:00 之间派送",
])
def test_numbers_that_are_not_contact_details(guard: Guard, text: str) -> None:
    assert rules(guard, text) == set()


def test_landline_needs_a_phone_word_on_either_side(guard: Guard) -> None:
    assert "landline" in rules(guard, "座机 0571-88886666")
    assert "landline" in rules(guard, "0755-26881234 有事打这个")
    assert "landline" not in rules(guard, "批次 0571-88886666")


def test_bank_card_needs_luhn(guard: Guard) -> None:
    assert "bank_card" in rules(guard, "卡号 6222 0212 3456 7890 128")
    assert "bank_card" not in rules(guard, "卡号 6222 0212 3456 7890 127")


def test_account_after_a_messaging_app(guard: Guard) -> None:
    verdict = guard.check("薇信号：abc_12345")
    accounts = [f for f in verdict.findings if f.rule == "account"]
    assert [f.text for f in accounts] == ["abc_12345"]


@pytest.mark.parametrize(("text", "rule"), [
    ("详情看 https://shop.example.com/item?id=1", "url"),
    ("打开 www.lilyhome.cn 看看", "url"),
    ("w w w . lilyhome . cn", "url"),
    ("短链 t.cn/A6xYz9", "url"),
    ("发邮件到 service@shop.com", "email"),
    ("复制 ￥AbCd1234XyZ￥ 打开", "code"),
])
def test_links_emails_and_codes(guard: Guard, text: str, rule: str) -> None:
    assert rule in rules(guard, text)


def test_the_platforms_own_domain_is_not_off_platform(guard: Guard) -> None:
    assert rules(guard, "在 mobile.yangkeduo.com 的订单页查看") == set()
