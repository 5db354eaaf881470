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

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from string import ascii_letters
from string import digits as ascii_digits
from typing import Protocol

from guard.deferred import Deferred, fields_state

# Code points the tables cover: the BMP and the supplementary planes that hold
# mathematical alphanumerics, enclosed characters and emoji. Characters outside
# pass through unchanged (they are letters of rare scripts, or unassigned).
_TABLE_RANGES = ((0x0000, 0xD800), (0xE000, 0x30000), (0xE0000, 0xE0080))
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000))
_KEEP_IN_DENSE = ("L", "N")
# The light view drops what is invisible or only spacing, so "w w w . x . cn"
# keeps the shape of a URL; punctuation stays.
_DROP_FROM_LIGHT = ("Cf", "Cs", "Co", "Cn", "Mn", "Me", "Zs", "Zl", "Zp", "Cc")


# What a character no rule mentions becomes in the dense view.
PLACEHOLDER = "\x02"
# What masked spans are filled with. It is kept in the dense view as a
# letter that belongs to no term, so masking never glues the text on either
# side of a span into a new term ("微[number]信" stays apart); and it stands
# for as many dense characters as any one character can become (🐧 → 企鹅),
# so masking never brings a context word nearer to a term.
MASK_CHAR = "█"
# The mark that joins the items of a list (微信、支付宝): a clause boundary for context
# words, but no end of a clause for an allow-listed phrase or an allow rule's reach.
LIST_MARKS = "、"


@dataclass(frozen=True)
class Tables:
    """The per-character translation tables, built once per `Guard`."""

    dense: dict[int, str]
    light: dict[int, str]
    digits: dict[int, str]
    boundaries: frozenset[str]
    # The boundaries that end a clause: all but a list's 、 (which joins its items)
    clause_marks: frozenset[str]
    # `dense_marks` and `light_marks`: only spans mapped back to the message read
    # them, and a start-up (or a run of clean messages) need not load them
    marks: Deferred[tuple[dict[int, str], dict[int, str]]]

    __getstate__ = fields_state

    @cached_property
    def dense_marks(self) -> dict[int, str]:
        """The same as dense, but a removed character becomes NUL and a clause boundary
        SOH, so one translation shows where everything went."""
        return self.marks.value[0]

    @cached_property
    def light_marks(self) -> dict[int, str]:
        """The same as light, a removed character NUL (see `dense_marks`)."""
        return self.marks.value[1]

    def digits_chars(self) -> str:
        """The characters the digit view turns into digits (一, 叁, 幺 …)."""
        return "".join(chr(cp) for cp in self.digits)

    @cached_property
    def numeral(self) -> re.Pattern[str]:
        """Finds a character of `digits_chars`: a view without one is its own digit view.

        (Not a field: made on first use, so cached tables stay valid.)
        """
        chars = self.digits_chars()
        return re.compile(f"[{re.escape(chars)}]" if chars else "(?!)")


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Where each character of a view came from in the original message.

    `clause_starts` are the view positions where clauses begin, so context
    words are only looked for in the same clause as the term.
    """

    to_original: tuple[int, ...]
    clause_starts: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a view span [start, end) to the original message."""
        return self.to_original[start], self.to_original[end - 1] + 1

    def same_clause(self, a: int, b: int) -> bool:
        """Whether view positions a and b lie in one clause."""
        return bisect_right(self.clause_starts, a) == bisect_right(self.clause_starts, b)


def _t2s_table() -> dict[str, str]:
    """Traditional → simplified, character by character, from OpenCC's data."""
    import opencc

    chars = [chr(cp) for lo, hi in _CJK_RANGES for cp in range(lo, hi)]
    # One character per line, so OpenCC's phrase matching cannot join them.
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - OpenCC contract
        raise RuntimeError("OpenCC changed the number of lines")
    return {src: dst for src, dst in zip(chars, converted, strict=True) if src != dst and dst}


def _strip_accent(char: str) -> str:
    """wēi xìn → wei xin: a Latin letter without its diacritics (pinyin tones)."""
    decomposed = unicodedata.normalize("NFD", char)
    if len(decomposed) > 1 and decomposed[0].isascii() and decomposed[0].isalpha():
        return decomposed[0]
    return char


