"""Obfuscated addresses: a web address or e-mail with its dot or @ disguised.

"abc at qq dot com", "shop艾特163点com", "www 点 abcshop 点 com",
"myshop(点)cn", "abcshop。com", and a symbol to swap back on instruction
("把#换成@：service#163.com"). The disguise words (`[disguise]` in
lexicons/numbers.toml, compiled once per Guard: `Disguises`) are read back into
"." and "@" where Latin letters or digits stand on both sides, then the ordinary
URL and e-mail shapes (url.py, email.py) are looked for; only a shape that needed a
word read back counts here (a plain one is the link recognizer's).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from guard.lexicon import DisguiseRules, NumberRules
from guard.normalize import SpanMap, Tables
from guard.recognizers.email import EMAIL
from guard.recognizers.unit import DIGITS, LATIN, Detection, Recognizer, Spans, leading

if TYPE_CHECKING:
    from guard.recognizers.patterns import Recognizers

RULE = "obfuscated_address"
EMAIL_REASON = "obfuscated_email"

_ALNUM = r"[a-z0-9]"
_ALNUM_WIDE = "[A-Za-z0-9Ａ-Ｚａ-ｚ０-９]"
_OPENING, _CLOSING = "[【(（{", "]】)）}"
_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")
NEVER = "(?!)"  # the pattern of an empty list of words


def _either(words: Iterable[str], capture: bool = True) -> str:
    """A group matching any of `words` (the longest first); an empty list matches nothing."""
    chosen = sorted(set(words), key=lambda w: (-len(w), w))
    if not chosen:
        return NEVER
    return ("(" if capture else "(?:") + "|".join(map(re.escape, chosen)) + ")"


def _disguise_lead(other: list[str], latin: list[str]) -> str:
    """A lookahead for what can follow a letter in a disguise: a disguise word's first
    character (either case), a capital of a Latin one, an opening bracket, a space."""
    firsts = {c for word in other if word for c in (word[0], word[0].upper())}
    firsts |= {word[0].upper() for word in latin if word} | set(_OPENING)
    return "(?=[" + "".join(map(re.escape, sorted(firsts))) + r"\s])"


def _any_case(word: str) -> str:
    """`word` as a pattern whose Latin letters match in either case (圈a: 圈[aA])."""
    return "".join(f"[{c}{c.upper()}]" if c.isascii() and c.isalpha() else re.escape(c)
                   for c in word)


@dataclass(frozen=True)
class Disguises:
    """The `[disguise]` words compiled (`compile_disguises`): built once per `Guard`."""

    targets: dict[str, str]  # a word (case-folded), "." or "@" → what it stands for
    symbols: dict[str, str]  # a symbol's name (case-folded) → its characters
    leads: tuple[str, ...]  # the first words of a swap instruction (把, 将)
    verbs: tuple[str, ...]  # its verbs (换成, 改成): what one without a lead word holds
    bracketed: re.Pattern[str]  # on the text: a word alone in brackets
    spaced_latin: re.Pattern[str]  # on the light marks: a Latin word between spaces
    upper_latin: re.Pattern[str]  # on the text: a Latin word in capitals between letters
    words: re.Pattern[str]  # on the light marks: any other word, spaces allowed around it
    # a swap instruction: (symbol, target), or without its lead word (symbol, target)
    instruction: re.Pattern[str]
    swap_cue: re.Pattern[str]  # an instruction, or its first part at the text's end
    # one without its lead word ("＆记得换成 @"), or where a boundary may cut it: its
    # symbol, words and verb at the text's end, or what follows the symbol at its start
    bare_swap_cue: re.Pattern[str]
    # the prefilter's source: a disguise between letters, a swap verb before its target
    # (♡是@: a verb alone, 是, is in most messages), or an instruction
    # to read backwards (compiled on first need, as `disguised`: ≈ 15 ms of start-up)
    disguised_source: str
    reverse_cue: re.Pattern[str]  # an instruction to read an address backwards (倒过来读)
    lookalikes: frozenset[str]  # symbols that look like a dot (·, ∙): `lookalike_dots`

    @cached_property
    def disguised(self) -> re.Pattern[str]:
        return re.compile(self.disguised_source)


def compile_disguises(rules: DisguiseRules) -> Disguises:
    """`[disguise]` compiled. A word of Latin letters alone is read only between
    spaces, in capitals or in brackets (else every "cat" would be a "c@t")."""
    targets = {".": ".", "@": "@"}
    for value, listed in ((".", (*rules.dot, *rules.lookalike_dots)), ("@", rules.at)):
        targets.update((word.casefold(), value) for word in listed)
    words = [w for w in targets if w not in {".", "@"}]
    latin = [w for w in words if w.isascii() and w.isalpha()]
    other = [w for w in words if w not in latin]
    bracketed = [w.casefold() for w in rules.bracketed]
    lead, verb = _either(rules.swap_leads, False), _either(rules.swap_verbs, False)
    target = _either(rules.swap_targets)
    # what follows the lone symbol of an instruction without its lead word: a few
    # words, the verb (＆记得换成 @)
    to_verb = rf"\s*\w{{0,3}}?\s*{verb}\s*"
    opening, closing = f"[{re.escape(_OPENING)}]", f"[{re.escape(_CLOSING)}]"
    upper = _either(w.upper() for w in latin)
    reverse = _either(rules.reverse_cues, False)
    in_brackets = "|".join(f"{w}|{w.upper()}" if w in latin else _any_case(w)
                           for w in bracketed) or NEVER
    return Disguises(
        targets=targets,
        symbols=dict(rules.symbols),
        leads=tuple(rules.swap_leads),
        verbs=tuple(rules.swap_verbs),
        bracketed=re.compile(rf"{opening}\s*{_either(bracketed)}\s*{closing}"),
        spaced_latin=re.compile(rf"(?<={_ALNUM})\x00+{_either(latin)}\x00+(?={_ALNUM})"),
        upper_latin=re.compile(rf"(?<=[A-Za-z0-9]){upper}(?=[A-Za-z0-9])"),
        # on the light marks, and on the text for a symbol the light view reads as a
        # letter (ⓐ): spaces are \x00 in the one, blanks in the other
        words=re.compile(rf"(?<={_ALNUM})[\x00\s]*{_either(other)}[\x00\s]*(?={_ALNUM})"),
        # with its lead word ("把#换成@"), or a lone symbol first ("＆记得换成 @", "#换成@"):
        # a few words may stand between that symbol and the verb, no other symbol
        instruction=re.compile(rf"{lead}\s*(\S{{1,4}}?)\s*{verb}\s*{target}"
                               rf"|([^\w\s]){to_verb}{target}"),
        # A swap instruction applies to the whole text, wherever the address stands: a
        # message holding one can complete an address anywhere in a window of
        # messages, and so can one ending in its first part (a boundary can only fall
        # where the instruction allows a space: after the lead, the symbol or the verb).
        swap_cue=re.compile(rf"{lead}\s*\S{{1,4}}?\s*{verb}\s*{target}"
                            rf"|{lead}\s*(?:\S{{1,4}}\s*|\S{{1,4}}?\s*{verb}\s*)?$"),
        bare_swap_cue=re.compile(rf"[^\w\s]{to_verb}(?:{target}|$)|^{to_verb}{target}"),
        # each branch led by what can start it (`leading`): most positions of a
        # message fail one character class instead of trying each word
        disguised_source=(
            rf"{_ALNUM_WIDE}\s*{_disguise_lead(other, latin)}"
            rf"(?:{'|'.join(map(_any_case, other)) or NEVER}|{upper}"
            rf"|{opening}\s*(?:{in_brackets})\s*{closing}|\s{_either(latin)}\s)"
            rf"\s*{_ALNUM_WIDE}|{leading(rules.swap_verbs)}{verb}\s*{target}"
            rf"|(?i:{leading(rules.reverse_cues)}{reverse})"),
        reverse_cue=re.compile(reverse, re.IGNORECASE),
        lookalikes=frozenset(rules.lookalike_dots),
    )


def may_hold_obfuscated(text: str, recognizers: Recognizers | None = None) -> bool:
    """Latin letters (an address has some), then a disguise word between letters or
    digits, or a swap instruction's verb: two scans, the first cheap. Without
    `recognizers` (no Guard's words to look for), the first alone."""
    if _LATIN.search(text) is None:
        return False
    return recognizers is None or recognizers.disguises.disguised.search(text) is not None


def swap_cue(text: str, recognizers: Recognizers) -> bool:
    """Whether the message holds a swap instruction, or the part of one a boundary may
    have cut (its first part at the message's end; without a lead word, its rest at
    the start too)."""
    disguises = recognizers.disguises
    if any(lead in text for lead in disguises.leads) and \
            disguises.swap_cue.search(text) is not None:
        return True
    return (any(verb in text for verb in disguises.verbs)
            and disguises.bare_swap_cue.search(text) is not None)


def window_cue(text: str, recognizers: Recognizers) -> bool:
    """Whether the message holds an instruction that reaches an address in another
    message of the window: a swap ("把#换成@") or reading it backwards ("倒过来就是")."""
    return swap_cue(text, recognizers) or (
        recognizers.disguises.reverse_cue.search(text) is not None)


def _swapped(symbol: str, disguises: Disguises) -> re.Pattern[str]:
    """Where the symbol an instruction names stands between letters or digits."""
    named = disguises.symbols.get(symbol.casefold())
    if named is not None or len(symbol) == 1:
        chars = "|".join(map(re.escape, named or symbol))
        return re.compile(rf"(?<=[A-Za-z0-9])\s*(?:{chars})\s*(?=[A-Za-z0-9])")
    return re.compile(rf"(?<=[A-Za-z0-9]){re.escape(symbol)}(?=[A-Za-z0-9])", re.IGNORECASE)


def _read_swaps_back(text: str, replace: dict[int, tuple[int, str]],
                     disguises: Disguises) -> None:
    """Where a swap instruction's symbol stands, the symbol it names instead.

    An instruction applies to the whole text, but each symbol is looked for
    once however many instructions name it (a message of many stays linear):
    a place inside the instruction itself is read back by the next one naming
    the same symbol, and where several could read a place back, the first wins.
    """
    by_symbol: dict[str, list[tuple[int, re.Match[str]]]] = {}
    for index, match in enumerate(disguises.instruction.finditer(text)):
        by_symbol.setdefault(match.group(1) or match.group(3), []).append((index, match))
    read: dict[int, tuple[int, int, str]] = {}  # start → (instruction, end, replacement)
    for symbol, instructions in by_symbol.items():
        for found in _swapped(symbol, disguises).finditer(text):
            index, match = instructions[0]
            if match.start() <= found.start() < match.end():  # instructions never overlap
                if len(instructions) == 1:
                    continue
                index, match = instructions[1]
            known = read.get(found.start())
            if known is None or index < known[0]:
                read[found.start()] = (index, found.end(), disguises.targets.get(
                    match.group(2) or match.group(4), "."))
    for start, (_, end, value) in read.items():
        replace.setdefault(start, (end, value))


def find_obfuscated(text: str, tables: Tables, offsets: SpanMap,
                    recognizers: Recognizers) -> list[Detection]:
    """Web addresses and e-mails whose dot or @ was written as a word or a swapped symbol."""
    marks = text.translate(tables.light_marks)
    if len(marks) != len(text):
        return []  # a character expanded: the original positions are not kept here
    replace: dict[int, tuple[int, str]] = {}  # start → (end, replacement), on the original
    disguises = recognizers.disguises
    targets = disguises.targets

    _read_swaps_back(text, replace, disguises)
    for pattern, view in ((disguises.bracketed, text), (disguises.upper_latin, text),
                          (disguises.spaced_latin, marks), (disguises.words, marks),
                          (disguises.words, text)):
        for match in pattern.finditer(view):
            value = targets.get(match.group(1).casefold(), ".")
            replace.setdefault(match.start(), (match.end(), value))
    # letters spelled out one by one with a mark between ("s.h.o.p.8.8.8 圈 q.q 点 c.o.m",
    # "q-q点c-o-m", "s.h.o.p@q.q.c.o.m") are one word: the marks dropped
    for match in _SPELLED.finditer(text):
        for k in range(match.start() + 1, match.end(), 2):
            replace.setdefault(k, (k + 1, ""))
    backwards = disguises.reverse_cue.search(marks) is not None
    if not replace and not backwards:
        return []
    # the light view with the replacements made, and each character's original position
    pieces: list[str] = []
    positions: list[int] = []
    changed: list[int] = []  # view positions of the replacements
    index = 0
    for start in sorted(replace):
        if start < index:
            continue
        end, value = replace[start]
        for k in range(index, start):
            if marks[k] != "\x00":
                pieces.append(marks[k])
                positions.append(k)
        changed.append(len(pieces))
        if value:  # a mark dropped leaves nothing in the view (the next letter counts changed)
            pieces.append(value)
            positions.append(start)
        index = end
    for k in range(index, len(marks)):
        if marks[k] != "\x00":
            pieces.append(marks[k])
            positions.append(k)
    view = "".join(pieces)
    found: list[Detection] = []
    taken = Spans()
    for pattern, reason, category in ((EMAIL, EMAIL_REASON, "contact_number"),
                                      (recognizers.url, RULE, "link")):
        for match in pattern.finditer(view):
            start, end = match.span()
            first = bisect_left(changed, start)  # `changed` is in order: one bisect
            if first == len(changed) or changed[first] >= end:
                continue
            original_end = positions[end - 1] + 1
            if positions[end - 1] in replace:
                original_end = replace[positions[end - 1]][0]
            if category == "link" and _brand_name(view[start:end], text[positions[start]:
                                                                          original_end],
                                                  changed[first:bisect_left(changed, end)],
                                                  positions, text, disguises):
                continue
            if not taken.add(start, end):
                continue
            found.append(Detection(RULE, category, positions[start], original_end,
                                   recognizers.reasons[reason]))
    if backwards:
        for start, end, reason, category in _read_backwards(view, recognizers.url):
            original_end = positions[end - 1] + 1
            if positions[end - 1] in replace:
                original_end = replace[positions[end - 1]][0]
            if taken.add(start, end):
                found.append(Detection(RULE, category, positions[start], original_end,
                                       recognizers.reasons[reason]))
    return found


# letters or digits one at a time, each two with the same mark between (s.h.o.p, q-q)
_SPELLED = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z0-9]([.\-_])[A-Za-z0-9](?:\1[A-Za-z0-9])*(?![A-Za-z0-9])")


