"""normalize: the views fold evasions, and the offset map points into the original."""

from __future__ import annotations

import pytest

from guard import Guard
from guard.normalize import dense_offsets, digit_view, light_view, normalize


@pytest.mark.parametrize(("text", "dense"), [
    ("ＶＸ", "vx"),                      # full width
    ("𝐕𝐗 𝟏𝟑𝟖", "vx138"),                 # mathematical bold
    ("WeiXin", "weixin"),                # case
    ("淘寶 轉賬", "淘宝转账"),             # traditional
    ("微 . 信_❤\u200b号", "微信号"),       # noise between characters
    ("①③⑧", "138"),                     # circled digits
    ("❶❺⓿ ➀➂ ➊➋ ⓵⓶", "150131212"),       # negative, sans-serif, double circled (not NFKC)
    ("加🐧", "加企鹅"),                    # symbol alias from lexicons/normalize.toml
])
def test_dense_view_folds_evasions(guard: Guard, text: str, dense: str) -> None:
    assert normalize(text, guard.compiled.tables) == dense


def test_digit_view_reads_chinese_numerals_one_for_one(guard: Guard) -> None:
    dense = normalize("电话一三八幺二叁肆伍陆柒捌", guard.compiled.tables)
    digits = digit_view(dense, guard.compiled.tables)
    assert digits == "电话13812345678"
    assert len(digits) == len(dense)


def test_offsets_map_dense_spans_back_to_the_original(guard: Guard) -> None:
    text = "亲 加我 Ｖ . 信 哦"
    tables = guard.compiled.tables
    dense = normalize(text, tables)
    offsets = dense_offsets(text, tables)
    start = dense.index("v信")
    begin, end = offsets.span(start, start + 2)
    assert text[begin:end] == "Ｖ . 信"


def test_expansion_maps_every_output_char_to_its_source(guard: Guard) -> None:
    text = "a🐧b"
    offsets = dense_offsets(text, guard.compiled.tables)
    assert offsets.to_original == (0, 1, 1, 2)
    assert offsets.span(1, 3) == (1, 2)


def test_clauses_split_at_punctuation_but_not_between_single_characters(guard: Guard) -> None:
    tables = guard.compiled.tables
    split = dense_offsets("我们没有淘宝，拍下就行", tables)
    assert not split.same_clause(0, 9)
    assert split.same_clause(0, 5) and split.same_clause(6, 9)
    joined = dense_offsets("加，我，微，信", tables)
    assert joined.same_clause(0, 3)


def test_light_view_keeps_punctuation_and_drops_spaces(guard: Guard) -> None:
    light, offsets = light_view("W W W . Shop . CN", guard.compiled.tables)
    assert light == "www.shop.cn"
    assert offsets.span(0, len(light)) == (0, 17)


def test_fast_and_per_character_offsets_agree(guard: Guard) -> None:
    from guard.normalize import _dense_offsets_per_char

    tables = guard.compiled.tables
    for text in ["亲，加 我 Ｖ.信！！好吗？行", "a🐧b，cd。ef", "①②③，四五", ""]:
        assert dense_offsets(text, tables) == _dense_offsets_per_char(text, tables)
