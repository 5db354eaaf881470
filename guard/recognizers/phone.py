"""Mobile phone numbers: a whole run of eleven digits (+86 allowed) in any disguise.

"138-1234-5678", "一三八幺二三四五六七八", "①③⑧…", "Tony 13812345678". Not
one with an order or tracking word nearer than any contact word, nor one
glued to a courier's code (SF13812345678 is a tracking number).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from guard.normalize import SpanMap
from guard.recognizers.context import contact_distance, order_distance, order_word_wins
from guard.recognizers.numbers import Runs, digit_runs, may_hold_number, whole_runs
from guard.recognizers.unit import DIGITS, Detection, Recognizer, detection

if TYPE_CHECKING:
    from guard.recognizers.patterns import Recognizers

RULE = "phone"
CATEGORY = "contact_number"
MOBILE = re.compile(r"(?:0{0,2}86)?1[3-9][0-9]{9}")
_LATIN_RUN = re.compile(r"[a-z]+$")


def find_phones(dense: str, digits: str, offsets: SpanMap,
                recognizers: Recognizers, runs: Runs | None = None) -> list[Detection]:
    """Mobile numbers on the dense and digit views (`digits`: the digit view of `dense`)."""
    couriers = recognizers.rules.courier_prefixes
    found: list[Detection] = []
    if runs is None:
        runs = digit_runs(dense, digits, recognizers)
    for match in whole_runs(runs, MOBILE):
        start, end = match.span()
        # Only a letter right before can start a courier prefix ([a-z]+$ ends
        # at `start`: the dense view holds no newline for $ to stop before).
        # A courier code glued to the number (SF13812345678) makes it a tracking
        # number; any other Latin word before it (a name: Tony 138…, Lily138…)
        # does not switch detection off.
        if start > 0 and "a" <= dense[start - 1] <= "z":
            latin = _LATIN_RUN.search(dense, max(0, start - 12), start)
            if latin and latin.group() in couriers and \
                    offsets.span(start - 1, start)[1] == offsets.span(start, start + 1)[0]:
                continue
        near_order = order_distance(dense, start, recognizers)
        if near_order is not None and order_word_wins(near_order, contact_distance(
                dense, start, end, recognizers.phone_words, recognizers)):
            continue
        found.append(detection(RULE, CATEGORY, start, end, offsets, recognizers))
    return found


UNIT = Recognizer(RULE, CATEGORY, "dense", may_hold_number, find_phones,
                  "a whole mobile shape, no order word nearer than a contact word",
                  DIGITS, personal=True, shape=MOBILE)
