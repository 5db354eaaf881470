"""Contact numbers, accounts, e-mail, URLs and 淘口令 — each with its validator.

Numbers are read on the dense view with Chinese numerals as digits, so
"一三八 1234 伍陆柒捌" and "138-1234-5678" are both eleven digits. A number
is a contact number only where the context says so; numbers right after
order / tracking / product words are left alone.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import NamedTuple

from guard.lexicon import Lexicon, NumberRules
from guard.normalize import MASK_CHAR, SpanMap

# A phone or card number is a whole run of digits (no digit right before or
# after it), so each shape is tried, whole, on the runs of ten digits or more.
_DIGIT_RUN = re.compile(r"[0-9]{10,}")
_MOBILE = re.compile(r"(?:0{0,2}86)?1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[1-9][0-9]{1,2}[0-9]{7,8}|[48]00[0-9]{7}")
_CARD = re.compile(r"[0-9]{16,19}")
_ACCOUNT = re.compile(r"[a-z][a-z0-9]{5,19}|[0-9]{5,12}")
_LATIN_RUN = re.compile(r"[a-z]+$")
_URL_CHAR = r"[a-z0-9\-._~:/?#\[\]@!$&'()*+;=%]"
EMAIL = re.compile(r"[a-z0-9][a-z0-9._%+\-_]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
# Links: first a cheap look at the ORIGINAL text, then at the light view.
_LINK_PUNCTUATION = re.compile(r"[@＠/／:：¥￥$€£₳₴₰₤¢₸₱₩.．。｡]")
_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ\U0001D400-\U0001D7FF\u24b6-\u24e9]")
_LINK_SHAPE = re.compile(r"[a-z0-9\-][.。][a-z]{2}|[a-z0-9]@[a-z0-9]|://|www|"
                         r"[¥$€£₳₴₰₤¢₸₱₩][a-z0-9]{8}")


@dataclass(frozen=True, slots=True)
class Detection:
    """A recognized contact detail or link, in ORIGINAL coordinates; always blocks."""

    rule: str
    category: str
    start: int
    end: int
    reason: str


class _Words(NamedTuple):
    """One list of context words as two patterns, so a lookup is one regex search.

    `backward` holds the words spelled backwards: its leftmost match in a
    reversed segment is the occurrence that ends nearest the segment's end.
    """

    forward: re.Pattern[str]
    backward: re.Pattern[str]


def _words(words: tuple[str, ...]) -> _Words:
    if not words:
        never = re.compile(r"(?!)")
        return _Words(never, never)
    return _Words(re.compile("|".join(map(re.escape, words))),
                  re.compile("|".join(re.escape(word[::-1]) for word in words)))


@dataclass(frozen=True)
class Recognizers:
    """Patterns compiled from `[numbers]`; built once per `Guard`."""

    rules: NumberRules
    digit_run: re.Pattern[str]
    number_candidate: re.Pattern[str]
    url: re.Pattern[str]
    code: re.Pattern[str]
    fillers: re.Pattern[str]
    reasons: dict[str, str]
    # The context word lists of `rules`, compiled for _nearest / _following.
    phone_words: _Words
    landline_words: _Words
    bank_words: _Words
    not_contact_words: _Words
    # dense → the numeral view of _number_views: ASCII digits hidden (\x03),
    # Chinese numerals as digits, in one translation.
    numeral_marks: dict[int, str]
    # digit groups joined by `[numbers] part_links` (assembled.py)
    part_links: re.Pattern[str]
    eleven_digits: re.Pattern[str]  # eleven digits or numerals anywhere (assembled.py)


def _number_candidate(numerals: dict[int, str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The phone and card shapes, on the dense view, Chinese numerals included.

    A fast-path test: only a message that passes it pays for the digit view.
    (Accounts are only looked for after a messaging-app term, on the slow path.)
    The first pattern, ten digits in a row, is a cheaper test to run before.
    """
    def digits(values: str) -> str:
        chars = set(values) | {chr(cp) for cp, d in numerals.items() if d in values}
        return "[" + re.escape("".join(sorted(chars))) + "]"

    any_digit = digits("0123456789")
    mobile = f"(?:{digits('0')}{{0,2}}{digits('8')}{digits('6')})?{digits('1')}" \
             f"{digits('3456789')}{any_digit}{{9}}"
    landline = f"{digits('0')}{any_digit}{{9,11}}|{digits('48')}{digits('0')}{{2}}{any_digit}{{7}}"
    card = f"{any_digit}{{16,19}}"
    # Edges are ASCII digits only: find_numbers also reads the plain dense
    # view, where 一 after a number ("13812345678一会儿") is no digit.
    return (re.compile(f"{any_digit}{{10}}"),
            re.compile(f"(?<![0-9])(?:{mobile}|{landline}|{card})(?![0-9])"))


