"""What a recognizer is, and what it returns: the one shape every module declares.

Each recognizer module (phone.py, url.py, …) declares one `Recognizer`: its
rule, category, the view it reads, prefilter, finder, validator, the
characters that can continue its shape across a message boundary, and
whether what it finds is a person's own data. `guard/recognizers/__init__.py`
registers them all (the registry).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from guard.normalize import SpanMap

if TYPE_CHECKING:
    from guard.lexicon import NumberRules
    from guard.recognizers.patterns import Recognizers

DIGITS = "0123456789"
LATIN = "abcdefghijklmnopqrstuvwxyz"
# The views a recognizer reads (guard.normalize): dense (letters and digits,
# noise dropped, Chinese numerals read as digits) or light (punctuation kept).
View = Literal["dense", "light"]


def alternation(words: Iterable[str]) -> str:
    """A regex group matching any of `words`, longest first (one that never matches
    where there are none). At a pattern's start the regex engine scans for the
    words' first characters by itself; inside one, lead it with `leading`."""
    listed = sorted(set(words), key=lambda word: (-len(word), word))
    return "(?:" + "|".join(map(re.escape, listed)) + ")" if listed else "(?!)"


def leading(words: Iterable[str]) -> str:
    """A lookahead for the first characters of `words`, to put before an alternation of
    them: where no word can start, the regex engine tests one character class instead
    of trying each word in turn (it has no trie of its own). Empty where a word is
    empty or there are only two words (no gain)."""
    listed = list(words)
    if len(listed) < 3 or not all(listed):
        return ""
    return "(?=[" + "".join(map(re.escape, sorted({word[0] for word in listed}))) + "])"


class Spans:
    """Spans of which no two overlap, kept in order: `add` keeps a span only where it
    overlaps none already kept, with one bisect (not a pass over all of them, which
    a message of thousands of findings would make quadratic)."""

    __slots__ = ("_ends", "_starts")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def add(self, start: int, end: int) -> bool:
        """Keep [start, end) unless it overlaps a kept span; whether it was kept."""
        index = bisect_left(self._starts, end)
        # of the kept spans starting before `end`, the last reaches furthest
        if index and self._ends[index - 1] > start:
            return False
        self._starts.insert(index, start)
        self._ends.insert(index, end)
        return True


@dataclass(frozen=True, slots=True)
class Detection:
    """A recognized contact detail or link, in ORIGINAL coordinates; always blocks."""

    rule: str
    category: str
    start: int
    end: int
    reason: str


@dataclass(frozen=True, slots=True)
class Recognizer:
    """One registered shape: what it finds and how it is found."""

    rule: str
    category: str
    view: View  # the normalized view its shape is read on
    prefilter: Callable[..., bool] | None  # the fast-path test (None: a term's hit is one)
    finder: Callable[..., Any]  # the slow-path finder
    validator: str  # what confirms a candidate, in words (Luhn, a whole mobile shape …)
    # Characters (of `view`; Chinese numerals as their digits) that can continue
    # the shape across a message boundary: the audit joins two messages only
    # where one ends and the next begins with such characters.
    continues: str
    personal: bool  # what it finds may be a buyer's own data (masked in a buyer's line)
    # characters of the lexicon's `[numbers]` settings that continue it too (口令 symbols …)
    continues_in: Callable[[NumberRules], str] | None = None
    # the reason keys it reports under, with their categories (default: its rule)
    reasons: tuple[tuple[str, str], ...] = ()
    # If given: a message's edge continues the shape only where the run of
    # `continues` characters reaching the edge holds one of these (or is the
    # whole message) — linking words alone continue no number given in pieces.
    anchors: str = ""
    # If given: whether a message holds something that completes this shape
    # anywhere in a window of messages, not only where two meet (an instruction
    # to swap a symbol back applies to the whole text).
    window_cue: Callable[[str, Recognizers], bool] | None = None
    # If given: the pattern of a whole digit run with the unit's shape, read
    # without the finder's context veto (no order word, bank word or Luhn check
    # asked; numbers.shapes). Privacy masking uses it (a buyer's 138… beside
    # 订单号 is still masked); detection never does.
    shape: re.Pattern[str] | None = None

    def continuation(self, rules: NumberRules) -> frozenset[str]:
        """Every character that can continue this shape, the lexicon's included."""
        extra = self.continues_in(rules) if self.continues_in is not None else ""
        return frozenset(self.continues + extra)

    def reason_keys(self) -> tuple[tuple[str, str], ...]:
        return self.reasons or ((self.rule, self.category),)


def detection(rule: str, category: str, start: int, end: int, offsets: SpanMap,
              recognizers: Recognizers) -> Detection:
    """A detection at a view span, mapped back to the original message."""
    original_start, original_end = offsets.span(start, end)
    return Detection(rule, category, original_start, original_end, recognizers.reasons[rule])
