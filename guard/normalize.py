"""Text → normalized views + an offset map back to the original message.

Two views of a message are matched against:

* **dense**: NFKC, case-folded, traditional→simplified, symbol aliases applied
  (🐧 → 企鹅), and every character that is not a letter or a digit removed
  (spaces, punctuation, emoji, zero-width characters …). "微 ❤ 信" and "ＶＸ"
  become "微信" and "vx". Terms and numbers are found here.
* **light**: the same folding, but punctuation and spaces kept, so URLs and
  e-mail addresses keep their shape and the tokenizer sees real words.

Both are made with one `str.translate` each (C speed, the fast path). The
offset maps — which original character each view character came from — are
built only when a candidate was found (the slow path).

The per-character tables are derived from libraries, not typed: `unicodedata`
(NFKC, categories, numeric values) and OpenCC (traditional→simplified).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

# Code points the tables cover: the BMP and the supplementary planes that hold
# mathematical alphanumerics, enclosed characters and emoji. Characters outside
# pass through unchanged (they are letters of rare scripts, or unassigned).
_TABLE_RANGES = ((0x0000, 0xD800), (0xE000, 0x30000), (0xE0000, 0xE0080))
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000))
_KEEP_IN_DENSE = ("L", "N")
# The light view drops what is invisible or only spacing, so "w w w . x . cn"
# keeps the shape of a URL; punctuation stays.
_DROP_FROM_LIGHT = ("Cf", "Cs", "Co", "Cn", "Mn", "Me", "Zs", "Zl", "Zp", "Cc")


@dataclass(frozen=True)
class Tables:
    """The per-character translation tables, built once per `Guard`."""

    dense: dict[int, str]
    light: dict[int, str]
    digits: dict[int, str]
    boundaries: frozenset[str]


@dataclass(frozen=True, slots=True)
class Normalized:
    """The fast-path views of one message."""

    original: str
    dense: str
    digits: str  # `dense` with Chinese numerals as digits; same length as dense


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Where each character of a view came from in the original message.

    `clause` gives, for each dense character, the clause it belongs to, so
    context words are only looked for in the same clause as the term.
    """

    to_original: tuple[int, ...]
    clause: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a view span [start, end) to the original message."""
        return self.to_original[start], self.to_original[end - 1] + 1


def _t2s_table() -> dict[str, str]:
    """Traditional → simplified, character by character, from OpenCC's data."""
    import opencc

    chars = [chr(cp) for lo, hi in _CJK_RANGES for cp in range(lo, hi)]
    # One character per line, so OpenCC's phrase matching cannot join them.
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - OpenCC contract
        raise RuntimeError("OpenCC changed the number of lines")
    return {src: dst for src, dst in zip(chars, converted, strict=True) if src != dst and dst}


def _numeral_table(extras: Mapping[str, str]) -> dict[int, str]:
    """CJK characters whose numeric value is a single digit (一, 叁, 〇 …)."""
    table: dict[int, str] = {}
    for lo, hi in ((0x3000, 0x3100), *_CJK_RANGES, (0xF900, 0xFB00)):
        for cp in range(lo, hi):
            value = unicodedata.numeric(chr(cp), None)
            if value is not None and value == int(value) and 0 <= value <= 9:
                table[cp] = str(int(value))
    for char, digit in extras.items():
        table[ord(char)] = digit
    return table


def build_tables(symbols: Mapping[str, str], numeral_extras: Mapping[str, str],
                 boundaries: str) -> Tables:
    """Compute the translation tables (≈0.2 s; the lexicon cache stores them)."""
    t2s = _t2s_table()
    dense: dict[int, str] = {}
    light: dict[int, str] = {}
    for lo, hi in _TABLE_RANGES:
        for cp in range(lo, hi):
            char = chr(cp)
            folded = symbols.get(char)
            if folded is None:
                folded = unicodedata.normalize("NFKC", char).casefold()
                if folded != char:
                    # NFKC can expose more compatibility forms after folding.
                    folded = unicodedata.normalize("NFKC", folded)
                folded = "".join(t2s.get(c, c) for c in folded)
            light_form = "".join(
                c for c in folded if unicodedata.category(c) not in _DROP_FROM_LIGHT
            )
            dense_form = "".join(
                c for c in light_form if unicodedata.category(c)[0] in _KEEP_IN_DENSE
            )
            if light_form != char:
                light[cp] = light_form
            if dense_form != char:
                dense[cp] = dense_form
    # Symbols given as multi-character keys (🐧 with a variation selector) are
    # covered by their first code point; the selector itself is dropped.
    return Tables(
        dense=dense,
        light=light,
        digits=_numeral_table(numeral_extras),
        boundaries=frozenset(boundaries),
    )


def normalize(text: str, tables: Tables) -> Normalized:
    """The fast path: two translations, no Python loop."""
    dense = text.translate(tables.dense)
    return Normalized(text, dense, dense.translate(tables.digits))


def dense_offsets(text: str, tables: Tables) -> OffsetMap:
    """Offset map and clause ids for the dense view (slow path only).

    A clause ends at clause punctuation (，。！？…). Fragments of one character
    ("加，我，微，信") are evasion, not clauses: a boundary only counts where the
    text on both sides has at least two characters.
    """
    dense_table = tables.dense
    light_table = tables.light
    boundaries = tables.boundaries
    to_original: list[int] = []
    segment_of: list[int] = []
    segment_lengths: list[int] = [0]
    for index, char in enumerate(text):
        code = ord(char)
        light_form = light_table.get(code, char)
        if char in boundaries or (light_form and light_form[0] in boundaries):
            if segment_lengths[-1]:
                segment_lengths.append(0)
            continue
        out = dense_table.get(code, char)
        if out:
            segment = len(segment_lengths) - 1
            for _ in out:
                to_original.append(index)
                segment_of.append(segment)
            segment_lengths[-1] += len(out)
    clause_of_segment = [0] * len(segment_lengths)
    clause = 0
    for k in range(1, len(segment_lengths)):
        if segment_lengths[k - 1] >= 2 and segment_lengths[k] >= 2:
            clause += 1
        clause_of_segment[k] = clause
    return OffsetMap(tuple(to_original), tuple(clause_of_segment[s] for s in segment_of))


def light_view(text: str, tables: Tables) -> tuple[str, OffsetMap]:
    """The light view and its offset map (slow path only; no clauses)."""
    light_table = tables.light
    pieces: list[str] = []
    to_original: list[int] = []
    for index, char in enumerate(text):
        out = light_table.get(ord(char), char)
        if out:
            pieces.append(out)
            to_original.extend([index] * len(out))
    return "".join(pieces), OffsetMap(tuple(to_original), ())


def normalize_term(term: str, tables: Tables) -> str:
    """A lexicon term in the form it is matched in (the dense view)."""
    return term.translate(tables.dense)
