"""淘口令 (share codes): 8–14 letters and digits between two currency-like symbols
(`[numbers] code_symbols`: ¥AbCd1234Ef¥), on the light view."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from guard.normalize import SpanMap
from guard.recognizers.links import may_hold_link
from guard.recognizers.unit import DIGITS, LATIN, Detection, Recognizer, detection

if TYPE_CHECKING:
    from guard.lexicon import NumberRules
    from guard.recognizers.patterns import Recognizers

RULE = "code"
CATEGORY = "link"


def code_pattern(rules: NumberRules) -> re.Pattern[str]:
    symbols = re.escape(rules.code_symbols)
    return re.compile(rf"[{symbols}][a-z0-9]{{8,14}}[{symbols}]")


def find_codes(light: str, offsets: SpanMap, recognizers: Recognizers) -> list[Detection]:
    """Share codes between their symbols."""
    return [detection(RULE, CATEGORY, *match.span(), offsets, recognizers)
            for match in recognizers.code.finditer(light)]


UNIT = Recognizer(RULE, CATEGORY, "light", may_hold_link, find_codes,
                  "8–14 letters and digits between currency symbols", DIGITS + LATIN,
                  personal=False, continues_in=lambda rules: rules.code_symbols)
