"""`[numbers]` read and validated: the contact-number recognizers' settings.

Its lists (context words, part links, numeral words …) and its tables:
`[numbers.spoken_digits]` and `[numbers.spoken_repeats]` (digits said in
words), `[numbers.letter_digits]` (letters written for digits),
`[numbers.positions]` (a piece's place in a number told in pieces). Each
unknown key is an error with `file:line`; a merchant's `[numbers]` keys
replace the built-in ones (builder.py).
"""

from __future__ import annotations

import re
from typing import Any

from guard.lexicon.model import DisguiseRules, NumberRules, PositionRules
from guard.tomlfile import LexiconError, TomlFile, nonempty_string, small_int, strings

NUMBER_LISTS = ("phone_context", "landline_context", "bank_context", "not_contact_context",
                "account_fillers", "bank_prefixes", "url_tlds", "allowed_domains",
                "courier_prefixes", "part_links", "part_positions", "numeral_words",
                "repeat_words", "join_cues", "mailbox_words")
NUMBER_KEYS = {*NUMBER_LISTS, "context_window", "code_symbols", "units", "spoken_digits",
               "spoken_repeats", "positions", "letter_digits"}


def number_rules(src: TomlFile | None, data: dict[str, Any],
                 disguise: DisguiseRules) -> NumberRules:
    """`[numbers]` as merged from every file (`src`: the last file that had one)."""
    if src is None:
        raise LexiconError("lexicons: no [numbers] section in any file")
    lists = {key: strings(src, data.get(key, []), ("[numbers]", 0, key)) for key in NUMBER_LISTS}
    return NumberRules(
        context_window=small_int(src, data, "context_window", ("[numbers]", 0), 8),
        spoken_digits=_spoken_digits(src, data.get("spoken_digits", {})),
        spoken_repeats=_spoken_repeats(src, data.get("spoken_repeats", {})),
        disguise=disguise,
        positions=_positions(src, data.get("positions", {})),
        letter_digits=_letter_digits(src, data.get("letter_digits", {})),
        code_symbols=nonempty_string(src, data, "code_symbols", ("[numbers]", 0)),
        units=nonempty_string(src, data, "units", ("[numbers]", 0)),
        **lists,
    )


def _letter_digits(src: TomlFile, table: Any) -> tuple[tuple[str, str], ...]:
    """[numbers.letter_digits]: l = "1" — one lower-case Latin letter → one digit."""
    header = "[numbers.letter_digits]"
    if not isinstance(table, dict):
        raise src.error(src.line_of(header), f"{header} must map letters to digits")
    for letter, digit in table.items():
        if not (len(letter) == 1 and "a" <= letter <= "z") or not (
                isinstance(digit, str) and len(digit) == 1 and digit in "0123456789"):
            raise src.error(src.line_of(header, 0, letter),
                            f"{header} {letter!r}: one lower-case Latin letter must map to "
                            "one digit (\"0\"..\"9\")")
    return tuple(table.items())


POSITION_LISTS = ("heads", "units", "tail_words", "tail_heads", "tail_links")


def _positions(src: TomlFile, table: Any) -> PositionRules:
    """[numbers.positions]: lists of words; an unknown key is an error."""
    header = "[numbers.positions]"
    if not isinstance(table, dict):
        raise src.error(src.line_of(header), f"{header} must be a table")
    unknown = sorted(set(table) - set(POSITION_LISTS))
    if unknown:
        raise src.error(src.line_of(header, 0, unknown[0]),
                        f"unknown key '{unknown[0]}' in {header} "
                        f"(known: {', '.join(sorted(POSITION_LISTS))})")
    return PositionRules(**{key: strings(src, table.get(key, []), (header, 0, key))
                            for key in POSITION_LISTS})


_SPOKEN_WORD = re.compile(r"[a-z]{2,}")


def _spoken_digits(src: TomlFile, table: Any) -> tuple[tuple[str, str], ...]:
    """[numbers.spoken_digits]: yao = "1" — a word of two Latin letters or more → a digit."""
    line = src.line_of("[numbers.spoken_digits]")
    if not isinstance(table, dict):
        raise src.error(line, "[numbers.spoken_digits] must map words to digits")
    for word, digit in table.items():
        if not _SPOKEN_WORD.fullmatch(word) or not (
                isinstance(digit, str) and len(digit) == 1 and digit in "0123456789"):
            raise src.error(src.line_of("[numbers.spoken_digits]", 0, word),
                            f"[numbers.spoken_digits] {word!r}: a lower-case Latin word of "
                            "two letters or more must map to one digit (\"0\"..\"9\")")
    return tuple(table.items())


def _spoken_repeats(src: TomlFile, table: Any) -> tuple[tuple[str, int], ...]:
    """[numbers.spoken_repeats]: double = 2 — a word of two Latin letters or more before a
    spoken digit → how many times the digit is said (double eight = 88)."""
    line = src.line_of("[numbers.spoken_repeats]")
    if not isinstance(table, dict):
        raise src.error(line, "[numbers.spoken_repeats] must map words to counts")
    for word, count in table.items():
        if not _SPOKEN_WORD.fullmatch(word) or isinstance(count, bool) or not (
                isinstance(count, int) and 2 <= count <= 4):
            raise src.error(src.line_of("[numbers.spoken_repeats]", 0, word),
                            f"[numbers.spoken_repeats] {word!r}: a lower-case Latin word of "
                            "two letters or more must map to a count from 2 to 4")
    return tuple(table.items())
