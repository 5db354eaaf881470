"""Context words near a number: which one stands nearest, before or after it.

A number is a contact number only where the context says so: a phone,
landline or bank word near it, and no order / tracking word nearer
(`[numbers]` in lexicons/numbers.toml). Used by the phone, landline, card
and assembled-number recognizers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from guard.normalize import MASK_CHAR

if TYPE_CHECKING:
    from guard.recognizers.patterns import Recognizers


class Words(NamedTuple):
    """One list of context words as two patterns, so a lookup is one regex search.

    `backward` holds the words spelled backwards: its leftmost match in a
    reversed segment is the occurrence that ends nearest the segment's end.
    """

    forward: re.Pattern[str]
    backward: re.Pattern[str]


def words(listed: tuple[str, ...]) -> Words:
    if not listed:
        never = re.compile(r"(?!)")
        return Words(never, never)
    return Words(re.compile("|".join(map(re.escape, listed))),
                 re.compile("|".join(re.escape(word[::-1]) for word in listed)))


def nearest(dense: str, start: int, window: int, listed: Words,
            through_masks: bool = False) -> int | None:
    """Distance from the closest of `listed` (ending before `start`) to `start`.

    `through_masks`: masked spans count as nothing, so masking a message can
    only bring such words nearer (used for the words that rule a number out).
    One search of the reversed words in the reversed segment: its leftmost
    match is the occurrence ending nearest `start`.
    """
    if through_masks:
        segment = dense[max(0, start - 50 * (window + 6)):start].replace(MASK_CHAR, "")
        segment = segment[-(window + 6):]
    else:
        segment = dense[max(0, start - window - 6):start]
    match = listed.backward.search(segment[::-1])
    if match is None or match.start() > window:
        return None
    return match.start()


def following(dense: str, end: int, window: int, listed: Words) -> bool:
    """Whether one of `listed` starts within `window` after `end`."""
    match = listed.forward.search(dense, end, end + window + 6)
    return match is not None and match.start() - end <= window


def contact_distance(dense: str, start: int, end: int, listed: Words,
                     recognizers: Recognizers) -> int | None:
    """How near the closest contact word stands to the number at [start, end).

    Contact words count on either side ("有事打这个"); one after the number
    counts as the whole window away.
    """
    window = recognizers.rules.context_window
    near = nearest(dense, start, window, listed)
    if near is None and following(dense, end, window, listed):
        near = window
    return near


def order_distance(dense: str, start: int, recognizers: Recognizers) -> int | None:
    """How near the closest order/tracking word stands before the number (masks skipped)."""
    return nearest(dense, start, recognizers.rules.context_window,
                   recognizers.not_contact_words, through_masks=True)


def order_word_wins(near_order: int | None, near_contact: int | None) -> bool:
    """Whether an order/tracking word stands nearer the number than any contact word."""
    return near_order is not None and (near_contact is None or near_order < near_contact)


def order_word_before(dense: str, start: int, recognizers: Recognizers) -> bool:
    """Whether an order / tracking word stands right before a number (no contact word nearer)."""
    near_order = order_distance(dense, start, recognizers)
    return near_order is not None and order_word_wins(near_order, contact_distance(
        dense, start, start, recognizers.phone_words, recognizers))


def phone_word_before(dense: str, start: int, recognizers: Recognizers) -> bool:
    """Whether a phone word (手机, 电话 …) stands within the window before `start`."""
    return nearest(dense, start, recognizers.rules.context_window,
                   recognizers.phone_words) is not None