def _single_digit(char: str) -> str | None:
    """The digit (0–9) a character stands for by its numeric value (一, 叁, ❶), else None."""
    value = unicodedata.numeric(char, None)
    if value is not None and value == int(value) and 0 <= value <= 9:
        return str(int(value))
    return None


def _enclosed_digit(char: str) -> str:
    """❶ → 1: a digit drawn in a circle or a box (category No, value 0–9), else the char."""
    if unicodedata.category(char) == "No":
        return _single_digit(char) or char
    return char


def _numeral_table(extras: Mapping[str, str]) -> dict[int, str]:
    """CJK characters whose numeric value is a single digit (一, 叁, 〇 …)."""
    table: dict[int, str] = {}
    for lo, hi in ((0x3000, 0x3100), *_CJK_RANGES, (0xF900, 0xFB00)):
        for cp in range(lo, hi):
            digit = _single_digit(chr(cp))
            if digit is not None:
                table[cp] = digit
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
                folded = "".join(_strip_accent(c) for c in folded)
                if folded == char:  # NFKC leaves ❶ ➀ ➊ ⓵ ⓿ as they are, unlike ①
                    folded = _enclosed_digit(char)
            light_form = "".join(
                c for c in folded if unicodedata.category(c) not in _DROP_FROM_LIGHT
            )
            dense_form = "".join(
                c for c in light_form if unicodedata.category(c)[0] in _KEEP_IN_DENSE
            )
            if char == MASK_CHAR:
                continue
            if light_form != char:
                light[cp] = light_form
            if dense_form != char:
                dense[cp] = dense_form
    # Symbols given as multi-character keys (🐧 with a variation selector) are
    # covered by their first code point; the selector itself is dropped.
    dense[ord(MASK_CHAR)] = MASK_CHAR * max(map(len, dense.values()))
    boundary_set = frozenset(boundaries)
    dense_marks = {}
    for cp, form in dense.items():
        light_form = light.get(cp, chr(cp))
        if chr(cp) in boundary_set or (light_form and light_form[0] in boundary_set):
            dense_marks[cp] = "\x01"
        else:
            dense_marks[cp] = form or "\x00"
    return Tables(
        dense=dense,
        light=light,
        digits=_numeral_table(numeral_extras),
        boundaries=boundary_set,
        clause_marks=boundary_set - frozenset(LIST_MARKS),
        marks=Deferred.of((dense_marks, {cp: form or "\x00" for cp, form in light.items()})),
    )


