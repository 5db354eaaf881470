"""Web addresses and short links: a scheme, www., or a name with a known top-level
domain (`[numbers] url_tlds`), on the light view; not the platform's own
(`[numbers] allowed_domains`), and not inside an e-mail address."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import TYPE_CHECKING

from guard.normalize import SpanMap
from guard.recognizers.email import email_spans
from guard.recognizers.links import may_hold_link
from guard.recognizers.unit import DIGITS, LATIN, Detection, Recognizer, detection

if TYPE_CHECKING:
    from guard.lexicon import NumberRules
    from guard.recognizers.patterns import Recognizers

RULE = "url"
CATEGORY = "link"
# What may stand in a URL after its start (RFC 3986's characters).
_URL_CHARS = "-._~:/?#[]@!$&'()*+;=%"
_URL_CHAR = "[a-z0-9" + re.escape(_URL_CHARS) + "]"


def url_pattern(rules: NumberRules) -> re.Pattern[str]:
    """A scheme, www., or dotted names ending in one of the lexicon's top-level domains."""
    tlds = "|".join(sorted(map(re.escape, rules.url_tlds), key=len, reverse=True))
    return re.compile(
        rf"(?:https?|ftp)://{_URL_CHAR}+"
        rf"|www\.{_URL_CHAR}+"
        rf"|(?<![a-z0-9@.\-])(?:[a-z0-9][a-z0-9\-]*\.)+(?:{tlds})(?![a-z0-9])(?:/{_URL_CHAR}*)?"
    )


def _allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """Whether the host is one of the platform's domains or under one."""
    return host.endswith(allowed) and (host in allowed or any(
        host.endswith("." + domain) for domain in allowed))


def find_urls(light: str, offsets: SpanMap, recognizers: Recognizers,
              emails: list[tuple[int, int]] | None = None) -> list[Detection]:
    """URLs outside e-mail addresses (`emails`: `email_spans(light)`, when known already)."""
    if emails is None:
        emails = email_spans(light)
    email_starts = [start for start, _ in emails]
    allowed = recognizers.rules.allowed_domains
    found: list[Detection] = []
    for match in recognizers.url.finditer(light):
        start, end = match.span()
        inside = bisect_right(email_starts, start) - 1  # the e-mail starting last before it
        if inside >= 0 and start < emails[inside][1]:
            continue
        if _allowed(re.sub(r"^[a-z]+://", "", match.group()).split("/")[0], allowed):
            continue
        found.append(detection(RULE, CATEGORY, start, end, offsets, recognizers))
    return found


UNIT = Recognizer(RULE, CATEGORY, "light", may_hold_link, find_urls,
                  "a URL or a known top-level domain; not the platform's own",
                  DIGITS + LATIN + _URL_CHARS, personal=False)
