"""A piece's place in a number told in pieces: `[numbers.positions]` compiled per Guard.

"前三位是138，中间1234，最后四位5678": 前3位 (on the digit view, where Chinese
numerals are digits), 中间 and 最后四位 name where each piece goes. The
words are data (lexicons/numbers.toml: heads, units, the tail given first);
the assembled-number recognizer (assembled.py) reads a place as a chain's
linking word, as a place among other words, and cut by a message boundary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from guard.recognizers.unit import alternation, leading

if TYPE_CHECKING:
    from guard.lexicon import PositionRules


@dataclass(frozen=True)
class Places:
    """`[numbers.positions]` compiled (once per Guard): a piece's place in a number.

    `link`: a place alone or with a unit and maybe a count (前, 前3位, 后8个),
    a chain's linking word; `counted`: a place with a count and a unit (前3位,
    第2段), a place word among other words; `tail_first`: what ends a text
    right before a tail given first (尾号, 后4位是); `heads` and `units` (a
    regex group) for the parts of a place cut by a message boundary
    (`place_edges`). The table's words are kept by the dense view (compiled.py)
    and continue a chain across a boundary (UNIT's `continues_in`).
    """

    link: re.Pattern[str]
    counted: str
    tail_first: re.Pattern[str]
    heads: tuple[str, ...]
    units: str


def places(rules: PositionRules, numerals: dict[int, str]) -> Places:
    """The place patterns on the digit view (Chinese numerals as digits)."""
    heads = tuple(w.translate(numerals) for w in rules.heads)
    units = alternation(w.translate(numerals) for w in rules.units)
    tail = f"{alternation(w.translate(numerals) for w in rules.tail_heads)}[0-9]{{1,2}}{units}"
    return Places(
        re.compile(f"{alternation(heads)}(?:[0-9]{{0,2}}{units})?"),
        f"{alternation(heads)}[0-9]{{1,2}}{units}",
        re.compile(f"(?:{alternation(w.translate(numerals) for w in rules.tail_words)}|{tail})"
                   f"{alternation(rules.tail_links)}?$"),
        heads, units)


def positions_pattern(words: tuple[str, ...], where: Places) -> re.Pattern[str]:
    """A word naming a piece's place in a number: `[numbers] part_positions`, or a
    place with a count (on the digit view)."""
    listed = sorted(map(re.escape, words), key=len, reverse=True)
    return re.compile(leading([*where.heads, *words]) + "(?:" + "|".join([where.counted, *listed])
                      + ")")


def place_edges(words: tuple[str, ...], where: Places
                ) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """What ends a text with the first part of a place word, and what starts one with
    the rest (of the `[numbers] part_positions` words, and of a place with a count)."""
    heads = {word[:k] for word in words for k in range(1, len(word))}
    tails = {word[k:] for word in words for k in range(1, len(word))}
    counted_head = (f"{alternation({h[:k] for h in where.heads for k in range(1, len(h) + 1)})}"
                    "[0-9]{0,2}")
    counted_tail = (f"[0-9]{{0,2}}{where.units}"
                    f"|{alternation({h[k:] for h in where.heads for k in range(1, len(h))})}")
    return (re.compile("(?:" + "|".join([counted_head, *map(re.escape, heads)]) + ")$"),
            re.compile("|".join([counted_tail, *map(re.escape, tails)])))
