"""Letters and spoken words read as digits: the digit view the assembled-number
recognizer (assembled.py) and privacy masking read.

* digits spoken in pinyin or English: "yao san ba …", "one three eight …"
  (`[numbers.spoken_digits]`, `[numbers.spoken_repeats]`: double eight = 88);
* a digit said a number of times: "八个八" (`[numbers] repeat_words`);
* Latin letters standing for digits inside a number: l38l2345678, 15O-l234
  (`[numbers.letter_digits]`: l/i = 1, o = 0).

Their patterns are compiled once per Guard (piece_patterns.py); `DigitView` is
the digit view with those words and letters replaced, and where each came from;
`read_digits` lists every digit it reads, for masking.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from guard.normalize import SpanMap
from guard.recognizers.piece_patterns import repeat_pattern
from guard.recognizers.unit import DIGITS, LATIN, Spans

if TYPE_CHECKING:
    from guard.recognizers.patterns import Recognizers


def _word_edge(dense: str, position: int, offsets: SpanMap) -> bool:
    """Whether a Latin word may begin or end at `position` of the dense view: a letter
    on one side only, or something the view dropped (a space, a hyphen) between them."""
    if position <= 0 or position >= len(dense):
        return True
    if not (dense[position - 1] in LATIN and dense[position] in LATIN):
        return True
    return offsets.span(position - 1, position)[1] < offsets.span(position, position + 1)[0]


def _whole_words(digits: str, run: re.Match[str], syllable: re.Pattern[str],
                 offsets: SpanMap) -> list[re.Match[str]]:
    """The spoken digits of a run that are words of their own: the run cut where it
    begins or ends inside another word ("number one three…": the "er" of number is
    no 2; "six seven eighty": no 8)."""
    words = list(syllable.finditer(digits, run.start(), run.end()))
    first = next((k for k, word in enumerate(words)
                  if _word_edge(digits, word.start(), offsets)), len(words))
    last = next((k for k in range(len(words) - 1, first - 1, -1)
                 if _word_edge(digits, words[k].end(), offsets)), first - 1)
    return words[first:last + 1]


@lru_cache(maxsize=8)
def _mixed(syllable: str) -> re.Pattern[str]:
    """Digits and spoken digits side by side (yao8ling3397qi214), on the dense view."""
    return re.compile(f"(?:[0-9]|(?:{syllable}))+")


# How many digits a run of digits and spoken digits side by side reads at least.
_MIXED_DIGITS = 7


def _mixed_value(digits: str, run: re.Match[str], syllable: re.Pattern[str],
                 values: dict[str, str], offsets: SpanMap) -> str | None:
    """The digits a run of digits and spoken digits reads ("yao8ling" = 180), where it
    holds both, each spoken digit a word of its own, and seven digits at least."""
    text = run.group()
    if text.isdigit() or not any(char.isdigit() for char in text):
        return None
    value: list[str] = []
    position = run.start()
    while position < run.end():
        if digits[position].isdigit():
            value.append(digits[position])
            position += 1
            continue
        word = syllable.match(digits, position, run.end())
        if word is None or not (_word_edge(digits, word.start(), offsets)
                                and _word_edge(digits, word.end(), offsets)):
            return None
        value.append(values[word.group()])
        position = word.end()
    joined = "".join(value)
    return joined if len(joined) >= _MIXED_DIGITS else None


# How many digits in a row, each written twice (as a digit and spelled), are read once.
_GLOSSED = 3


def _glossed(text: str, positions: list[int], dense: str, k: int) -> bool:
    """Whether the view's digits k and k + 1 are one digit written twice: the same
    value, one an ASCII digit in the message and the other not (a numeral, a word)."""
    return (text[k] == text[k + 1] and text[k] in DIGITS
            and (dense[positions[k]] in DIGITS) != (dense[positions[k + 1]] in DIGITS))


class DigitView:
    """The digit view with spoken digits and letter-digits replaced, and where each came from."""

    __slots__ = ("changed", "positions", "spoken", "text")

    def __init__(self, digits: str, recognizers: Recognizers, offsets: SpanMap,
                 dense: str | None = None) -> None:
        pieces: list[str] = []
        positions: list[int] = []  # dense index of each character of the view
        # a spoken digit's index in the view: the dense span of its word
        self.spoken: dict[int, tuple[int, int]] = {}
        done = 0
        spans: list[tuple[int, int, str]] = []
        words_at: dict[int, list[tuple[int, int]]] = {}  # a spoken run's start: its words
        spoken = Spans()
        run, syllable = recognizers.spoken_run, recognizers.spoken_syllable
        values = recognizers.spoken_values
        # digits and spoken digits side by side first: a run of spoken digits inside one
        # ("1san8 qi er liu…") is read with the digits around it, not apart from them
        for match in _mixed(syllable.pattern).finditer(digits) if syllable is not None else ():
            value = _mixed_value(digits, match, syllable, values, offsets)
            if value is not None and spoken.add(match.start(), match.end()):
                spans.append((match.start(), match.end(), value))
        for match in run.finditer(digits) if run is not None and syllable is not None else ():
            words = _whole_words(digits, match, syllable, offsets)
            if len(words) < 3 or not spoken.add(words[0].start(), words[-1].end()):
                continue
            value = "".join(values[word.group()] for word in words)
            spans.append((words[0].start(), words[-1].end(), value))
            # each digit's word (double eight: one word, two digits)
            words_at[words[0].start()] = [word.span() for word in words
                                          for _ in values[word.group()]]
        repeats = repeat_pattern(recognizers.rules.repeat_words)
        for match in repeats.finditer(digits) if repeats is not None else ():
            count = int(match.group(1))
            if count >= 2 and spoken.add(match.start(), match.end()):
                spans.append((match.start(), match.end(), match.group(2) * count))
        letters = recognizers.letter_digits
        for match in letters.run.finditer(digits) if letters is not None else ():
            word, end = match.group(), match.end()
            if not word[-1].isdigit() and len(word) != 11:
                # a letter after the digits is one only as a mobile number's last (…567O)
                word, end = word[:-1], end - 1
            # letter-digit words never overlap one another: only a spoken run can
            if not word.isdigit() and sum(c.isdigit() for c in word) >= 4 and spoken.add(
                    match.start(), end):
                spans.append((match.start(), end, word.translate(letters.table)))
        for start, end, value in sorted(spans):
            pieces.append(digits[done:start])
            positions.extend(range(done, start))
            pieces.append(value)
            # each spoken digit stands for its syllable: spread over the span
            step = (end - start) / len(value)
            positions.extend(start + int(k * step) for k in range(len(value)))
            for k, word in enumerate(words_at.get(start, ())):
                self.spoken[len(positions) - len(value) + k] = word
            done = end
        pieces.append(digits[done:])
        positions.extend(range(done, len(digits)))
        self.text = "".join(pieces)
        self.positions = positions
        self.changed = bool(spans)
        glossed = recognizers.pieces.glossed
        if dense is not None and glossed is not None and glossed.search(dense) is not None:
            self._drop_glosses(dense)

    def _drop_glosses(self, dense: str) -> None:
        """Each digit read once where every digit of a run is written twice, once as a
        digit and once spelled ("1（一）3（三）9（九）…", "一(1)八(8)…", "1 one 8 eight…"):
        of `_GLOSSED` pairs in a row or more, each pair's second is dropped."""
        text, positions = self.text, self.positions
        dropped: set[int] = set()
        k = 0
        while k < len(text) - 1:
            run = k
            while run + 1 < len(text) and _glossed(text, positions, dense, run):
                run += 2
            if (run - k) // 2 >= _GLOSSED:
                dropped.update(range(k + 1, run, 2))
            k = max(run, k + 1)
        if not dropped:
            return
        kept = [k for k in range(len(text)) if k not in dropped]
        index = {old: new for new, old in enumerate(kept)}
        self.text = "".join(text[k] for k in kept)
        self.positions = [positions[k] for k in kept]
        self.spoken = {index[k]: word for k, word in self.spoken.items() if k in index}
        self.changed = True

    def dense_span(self, start: int, end: int, length: int) -> tuple[int, int]:
        """The dense span a view span came from."""
        last = self.positions[end - 1]
        following = self.positions[end] if end < len(self.positions) else length
        return self.positions[start], max(last + 1, min(following, length))


def read_digits(digits: str, offsets: SpanMap, recognizers: Recognizers
                ) -> list[tuple[int, int, str]]:
    """(dense start, dense end, digit) of each digit the number recognizers read in a
    digit view, in order: an ASCII, full-width, circled or styled digit, a numeral (一,
    壹, 幺, 洞 …: the digit view's), a letter standing for one inside a number (l38l…),
    a spoken digit (yao san ba …) — what privacy masks of a number, however written."""
    view = DigitView(digits, recognizers, offsets)
    found: list[tuple[int, int, str]] = []
    for k, char in enumerate(view.text):
        if char in DIGITS:
            start, end = view.spoken.get(k) or (view.positions[k], view.positions[k] + 1)
            found.append((start, end, char))
    return found
