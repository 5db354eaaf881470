"""Text from a log or a message, made safe to print in a terminal.

A shop name, an agent's name or a message may hold control and format
characters — a right-to-left override (U+202E) turns the rest of a table row
around, a tab or a carriage return moves the cursor, zero-width characters
(an evasion's noise) are invisible. In terminal output each is shown escaped,
as `\\u202e`, `\\t`, `\\x1b`, so tables stay aligned and hidden characters
can be seen. JSON, CSV and HTML reports keep the text as it is.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import regex
from rich.text import Text

# Cc control, Cf format (bidi overrides, zero-width), Zl/Zp line and paragraph
# separators, Cs lone surrogates, Co private use: none prints as itself.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


@lru_cache(maxsize=4096)
def _escaped(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    if unicodedata.category(char) not in _HIDDEN:
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
        else f"\\U{code:08x}"


_ANY_HIDDEN = regex.compile(r"[\t\n\r\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}]")


def _needs_escaping(text: str) -> bool:
    return _ANY_HIDDEN.search(text) is not None


def escape_controls(text: str, keep: str = "") -> str:
    """`text` with every control, format and separator character escaped (but those in `keep`)."""
    if not _needs_escaping(text):
        return text
    return "".join(char if char in keep else _escaped(char) for char in text)


def escaped_text(text: str, spans: Sequence[tuple[int, int, str]] = (), keep: str = "",
                 style: str = "") -> Text:
    """A rich Text of `text` escaped, each (start, end, style) span of the ORIGINAL text styled
    where its characters now are."""
    if not _needs_escaping(text):
        result = Text(text, style=style)
        for start, end, span_style in spans:
            result.stylize(span_style, start, end)
        return result
    pieces: list[str] = []
    positions = [0] * (len(text) + 1)  # where each original character starts in the result
    length = 0
    for index, char in enumerate(text):
        positions[index] = length
        piece = char if char in keep else _escaped(char)
        pieces.append(piece)
        length += len(piece)
    positions[len(text)] = length
    result = Text("".join(pieces), style=style)
    for start, end, span_style in spans:
        start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
        if start < end:
            result.stylize(span_style, positions[start], positions[end])
    return result
