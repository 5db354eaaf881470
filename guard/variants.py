"""A term's generated spellings: pinyin, initials, half-pinyin mixes, split characters,
and an emoji's syllable doubled after a name or put inside it.

Width, case and traditional forms need no variants: the normalizer folds them
on both sides (message and term). Pinyin comes from pypinyin, never typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import product
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guard.lexicon import TermGroup
    from guard.rules import Concept

MAX_MIXED_LENGTH = 4
# of two readings of one spelling, the one asking more evidence stays (needs_context
# before mention before block)
LENIENCY = {"needs_context": 0, "mention": 1, "block": 2}


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


def group_spellings(group: TermGroup, components: dict[str, tuple[str, ...]] | None = None
                     ) -> dict[str, tuple[str, str, bool]]:
    """term → (kind, written form, written?) for one group, generated ones included."""
    spellings: dict[str, tuple[str, str, bool]] = {}

    def add(term: str, kind: str, written: bool) -> None:
        known = spellings.get(term)
        if known is not None:
            if known[2] and not written:
                return
            if known[2] == written and LENIENCY[known[0]] <= LENIENCY[kind]:
                return
        spellings[term] = (kind, term, written)

    for kind in ("block", "mention", "needs_context"):
        for term in getattr(group, kind):
            add(term, kind, True)
    # Pinyin of a needs_context word still needs context; pinyin of a name or
    # of an evasive spelling is as strong as the group says.
    for kind in ("block", "mention", "needs_context"):
        for term in getattr(group, kind):
            full, initials = pinyin_spellings(term)
            for generated, setting in ((full, group.pinyin), (initials, group.initials)):
                if setting == "none" or (kind != "mention" and generated is initials):
                    continue
                weaker = min(setting, kind, key=LENIENCY.__getitem__)
                for spelling in generated:
                    add(spelling, weaker, False)
    # A character written as its parts (微亻言) is an evasion: as strong as a
    # block term (ordinary words that need context are not split).
    if components:
        for kind in ("block", "mention"):
            for term in getattr(group, kind):
                for spelling in component_spellings(term, components):
                    add(spelling, "block", False)
    return spellings


def doubled_spellings(key: str, syllables: frozenset[str]) -> list[str]:
    """A name followed by the emoji of one of its syllables reads with that syllable
    twice (天猫🐱店 → 天猫猫店): the name so spelled. decide.py counts it only where
    the emoji is there, as for every spelling an emoji helps."""
    return [key[:i + 1] + key[i:] for i, char in enumerate(key) if char in syllables]


# The longest names that get a syllable put inside them (微🐱信, 支付🐱宝): longer
# terms are phrases, and every inner position of every name costs automaton keys.
INFIX_MAX = 3


def infixed_spellings(key: str, syllables: frozenset[str]) -> list[tuple[str, tuple[int, int]]]:
    """A short written name with an emoji's syllable between two of its characters
    (微信 → 微猫信 …): each spelling and where the syllable stands in it."""
    if not 2 <= len(key) <= INFIX_MAX or not all("\u4e00" <= c <= "\u9fff" for c in key):
        return []
    return [(key[:i] + syllable + key[i:], (i, i + len(syllable)))
            for i in range(1, len(key)) for syllable in sorted(syllables)]


def concept_spellings(concept: Concept) -> list[str]:
    """A concept's terms, and with `pinyin = true` their pinyin spellings and mixes."""
    spellings = list(concept.terms)
    if concept.pinyin:
        for term in concept.terms:
            spellings.extend(sorted(pinyin_spellings(term)[0]))
    return spellings
