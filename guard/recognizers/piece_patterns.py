"""What numbers in pieces are read with, compiled once per Guard, and their prefilter.

The assembled-number recognizer (assembled.py) finds a mobile number given in
pieces, spoken, or with letters for digits; this module compiles the shapes it
reads from `[numbers]` (linking words, spoken digits, letters for digits, a digit
said N times) and holds the fast-path test, `may_hold_assembled`, that most
messages fail: one `PieceFilter` per Guard, so the test asks compiled patterns
only (nothing is built or looked up per message).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from guard.recognizers.positions import Places
from guard.recognizers.unit import alternation, leading

if TYPE_CHECKING:
    from guard.lexicon import NumberRules


def spoken_patterns(rules: NumberRules) -> tuple[
        re.Pattern[str] | None, re.Pattern[str] | None, dict[str, str]]:
    """Three spoken digits or more in a row, one spoken digit (`[numbers.spoken_digits]`,
    longest first where one word starts another, each maybe after a repeat word of
    `[numbers.spoken_repeats]`: "double eight"; None when the lexicon has none), and
    each spoken word's digits (double eight: 88)."""
    if not rules.spoken_digits:
        return None, None, {}
    syllable = "|".join(sorted((re.escape(w) for w, _ in rules.spoken_digits),
                               key=len, reverse=True))
    values = dict(rules.spoken_digits)
    if rules.spoken_repeats:
        repeat = "|".join(sorted((re.escape(w) for w, _ in rules.spoken_repeats),
                                 key=len, reverse=True))
        syllable = f"(?:{repeat})?(?:{syllable})"
        values.update({word + digit_word: digit * count
                       for word, count in rules.spoken_repeats
                       for digit_word, digit in rules.spoken_digits})
    # the dense view has dropped the spaces between them
    return re.compile(f"(?:{syllable}){{3,}}"), re.compile(syllable), values


def link_pattern(words: tuple[str, ...], where: Places) -> str:
    """Two or more digit groups joined by linking words only (on the digit view): the
    pattern's source (compiled on first need: `Recognizers.part_links`)."""
    # led by the first characters of every word (a place's head or a linking word):
    # a digit group's end is tried against one character class, not each word
    link = leading([*where.heads, *words]) + "(?:" + "|".join(
        [where.link.pattern, *sorted(map(re.escape, words), key=len, reverse=True)]) + ")"
    # a mobile number's lone leading 1 may be a piece of its own ("1 加上 39 再加…"):
    # group `one`, tried with the chain and, failing that, left out (第1段186…); a
    # later piece may be one digit too ("开头是13，后面是9，再后面是0826…"), and so
    # may the first pieces of a number dictated a digit or two at a time ("开头1，
    # 接着是3，然后8，后面是0013…": up to ten pieces; find_assembled keeps a piece of
    # one digit only where a place or a phone word says it is one)
    return (rf"(?<![0-9])(?P<one>1(?:{link}){{1,5}})?[0-9]{{1,17}}"
            rf"(?:(?:{link}){{1,5}}[0-9]{{1,17}}){{1,10}}(?![0-9])")


@dataclass(frozen=True)
class LetterDigits:
    """`[numbers.letter_digits]` compiled (once per Guard): Latin letters written for
    digits inside a number (l38l2345678, 15O-l234 on the dense view: l, i, o)."""

    run: re.Pattern[str]  # digits with such letters among them (a letter for 1 may lead)
    table: dict[int, str]  # each letter → its digit
    beside: re.Pattern[str]  # such a letter right beside a digit
    letter: re.Pattern[str]  # one such letter

    @property
    def latin(self) -> bool:
        """Whether every letter that stands for a digit is a Latin letter (a-z): then a
        text without a Latin letter holds none of them (the prefilters ask this)."""
        return re.fullmatch(r"\[[a-z]+\]", self.letter.pattern) is not None


