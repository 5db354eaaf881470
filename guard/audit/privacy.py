"""Buyers' personal data masked out of the evidence, keeping every offset.

Evidence must show what the agent did wrong without spreading the buyer's
phone number, address or name into reports that get mailed around. Masking
is length-preserving (one `*` per character), so a finding's span still
indexes the masked message.

What is masked (decided here, documented in the README's Privacy section):

* **buyer lines** (judged only with `--role all`): phone and landline numbers,
  ID-card and bank-card numbers, e-mail addresses, street addresses (the part
  below the district) and names after a cue (我叫…, 收件人…) — everywhere,
  inside a finding's span too: a buyer's own number is still personal data.
* **agent lines**: addresses, names after a recipient cue (收件人, 姓名 …) and
  ID-card numbers — the buyer's data being quoted back — and a phone number
  the text presents as the buyer's (您的手机号…, 收件电话…). A number the
  agent hands out as their own IS the violation and stays visible; an address
  or a name never hides a violation (it is masked only outside findings),
  a buyer's number inside a finding keeps its first 3 and last 4 digits, so
  the evidence still shows that a phone number was sent.

What a phone, landline, bank-card number or e-mail is, the registry says
(guard/recognizers, its personal units, asked through a `Privacy` built once
per Guard): a number in Chinese or circled numerals, in pieces or spoken, an
e-mail with its @ or dot spelt out is masked exactly where the engine would
recognize it — and, deliberately broader than detection, also beside an
order or tracking word and without a bank word or Luhn check (the units'
`shape`). Which characters of a number are its digits the registry says too
(`personal_digits`: 一, 幺, 兩, 洞, ❶, ⓵, 𝟏, l for 1, a spoken "yao" …), so every
spelling the engine reads as a digit is masked, and in a buyer's neighbour
line every run of four digits or more (evidence.py). Privacy's own rules are
only what no unit models: ID-card numbers, addresses, names; their words are
the lexicon's `[privacy]` (lexicons/privacy.toml), compiled once per Guard.

Only the messages that carry findings are masked, so this costs nothing on
clean traffic.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from guard.recognizers import personal_digits, personal_spans
from guard.recognizers.unit import Spans, alternation

if TYPE_CHECKING:
    from guard.engine import Guard

MASK = "*"
FINDING_MASK = "█"  # what the Guard's masked message already hides stays as it is


_DIGIT = r"[0-9０-９]"
# Privacy's own rule, broader than detection on purpose: an ID-card number is
# no contact detail (the registry has no unit for it), yet personal in any line.
_ID_CARD = re.compile(rf"(?<![0-9０-９A-Za-z]){_DIGIT}{{17}}[0-9０-９Xx](?![0-9０-９A-Za-z])")
_PLAIN_NUMBER = re.compile(rf"{_DIGIT}+\s*号")
# What an address is written with, back from its house number to its region.
_ADDRESS_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9０-９\-－#（）()·]")
_NAME = r"([\u4e00-\u9fff·]{2,4})"


class Privacy:
    """What privacy masking knows, built once per Guard from its lexicon and registry.

    What is a phone, landline, bank-card number or e-mail is the registry's to
    say (guard/recognizers, its personal units): `spans` gives the (start, end,
    rule) of everything they recognize in a text — the number units by their
    shape alone, without the context veto (a buyer's 138… beside 订单号 is no
    finding, yet still theirs); `digits` the (start, end, digits) of every
    character the number units read as a digit, however written. Addresses,
    names and the words presenting a number as the buyer's are the lexicon's
    `[privacy]` (lexicons/privacy.toml), compiled here.
    """

    __slots__ = ("_recognizers", "_tables", "address_reach", "buyer_number_cue", "cued_name",
                 "house", "name_stops", "region", "self_name", "street_words", "surnames")

    def __init__(self, guard: Guard) -> None:
        self._tables = guard.compiled.tables
        self._recognizers = guard.recognizers
        rules = guard.lexicon.privacy
        # A house-number run (88号, 3号楼502室, 12栋2单元301) anchors an address; the
        # address reaches back over the street and estate to the region.
        units = alternation(rules.house_units)
        self.house = re.compile(rf"{_DIGIT}+\s*{units}(?:\s*[-－]?\s*{_DIGIT}+\s*{units}?)*")
        self.street_words = rules.street_words
        # what stays visible of an address: province, city, district (lazily, the first of each)
        self.region = re.compile("".join(
            f"(?:.{{0,8}}?{alternation(suffixes)})?" for suffixes in (
                rules.province_suffixes, rules.city_suffixes, rules.district_suffixes)))
        self.address_reach = rules.address_reach
        # names follow a cue; a bare 我是 needs a common surname after it (我是想问…: none)
        self.cued_name = re.compile(rf"{alternation(rules.recipient_cues)}\s*[:：]?\s*{_NAME}")
        self.self_name = re.compile(rf"{alternation(rules.self_cues)}\s*{_NAME}")
        self.surnames = frozenset(rules.surnames)
        self.name_stops = frozenset(rules.name_stops)
        # in an agent's line, these say the number that follows is the buyer's
        self.buyer_number_cue = re.compile(
            f"{alternation(rules.buyer_owners)}{alternation(rules.buyer_links)}?"
            f"{alternation(rules.buyer_kinds)}?{alternation(rules.buyer_names)}"
            f"(?:{alternation(rules.buyer_fillers)}|\\s)*$")

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """What the personal units recognize in `text` (`personal_spans`)."""
        return personal_spans(text, self._tables, self._recognizers)

    def digits(self, text: str) -> list[tuple[int, int, str]]:
        """Every digit the number units read in `text` (`personal_digits`)."""
        return personal_digits(text, self._tables, self._recognizers)


# A mobile number's country code (+86, 0086) is no secret: not counted among its digits.
_COUNTRY_CODE = re.compile(r"(?:00)?86(?=1[0-9]{10}$)")


def _keep_ends(text: str, start: int, end: int, digits: list[tuple[int, int, str]],
               head: int, tail: int) -> list[int]:
    """Positions of text[start:end]'s digits except the first `head` and last `tail`.

    `digits`: the registry's digits of the text (`Privacy.digits`), each however
    written (1, １, 一, 幺, ①, ❶, 𝟏, l for 1, a spoken yao: all its characters);
    the words between a number's pieces (前三位, 中间) stay. Where the span holds
    fewer than a mobile's eleven-less-four (a disguised e-mail), every letter
    and digit counts, one character each.
    """
    inside = []
    for k in range(bisect_left(digits, (start,)), len(digits)):
        if digits[k][0] >= end:
            break
        if digits[k][1] <= end:
            inside.append(digits[k])
    if sum(len(d[2]) for d in inside) < 7:
        inside = [(i, i + 1, text[i]) for i in range(start, end) if text[i].isalnum()]
    code = _COUNTRY_CODE.match("".join(d[2] for d in inside))
    if code is not None:
        skipped = 0
        while inside and skipped < code.end():
            skipped += len(inside.pop(0)[2])
    # by digits, not characters: a spoken "double eight" is two digits, hidden whole
    # where either of them is
    total = sum(len(d[2]) for d in inside)
    hidden: list[tuple[int, int, str]] = []
    count = 0
    for entry in inside:
        first, count = count, count + len(entry[2])
        if total <= head + tail or (count > head and first < total - tail):
            hidden.append(entry)
    return [i for d_start, d_end, _ in hidden for i in range(d_start, d_end)]


_SEPARATORS = re.compile(r"[\s\-－—.·,，]*")


def digit_runs(text: str, digits: list[tuple[int, int, str]], least: int = 4
               ) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of `least` digits or more (the registry's, `Privacy.digits`)
    with nothing but spaces and separators between them (138 1234-5678, 一三八·一二)."""
    run_start = run_end = count = 0
    for start, end, value in digits:
        if count and _SEPARATORS.fullmatch(text, run_end, start):
            run_end, count = end, count + len(value)
            continue
        if count >= least:
            yield run_start, run_end
        run_start, run_end, count = start, end, len(value)
    if count >= least:
        yield run_start, run_end


