"""One table per registered recognizer (one module each under guard/recognizers/),
each calling its finder directly."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from guard import Guard
from guard.normalize import dense_spans, digit_view, light_view, normalize
from guard.recognizers import (
    PERSONAL,
    REGISTRY,
    RULE_NAMES,
    account,
    assembled,
    card,
    email,
    kouling,
    landline,
    may_hold_pieces,
    obfuscated,
    phone,
    url,
)
from guard.recognizers.numbers import any_number_pattern


def _views(guard: Guard, text: str):  # type: ignore[no-untyped-def]
    tables = guard.compiled.tables
    dense = normalize(text, tables)
    return dense, digit_view(dense, tables), dense_spans(text, tables)


def _found(guard: Guard, finder, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What a dense-view finder (phone, landline, card, assembled) finds, as text."""
    dense, digits, offsets = _views(guard, text)
    return [text[d.start:d.end] for d in finder(dense, digits, offsets, guard.recognizers)]


def _linked(guard: Guard, finder, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What a light-view finder (e-mail, URL, 口令) finds, as text."""
    light, offsets = light_view(text, guard.compiled.tables)
    return [text[d.start:d.end] for d in finder(light, offsets, guard.recognizers)]


def test_the_registry_declares_every_unit() -> None:
    assert len(set(RULE_NAMES)) == len(RULE_NAMES) == len(REGISTRY)
    modules = (phone, landline, card, account, email, url, kouling, assembled, obfuscated)
    assert tuple(module.UNIT for module in modules) == REGISTRY  # one module, one unit
    for unit in REGISTRY:
        assert unit.category in {"contact_number", "link"}
        assert unit.view in {"dense", "light"}
        assert unit.finder is not None and unit.validator and unit.continues
    assert {"phone", "assembled_number", "email"} <= PERSONAL
    assert "url" not in PERSONAL


def test_every_reason_a_unit_reports_under_is_compiled(guard: Guard) -> None:
    keys = {key for unit in REGISTRY for key, _ in unit.reason_keys()}
    assert keys == set(guard.recognizers.reasons)
    assert "obfuscated_email" in keys  # a unit may report under two reasons


@pytest.mark.parametrize(("text", "found"), [
    ("我手机 13812345678", "13812345678"),
    ("电话：一三八一二三四五六七八", "一三八一二三四五六七八"),
    ("Tony 13812345678", "13812345678"),          # a name before it switches nothing off
    ("电话 ❶❺❾ ❽❶⓿❼ ❷❻❸❸", "❶❺❾ ❽❶⓿❼ ❷❻❸❸"),      # negative circled digits (not NFKC)
    ("+86 138-1234-5678", "86 138-1234-5678"),
    ("SF13812345678", None),                       # a courier code glued to it: tracking
    ("SF 13812345678", "13812345678"),             # … not glued: no courier code
    ("订单号 13812345678", None),
    ("订单号 13812345678 有事打我", None),          # the order word stands nearer
    ("卡号 6222021234567890128", None),            # no mobile shape
    # a numeral that begins a word is no digit: 二维码 ends the number before it
    ("1300000000陸二维码发您", "1300000000陸"),
    ("13800138000一下就好", "13800138000"),
    ("1380013800一下", None),                        # ten digits, not eleven with 一
])
def test_phone(guard: Guard, text: str, found: str | None) -> None:
    assert _found(guard, phone.find_phones, text) == ([found] if found else [])


@pytest.mark.parametrize(("text", "found"), [
    ("座机 0571-88886666", "0571-88886666"),
    ("0755-26881234 有事打这个", "0755-26881234"),  # the phone word after it counts
    ("客服电话 400-820-8820", "400-820-8820"),
    ("批次 0571-88886666", None),                   # no phone word
    ("13812345678", None),                          # a mobile, not a landline
])
def test_landline(guard: Guard, text: str, found: str | None) -> None:
    assert _found(guard, landline.find_landlines, text) == ([found] if found else [])


@pytest.mark.parametrize(("text", "found"), [
    ("卡号 6222021234567890128", "6222021234567890128"),
    ("卡号 6222 0212 3456 7890 128", "6222 0212 3456 7890 128"),
    ("转到这个 4111111111111111", "4111111111111111"),
    ("6222021234567890128", "6222021234567890128"),  # a card prefix, no bank word needed
    ("卡号 6222021234567890127", None),              # Luhn fails
    ("订单 6222021234567890128", None),              # an order word before it
])
def test_bank_card(guard: Guard, text: str, found: str | None) -> None:
    assert _found(guard, card.find_cards, text) == ([found] if found else [])


@pytest.mark.parametrize("number", ["4111111111111111", "6222021234567890128", "79927398713"])
def test_luhn_accepts_valid_numbers(number: str) -> None:
    assert card.luhn_valid(number)


@pytest.mark.parametrize("number", ["4111111111111112", "6222021234567890127"])
def test_luhn_rejects_invalid_numbers(number: str) -> None:
    assert not card.luhn_valid(number)


@pytest.mark.parametrize(("text", "after", "found"), [
    ("微信号是 abc123", "微信", "abc123"),
    ("qq 12345678", "qq", "12345678"),
    ("微信搜 shop_2024", "微信", "shop_2024"),       # a filler skipped; "_" is noise
    ("微信搜一下 shop2024", "微信", "shop2024"),      # 一下 is 1下 on the digit view
    ("微信 abc", "微信", None),                      # too short for an id
    ("微信 abc123def456ghi789jkl", "微信", None),     # part of a longer word
])
def test_account(guard: Guard, text: str, after: str, found: str | None) -> None:
    dense, digits, offsets = _views(guard, text)
    end = dense.index(normalize(after, guard.compiled.tables)) + len(after)
    detection = account.find_account(digits, end, offsets, "微信", guard.recognizers)
    if found is None:
        assert detection is None
    else:
        assert detection is not None and text[detection.start:detection.end] == found
        assert detection.rule == "account" and "微信" in detection.reason


@pytest.mark.parametrize(("text", "term", "found"), [
    ("凭证发我邮箱：4 8 2 7 7 1 9 0 3 扣扣邮箱", "扣扣", "4 8 2 7 7 1 9 0 3"),   # 482771903@qq.com
    ("发这个 482771903 QQ邮箱", "qq", "482771903"),
    ("QQ邮箱 482771903", "qq", "482771903"),            # after: 邮箱 a filler
    ("482771903 QQ群", "qq", None),                    # no mailbox: no address
    ("型号abc482771903 qq邮箱", "qq", None),          # part of a longer word
    ("邮件发到482771903的企鹅邮箱", "企鹅", "482771903"),  # filler words between (的)
    ("482771903是我的企鹅邮箱", "企鹅", "482771903"),
    ("订单2024112312345的企鹅邮箱", "企鹅", None),     # thirteen digits: no account
])
def test_account_of_an_apps_mailbox(guard: Guard, text: str, term: str, found: str | None
                                    ) -> None:
    """A number right before an app's mailbox word (`[numbers] mailbox_words`) is the
    address's name; one after it is an account, 邮箱 a filler."""
    dense, digits, offsets = _views(guard, text)
    start = dense.index(term)
    detection = account.find_account(digits, start + len(term), offsets, "QQ",
                                     guard.recognizers, start)
    if found is None:
        assert detection is None
    else:
        assert detection is not None and text[detection.start:detection.end] == found


@pytest.mark.parametrize(("text", "found"), [
    ("邮箱 abc_1@qq.com", ["abc_1@qq.com"]),
    ("ＡＢＣ＠１６３．ＣＯＭ 联系", ["ＡＢＣ＠１６３．ＣＯＭ"]),   # full width
    ("发到 a.b-c@mail.example.cn 或 x@y.com", ["a.b-c@mail.example.cn", "x@y.com"]),
    ("@小王 您好", []),
    ("abc@qq", []),                                  # no domain
])
def test_email(guard: Guard, text: str, found: list[str]) -> None:
    assert _linked(guard, email.find_emails, text) == found


@pytest.mark.parametrize(("text", "found"), [
    ("网址 https://abc.cn/x", ["https://abc.cn/x"]),
    ("www.shop123.com 看看", ["www.shop123.com"]),
    ("去 myshop.top 下单", ["myshop.top"]),
    ("https://mobile.yangkeduo.com/goods.html", []),  # the platform's own
    ("邮箱 abc@qq.com", []),                          # inside an e-mail: the e-mail's
    ("型号 v2.0 已更新", []),
])
def test_url(guard: Guard, text: str, found: list[str]) -> None:
    assert _linked(guard, url.find_urls, text) == found


@pytest.mark.parametrize(("text", "found"), [
    ("复制 ¥AbCd1234Ef¥ 打开", ["¥AbCd1234Ef¥"]),
    ("€Zz9Yy8Xx7€", ["€Zz9Yy8Xx7€"]),
    ("¥12.50¥", []),                                 # a price, no code
    ("¥abc¥", []),                                   # too short
])
def test_kouling(guard: Guard, text: str, found: list[str]) -> None:
    assert _linked(guard, kouling.find_codes, text) == found


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
    # spoken digits are whole words: the "er" of "number" is no 2
    ("my number one three eight one two three four five six seven eight",
     "one three eight one two three four five six seven eight"),
    ("one three nine, oh oh one two, three four five six",
     "one three nine, oh oh one two, three four five six"),
    # pieces among other words, a word naming a piece's place among them
    ("号码前三位是138，我先发这个。后八位是12345678", "138，我先发这个。后八位是12345678"),
    ("手机号138，剩下的等会儿说。1234 5678", "138，剩下的等会儿说。1234 5678"),
    ("first three: 139, then 0012 and last four 3456", "139, then 0012 and last four 3456"),
    ("型号138，后面的批号12345678，请核对", None),     # an order word before a piece
    ("第一件138元，后面每件12345678", None),          # an amount is no piece
    ("前3天发138件，后面12345678", None),
    ("订单138，后面的快递单号12345678", None),
    # a letter for the last digit; a lone leading 1; "then" words of a number keyed in
    ("号码是138 1234 567O", "138 1234 567O"),
    ("13812345678 ok", None),                        # a word after it: no letter-digit
    ("你打1加上39再加0012再加3456", "1加上39再加0012再加3456"),
    ("第一段186，第二段0011，第三段2233", "186，第二段0011，第三段2233"),  # 第一段's 1 is no piece
    ("先打138再打1234再打5678", "138再打1234再打5678"),
    ("1加上3等于4", None),
    # pieces that join into a landline or a bank card, each with its own context word
    ("座机区号0755，号码26881234", "0755，号码26881234"),
    ("批号0755，生产日期26881234", None),
    ("卡号前六位622202，中间1234567890，后三位128", "622202，中间1234567890，后三位128"),
    ("卡号前六位622202，中间1234567890，后三位127", None),   # Luhn fails
    ("卡密前六位622202，中间1234567890，后三位128", None),   # no bank word
    ("取件码先输入1381，再输入2345678", None),              # a code keyed in
    # a card's or a landline's pieces among other words; halves and groups as places
    ("卡号前十位6222021234，你先记着。后九位567890128",
     "6222021234，你先记着。后九位567890128"),
    ("身份证号前六位440301，后面的不用发", None),
    ("号码前半截1381234，后半截5678", "1381234，后半截5678"),
    ("号码第一组138，第二组1234，第三组5678", "138，第二组1234，第三组5678"),
    ("区号010，后面八位数字88886666", "010，后面八位数字88886666"),
    # a digit said a number of times (`repeat_words`)
    ("号码是138后面跟8个8", "138后面跟8个8"),
    ("号码138，四个1，四个2", "138，四个1，四个2"),
    ("订单里有8个8寸的盘子和138个碗", None),
    # groups a cue joins (`join_cues`, `[disguise] reverse_cues`), whatever stands between
    ("第一段177，第二段6502，第三段3918，三段连起来就是我的号", "177，第二段6502，第三段3918"),
    ("一号款138，二号款2046，三号款9957，连起来就是我电话", "138，二号款2046，三号款9957"),
    ("这几个数 138 / 2046 / 9957 拼在一起", "138 / 2046 / 9957"),
    ("号码倒着念：8 7 2 4 0 6 3 1 5 8 1", "8 7 2 4 0 6 3 1 5 8 1"),
    ("号码反过来读：5531 0826 9 13", "5531 0826 9 13"),
    ("价格表：一号款138，二号款2046，三号款9957，连起来算总价", None),  # no phone word: prices
    ("订单号 2305 1234 567 连起来", None),
    # a piece of one digit, where a place or a phone word says so
    ("电话开头是13，后面是9，再后面是0826，尾数5531", "13，后面是9，再后面是0826，尾数5531"),
    ("电话：153 加 0 加 291 加 4460", "153 加 0 加 291 加 4460"),
    ("13号，9号，15号，20号，25号，30号都有活动", None),
    ("订单号开头是13，后面是9，再后面是0826，尾数5531", None),
    # digits and spoken digits side by side; a card's digits with letters for some
    ("yao8ling-3397-qi214，这个就是我手机", "yao8ling-3397-qi214"),
    ("手机yao38-1234-5678", "yao38-1234-5678"),
    ("sku ba88 liu 2", None),
    ("卡号 62I7 OO61 3186 O913 9O5，钱打这里就行", "62I7 OO61 3186 O913 9O5"),
    ("型号 62I7 OO61 3186 O913 9O5", None),
    # a run of spoken digits inside digits and spoken digits: read with them, not apart
    ("手机 1san8 qi er liu si wu ling ba 8", "1san8 qi er liu si wu ling ba 8"),
    ("电话 yao san ba 8 8 liu 6 4 4 er er", "yao san ba 8 8 liu 6 4 4 er er"),
    ("电话 1 3 8 qi qi liu liu 5 5 4 4", "1 3 8 qi qi liu liu 5 5 4 4"),
    ("sku ba88 liu 2 san si wu", None),
    # the first pieces a digit at a time, where a place or a phone word says so
    ("开头1，接着是3，然后8，后面是0013，最后8000", "1，接着是3，然后8，后面是0013，最后8000"),
    ("号码开头是1，然后3，然后8，接着0013，最后是8000", "1，然后3，然后8，接着0013，最后是8000"),
    ("电话先打1再打5再打9，然后1234，然后5678", "1再打5再打9，然后1234，然后5678"),
    ("3号和5号发货，1号到8号没货，订单2305和12345678", None),
    ("前三位 one three eight，中间 1234，尾号 5678", "one three eight，中间 1234，尾号 5678"),
    ("第1步，第2步，第3步，第4步，第5步，第6步，第7步，第8步，第9步，第10步", None),
    # each digit written twice, as a digit and spelled: read once
    ("手机1（一）3（三）9（九）2（二）8（八）7（七）7（七）0（零）1（一）5（五）6（六）",
     "1（一）3（三）9（九）2（二）8（八）7（七）7（七）0（零）1（一）5（五）6（六"),
    ("号码是1（幺）8（八）6（六）0248 3697", "1（幺）8（八）6（六）0248 3697"),
    ("电话：一(1)八(8)六(6)0248 3697", "一(1)八(8)六(6)0248 3697"),
    ("第1（一）步打开订单，第2（二）步点申请售后", None),   # a pair at a time: no run
    ("尺码 1（一）1（一）2（二）号", None),
])
def test_assembled_number(guard: Guard, text: str, found: str | None) -> None:
    dense, _, _ = _views(guard, text)
    # the prefilter is a necessary condition: it passes every message the finder finds in
    assert may_hold_pieces(dense, guard.recognizers) or found is None
    assert _found(guard, assembled.find_assembled, text) == ([found] if found else [])


