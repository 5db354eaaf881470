"""One JSON array read a value at a time: memory flat in the file's size.

The chat workbench exports its messages as one JSON array as often as one
object a line. Reading such a file whole would hold a year of chat in
memory; `array_values` reads it in blocks and yields each value of the
array as soon as it is complete, so memory holds one block and one value.

Every value is one record, numbered by its place in the array, and each
ends as exactly one of:

* the decoded value (the caller checks that it is a message);
* `Unreadable(reason)` — a value that is not valid JSON (`{"ts": 1,, …}`), or
  whose strings are not valid UTF-8, or that is longer than MAX_LINE_BYTES
  (measured as it is skipped, never held): one rejected record, and the
  values after it are read as usual;
* `Unreadable(reason, last=True)` — where the array breaks off (a file cut
  short, a missing comma or bracket): the rest of the file cannot be told
  apart into values, so this is the last record.

The common case costs one C-level `raw_decode` per value; only a value that
fails it is walked character class by character class (`_extent`) to find
where it ends, so that one bad value costs one record, not the file.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import IO, Any, NamedTuple

from guard.records import MAX_LINE_BYTES

BLOCK_BYTES = 1 << 16
_decode_value = json.JSONDecoder().raw_decode
_SPACE = re.compile(r"[ \t\n\r]*")
_SURROGATE = re.compile("[\udc80-\udcff]")
_CLOSING = frozenset('}]"')
_AFTER_BARE = frozenset(" \t\n\r,]")
# Inside a value: the characters that open or close something (outside strings).
_STRUCTURE = re.compile(r'["{}\[\],]')
# The rest of a string from inside it: up to its closing quote, or to the end of the buffer.
_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*("?)', re.S)


class Unreadable(NamedTuple):
    """A record of the array that holds no value: why; `last` if the array ends there."""

    reason: str
    last: bool = False


def too_long_value(length: int) -> str:
    return f"数组元素太长（{length:,} 字节，上限 {MAX_LINE_BYTES:,}）"


class _Buffer:
    """The decoded text of a stream, read a block at a time; `text[pos:]` is unread."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.text = ""
        self.pos = 0
        self.eof = False
        self.surrogates = False  # whether any invalid UTF-8 was read

    def more(self) -> int:
        """Read another block: how far the text moved left (what was read is dropped
        from it, so it stays small), or -1 at the end of the stream."""
        if self.eof:
            return -1
        data = self.stream.read(BLOCK_BYTES)
        piece = self.decoder.decode(data, final=not data)
        self.eof = not data
        shift = 0
        if self.pos > len(self.text) // 2:
            shift = self.pos
            self.text, self.pos = self.text[shift:], 0
        if piece:
            self.text += piece
            self.surrogates = self.surrogates or _SURROGATE.search(piece) is not None
        return shift if data or piece else -1

    def skip_space(self) -> bool:
        """Past white space; False if the stream ends first."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text):
                return True
            if self.more() < 0:
                return False


def array_values(stream: IO[bytes]) -> Iterator[Any]:
    """Each value of the JSON array in `stream`, in order (see the module's doc).

    A stream that does not start with `[` (after a byte-order mark and white
    space) yields one last `Unreadable`.
    """
    buffer = _Buffer(stream)
    if not buffer.skip_space() or buffer.text[buffer.pos] not in "[\ufeff":
        yield Unreadable("不是 JSON 数组", last=True)
        return
    if buffer.text[buffer.pos] == "\ufeff":
        buffer.pos += 1
        if not buffer.skip_space() or buffer.text[buffer.pos] != "[":
            yield Unreadable("不是 JSON 数组", last=True)
            return
    buffer.pos += 1
    if buffer.skip_space() and buffer.text[buffer.pos] == "]":
        buffer.pos += 1
        yield from _trailing(buffer)
        return
    while True:
        if not buffer.skip_space():
            yield Unreadable("JSON 数组在这里中断（文件提前结束，缺少 ]），之后没有可读的内容",
                             last=True)
            return
        value = _value(buffer)
        yield value
        if type(value) is Unreadable and value.last:
            return
        if not buffer.skip_space():
            yield Unreadable("JSON 数组在这里中断（文件提前结束，缺少 ]），之后没有可读的内容",
                             last=True)
            return
        mark = buffer.text[buffer.pos]
        buffer.pos += 1
        if mark == "]":
            yield from _trailing(buffer)
            return
        if mark != ",":
            yield Unreadable(f"JSON 数组在这里中断（元素之后应为逗号或 ]，实为 {mark!r}），"
                             "之后的内容无法读取", last=True)
            return


def _trailing(buffer: _Buffer) -> Iterator[Unreadable]:
    if buffer.skip_space():
        yield Unreadable("JSON 数组的 ] 之后还有内容，无法读取", last=True)


def _value(buffer: _Buffer) -> Any:
    """The value at `buffer.pos` (white space skipped), the buffer moved past it."""
    text, pos = buffer.text, buffer.pos
    try:
        value, end = _decode_value(text, pos)
    except json.JSONDecodeError:
        pass
    else:
        # an object, array or string has ended; a number or literal only where a
        # delimiter follows it (1.5e3 may be cut after its 1. by a block's end)
        if text[end - 1] in _CLOSING or buffer.eof or (end < len(text)
                                                       and text[end] in _AFTER_BARE):
            buffer.pos = end
            if buffer.surrogates and _SURROGATE.search(text, pos, end):
                return Unreadable("不是有效的 UTF-8")
            return value
    end, length = _extent(buffer)
    if length > MAX_LINE_BYTES:  # walked, not kept
        buffer.pos = end if end >= 0 else len(buffer.text)
        return Unreadable(too_long_value(length))
    if end < 0:
        return Unreadable("JSON 数组在这里中断（元素没有结束），这一项及之后的内容都无法读取",
                          last=True)
    text, pos = buffer.text, buffer.pos
    buffer.pos = end
    try:
        value, stop = _decode_value(text[:end], pos)
    except json.JSONDecodeError as exc:
        return Unreadable(f"不是有效的 JSON：{exc.msg}（该元素第 {exc.pos - pos + 1} 个字符）")
    if stop != end:
        return Unreadable(f"不是有效的 JSON：多余的内容（该元素第 {stop - pos + 1} 个字符）")
    if buffer.surrogates and _SURROGATE.search(text, pos, end):
        return Unreadable("不是有效的 UTF-8")
    return value


def _extent(buffer: _Buffer) -> tuple[int, int]:
    """(where the value at `buffer.pos` ends in `buffer.text`, its length in bytes).

    Walks the value's structure (brackets and strings), reading more blocks
    as needed. A value longer than MAX_LINE_BYTES is walked to its end but
    not kept: the buffer moves past it and the end is -1 with its length. A
    value the stream ends inside of ends at -1 with a length within the limit.
    """
    depth = 0
    start = position = counted = buffer.pos
    length = 0  # bytes of the value walked up to `counted`
    in_string = False
    while True:
        text = buffer.text
        while position < len(text):
            if in_string:
                match = _STRING_REST.match(text, position)
                position = match.end()  # type: ignore[union-attr]
                if match.group(1):  # type: ignore[union-attr]
                    in_string = False
                elif position < len(text):  # a backslash ends the buffer: read on
                    break
                continue
            found = _STRUCTURE.search(text, position)
            if found is None:
                position = len(text)
                break
            char, position = found.group(), found.end()
            if char == '"':
                in_string = True
            elif char in "{[":
                depth += 1
            elif depth > 1 or (depth == 1 and char != ","):
                depth -= char != ","
                if depth == 0:
                    return position, length + _bytes(text[counted:position])
            elif depth == 0:  # the comma or ] after a bare number or literal
                end = len(text[start:found.start()].rstrip(" \t\n\r")) + start
                return end, length + _bytes(text[counted:end])
        length += _bytes(text[counted:position])
        counted = position
        if length > MAX_LINE_BYTES:  # a runaway value: forget what is walked
            buffer.pos = start = position
        shift = buffer.more()
        if shift < 0:
            if length > MAX_LINE_BYTES:
                buffer.pos = len(buffer.text)
            elif depth == 0 and not in_string and position > start:
                return position, length  # a bare value the file ends with
            return -1, length
        start, position, counted = start - shift, position - shift, counted - shift


def _bytes(text: str) -> int:
    return len(text.encode("utf-8", "surrogateescape"))