def letter_digits(rules: NumberRules) -> LetterDigits | None:
    """The letters of `[numbers.letter_digits]` compiled; None where there are none."""
    if not rules.letter_digits:
        return None
    letters = "".join(letter for letter, _ in rules.letter_digits)
    ones = "".join(letter for letter, digit in rules.letter_digits if digit == "1")
    one_of = f"[{re.escape(letters)}]"
    lead = f"[{re.escape(ones)}]?" if ones else ""
    return LetterDigits(
        # a letter may end the run too, where no other letter follows (…567O; DigitView
        # keeps it only as an eleventh character)
        re.compile(f"{lead}[0-9](?:[0-9{re.escape(letters)}]*[0-9])?"
                   f"(?:{one_of}(?![a-z]))?"),
        str.maketrans(letters, "".join(digit for _, digit in rules.letter_digits)),
        re.compile(f"[0-9]{one_of}|{one_of}[0-9]"), re.compile(one_of))


def eleven_pattern(numeral_chars: str) -> re.Pattern[str]:
    """Finds eleven digits or Chinese numerals anywhere in a text (linear: no backtracking)."""
    chars = "[0-9" + re.escape(numeral_chars) + "]"
    others = "[^0-9" + re.escape(numeral_chars) + "]"
    return re.compile(f"{chars}(?:{others}*+{chars}){{10}}")


@lru_cache(maxsize=8)
def repeat_pattern(words: tuple[str, ...], chars: str = "0-9") -> re.Pattern[str] | None:
    """A digit said a number of times (`[numbers] repeat_words`: 8个8 on the digit view,
    八个八 on the dense one with `chars` its digits and numerals): the count, the digit."""
    if not words:
        return None
    word = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    # the dense view drops the breaks around it ("138，四个1，四个2": 1384个14个2)
    return re.compile(f"([{chars}])(?:{word})([{chars}])")


_FOUR_DIGITS = re.compile(r"[0-9](?:[^0-9]*+[0-9]){3}")
_ANY_LATIN = re.compile(r"[a-z]")
_LATIN_SIX = re.compile(r"[a-z]{6}")


@dataclass(frozen=True)
class PieceFilter:
    """The prefilter's patterns, compiled once per Guard (`piece_filter`)."""

    eleven: re.Pattern[str]  # eleven digits or numerals anywhere
    ten: re.Pattern[str]  # ten of them (a letter may be the eleventh)
    runs: re.Pattern[str]  # a run of digits or numerals
    numeral: re.Pattern[str]  # a Chinese numeral (the tables' `numeral`)
    digits: dict[int, str]  # numerals → digits: the digit view
    links_source: str  # digit groups joined by linking words (`link_pattern`)
    positions: re.Pattern[str]  # a word naming a piece's place
    repeat_word: re.Pattern[str] | None  # 个, 连: a digit said a number of times
    repeats: re.Pattern[str] | None  # a digit, a repeat word, a digit (dense view)
    three: re.Pattern[str]  # three digits or numerals in a row
    letters: LetterDigits | None
    latin_letters: bool  # whether every letter for a digit is a Latin letter
    spoken: re.Pattern[str] | None  # a run of spoken digits (`spoken_patterns`)
    # a word telling the reader to join the digit groups (`join_cue_pattern`: 连起来, 倒过来)
    cue: re.Pattern[str] | None = None
    # digits each written twice, as a digit and as a numeral (1（一）3（三）…: digit_words)
    glossed: re.Pattern[str] | None = None

    @cached_property
    def links(self) -> re.Pattern[str]:  # compiled on first need (large: ≈ 15 ms)
        return re.compile(self.links_source)


