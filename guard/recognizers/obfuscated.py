"""Obfuscated addresses: a web address or e-mail with its dot or @ disguised.

"abc at qq dot com", "shop艾特163点com", "www 点 abcshop 点 com",
"myshop(点)cn", "abcshop。com", and a symbol to swap back on instruction
("把#换成@：service#163.com"). The disguise words are read back into "." and
"@" where Latin letters or digits stand on both sides, then the ordinary
URL and e-mail shapes (url.py, email.py) are looked for; only a shape that needed a
word read back counts here (a plain one is the link recognizer's).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import TYPE_CHECKING

from guard.normalize import SpanMap, Tables
from guard.recognizers.email import EMAIL
from guard.recognizers.unit import DIGITS, LATIN, Detection, Recognizer, Spans

if TYPE_CHECKING:
    from guard.recognizers.patterns import Recognizers

RULE = "obfuscated_address"
EMAIL_REASON = "obfuscated_email"

_ALNUM = r"[a-z0-9]"
# Chinese and symbol disguises: a gap (\x00: a dropped space) allowed around them.
_WORDS = {"点": ".", "點": ".", "。": ".", "．": ".", "句号": ".", "点儿": ".", "艾特": "@",
          "爱特": "@", "圈a": "@", "小老鼠": "@", "＠": "@"}
_OPENING, _CLOSING = "[【(（{", "]】)）}"
_BRACKETED = re.compile(rf"[{re.escape(_OPENING)}]\s*(dot|at|点|艾特|圈a|句号)\s*"
                        rf"[{re.escape(_CLOSING)}]")
_SPACED_LATIN = re.compile(rf"(?<={_ALNUM})\x00+(dot|at)\x00+(?={_ALNUM})")
_UPPER_LATIN = re.compile(r"(?<=[A-Za-z0-9])(DOT|AT)(?=[A-Za-z0-9])")
_CHINESE = re.compile(rf"(?<={_ALNUM})\x00*(" + "|".join(
    sorted(map(re.escape, _WORDS), key=len, reverse=True)) + rf")\x00*(?={_ALNUM})")
_SWAP_VERB = r"(?:换成|替换成|改成|变成|换为|替换为)"
_SWAP_TARGET = r"(@|＠|点|\.|。|艾特)"
_INSTRUCTION = re.compile(rf"(?:把|将)\s*(\S{{1,4}}?)\s*{_SWAP_VERB}\s*{_SWAP_TARGET}")
# A swap instruction applies to the whole text, wherever the address stands: a
# message holding one can complete an address anywhere in a window of
# messages, and so can one ending in its first part (a boundary can only fall
# where the instruction allows a space: after 把, the symbol or the verb).
_SWAP_CUE = re.compile(rf"(?:把|将)\s*\S{{1,4}}?\s*{_SWAP_VERB}\s*{_SWAP_TARGET}"
                       rf"|(?:把|将)\s*(?:\S{{1,4}}\s*|\S{{1,4}}?\s*{_SWAP_VERB}\s*)?$")
_NAMED_SYMBOLS = {"逗号": ",，", "井号": "#＃", "星号": "*＊", "斜杠": "/／", "横杠": "-－",
                  "空格": " ", "感叹号": "!！", "问号": "?？", "and": "&"}
# A disguise between letters or digits, or an instruction to swap a symbol back.
_ALNUM_WIDE = "[A-Za-z0-9Ａ-Ｚａ-ｚ０-９]"
_DISGUISED = re.compile(
    rf"{_ALNUM_WIDE}\s*(?:点|點|。|．|句号|艾特|爱特|圈[aA]|小老鼠|＠|DOT|AT"
    r"|[\[【(（{]\s*(?:dot|at|DOT|AT|点|艾特)\s*[\]】)）}]|\s(?:dot|at)\s)"
    rf"\s*{_ALNUM_WIDE}|换成|替换|改成")


_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")


def may_hold_obfuscated(text: str) -> bool:
    """Latin letters (an address has some), then a disguise word between letters or
    digits, or a swap instruction: two scans, the first cheap."""
    return _LATIN.search(text) is not None and _DISGUISED.search(text) is not None


def swap_cue(text: str) -> bool:
    """Whether the message holds a swap instruction, or its first part at its end."""
    return ("把" in text or "将" in text) and _SWAP_CUE.search(text) is not None


def _target(word: str) -> str:
    return "@" if word in ("at", "艾特", "圈a", "@", "＠") else "."


def _swapped(symbol: str) -> re.Pattern[str]:
    """Where the symbol an instruction names stands between letters or digits."""
    named = _NAMED_SYMBOLS.get(symbol.casefold())
    if named is not None or len(symbol) == 1:
        chars = "|".join(map(re.escape, named or symbol))
        return re.compile(rf"(?<=[A-Za-z0-9])\s*(?:{chars})\s*(?=[A-Za-z0-9])")
    return re.compile(rf"(?<=[A-Za-z0-9]){re.escape(symbol)}(?=[A-Za-z0-9])", re.IGNORECASE)


def _read_swaps_back(text: str, replace: dict[int, tuple[int, str]]) -> None:
    """Where a swap instruction's symbol stands, the symbol it names instead.

    An instruction applies to the whole text, but each symbol is looked for
    once however many instructions name it (a message of many stays linear):
    a place inside the instruction itself is read back by the next one naming
    the same symbol, and where several could read a place back, the first wins.
    """
    by_symbol: dict[str, list[tuple[int, re.Match[str]]]] = {}
    for index, match in enumerate(_INSTRUCTION.finditer(text)):
        by_symbol.setdefault(match.group(1), []).append((index, match))
    read: dict[int, tuple[int, int, str]] = {}  # start → (instruction, end, replacement)
    for symbol, instructions in by_symbol.items():
        for found in _swapped(symbol).finditer(text):
            index, match = instructions[0]
            if match.start() <= found.start() < match.end():  # instructions never overlap
                if len(instructions) == 1:
                    continue
                index, match = instructions[1]
            known = read.get(found.start())
            if known is None or index < known[0]:
                read[found.start()] = (index, found.end(), _target(match.group(2)))
    for start, (_, end, value) in read.items():
        replace.setdefault(start, (end, value))


def find_obfuscated(text: str, tables: Tables, offsets: SpanMap,
                    recognizers: Recognizers) -> list[Detection]:
    """Web addresses and e-mails whose dot or @ was written as a word or a swapped symbol."""
    marks = text.translate(tables.light_marks)
    if len(marks) != len(text):
        return []  # a character expanded: the original positions are not kept here
    replace: dict[int, tuple[int, str]] = {}  # start → (end, replacement), on the original

    _read_swaps_back(text, replace)
    for pattern in (_BRACKETED, _UPPER_LATIN):
        for match in pattern.finditer(text):
            replace.setdefault(match.start(), (match.end(), _target(match.group(1).casefold())))
    for pattern in (_SPACED_LATIN, _CHINESE):
        for match in pattern.finditer(marks):
            word = match.group(1)
            replace.setdefault(match.start(), (match.end(), _WORDS.get(word, _target(word))))
    if not replace:
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
            if not taken.add(start, end):
                continue
            original_end = positions[end - 1] + 1
            if positions[end - 1] in replace:
                original_end = replace[positions[end - 1]][0]
            found.append(Detection(RULE, category, positions[start], original_end,
                                   recognizers.reasons[reason]))
    return found


# Read back, a disguise joins letters and digits across a boundary: "myshop点" | "com".
UNIT = Recognizer(RULE, "link", "light", may_hold_obfuscated, find_obfuscated,
                  "the disguise read back gives a URL or e-mail shape",
                  DIGITS + LATIN + "./@" + "".join(_WORDS) + _OPENING + _CLOSING, personal=True,
                  reasons=((RULE, "link"), (EMAIL_REASON, "contact_number")),
                  window_cue=swap_cue)