@pytest.mark.parametrize(("text", "found", "category"), [
    ("邮箱 abc123 at qq dot com", "abc123 at qq dot com", "contact_number"),
    ("shop2024艾特163点com", "shop2024艾特163点com", "contact_number"),
    ("网址是 www 点 abcshop 点 com", "www 点 abcshop 点 com", "link"),
    ("hr_kefu【at】foxmail【点】com", "hr_kefu【at】foxmail【点】com", "contact_number"),
    ("把逗号换成点：myshop,com", "myshop,com", "link"),
    # a lone symbol first, no lead word (a few words may stand before the verb)
    ("客服邮箱：service＆beautyzone.cn，＆记得换成 @ 哈", "service＆beautyzone.cn",
     "contact_number"),
    ("邮件：lily*qq.com（*要改成@）", "lily*qq.com", "contact_number"),
    ("mail: abc!gmail.com, ! 改成 @", "abc!gmail.com", "contact_number"),
    ("邮箱 kefu#163.com，#换成@", "kefu#163.com", "contact_number"),
    ("价格 12#34，#换成空格就行", None, None),
    ("尺码 M&L 都有，&换成和", None, None),
    ("直接访问 wwwDOTabcDOTcom", "wwwDOTabcDOTcom", "link"),
    ("meet at 3点5分", None, None),
    ("固件 v2点0 已更新", None, None),
    ("abc.com", None, None),                         # plain: the URL recognizer's
    # look-alike dots and @ (a circled a: the light view reads it as a letter)
    ("网址 www·abcshop·com", "www·abcshop·com", "link"),
    ("邮箱是 service ⓐ 163 ∙ com", "service ⓐ 163 ∙ com", "contact_number"),
    ("网址 abcshop・com", "abcshop・com", "link"),
    ("Apple·TV 支架", None, None),                  # a name with a middle dot
    ("Lily·Shop 旗舰店", None, None),
    ("迈克尔·杰克逊同款", None, None),
    # spelled backwards, with an instruction to read it so
    ("邮箱倒过来读：moc.qq@456321", "moc.qq@456321", "contact_number"),
    ("网址从后往前读：nc.pohsyl.www", "nc.pohsyl.www", "link"),
    ("邮箱：moc . 361 @ ecila，倒过来看", "moc . 361 @ ecila", "contact_number"),
    ("moc.qq@456321", None, None),                  # no instruction: no address
    ("反过来说，v2.0版本更稳定", None, None),
    # a legend of what each symbol stands for (swap verbs 是, 代表 without a lead word)
    ("邮件发 lanlan♡yeah◆net（♡是@，◆是.）", "lanlan♡yeah◆net", "contact_number"),
    ("官网 www■haoyun88■top，■代表点", "www■haoyun88■top", "link"),
    # the @ said to be put in between, and letters spelled out one by one with a mark
    ("zhangsan 加个@ 163.com", "zhangsan 加个@ 163.com", "contact_number"),
    ("l_i_l_y 艾特 1_6_3 点 c_o_m", "l_i_l_y 艾特 1_6_3 点 c_o_m", "contact_number"),
    ("s-h-o-p-8-8-8艾特q-q点c-o-m", "s-h-o-p-8-8-8艾特q-q点c-o-m", "contact_number"),
    ("本店 U.S.A 进口，点击详情", None, None),
    ("在评论里加个@就能提醒对方", None, None),
])
def test_obfuscated_address(guard: Guard, text: str, found: str | None,
                            category: str | None) -> None:
    _, _, offsets = _views(guard, text)
    found_here = obfuscated.find_obfuscated(text, guard.compiled.tables, offsets,
                                            guard.recognizers)
    assert [(text[d.start:d.end], d.category) for d in found_here] == (
        [(found, category)] if found else [])
    if found:
        assert obfuscated.may_hold_obfuscated(text)