def with_alphabet(tables: Tables, alphabet: set[str]) -> Tables:
    """Tables whose dense view keeps only the characters some rule mentions.

    Every other character of the Basic Multilingual Plane becomes PLACEHOLDER:
    the views keep their length and every span, nothing can match across a
    placeholder that could not match across the character it replaced, and
    the keyword automaton skips placeholders at once. A table that covers
    every character also translates faster (no misses).
    """
    keep = (alphabet | set(ascii_letters) | set(ascii_digits) | set(tables.digits_chars())
            | {MASK_CHAR})
    dense: dict[int, str] = {}
    for cp in range(0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        char = chr(cp)
        form = tables.dense.get(cp, char)
        dense[cp] = "".join(c if c in keep else PLACEHOLDER for c in form)
    for cp, form in tables.dense.items():
        if cp >= 0x10000:
            dense[cp] = "".join(c if c in keep else PLACEHOLDER for c in form)
    return replace(tables, dense=dense)


def normalize(text: str, tables: Tables) -> str:
    """The dense view — the fast path: one translation, no Python loop."""
    return text.translate(tables.dense)


def digit_view(dense: str, tables: Tables) -> str:
    """`dense` with Chinese numerals as digits (一三八 → 138); same length.

    Most views hold no numeral: one regex scan then spares the translation
    (slow here: its table misses on nearly every character).
    """
    if tables.numeral.search(dense) is None:
        return dense
    return dense.translate(tables.digits)


_DROPPED = re.compile("[\x00\x01]")
_KEPT = re.compile("[^\x00]+")


class SpanMap(Protocol):
    """What the slow path asks of an offset map (`OffsetMap` and `DenseGaps` answer)."""

    def span(self, start: int, end: int) -> tuple[int, int]: ...

    def same_clause(self, a: int, b: int) -> bool: ...


class DenseGaps:
    """The dense view's offset map, kept as where the dropped characters were.

    Where no character expands, dense position p came from original position
    p + (characters dropped before it): one bisect in `shifted`, the dense
    position each dropped character stands before. Building it costs one
    regex pass that stops only at the few dropped characters, not a position
    per character; clauses are worked out only when a context word asks.
    """

    __slots__ = ("_clause_starts", "_marked", "_shifted")

    def __init__(self, marked: str) -> None:
        """`marked`: the text translated with `Tables.dense_marks`, same length."""
        self._marked = marked
        self._shifted = [m.start() - j for j, m in enumerate(_DROPPED.finditer(marked))]
        self._clause_starts: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a view span [start, end) to the original message."""
        shifted = self._shifted
        return start + bisect_right(shifted, start), end + bisect_right(shifted, end - 1)

    @property
    def clause_starts(self) -> tuple[int, ...]:
        if self._clause_starts is None:
            if "\x01" not in self._marked:  # no clause punctuation: one clause
                self._clause_starts = ()
            else:
                boundaries = [m.start() - j
                              for j, m in enumerate(_DROPPED.finditer(self._marked))
                              if m.group() == "\x01"]
                self._clause_starts = _clause_starts(boundaries,
                                                     len(self._marked) - len(self._shifted))
        return self._clause_starts

    def same_clause(self, a: int, b: int) -> bool:
        """Whether view positions a and b lie in one clause."""
        starts = self.clause_starts
        return bisect_right(starts, a) == bisect_right(starts, b)

    def offset_map(self) -> OffsetMap:
        """The same map with a position per character."""
        shifted = self._shifted
        length = len(self._marked) - len(shifted)
        return OffsetMap(tuple(p + bisect_right(shifted, p) for p in range(length)),
                         self.clause_starts)


def dense_spans(text: str, tables: Tables) -> SpanMap:
    """Offset map and clauses of the dense view (slow path only), in its cheap form.

    One translation marks removed characters (NUL) and clause punctuation
    (SOH). Characters that expand (🐧 → 企鹅) take the per-character route.
    """
    marked = text.translate(tables.dense_marks)
    if len(marked) != len(text):
        return _dense_offsets_per_char(text, tables)
    return DenseGaps(marked)


def dense_offsets(text: str, tables: Tables) -> OffsetMap:
    """Offset map and clauses of the dense view, a position per character."""
    marked = text.translate(tables.dense_marks)
    if len(marked) != len(text):
        return _dense_offsets_per_char(text, tables)
    return DenseGaps(marked).offset_map()


def _dense_offsets_per_char(text: str, tables: Tables) -> OffsetMap:
    marks = tables.dense_marks
    to_original: list[int] = []
    boundaries: list[int] = []
    for index, char in enumerate(text):
        out = marks.get(ord(char), char)
        if out == "\x01":
            boundaries.append(len(to_original))
        elif out != "\x00":
            to_original.extend([index] * len(out))
    return OffsetMap(tuple(to_original), _clause_starts(boundaries, len(to_original)))


def _clause_starts(boundaries: list[int], length: int) -> tuple[int, ...]:
    """Dense positions where a new clause starts.

    A clause ends at clause punctuation (，。！？…). Fragments of one character
    ("加，我，微，信") are evasion, not clauses: a boundary only counts where the
    text on both sides of it has at least two characters.
    """
    edges = [0, *sorted(set(b for b in boundaries if 0 < b < length)), length]
    starts = []
    for k in range(1, len(edges) - 1):
        if edges[k] - edges[k - 1] >= 2 and edges[k + 1] - edges[k] >= 2:
            starts.append(edges[k])
    return tuple(starts)


def light_view(text: str, tables: Tables) -> tuple[str, OffsetMap]:
    """The light view and its offset map (slow path only; no clauses)."""
    marked = text.translate(tables.light_marks)
    to_original: list[int] = []
    if len(marked) == len(text):
        for match in _KEPT.finditer(marked):
            to_original.extend(range(*match.span()))
        return marked.replace("\x00", ""), OffsetMap(tuple(to_original), ())
    light_table = tables.light
    pieces: list[str] = []
    for index, char in enumerate(text):
        out = light_table.get(ord(char), char)
        if out:
            pieces.append(out)
            to_original.extend([index] * len(out))
    return "".join(pieces), OffsetMap(tuple(to_original), ())


def normalize_term(term: str, tables: Tables) -> str:
    """A lexicon term in the form it is matched in (the dense view)."""
    return term.translate(tables.dense)
