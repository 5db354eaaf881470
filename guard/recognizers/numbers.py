"""What the phone, landline and card recognizers share: digit runs on the dense view.

Numbers are read on the dense view with Chinese numerals as digits, so
"一三八 1234 伍陆柒捌" and "138-1234-5678" are both eleven digits. A phone or
card number is a whole run of digits (no digit right before or after it),
so each recognizer tries its shape, whole, on the runs of ten digits or
more. Their common prefilter is here too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from guard.normalize import MASK_CHAR
from guard.recognizers.unit import Detection, detection

if TYPE_CHECKING:
    from guard.lexicon import Lexicon
    from guard.normalize import SpanMap
    from guard.recognizers.patterns import Recognizers
    from guard.recognizers.piece_patterns import LetterDigits

_DIGIT_RUN = re.compile(r"[0-9]{10,}")


def number_candidate(numerals: dict[int, str]) -> tuple[re.Pattern[str], str]:
    """The phone and card shapes, on the dense view, Chinese numerals included.

    A fast-path test: only a message that passes it pays for the digit view.
    (Accounts are only looked for after a messaging-app term, on the slow path.)
    Returns the runs of ten digits or numerals or more (compiled: every shape lies
    inside one, `may_hold_number` asks each) and the shapes' source (compiled on
    first need: `Recognizers.number_candidate`).
    """
    def digits(values: str) -> str:
        chars = set(values) | {chr(cp) for cp, d in numerals.items() if d in values}
        return "[" + re.escape("".join(sorted(chars))) + "]"

    def alternatives(digits: Callable[[str], str]) -> str:
        any_digit = digits("0123456789")
        mobile = f"(?:{digits('0')}{{0,2}}{digits('8')}{digits('6')})?{digits('1')}" \
                 f"{digits('3456789')}{any_digit}{{9}}"
        landline = (f"{digits('0')}{any_digit}{{9,11}}"
                    f"|{digits('48')}{digits('0')}{{2}}{any_digit}{{7}}")
        return f"{mobile}|{landline}|{any_digit}{{16,19}}"

    def spoken(values: str) -> str:  # Chinese numerals only
        return "[" + re.escape("".join(sorted(
            chr(cp) for cp, d in numerals.items() if d in values))) + "]"

    # Edges are ASCII digits only: the finders also read the plain dense
    # view, where 一 after a number ("13812345678一会儿") is no digit; and a
    # run of Chinese numerals alone is whole beside an ASCII digit, as the
    # numeral view reads it ("一七三一三二五两两两四0").
    whole = f"(?<![0-9])(?:{alternatives(digits)})(?![0-9])"
    if numerals:
        edge = spoken("0123456789")
        whole += f"|(?<!{edge})(?:{alternatives(spoken)})(?!{edge})"
    # each whole run of ten or more (possessive: one attempt per run); a search
    # bounded by a run still sees the characters around it for its edges
    return re.compile(f"{digits('0123456789')}{{10,}}+"), whole


def any_number_pattern(numerals: dict[int, str], letters: LetterDigits | None
                       ) -> re.Pattern[str]:
    """What every number prefilter needs, as one cheap scan: two digits or numerals
    side by side (a phone or card run is ten; an assembled number's pieces are runs
    of two or more), or a Latin letter (spoken digits in pinyin, letters for
    digits). Without it neither `may_hold_number` nor `may_hold_assembled` can hold,
    nor a link prefilter (a link's letters; digits that punctuation parts stand side by
    side in the dense view), so a message lacking both is settled by one search."""
    chars = "0-9" + re.escape("".join(sorted(map(chr, numerals))))
    # one class leads (the regex engine skips ahead by it), then: a letter, or a digit
    # before another — twice as fast as the plain alternation "D D|[a-z]"
    pattern = f"[{chars}a-z](?:(?<=[a-z])|(?=[{chars}]))"
    if letters is not None and not letters.latin:
        pattern += f"|{letters.letter.pattern}"
    return re.compile(pattern)


def may_hold_number(dense: str, recognizers: Recognizers) -> bool:
    """Whether the dense view holds something shaped like a phone or card number.

    Every shape is ten digits or numerals in a row at least, so it lies inside one
    run of them (`digit_run` finds each whole). A run of ASCII digits alone is asked
    whole, once: the shapes' edges are ASCII digits, so only the whole run can be
    one (trying each of its digits as a start costs ten times more); a run with
    numerals in it is searched.
    """
    candidate = recognizers.number_candidate
    for run in recognizers.digit_run.finditer(dense):
        start, end = run.span()
        if (candidate.fullmatch(dense, start, end) if run.group().isascii()
                else candidate.search(dense, start, end)) is not None:
            return True
    return False


def number_views(dense: str, digits: str, recognizers: Recognizers) -> tuple[str, ...]:
    """The readings of the same characters a number is looked for in, where they differ:

    the digit view (一38零 is one number), the plain dense view, where only
    ASCII digits count ("13956781234二维码": 二 is no twelfth digit), and the
    numeral view, where only Chinese numerals count ("一三八…八0755…": a
    spoken mobile number right before a written landline).
    """
    if digits == dense:
        return (digits,)
    if len(digits) != len(dense):
        raise ValueError("the digit view must keep the length of the dense view")
    numeral = dense.translate(recognizers.numeral_marks)
    words = recognizers.numeral_words
    if words is not None:
        spans = [match.span() for match in numeral_pattern(words).finditer(dense)]
        if spans:
            digits, numeral = _keep_words(digits, dense, spans), _keep_words(numeral, dense, spans)
    return digits, dense, numeral


def _keep_words(view: str, dense: str, spans: list[tuple[int, int]]) -> str:
    """`view` with the dense view's characters back in `spans` (the numeral words)."""
    parts: list[str] = []
    last = 0
    for start, end in spans:
        parts += (view[last:start], dense[start:end])
        last = end
    parts.append(view[last:])
    return "".join(parts)