def piece_filter(eleven: re.Pattern[str], numeral: re.Pattern[str], digits: dict[int, str],
                 links: str, positions: re.Pattern[str],
                 repeat_words: tuple[str, ...], letters: LetterDigits | None,
                 spoken: re.Pattern[str] | None,
                 cue: re.Pattern[str] | None = None) -> PieceFilter:
    chars = eleven.pattern[1:eleven.pattern.index("]")]  # the class eleven_pattern counts
    numerals = chars.removeprefix("0-9")
    # led by one character class (the regex engine skips ahead by it): a digit and a
    # numeral taking turns, six characters (three pairs) at least
    glossed = (f"[0-9{numerals}](?:(?<=[0-9])[{numerals}][0-9][{numerals}][0-9][{numerals}]"
               f"|(?<=[{numerals}])[0-9][{numerals}][0-9][{numerals}][0-9])")
    return PieceFilter(
        eleven, re.compile(eleven.pattern.replace("{10}", "{9}")),
        re.compile(f"[{chars}]+"), numeral, digits, links, positions,
        re.compile(alternation(repeat_words)) if repeat_words else None,
        repeat_pattern(repeat_words, chars), re.compile(f"[{chars}]{{3}}"), letters,
        letters is None or letters.latin,
        spoken, cue, re.compile(glossed) if numerals else None)


def join_cue_pattern(join_cues: tuple[str, ...], reverse_cues: tuple[str, ...]
                     ) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """A word telling the reader to join a message's digit groups into one number
    (`[numbers] join_cues`, and `[disguise] reverse_cues`, which join them read back
    to front), and a reverse cue alone; None where the lexicon has none."""
    words = (*join_cues, *reverse_cues)
    return (re.compile(alternation(words)) if words else None,
            re.compile(alternation(reverse_cues)) if reverse_cues else None)


def may_hold_assembled(dense: str, where: PieceFilter) -> bool:
    """A cheap test: enough digits, numerals or spoken digits for a mobile number.

    Pieces: two runs of digits or numerals (the digit view's groups, one to
    seventeen long: a mobile number's 1 may stand alone, a bank card's pieces are
    longer) that together are as long as a mobile number at least — a single run
    is the phone recognizer's — joined by linking words only (13:00-15:00 is no
    number), or with a word naming a piece's place among them ("…后八位是…",
    with other words around it: a number told in two sentences).
    Or eleven digits or more with a word telling the reader to join them (连起来,
    倒过来: `cue`), one run or many, whatever stands between them.
    Or three digits in a row each written twice, as a digit and as a numeral
    (1（一）3（三）9（九）…: the digit view reads each once).
    Or a digit said a number of times (八个八, `repeat_words`) and a piece of three;
    or four digits with a letter for a digit beside one (l38l…), or letters for
    digits among ten numerals; or a run of spoken digits.
    """
    if where.eleven.search(dense) is not None:
        runs = [n for n in map(len, where.runs.findall(dense)) if n <= 17]
        if len(runs) > 1 and sum(runs) >= 11:
            view = dense.translate(where.digits) if where.numeral.search(dense) is not None \
                else dense
            if where.links.search(view) is not None or where.positions.search(view) is not None:
                return True
        if where.cue is not None and sum(runs) >= 11 and where.cue.search(dense) is not None:
            return True
        if where.glossed is not None and where.glossed.search(dense) is not None:
            return True
    if where.repeat_word is not None and where.repeat_word.search(dense) is not None and \
            where.repeats is not None and where.repeats.search(dense) is not None and \
            where.three.search(dense) is not None:
        return True
    latin = _ANY_LATIN.search(dense) is not None
    if not latin and where.latin_letters:  # what is left needs a Latin letter
        return False
    letters = where.letters
    letter = letters is not None and letters.letter.search(dense) is not None
    # letters for digits among numerals (l三八…, ten numerals and a letter): the
    # letter test below reads ASCII digits only
    if letter and where.numeral.search(dense) is not None and where.ten.search(dense) is not None:
        return True
    if not latin:
        return False
    beside = letter and letters is not None and letters.beside.search(dense) is not None
    if _LATIN_SIX.search(dense) is None:  # no spoken digits, and at most a few letters
        return beside and _FOUR_DIGITS.search(dense) is not None
    if beside and _FOUR_DIGITS.search(dense) is not None:
        return True
    return where.spoken is not None and where.spoken.search(dense) is not None
