"""The registry of recognizers: every shape of contact detail or link guard knows.

Each recognizer is one registered unit, declaring its rule (the finding's
`rule`), its category, its prefilter (a cheap test on the fast path), its
finder (the slow path), what validates a candidate, the characters that can
continue its shape across a message boundary (the audit's window shortcut
joins messages where they meet), and whether what it finds is a person's
own data (the audit masks that in a buyer's line). The engine, the audit's
window shortcut and the audit's privacy masking all read this registry: there
is no second model of what a phone number is.

The shapes themselves live in their modules: core.py (phone, landline, bank
card, account, e-mail, URL, 淘口令), assembled.py (numbers given in pieces,
spoken, or with letters for digits), obfuscated.py (addresses whose dot or @
is disguised).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from guard.recognizers.assembled import find_assembled, may_hold_assembled
from guard.recognizers.core import (
    EMAIL,
    Detection,
    Recognizers,
    account_at,
    build_recognizers,
    find_account,
    find_links,
    find_numbers,
    has_latin,
    luhn_valid,
    may_hold_link,
    may_hold_number,
)
from guard.recognizers.obfuscated import find_obfuscated, may_hold_obfuscated

__all__ = [
    "EMAIL", "PERSONAL", "REGISTRY", "RULE_NAMES", "Detection", "Recognizer", "Recognizers",
    "account_at", "build_recognizers", "find_account", "find_assembled", "find_links",
    "find_numbers", "find_obfuscated", "has_latin", "luhn_valid", "may_hold_assembled",
    "may_hold_link", "may_hold_number", "may_hold_obfuscated",
]

_DIGITS = "0123456789"
_LATIN = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class Recognizer:
    """One registered shape: what it finds and how it is found."""

    rule: str
    category: str
    prefilter: Callable[..., bool] | None  # the fast-path test (None: a term's hit is one)
    finder: Callable[..., Any]  # the slow-path finder
    validator: str  # what confirms a candidate, in words (Luhn, a whole mobile shape …)
    continues: str  # characters that can continue the shape across a message boundary
    personal: bool  # what it finds may be a buyer's own data (masked in a buyer's line)


REGISTRY: tuple[Recognizer, ...] = (
    Recognizer("phone", "contact_number", may_hold_number, find_numbers,
               "a whole mobile shape, no order word nearer than a contact word",
               _DIGITS, personal=True),
    Recognizer("landline", "contact_number", may_hold_number, find_numbers,
               "a landline shape with a phone word near it", _DIGITS, personal=True),
    Recognizer("bank_card", "contact_number", may_hold_number, find_numbers,
               "Luhn check digit, and a bank word or a card prefix", _DIGITS, personal=True),
    Recognizer("account", "contact_number", None, find_account,
               "an id right after the app's name", _DIGITS + _LATIN, personal=False),
    Recognizer("email", "contact_number", may_hold_link, find_links,
               "an e-mail shape", _DIGITS + _LATIN + "@._-", personal=True),
    Recognizer("url", "link", may_hold_link, find_links,
               "a URL or a known top-level domain; not the platform's own",
               _DIGITS + _LATIN + "./:-_?=&#%", personal=False),
    Recognizer("code", "link", may_hold_link, find_links,
               "8–14 letters and digits between currency symbols", _DIGITS + _LATIN,
               personal=False),
    Recognizer("assembled_number", "contact_number", may_hold_assembled, find_assembled,
               "the pieces join into a whole mobile number", _DIGITS + _LATIN,
               personal=True),
    Recognizer("obfuscated_address", "link", may_hold_obfuscated, find_obfuscated,
               "the disguise read back gives a URL or e-mail shape",
               _DIGITS + _LATIN + "./@", personal=True),
)

RULE_NAMES: tuple[str, ...] = tuple(r.rule for r in REGISTRY)
# The rules whose findings may be a person's own data (privacy masking).
PERSONAL: frozenset[str] = frozenset(r.rule for r in REGISTRY if r.personal)
