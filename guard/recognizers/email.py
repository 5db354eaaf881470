"""E-mail addresses, on the light view (abc_1@qq.com); disguised ones are obfuscated.py's."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from guard.normalize import SpanMap
from guard.recognizers.links import may_hold_link
from guard.recognizers.unit import DIGITS, LATIN, Detection, Recognizer, detection

if TYPE_CHECKING:
    from guard.recognizers.patterns import Recognizers

RULE = "email"
CATEGORY = "contact_number"
EMAIL = re.compile(r"[a-z0-9][a-z0-9._%+\-_]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")


def email_spans(light: str) -> list[tuple[int, int]]:
    """The e-mail addresses' spans on the light view, in order, none overlapping."""
    return [m.span() for m in EMAIL.finditer(light)]


def find_emails(light: str, offsets: SpanMap, recognizers: Recognizers,
                spans: list[tuple[int, int]] | None = None) -> list[Detection]:
    """E-mail addresses (`spans`: `email_spans(light)`, when known already)."""
    return [detection(RULE, CATEGORY, start, end, offsets, recognizers)
            for start, end in (email_spans(light) if spans is None else spans)]


UNIT = Recognizer(RULE, CATEGORY, "light", may_hold_link, find_emails, "an e-mail shape",
                  DIGITS + LATIN + "@._%+-", personal=True)