def build_recognizers(lexicon: Lexicon, numerals: dict[int, str]) -> Recognizers:
    rules = lexicon.numbers
    tlds = "|".join(sorted(map(re.escape, rules.url_tlds), key=len, reverse=True))
    url = re.compile(
        rf"(?:https?|ftp)://{_URL_CHAR}+"
        rf"|www\.{_URL_CHAR}+"
        rf"|(?<![a-z0-9@.\-])(?:[a-z0-9][a-z0-9\-]*\.)+(?:{tlds})(?![a-z0-9])(?:/{_URL_CHAR}*)?"
    )
    symbols = re.escape(rules.code_symbols)
    code = re.compile(rf"[{symbols}][a-z0-9]{{8,14}}[{symbols}]")
    fillers = "|".join(sorted(map(re.escape, rules.account_fillers), key=len, reverse=True))
    labels = lexicon.messages.category_labels
    reasons = {
        key: template.replace("{category}", labels.get(category, category))
        for key, template, category in (
            ("phone", lexicon.messages.reasons.get("phone", "{category}"), "contact_number"),
            ("landline", lexicon.messages.reasons.get("landline", "{category}"), "contact_number"),
            ("bank_card", lexicon.messages.reasons.get("bank_card", "{category}"),
             "contact_number"),
            ("account", lexicon.messages.reasons.get("account", "{category}"), "contact_number"),
            ("email", lexicon.messages.reasons.get("email", "{category}"), "contact_number"),
            ("url", lexicon.messages.reasons.get("url", "{category}"), "link"),
            ("code", lexicon.messages.reasons.get("code", "{category}"), "link"),
        )
    }
    numeral_marks = dict(numerals)
    numeral_marks.update((ord(digit), "\x03") for digit in "0123456789")
    from guard.recognizers.assembled import eleven_pattern, link_pattern

    for key, category in (("assembled_number", "contact_number"),
                          ("obfuscated_address", "link"), ("obfuscated_email", "contact_number")):
        template = lexicon.messages.reasons.get(key, "{category}")
        reasons[key] = template.replace("{category}", labels.get(category, category))
    return Recognizers(rules, *_number_candidate(numerals), url, code,
                       re.compile(rf"(?:{fillers})*"), reasons,
                       _words(rules.phone_context), _words(rules.landline_context),
                       _words(rules.bank_context), _words(rules.not_contact_context),
                       numeral_marks,
                       link_pattern(tuple(w.translate(numerals) for w in rules.part_links)),
                       eleven_pattern("".join(chr(cp) for cp in numerals)))


def may_hold_number(dense: str, recognizers: Recognizers) -> bool:
    """Whether the dense view holds something shaped like a phone or card number."""
    return (recognizers.digit_run.search(dense) is not None
            and recognizers.number_candidate.search(dense) is not None)


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


def _courier_prefix(letters: str, prefixes: tuple[str, ...]) -> bool:
    """Whether a Latin run before a number is a courier's code (the whole run: sf, zto)."""
    return letters in prefixes


def luhn_valid(digits: str) -> bool:
    """The bank-card check digit (ISO/IEC 7812)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _nearest(dense: str, start: int, window: int, words: _Words,
             through_masks: bool = False) -> int | None:
    """Distance from the closest of `words` (ending before `start`) to `start`.

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
    match = words.backward.search(segment[::-1])
    if match is None or match.start() > window:
        return None
    return match.start()


def _following(dense: str, end: int, window: int, words: _Words) -> bool:
    """Whether one of `words` starts within `window` after `end`."""
    match = words.forward.search(dense, end, end + window + 6)
    return match is not None and match.start() - end <= window


def _contact_distance(dense: str, start: int, end: int, words: _Words,
                      recognizers: Recognizers) -> int | None:
    """How near the closest contact word stands to the number at [start, end).

    Contact words count on either side ("有事打这个"); one after the number
    counts as the whole window away.
    """
    window = recognizers.rules.context_window
    near = _nearest(dense, start, window, words)
    if near is None and _following(dense, end, window, words):
        near = window
    return near


def _order_distance(dense: str, start: int, recognizers: Recognizers) -> int | None:
    """How near the closest order/tracking word stands before the number (masks skipped)."""
    return _nearest(dense, start, recognizers.rules.context_window,
                    recognizers.not_contact_words, through_masks=True)


def order_word_before(dense: str, start: int, recognizers: Recognizers) -> bool:
    """Whether an order / tracking word stands right before a number (no contact word nearer)."""
    near_order = _order_distance(dense, start, recognizers)
    return near_order is not None and _order_word_wins(near_order, _contact_distance(
        dense, start, start, recognizers.phone_words, recognizers))


def phone_word_before(dense: str, start: int, recognizers: Recognizers) -> bool:
    """Whether a phone word (手机, 电话 …) stands within the window before `start`."""
    return _nearest(dense, start, recognizers.rules.context_window,
                    recognizers.phone_words) is not None


def _order_word_wins(near_order: int | None, near_contact: int | None) -> bool:
    """Whether an order/tracking word stands nearer the number than any contact word."""
    return near_order is not None and (near_contact is None or near_order < near_contact)


def _number_views(dense: str, digits: str, recognizers: Recognizers) -> tuple[str, ...]:
    """The readings of the same characters a number is looked for in, where they differ:

    the digit view (一38零 is one number), the plain dense view, where only
    ASCII digits count ("13956781234二维码": 二 is no twelfth digit), and the
    numeral view, where only Chinese numerals count ("一三八…八0755…": a
    spoken mobile number right before a written landline).
    """
    if digits == dense:
        return (digits,)
    if len(digits) != len(dense):
        raise ValueError("the digit view must keep the length of the dense view")
    return digits, dense, dense.translate(recognizers.numeral_marks)