@lru_cache(maxsize=8)
def numeral_pattern(source: str) -> re.Pattern[str]:
    """`numeral_words` compiled on first need (a thousand words or more: ~20 ms, which
    a message without numbers, and so every cold start on one, need not pay)."""
    return re.compile(source)


def numeral_words(lexicon: Lexicon, numerals: dict[int, str]) -> str | None:
    """Words whose Chinese numerals are no digits: `[numbers] numeral_words` and every
    group or concept term that begins or ends with a numeral (二维码, 五星, 一块钱).

    Masking such a term must not turn the digits beside it into a number it was
    not (“13000000006二维码”: 二 is no twelfth digit, masked or not), nor may
    masking a term that ate half of such a word ("1300000000一天猫店": 天猫 masked
    leaves 一 of 一天): a Chinese numeral beside a masked span is no digit either.
    """
    def numeral(char: str) -> bool:
        return ord(char) in numerals

    terms = [*lexicon.numbers.numeral_words,
             *(term for group in lexicon.groups
               for term in (*group.block, *group.mention, *group.needs_context)),
             *(term for concept in lexicon.concepts for term in concept.terms)]
    chosen = sorted({term for term in terms
                     if term and (numeral(term[0]) or numeral(term[-1]))
                     and not all(numeral(char) for char in term)}, key=len, reverse=True)
    marks = "".join(sorted(re.escape(chr(code)) for code in numerals if not chr(code).isascii()))
    masked = [f"[{marks}](?={MASK_CHAR})", f"(?<={MASK_CHAR})[{marks}]"] if marks else []
    return "|".join([*map(re.escape, chosen), *masked]) if chosen or masked else None


# Each reading of a message (number_views) with its runs of ten digits or more.
Runs = tuple[tuple[str, tuple[tuple[int, int], ...]], ...]


def digit_runs(dense: str, digits: str, recognizers: Recognizers) -> Runs:
    """The runs of ten digits or more of each reading: found once for every shape."""
    return tuple((view, tuple(run.span() for run in _DIGIT_RUN.finditer(view)))
                 for view in number_views(dense, digits, recognizers))


def whole_runs(runs: Runs, shape: re.Pattern[str]) -> list[re.Match[str]]:
    """The digit runs that match `shape` whole, in each view (the first view's first).

    Each view's runs are tried in text order; a span is kept once.
    """
    found: list[re.Match[str]] = []
    seen: set[tuple[int, int]] = set()
    for view, spans in runs:
        for start, end in spans:
            match = shape.fullmatch(view, start, end)
            if match is not None and (start, end) not in seen:
                seen.add((start, end))
                found.append(match)
    return found


def shapes(rule: str, category: str, shape: re.Pattern[str], dense: str, digits: str,
           offsets: SpanMap, recognizers: Recognizers, runs: Runs | None = None
           ) -> list[Detection]:
    """Every whole run of `shape` (a unit's `shape`), whatever words are near: privacy
    hides a buyer's number an order word or a bad check digit keeps from being a finding."""
    if runs is None:
        runs = digit_runs(dense, digits, recognizers)
    return [detection(rule, category, *match.span(), offsets, recognizers)
            for match in whole_runs(runs, shape)]
