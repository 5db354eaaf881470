"""What the e-mail, URL and 口令 recognizers share: their prefilter on the original text.

Every link shape and every disguised address holds a Latin letter, so one
character-class scan settles most messages for all of them. The symbols that
wrap a 口令 are the lexicon's (`[numbers] code_symbols`), compiled per Guard
(`link_patterns`), with every character whose light form is one (￥ for ¥).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guard.recognizers.patterns import Recognizers

# What a URL or an e-mail address holds at least one of (their full-width and
# small forms come from the light table, as the code symbols' do).
_LINK_MARKS = "@/:.。"
_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ\U0001D400-\U0001D7FF\u24b6-\u24e9]")


def link_patterns(code_symbols: str, light: dict[int, str]
                  ) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The link prefilter's two tests: a link's punctuation or a code symbol in the
    original text (any spelling the light view reads as one), and a link's shape
    on the light view (a dotted name, an @ between letters, ://, www, a code symbol
    before eight letters or digits)."""
    marks = set(_LINK_MARKS + code_symbols)
    spelt = {chr(cp) for cp, form in light.items() if form in marks}
    punctuation = re.compile("[" + re.escape("".join(sorted(marks | spelt))) + "]")
    shapes = [r"[a-z0-9\-][.。][a-z]{2}", r"[a-z0-9]@[a-z0-9]", "://", "www"]
    if code_symbols:
        shapes.append(f"[{re.escape(code_symbols)}][a-z0-9]{{8}}")
    return punctuation, re.compile("|".join(shapes))


def has_latin(text: str) -> bool:
    """Whether the message holds a Latin letter: every link shape and disguised
    address does (one scan settles most messages for all of them)."""
    return _LATIN.search(text) is not None


def may_hold_link(text: str, light_table: dict[int, str], recognizers: Recognizers) -> bool:
    """Whether the message could hold a URL, an e-mail address or a 淘口令.

    Most messages have no Latin letter at all, or no URL punctuation: two
    character-class scans settle them; only the rest pay for the light view.
    """
    if recognizers.link_punctuation.search(text) is None or _LATIN.search(text) is None:
        return False
    return recognizers.link_shape.search(text.translate(light_table)) is not None
