"""A term's generated spellings: pinyin, initials, half-pinyin mixes, split characters.

Width, case and traditional forms need no variants: the normalizer folds them
on both sides (message and term). Pinyin comes from pypinyin, never typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import product

MAX_MIXED_LENGTH = 4


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


def pinyin_spellings(term: str) -> tuple[set[str], set[str]]:
    """(full-pinyin spellings, initials) of a Chinese term.

    Full spellings include every mix of characters and their pinyin
    ("weixin", "wei信", "微xin"); initials are the first letters ("wx").
    Terms with non-Chinese characters get none.
    """
    if not term or not all(_is_han(c) for c in term):
        return set(), set()
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(term, style=Style.NORMAL, errors="ignore")
    if len(syllables) != len(term):
        return set(), set()
    if len(term) <= MAX_MIXED_LENGTH:
        spellings = {"".join(c) for c in product(*zip(term, syllables, strict=True))}
    else:  # 2^n mixes would flood the automaton: only the full spelling
        spellings = {"".join(syllables)}
    spellings.discard(term)
    initials = {"".join(s[0] for s in syllables)} if len(term) >= 2 else set()
    return spellings, initials


def component_spellings(term: str, components: Mapping[str, tuple[str, ...]]) -> list[str]:
    """A term with characters written as their components: 微信 → 微亻言 (信 = 亻言).

    Each splittable character split alone, then all of them at once (扣扣 →
    扌口扣, 扣扌口, 扌口扌口): the likeliest evasions, a few per term, so the
    automaton (and the cold start that loads it) stays small.
    """
    where = [i for i, char in enumerate(term) if components.get(char)]
    spellings: list[str] = []
    for i in where:
        spellings.extend(term[:i] + split + term[i + 1:] for split in components[term[i]])
    if len(where) > 1:
        spellings.append("".join(components[c][0] if components.get(c) else c for c in term))
    return spellings
