"""Numbers assembled from parts: a mobile number given in pieces or in disguise.

* pieces with positional or linking words between them: "前三位138，中间四位
  1234，最后四位5678", "136再加上0000再加上1111", "前3位177，后8位…";
* digits spoken in pinyin or English: "yao san ba …", "one three eight …";
* Latin letters standing for digits inside a number: l38l2345678, 15O-l234 (l/i = 1, o = 0).

The pieces are read on the digit view (Chinese numerals as digits, so "后八位"
is "后8位"); the linking words are data (`[numbers] part_links`). A result
counts only if it is a whole mobile number; order and tracking words right
before it rule it out, as for a number written plainly.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from guard.normalize import SpanMap
from guard.recognizers.context import order_word_before, phone_word_before
from guard.recognizers.unit import DIGITS, LATIN, Detection, Recognizer, Spans

if TYPE_CHECKING:
    from guard.lexicon import NumberRules
    from guard.recognizers.patterns import Recognizers

RULE = "assembled_number"
CATEGORY = "contact_number"


def spoken_patterns(rules: NumberRules) -> tuple[
        re.Pattern[str] | None, re.Pattern[str] | None, dict[str, str]]:
    """Three spoken digits or more in a row, one spoken digit (`[numbers.spoken_digits]`,
    longest first where one word starts another; None when the lexicon has none), and
    each spoken word's digit."""
    if not rules.spoken_digits:
        return None, None, {}
    syllable = "|".join(sorted((re.escape(w) for w, _ in rules.spoken_digits),
                               key=len, reverse=True))
    # the dense view has dropped the spaces between them
    return re.compile(f"(?:{syllable}){{3,}}"), re.compile(syllable), dict(rules.spoken_digits)


# digits with letters standing for some: at least four real digits among them
_LETTER_DIGITS = re.compile(r"[li]?[0-9](?:[0-9lio]*[0-9])?")
_LETTERS_AS_DIGITS = str.maketrans("lio", "110")
_MOBILE = re.compile(r"(?:86)?1[3-9][0-9]{9}")
_MOBILE_IN = re.compile(r"(?<![0-9])(?:86)?1[3-9][0-9]{9}(?![0-9])")
_POSITION = r"(?:前|后|末|最后|中间|尾|剩下|第)(?:[0-9]{1,2}(?:位|段|节|个|条)|位|段)?"


def _chinese(pattern: str) -> str:
    """The Chinese characters a pattern names, each once."""
    return "".join(dict.fromkeys(c for c in pattern if "\u4e00" <= c <= "\u9fff"))


# The characters of _POSITION: the dense view must keep them (compiled.py).
POSITION_CHARS = _chinese(_POSITION)