_SHAPES = (_MOBILE, _LANDLINE, _CARD)


def _number_shapes(views: tuple[str, ...]) -> tuple[list[re.Match[str]], ...]:
    """Mobile, landline and card matches, in that order.

    A shape matches a whole digit run; each view's runs are tried in text
    order, the first view's first, and each span is kept once per shape.
    """
    matches: tuple[list[re.Match[str]], ...] = ([], [], [])
    spans: tuple[set[tuple[int, int]], ...] = (set(), set(), set())
    for view in views:
        for run in _DIGIT_RUN.finditer(view):
            start, end = run.span()
            for pattern, found, seen in zip(_SHAPES, matches, spans, strict=True):
                match = pattern.fullmatch(view, start, end)
                if match is not None and (start, end) not in seen:
                    seen.add((start, end))
                    found.append(match)
    return matches


def find_numbers(dense: str, digits: str, offsets: SpanMap,
                 recognizers: Recognizers) -> list[Detection]:
    """Mobile and landline phone numbers, bank cards."""
    rules = recognizers.rules
    mobiles, landlines, cards = _number_shapes(_number_views(dense, digits, recognizers))
    found: list[Detection] = []
    for match in mobiles:
        start, end = match.span()
        # Only a letter right before can start a courier prefix ([a-z]+$ ends
        # at `start`: the dense view holds no newline for $ to stop before).
        # A courier code glued to the number (SF13812345678) makes it a tracking
        # number; any other Latin word before it (a name: Tony 138…, Lily138…)
        # does not switch detection off.
        if start > 0 and "a" <= dense[start - 1] <= "z":
            latin = _LATIN_RUN.search(dense, max(0, start - 12), start)
            if latin and _courier_prefix(latin.group(), rules.courier_prefixes) and \
                    offsets.span(start - 1, start)[1] == offsets.span(start, start + 1)[0]:
                continue
        near_order = _order_distance(dense, start, recognizers)
        if near_order is not None and _order_word_wins(near_order, _contact_distance(
                dense, start, end, recognizers.phone_words, recognizers)):
            continue
        found.append(_detection("phone", "contact_number", start, end, offsets, recognizers))
    for match in landlines:
        start, end = match.span()
        near_contact = _contact_distance(dense, start, end, recognizers.landline_words,
                                         recognizers)
        if near_contact is not None and not _order_word_wins(
                _order_distance(dense, start, recognizers), near_contact):
            found.append(_detection("landline", "contact_number", start, end, offsets,
                                    recognizers))
    for match in cards:
        start, end = match.span()
        number = match.group()
        if not luhn_valid(number):
            continue
        near_contact = _contact_distance(dense, start, end, recognizers.bank_words, recognizers)
        if _order_word_wins(_order_distance(dense, start, recognizers), near_contact):
            continue
        if near_contact is not None or number.startswith(rules.bank_prefixes):
            found.append(_detection("bank_card", "contact_number", start, end, offsets,
                                    recognizers))
    return found


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


def find_account(digits: str, after: int, offsets: SpanMap, label: str,
                 recognizers: Recognizers) -> Detection | None:
    """An account right after a messaging-app term, as a detection."""
    match = account_at(digits, after, recognizers)
    if match is None:
        return None
    start, end = offsets.span(*match.span())
    reason = recognizers.reasons["account"].replace("{label}", label)
    return Detection("account", "contact_number", start, end,
                     reason.replace("{term}", match.group()))


def find_links(light: str, offsets: SpanMap, recognizers: Recognizers) -> list[Detection]:
    """URLs and short links, e-mail addresses, 淘口令 — on the light view."""
    found: list[Detection] = []
    emails = [m.span() for m in EMAIL.finditer(light)]  # in order, none overlapping
    email_starts = [start for start, _ in emails]
    for start, end in emails:
        found.append(_detection("email", "contact_number", start, end, offsets, recognizers))
    allowed = recognizers.rules.allowed_domains
    for match in recognizers.url.finditer(light):
        start, end = match.span()
        inside = bisect_right(email_starts, start) - 1  # the e-mail starting last before it
        if inside >= 0 and start < emails[inside][1]:
            continue
        host = re.sub(r"^[a-z]+://", "", match.group()).split("/")[0]
        if host.endswith(allowed) and (host in allowed or any(
                host.endswith("." + domain) for domain in allowed)):
            continue
        found.append(_detection("url", "link", start, end, offsets, recognizers))
    for match in recognizers.code.finditer(light):
        start, end = match.span()
        found.append(_detection("code", "link", start, end, offsets, recognizers))
    return found


def _detection(rule: str, category: str, start: int, end: int, offsets: SpanMap,
               recognizers: Recognizers) -> Detection:
    original_start, original_end = offsets.span(start, end)
    return Detection(rule, category, original_start, original_end, recognizers.reasons[rule])
