"""One table per registered recognizer, calling it directly (guard/recognizers/)."""

from __future__ import annotations

import pytest

from guard import Guard
from guard.normalize import dense_spans, digit_view, light_view, normalize
from guard.recognizers import (
    PERSONAL,
    REGISTRY,
    RULE_NAMES,
    find_assembled,
    find_links,
    find_numbers,
    find_obfuscated,
    may_hold_assembled,
    may_hold_obfuscated,
)


def _views(guard: Guard, text: str):  # type: ignore[no-untyped-def]
    tables = guard.compiled.tables
    dense = normalize(text, tables)
    return dense, digit_view(dense, tables), dense_spans(text, tables)


def test_the_registry_declares_every_unit() -> None:
    assert len(set(RULE_NAMES)) == len(RULE_NAMES) == len(REGISTRY)
    for unit in REGISTRY:
        assert unit.category in {"contact_number", "link"}
        assert unit.finder is not None and unit.validator and unit.continues
    assert {"phone", "assembled_number", "email"} <= PERSONAL
    assert "url" not in PERSONAL


@pytest.mark.parametrize(("text", "found"), [
    ("我手机 13812345678", "13812345678"),
    ("电话：一三八一二三四五六七八", "一三八一二三四五六七八"),
    ("Tony 13812345678", "13812345678"),          # a name before it switches nothing off
    ("电话 ❶❺❾ ❽❶⓿❼ ❷❻❸❸", "❶❺❾ ❽❶⓿❼ ❷❻❸❸"),      # negative circled digits (not NFKC)
    ("SF13812345678", None),                       # a courier code glued to it: tracking
    ("订单号 13812345678", None),
    ("卡号 6222021234567890128", "6222021234567890128"),
])
def test_numbers(guard: Guard, text: str, found: str | None) -> None:
    dense, digits, offsets = _views(guard, text)
    spans = [text[d.start:d.end] for d in find_numbers(dense, digits, offsets, guard.recognizers)]
    assert spans == ([found] if found else [])


@pytest.mark.parametrize(("text", "found"), [
    ("前三位是138，中间四位1234，最后四位5678", "138，中间四位1234，最后四位5678"),
    ("号码开头一三八，接着是幺二三四，尾号五六七八", "一三八，接着是幺二三四，尾号五六七八"),
    ("电话 yi san ba yi er san si wu liu qi ba", "yi san ba yi er san si wu liu qi ba"),
    ("有事联系 l38l2345678", "l38l2345678"),
    ("手机尾号5521，前面是187 0936", "5521，前面是187 0936"),
    ("尾号5521，前面是187 0936", None),             # no phone word: an order number's tail
    ("订单号前几位是2305，后面是12345678", None),    # twelve digits: no mobile number
    ("原价138元，优惠后99元，再减20元", None),
    ("13:00-15:00 之间派送", None),
    ("hello world 12345", None),
])
def test_assembled_numbers(guard: Guard, text: str, found: str | None) -> None:
    dense, digits, offsets = _views(guard, text)
    assert may_hold_assembled(dense, guard.recognizers.eleven_digits,
                              guard.compiled.tables.numeral) or found is None
    assert may_hold_assembled(dense, guard.recognizers.eleven_digits,
                              guard.compiled.tables.numeral, guard.recognizers.part_links,
                              guard.compiled.tables.digits) or found is None
    spans = [text[d.start:d.end]
             for d in find_assembled(dense, digits, offsets, guard.recognizers)]
    assert spans == ([found] if found else [])


@pytest.mark.parametrize(("text", "found", "category"), [
    ("邮箱 abc123 at qq dot com", "abc123 at qq dot com", "contact_number"),
    ("shop2024艾特163点com", "shop2024艾特163点com", "contact_number"),
    ("网址是 www 点 abcshop 点 com", "www 点 abcshop 点 com", "link"),
    ("hr_kefu【at】foxmail【点】com", "hr_kefu【at】foxmail【点】com", "contact_number"),
    ("把逗号换成点：myshop,com", "myshop,com", "link"),
    ("直接访问 wwwDOTabcDOTcom", "wwwDOTabcDOTcom", "link"),
    ("meet at 3点5分", None, None),
    ("固件 v2点0 已更新", None, None),
    ("abc.com", None, None),                         # plain: the URL recognizer's
])
def test_obfuscated_addresses(guard: Guard, text: str, found: str | None,
                              category: str | None) -> None:
    _, _, offsets = _views(guard, text)
    found_here = find_obfuscated(text, guard.compiled.tables, offsets, guard.recognizers)
    assert [(text[d.start:d.end], d.category) for d in found_here] == (
        [(found, category)] if found else [])
    if found:
        assert may_hold_obfuscated(text)


@pytest.mark.parametrize(("text", "rule"), [
    ("网址 https://abc.cn/x", "url"),
    ("邮箱 abc_1@qq.com", "email"),
    ("复制 ¥AbCd1234Ef¥ 打开", "code"),
])
def test_links(guard: Guard, text: str, rule: str) -> None:
    light, offsets = light_view(text, guard.compiled.tables)
    assert [d.rule for d in find_links(light, offsets, guard.recognizers)] == [rule]


@pytest.mark.parametrize("text", [
    "l三八一二三四五六七八", "一三八l二三四五六七八", "I三九零零一二三四五六七",
    "核对一下 l", "三八一二三四五六七八o",
])
def test_letters_among_numerals_take_the_same_path_as_without_shortcuts(guard: Guard,
                                                                        text: str) -> None:
    # the assembled-number prefilter once let "l" + ten numerals pass unjudged
    assert guard.check(text).verdict == guard.check_without_shortcuts(text).verdict
