"""The disguised dot or @ of an address is data (`[disguise]`, lexicons/numbers.toml):
a merchant's folder adding a word makes the recognizer read it, everywhere the
registry is asked (the engine's fast and slow paths, privacy masking, the audit's
window cue)."""

from __future__ import annotations

import pytest

from guard import Guard
from guard.audit.privacy import Privacy
from guard.lexicon import load_lexicon
from guard.recognizers import continuations

MERCHANT = '''format = 1
[disguise]
dot = ["逗点"]
at = ["耳朵a"]
swap_verbs = ["调成"]
swap_targets = ["逗点"]

[disguise.symbols]
"波浪号" = "~～"
'''

# Each is found with the merchant's words only (the built-in lexicon has none of them).
MERCHANT_ONLY = [
    # (no site word before it: 网址 … 点com is the built-in rule site_tld_said's, 逗点 or not)
    ("去 myshop逗点com 下单", "myshop逗点com", "link"),
    ("邮箱 kefu耳朵aqq逗点com", "kefu耳朵aqq逗点com", "contact_number"),
    # any case (no 邮箱 before it: 邮箱 … 163 is the built-in rule mail_parts's)
    ("发到 KEFU 耳朵A 163 逗点 COM", "KEFU 耳朵A 163 逗点 COM", "contact_number"),
    ("把#调成@，把%调成点：service#foxmail%com", "service#foxmail%com", "contact_number"),
    ("把波浪号换成点：myshop~cn", "myshop~cn", "link"),  # the symbol's name
    ("把#换成逗点：myshop#cn", "myshop#cn", "link"),  # the target
]


@pytest.fixture(scope="module")
def merchant(tmp_path_factory: pytest.TempPathFactory) -> Guard:
    folder = tmp_path_factory.mktemp("merchant")
    (folder / "mine.toml").write_text(MERCHANT, encoding="utf-8")
    return Guard([folder])


def test_a_merchant_adds_to_the_built_in_lists(merchant: Guard) -> None:
    built_in = load_lexicon().numbers.disguise
    added = merchant.lexicon.numbers.disguise
    assert added.dot == (*built_in.dot, "逗点")
    assert added.swap_verbs == (*built_in.swap_verbs, "调成")
    assert dict(added.symbols) == {**dict(built_in.symbols), "波浪号": "~～"}


@pytest.mark.parametrize(("text", "found", "category"), MERCHANT_ONLY)
def test_a_merchant_word_is_read_as_a_dot_or_an_at(guard: Guard, merchant: Guard, text: str,
                                                   found: str, category: str) -> None:
    assert guard.check(text).verdict == "pass"  # not without the merchant's data
    verdict = merchant.check(text)  # the fast path lets it through, the finder reads it
    assert verdict == merchant.check_without_shortcuts(text)
    assert [(f.rule, f.text, f.category) for f in verdict.findings] == [
        ("obfuscated_address", found, category)]


def test_privacy_masks_with_the_merchant_words(guard: Guard, merchant: Guard) -> None:
    text = "我的邮箱 kefu耳朵aqq逗点com"
    start = text.index("kefu")
    assert Privacy(guard).spans(text) == []
    assert Privacy(merchant).spans(text) == [(start, len(text), "obfuscated_address")]


def test_the_window_cue_and_continuations_read_the_data(guard: Guard, merchant: Guard) -> None:
    """A swap instruction's verb reaches over an audit window; a disguise word at a
    message's edge continues an address."""
    ours = continuations(merchant.recognizers, merchant.compiled.tables)
    built_in = continuations(guard.recognizers, guard.compiled.tables)
    assert ours.cue("把#调成@再发您") and not built_in.cue("把#调成@再发您")
    assert ours.cue("把#换成@") and built_in.cue("把#换成@")
    assert "逗" in ours.light_chars and "逗" not in built_in.light_chars


@pytest.mark.parametrize("text", [
    "邮箱 kefu点儿qq点儿com",            # a word the prefilter once left out
    "网址 myshop(句号)cn", "邮箱 kefu(圈a)qq.com",  # in brackets
    "把#变成点：myshop#cn", "把#换为@：service#163.com",  # verbs it left out
])
def test_the_prefilter_is_made_from_the_same_words_as_the_finder(guard: Guard,
                                                                 text: str) -> None:
    verdict = guard.check(text)
    assert verdict.verdict == "block"
    assert verdict == guard.check_without_shortcuts(text)
    assert Privacy(guard).spans(text)  # privacy asks the same prefilter
