"""Landline numbers (0571-88886666, 400 numbers): only with a phone word on either side."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from guard.normalize import SpanMap
from guard.recognizers.context import contact_distance, order_distance, order_word_wins
from guard.recognizers.numbers import Runs, digit_runs, may_hold_number, whole_runs
from guard.recognizers.unit import DIGITS, Detection, Recognizer, detection

if TYPE_CHECKING:
    from guard.recognizers.patterns import Recognizers

RULE = "landline"
CATEGORY = "contact_number"
LANDLINE = re.compile(r"0[1-9][0-9]{1,2}[0-9]{7,8}|[48]00[0-9]{7}")


def find_landlines(dense: str, digits: str, offsets: SpanMap,
                   recognizers: Recognizers, runs: Runs | None = None) -> list[Detection]:
    """Landline numbers with a landline word near them and no order word nearer."""
    found: list[Detection] = []
    if runs is None:
        runs = digit_runs(dense, digits, recognizers)
    for match in whole_runs(runs, LANDLINE):
        start, end = match.span()
        near_contact = contact_distance(dense, start, end, recognizers.landline_words,
                                        recognizers)
        if near_contact is not None and not order_word_wins(
                order_distance(dense, start, recognizers), near_contact):
            found.append(detection(RULE, CATEGORY, start, end, offsets, recognizers))
    return found


UNIT = Recognizer(RULE, CATEGORY, "dense", may_hold_number, find_landlines,
                  "a landline shape with a phone word near it", DIGITS, personal=True,
                  shape=LANDLINE)
