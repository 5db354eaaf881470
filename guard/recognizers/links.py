"""What the e-mail, URL and 口令 recognizers share: their prefilter on the original text.

Every link shape and every disguised address holds a Latin letter, so one
character-class scan settles most messages for all of them.
"""

from __future__ import annotations

import re

# Links: first a cheap look at the ORIGINAL text, then at the light view.
_LINK_PUNCTUATION = re.compile(r"[@＠/／:：¥￥$€£₳₴₰₤¢₸₱₩.．。｡]")
_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ\U0001D400-\U0001D7FF\u24b6-\u24e9]")
_LINK_SHAPE = re.compile(r"[a-z0-9\-][.。][a-z]{2}|[a-z0-9]@[a-z0-9]|://|www|"
                         r"[¥$€£₳₴₰₤¢₸₱₩][a-z0-9]{8}")


def has_latin(text: str) -> bool:
    """Whether the message holds a Latin letter: every link shape and disguised
    address does (one scan settles most messages for all of them)."""
    return _LATIN.search(text) is not None


def may_hold_link(text: str, light_table: dict[int, str]) -> bool:
    """Whether the message could hold a URL, an e-mail address or a 淘口令.

    Most messages have no Latin letter at all, or no URL punctuation: two
    character-class scans settle them; only the rest pay for the light view.
    """
    if _LINK_PUNCTUATION.search(text) is None or _LATIN.search(text) is None:
        return False
    return _LINK_SHAPE.search(text.translate(light_table)) is not None