def _brand_name(address: str, original: str, changed: list[int], positions: list[int],
                text: str, disguises: Disguises) -> bool:
    """Whether a web address read back from look-alike dots alone is a name written
    with a middle dot (Apple·TV, Lily·Shop): one dot, no www, a capital after it."""
    if address.count(".") != 1 or address.startswith("www"):
        return False
    if not all(text[positions[k]].strip() in disguises.lookalikes for k in changed):
        return False
    dot = max(original.rfind(symbol) for symbol in disguises.lookalikes)
    return original[dot + 1:].lstrip()[:1].isupper()


# a word an address could be spelled backwards in: letters, digits and its punctuation
_ADDRESS_WORD = re.compile(r"[a-z0-9_][a-z0-9_.@\-]{3,}[a-z0-9_]")


def _read_backwards(view: str, url: re.Pattern[str]) -> list[tuple[int, int, str, str]]:
    """Addresses spelled backwards where the text says to read them so ("邮箱倒过来读：
    moc.qq@321cba", `[disguise] reverse_cues`): each word of an address's characters
    in the view (disguises read back, spaces dropped) holding a dot or an @, read back
    to front, is looked for as an e-mail or a URL. (start, end, reason, category)."""
    found: list[tuple[int, int, str, str]] = []
    for word in _ADDRESS_WORD.finditer(view):
        text = word.group()[::-1]
        if "." not in text and "@" not in text:
            continue
        for pattern, reason, category in ((EMAIL, EMAIL_REASON, "contact_number"),
                                          (url, RULE, "link")):
            if pattern.search(text) is not None:
                found.append((word.start(), word.end(), reason, category))
                break
    return found


def _disguise_chars(rules: NumberRules) -> str:
    return "".join((*rules.disguise.dot, *rules.disguise.at))


# Read back, a disguise joins letters and digits across a boundary: "myshop点" | "com".
UNIT = Recognizer(RULE, "link", "light", may_hold_obfuscated, find_obfuscated,
                  "the disguise read back gives a URL or e-mail shape",
                  DIGITS + LATIN + "./@" + _OPENING + _CLOSING, personal=True,
                  continues_in=_disguise_chars,
                  reasons=((RULE, "link"), (EMAIL_REASON, "contact_number")),
                  window_cue=window_cue)
