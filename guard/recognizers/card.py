"""Bank card numbers: 16–19 digits with a valid Luhn check digit, and a bank word
near them or a card prefix (`[numbers] bank_prefixes`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from guard.normalize import SpanMap
from guard.recognizers.context import contact_distance, order_distance, order_word_wins
from guard.recognizers.numbers import Runs, digit_runs, may_hold_number, whole_runs
from guard.recognizers.unit import DIGITS, Detection, Recognizer, detection

if TYPE_CHECKING:
    from guard.recognizers.patterns import Recognizers

RULE = "bank_card"
CATEGORY = "contact_number"
CARD = re.compile(r"[0-9]{16,19}")


def luhn_valid(digits: str) -> bool:
    """The bank-card check digit (ISO/IEC 7812)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def find_cards(dense: str, digits: str, offsets: SpanMap,
               recognizers: Recognizers, runs: Runs | None = None) -> list[Detection]:
    """Luhn-valid card numbers with a bank word near them or a card prefix."""
    found: list[Detection] = []
    if runs is None:
        runs = digit_runs(dense, digits, recognizers)
    for match in whole_runs(runs, CARD):
        start, end = match.span()
        number = match.group()
        if not luhn_valid(number):
            continue
        near_contact = contact_distance(dense, start, end, recognizers.bank_words, recognizers)
        if order_word_wins(order_distance(dense, start, recognizers), near_contact):
            continue
        if near_contact is not None or number.startswith(recognizers.rules.bank_prefixes):
            found.append(detection(RULE, CATEGORY, start, end, offsets, recognizers))
    return found


UNIT = Recognizer(RULE, CATEGORY, "dense", may_hold_number, find_cards,
                  "Luhn check digit, and a bank word or a card prefix", DIGITS, personal=True,
                  shape=CARD)