# How much of each registry unit's find stays visible: (first, last) characters.
_KEEP = {"bank_card": (0, 4)}
_KEEP_DEFAULT = (3, 4)


def _numbers(text: str, privacy: Privacy, *, buyer: bool) -> Iterable[list[int]]:
    """Positions to mask for numbers and e-mails: whatever the registry's personal units
    recognize in a buyer's line, in an agent's line where the text presents it as the
    buyer's (您的手机号…); ID-card numbers in any line."""
    taken = Spans()
    found = sorted(privacy.spans(text), key=lambda s: (s[0], -s[1]))
    for match in _ID_CARD.finditer(text):  # privacy's own: its letters and digits as written
        taken.add(*match.span())
        yield _keep_ends(text, *match.span(), [], 4, 2)
    digits = privacy.digits(text) if found else []
    for start, end, rule in found:
        if not buyer:
            lead = start
            while lead > 0 and text[lead - 1] in "+＋":
                lead -= 1
            if privacy.buyer_number_cue.search(text, max(0, lead - 14), lead) is None:
                continue
        if not taken.add(start, end):
            continue
        at = text.find("@", start, end)
        if at > start:  # an e-mail: its name is hidden, its first letter and domain shown
            yield [i for i in range(start + 1, at) if not text[i].isspace()]
        else:
            yield _keep_ends(text, start, end, digits, *_KEEP.get(rule, _KEEP_DEFAULT))