def link_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Two or more digit groups joined by linking words only (on the digit view)."""
    link = "|".join([_POSITION, *sorted(map(re.escape, words), key=len, reverse=True)])
    return re.compile(rf"(?<![0-9])[0-9]{{2,11}}(?:(?:{link}){{1,5}}[0-9]{{2,11}}){{1,5}}(?![0-9])")


_LETTER_NEXT_TO_DIGIT = re.compile(r"[0-9][lio]|[lio][0-9]")
_RUN = re.compile(r"[0-9]{3,}")


_FOUR_DIGITS = re.compile(r"[0-9](?:[^0-9]*+[0-9]){3}")
_LATIN_ONE = re.compile(r"[lio]")
_ANY_LATIN = re.compile(r"[a-z]")
_LATIN_SIX = re.compile(r"[a-z]{6}")


def eleven_pattern(numeral_chars: str) -> re.Pattern[str]:
    """Finds eleven digits or Chinese numerals anywhere in a text (linear: no backtracking)."""
    chars = "[0-9" + re.escape(numeral_chars) + "]"
    others = "[^0-9" + re.escape(numeral_chars) + "]"
    return re.compile(f"{chars}(?:{others}*+{chars}){{10}}")


def may_hold_assembled(dense: str, eleven: re.Pattern[str], numeral: re.Pattern[str],
                       links: re.Pattern[str] | None = None,
                       digits: dict[int, str] | None = None,
                       spoken: re.Pattern[str] | None = None) -> bool:
    """A cheap test: enough digits, numerals or spoken digits for a mobile number.

    Pieces: two runs of digits or numerals (the digit view's groups, two to
    eleven long) that together are as long as a mobile number — a single run
    is the phone recognizer's, and a numeral anywhere (核对一下) is no piece.
    Given the `[numbers] part_links` pattern and the numerals' digits, the
    pieces must also be joined by linking words only (13:00-15:00 is no number).
    Or four digits with a letter beside one (l38l…), or a run of spoken digits
    (`spoken`: the first pattern of `spoken_patterns`).
    """
    if eleven.search(dense) is not None:
        runs = [n for n in map(len, _runs_pattern(eleven.pattern).findall(dense)) if 2 <= n <= 11]
        if len(runs) > 1 and sum(runs) >= 11:
            if links is None or digits is None:
                return True
            view = dense.translate(digits) if numeral.search(dense) is not None else dense
            if links.search(view) is not None:
                return True
    # letters for digits among numerals (l三八…, ten numerals and a letter): the letter
    # test below reads ASCII digits only
    if (_LATIN_ONE.search(dense) is not None and numeral.search(dense) is not None
            and _ten_pattern(eleven.pattern).search(dense) is not None):
        return True
    if _ANY_LATIN.search(dense) is None:  # spoken digits and letters for digits need letters
        return False
    if _LATIN_SIX.search(dense) is None:  # no spoken digits, and at most a few letters
        return (_LATIN_ONE.search(dense) is not None and _FOUR_DIGITS.search(dense) is not None
                and _LETTER_NEXT_TO_DIGIT.search(dense) is not None)
    if _FOUR_DIGITS.search(dense) is not None and \
            _LETTER_NEXT_TO_DIGIT.search(dense) is not None:
        return True
    return spoken is not None and spoken.search(dense) is not None


@lru_cache(maxsize=8)
def _ten_pattern(eleven: str) -> re.Pattern[str]:
    """Ten digits or numerals anywhere: `eleven_pattern` less one (a letter may be the eleventh)."""
    return re.compile(eleven.replace("{10}", "{9}"))


@lru_cache(maxsize=8)
def _runs_pattern(eleven: str) -> re.Pattern[str]:
    """Runs of digits or numerals: the character class `eleven_pattern` starts with."""
    return re.compile(eleven[:eleven.index("(?:")] + "+")


class _View:
    """The digit view with spoken digits and letter-digits replaced, and where each came from."""

    __slots__ = ("changed", "positions", "text")

    def __init__(self, digits: str, recognizers: Recognizers) -> None:
        pieces: list[str] = []
        positions: list[int] = []  # dense index of each character of the view
        done = 0
        spans: list[tuple[int, int, str]] = []
        spoken = Spans()
        run, syllable = recognizers.spoken_run, recognizers.spoken_syllable
        values = recognizers.spoken_values
        for match in run.finditer(digits) if run is not None and syllable is not None else ():
            value = "".join(values[s.group()] for s in syllable.finditer(match.group()))
            spans.append((match.start(), match.end(), value))
            spoken.add(match.start(), match.end())
        for match in _LETTER_DIGITS.finditer(digits):
            word = match.group()
            # letter-digit words never overlap one another: only a spoken run can
            if not word.isdigit() and sum(c.isdigit() for c in word) >= 4 and spoken.add(
                    match.start(), match.end()):
                spans.append((match.start(), match.end(), word.translate(_LETTERS_AS_DIGITS)))
        for start, end, value in sorted(spans):
            pieces.append(digits[done:start])
            positions.extend(range(done, start))
            pieces.append(value)
            # each spoken digit stands for its syllable: spread over the span
            step = (end - start) / len(value)
            positions.extend(start + int(k * step) for k in range(len(value)))
            done = end
        pieces.append(digits[done:])
        positions.extend(range(done, len(digits)))
        self.text = "".join(pieces)
        self.positions = positions
        self.changed = bool(spans)

    def dense_span(self, start: int, end: int, length: int) -> tuple[int, int]:
        """The dense span a view span came from."""
        last = self.positions[end - 1]
        following = self.positions[end] if end < len(self.positions) else length
        return self.positions[start], max(last + 1, min(following, length))


def find_assembled(dense: str, digits: str, offsets: SpanMap,
                   recognizers: Recognizers) -> list[Detection]:
    """Mobile numbers given in pieces, spoken, or with letters for digits."""
    view = _View(digits, recognizers)
    found: list[Detection] = []
    reason = recognizers.reasons.get(RULE, recognizers.reasons["phone"])
    pattern = recognizers.part_links
    seen = Spans()

    def add(start: int, end: int, tail_first: bool = False) -> None:
        dense_start, dense_end = view.dense_span(start, end, len(dense))
        # "手机尾号5521，前面是…": 尾号 is an order word too, but here a phone word leads
        if not (tail_first and phone_word_before(dense, dense_start, recognizers)) and \
                order_word_before(dense, dense_start, recognizers):
            return
        if not seen.add(dense_start, dense_end):
            return
        original = offsets.span(dense_start, dense_end)
        found.append(Detection(RULE, CATEGORY, original[0], original[1], reason))

    for match in pattern.finditer(view.text):
        # the groups: runs of two digits or more (a link word may hold one: 下1条)
        groups = re.findall(r"[0-9]{2,}", _strip_links(match.group(), recognizers))
        if _MOBILE.fullmatch("".join(groups)):
            add(*match.span())
        elif _TAIL_FIRST.search(view.text, max(0, match.start() - 8), match.start()) and \
                _MOBILE.fullmatch("".join(groups[1:] + groups[:1])):
            add(*match.span(), tail_first=True)  # the tail given first: 尾号5521，前面是…
    if view.changed:
        for match in _MOBILE_IN.finditer(view.text):
            dense_start, dense_end = view.dense_span(*match.span(), len(dense))
            if digits[dense_start:dense_end] != match.group():
                add(*match.span())  # something was read as digits: no plain number
    return found


_POSITIONS = re.compile(_POSITION)
_TAIL_FIRST = re.compile(
    r"(?:尾号|尾数|后[0-9]{1,2}位|末[0-9]{1,2}位|最后[0-9]{0,2}位?)(?:是|为)?$")


def _strip_links(chain: str, recognizers: Recognizers) -> str:
    """A chain without its positional words ("后8位" holds no digit of the number)."""
    return _POSITIONS.sub("", chain)


# A chain continues across a message boundary through digits, letters (spoken
# digits, letters for digits) and its linking and positional words — but a
# message edge of linking words alone ("好的" | "是…") starts no chain: the
# side of a boundary a chain crosses holds one of its digits or letters.
UNIT = Recognizer(RULE, CATEGORY, "dense", may_hold_assembled, find_assembled,
                  "the pieces join into a whole mobile number",
                  DIGITS + LATIN + POSITION_CHARS + _chinese(_TAIL_FIRST.pattern),
                  personal=True,
                  continues_in=lambda rules: "".join(rules.part_links),
                  anchors=DIGITS + LATIN)
