"""Accounts: an id or number right after a messaging app's name (微信号 abc123, QQ 12345678).

Looked for only after a contact_im term hit (the engine passes where it
ends), on the digit view; filler words may stand between
(`[numbers] account_fillers`: 号, 是, 搜 …).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from guard.normalize import MASK_CHAR, SpanMap
from guard.recognizers.unit import DIGITS, LATIN, Detection, Recognizer

if TYPE_CHECKING:
    from guard.lexicon import NumberRules
    from guard.recognizers.patterns import Recognizers

RULE = "account"
CATEGORY = "contact_number"
_ACCOUNT = re.compile(r"[a-z][a-z0-9]{5,19}|[0-9]{5,12}")


def fillers_pattern(rules: NumberRules, numerals: dict[int, str]) -> re.Pattern[str]:
    """Any run of the filler words (longest first), as the digit view spells them
    (一下 is 1下 there: the account is looked for on the digit view)."""
    words = {word.translate(numerals) for word in rules.account_fillers}
    fillers = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    return re.compile(rf"(?:{fillers})*")


def account_at(digits: str, after: int, recognizers: Recognizers) -> re.Match[str] | None:
    """An account id or number right after position `after` (微信号 abc123)."""
    position = recognizers.fillers.match(digits, after).end()
    match = _ACCOUNT.match(digits, position)
    if match is None:
        return None
    following = digits[match.end():match.end() + 1]
    if following == MASK_CHAR or (following.isascii() and following.isalnum()):
        return None  # part of a longer word (a masked span counts as one)
    return match


_NUMBER = re.compile(r"(?<![a-z0-9])[0-9]{5,12}(?![0-9])")
# how far before the app's name the number may start: its digits and a few filler words
_BEFORE_REACH = 24


def mailbox_number_before(digits: str, start: int, end: int, recognizers: Recognizers
                          ) -> tuple[int, int] | None:
    """The span of a number right before a messaging-app term that names the app's
    mailbox (`[numbers] mailbox_words`: "482771903 扣扣邮箱" is 482771903@qq.com),
    filler words allowed between (`account_fillers`: 482771903的企鹅邮箱)."""
    if not digits.startswith(recognizers.rules.mailbox_words, end):
        return None
    last = None
    for number in _NUMBER.finditer(digits, max(0, start - _BEFORE_REACH), start):
        last = number
    if last is None or recognizers.fillers.fullmatch(digits, last.end(), start) is None:
        return None
    return last.span()


def account_span(digits: str, after: int, recognizers: Recognizers,
                 before: int | None = None) -> tuple[int, int] | None:
    """Where a messaging-app term's account is in the digit view: right after the term
    (ending at `after`), or, given the term's start `before`, a number right before its
    mailbox (QQ邮箱). One answer for the fast path's support test and the finder."""
    match = account_at(digits, after, recognizers)
    if match is not None:
        return match.span()
    if before is None:
        return None
    return mailbox_number_before(digits, before, after, recognizers)


def find_account(digits: str, after: int, offsets: SpanMap, label: str,
                 recognizers: Recognizers, before: int | None = None) -> Detection | None:
    """The term's account (`account_span`), as a detection."""
    span = account_span(digits, after, recognizers, before)
    if span is None:
        return None
    start, end = offsets.span(*span)
    reason = recognizers.reasons[RULE].replace("{label}", label)
    return Detection(RULE, CATEGORY, start, end, reason.replace("{term}", digits[span[0]:span[1]]))


# Across a boundary it continues through the id itself; an id given after the
# boundary ("微信号是" | "abc123") forms only within reach of the app's name,
# which the audit's shortcut looks for near every message's edges.
UNIT = Recognizer(RULE, CATEGORY, "dense", None, find_account,
                  "an id right after the app's name", DIGITS + LATIN, personal=False)