def _addresses(text: str, privacy: Privacy) -> Iterable[list[int]]:
    """Each address below the district: the province, city and district stay visible."""
    last_end = 0
    for match in privacy.house.finditer(text):
        start = match.start()
        floor = max(last_end, match.start() - privacy.address_reach)
        while start > floor and _ADDRESS_CHAR.match(text[start - 1]):
            start -= 1
        run = text[start:match.start()]
        region = privacy.region.match(run)
        keep = region.end() if region else 0
        street = run[keep:]
        if _PLAIN_NUMBER.fullmatch(match.group()) and not any(
                word in street for word in privacy.street_words):
            continue  # 11月3号 is a date, 订单3号 is no address; 4栋1909 always is
        last_end = match.end()
        yield [i for i in range(start + keep, match.end()) if not text[i].isspace()]


def _names(text: str, privacy: Privacy, *, buyer: bool) -> Iterable[list[int]]:
    """Each name after a cue (its surname stays visible)."""
    patterns = (privacy.cued_name, privacy.self_name) if buyer else (privacy.cued_name,)
    for pattern in patterns:
        for match in pattern.finditer(text):
            name_start = match.start(1)
            name = match.group(1)
            length = 0
            for char in name:
                if char in privacy.name_stops:
                    break
                length += 1
            length = min(length, 3)
            if length < 2:
                continue
            if pattern is privacy.self_name and name[0] not in privacy.surnames:
                continue
            yield list(range(name_start + 1, name_start + length))


def private_positions(text: str, role: str, privacy: Privacy,
                      protected: Iterable[tuple[int, int]] = ()) -> frozenset[int]:
    """Character positions of `text` that hide a buyer's personal data.

    `privacy`: the Guard's registry (`Privacy(guard)`), which says what is a
    phone, card or e-mail, however spelt. `protected` are the
    spans of findings in an agent's line: addresses and names are not masked
    inside them (the violation must stay visible); numbers identified as the
    buyer's are (partially) masked anyway.
    """
    buyer = role != "agent"
    positions: set[int] = set()
    for group in _numbers(text, privacy, buyer=buyer):
        positions.update(group)
    soft: set[int] = set()
    for group in _addresses(text, privacy):
        soft.update(group)
    for group in _names(text, privacy, buyer=buyer):
        soft.update(group)
    if not buyer:
        for start, end in protected:
            soft.difference_update(range(start, end))
    positions |= soft
    return frozenset(positions)


def apply_mask(text: str, positions: frozenset[int] | set[int]) -> str:
    """`text` with the characters at `positions` replaced by `*` (same length)."""
    if not positions:
        return text
    chars = list(text)
    for index in positions:
        if index < len(chars) and not chars[index].isspace() and chars[index] != FINDING_MASK:
            chars[index] = MASK
    return "".join(chars)


def mask_private(text: str, role: str, privacy: Privacy,
                 protected: Iterable[tuple[int, int]] = ()) -> str:
    """`text` with the buyer's personal data masked (see the module's rules)."""
    return apply_mask(text, private_positions(text, role, privacy, protected))


_QUOTED = re.compile(r"「([^」]*)」")


def safe_reason(reason: str, original: str, shown: str) -> str:
    """A finding's reason without the personal data its span had masked.

    Reasons quote what matched (微信账号「abc123」); where the evidence masks
    part of that span, the quote is masked the same way.
    """
    if original == shown:
        return reason
    reason = reason.replace(original, shown)

    def squeeze(value: str) -> str:
        return "".join(value.split()).casefold()

    target = squeeze(original)
    return _QUOTED.sub(lambda m: f"「{shown}」" if squeeze(m.group(1)) == target else m.group(0),
                       reason)
