"""The recognizers' patterns compiled from the lexicon's `[numbers]` and `[disguise]`:
built once per `Guard`.

`build_recognizers` (the registry, __init__.py) fills it; each recognizer
module compiles its own part (url.url_pattern, kouling.code_pattern …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from guard.lexicon import NumberRules
from guard.recognizers.context import Words
from guard.recognizers.obfuscated import Disguises
from guard.recognizers.piece_patterns import LetterDigits, PieceFilter
from guard.recognizers.positions import Places


@dataclass(frozen=True)
class Recognizers:
    """Patterns compiled from `[numbers]`; built once per `Guard`."""

    rules: NumberRules
    digit_run: re.Pattern[str]
    # the phone and card shapes' source (numbers.number_candidate): compiled on first
    # need, as `number_candidate` (few messages hold ten digits in a row)
    number_shapes: str
    url: re.Pattern[str]
    code: re.Pattern[str]
    fillers: re.Pattern[str]
    reasons: dict[str, str]
    # The context word lists of `rules`, compiled for context.nearest / following.
    phone_words: Words
    landline_words: Words
    bank_words: Words
    not_contact_words: Words
    # dense → the numeral view of numbers.number_views: ASCII digits hidden (\x03),
    # Chinese numerals as digits, in one translation.
    numeral_marks: dict[int, str]
    eleven_digits: re.Pattern[str]  # eleven digits or numerals anywhere (assembled.py)
    # a word naming a piece's place in a number (`[numbers] part_positions`, 前3位 …)
    part_positions: re.Pattern[str]
    # words whose numerals are no digits (numbers.numeral_words: a pattern's source,
    # compiled on first need by numbers.numeral_pattern), None if there are none
    numeral_words: str | None = None
    # three spoken digits or more, one, and each one's digit (piece_patterns.spoken_patterns)
    spoken_run: re.Pattern[str] | None = None
    spoken_syllable: re.Pattern[str] | None = None
    spoken_values: dict[str, str] = field(default_factory=dict)
    # the words of a disguised dot or @ and of a swap instruction (obfuscated.py)
    disguises: Disguises = field(kw_only=True)
    # the link prefilter: a link's punctuation or a code symbol, a link's shape (links.py)
    link_punctuation: re.Pattern[str] = field(kw_only=True)
    link_shape: re.Pattern[str] = field(kw_only=True)
    # `[numbers.positions]` compiled: a piece's place in a number (assembled.py), and
    # what ends a message with the first part of a place word and starts one with the rest
    places: Places = field(kw_only=True)
    # `[numbers.letter_digits]` compiled (assembled.py), None where the lexicon has none
    letter_digits: LetterDigits | None = field(kw_only=True)
    place_edges: tuple[re.Pattern[str], re.Pattern[str]] = field(kw_only=True)
    # what every number shape needs (numbers.any_number_pattern): two digits or
    # numerals side by side, or a Latin letter; most messages have neither
    any_number: re.Pattern[str] = field(kw_only=True)
    # the assembled-number prefilter's patterns (piece_patterns.may_hold_assembled)
    pieces: PieceFilter = field(kw_only=True)
    # a word telling the reader to join a message's digit groups (连起来, 倒过来), and a
    # reverse cue alone (piece_patterns.join_cue_pattern); None where there are none
    join_cue: re.Pattern[str] | None = field(kw_only=True, default=None)
    reverse_cue: re.Pattern[str] | None = field(kw_only=True, default=None)
    # the `[numbers] part_links` words that hold a numeral, as the digit view reads them
    # (下一条: 下1条), longest first: no digit of a number told in pieces
    digit_links: tuple[str, ...] = field(kw_only=True, default=())

    # Start-up compiles only what most messages need: these two large patterns (≈ 40 ms
    # together) wait for the first message that holds a long run of digits or pieces.
    @cached_property
    def number_candidate(self) -> re.Pattern[str]:
        return re.compile(self.number_shapes)

    @property
    def part_links(self) -> re.Pattern[str]:
        """Digit groups joined by `[numbers] part_links` (piece_patterns.link_pattern):
        the prefilter's own pattern (`PieceFilter.links`, compiled once, on first need)."""
        return self.pieces.links