def test_a_swap_verb_alone_opens_no_scan(guard: Guard) -> None:
    """The prefilter takes a swap verb only before its target (是@, 换成点): 是 is in most
    messages with a letter in them, which would all take the whole scan for nothing."""
    assert "是" in guard.recognizers.disguises.verbs
    assert not obfuscated.may_hold_obfuscated("型号是A3，颜色是黑色", guard.recognizers)
    assert obfuscated.may_hold_obfuscated("kefu★163▲com，★是@", guard.recognizers)
    assert obfuscated.may_hold_obfuscated("把#换成 @：service#163.com", guard.recognizers)


def test_a_pieces_place_is_data(tmp_path: Path, guard: Guard) -> None:
    """A piece's place (前3位, 后8个, 尾号) is `[numbers.positions]`: a merchant's table
    with another place word finds a number told around it; the built-in one does not."""
    text = "号码首3位是138，我先发这个，再发12345678"
    (tmp_path / "mine.toml").write_text(
        '[numbers.positions]\nheads = ["前", "后", "首"]\nunits = ["位"]\n'
        'tail_words = ["尾号"]\ntail_heads = ["后"]\ntail_links = ["是"]\n', encoding="utf-8")
    merchant = Guard([tmp_path])
    assert merchant.recognizers.places.link.fullmatch("首3位")
    assert not guard.recognizers.places.link.fullmatch("首3位")
    assert _found(guard, assembled.find_assembled, text) == []
    assert _found(merchant, assembled.find_assembled, text) == ["138，我先发这个，再发12345678"]


def test_one_question_whether_letters_for_digits_are_latin(guard: Guard) -> None:
    """`LetterDigits.latin` is the one answer both prefilters read (the number scan adds
    the letters' own class only where one is no Latin letter); the pieces' link pattern
    is compiled once, shared by the prefilter and the recognizer."""
    recognizers = guard.recognizers
    assert recognizers.letter_digits is not None and recognizers.letter_digits.latin
    assert recognizers.pieces.latin_letters
    assert recognizers.part_links is recognizers.pieces.links
    # a letter of another script (the lexicon's schema allows none today) is no Latin one
    other = replace(recognizers.letter_digits, letter=re.compile("[lⅰ]"))
    assert not other.latin
    assert "|[lⅰ]" in any_number_pattern({}, other).pattern
    assert any_number_pattern({}, recognizers.letter_digits).pattern == \
        any_number_pattern({}, None).pattern


def test_letters_for_digits_are_data(tmp_path: Path, guard: Guard) -> None:
    """Which Latin letters stand for digits inside a number is `[numbers.letter_digits]`."""
    text = "电话 l38z2345678"
    (tmp_path / "mine.toml").write_text(
        '[numbers.letter_digits]\nl = "1"\ni = "1"\no = "0"\nz = "2"\n', encoding="utf-8")
    merchant = Guard([tmp_path])
    assert _found(guard, assembled.find_assembled, text) == []
    assert _found(merchant, assembled.find_assembled, text) == ["l38z2345678"]
    assert guard.check("电话 l38l2345678").findings  # the built-in table: l, i, o


@pytest.mark.parametrize("text", [
    "l三八一二三四五六七八", "一三八l二三四五六七八", "I三九零零一二三四五六七",
    "核对一下 l", "三八一二三四五六七八o",
])
def test_letters_among_numerals_take_the_same_path_as_without_shortcuts(guard: Guard,
                                                                        text: str) -> None:
    # the assembled-number prefilter once let "l" + ten numerals pass unjudged
    assert guard.check(text).verdict == guard.check_without_shortcuts(text).verdict

