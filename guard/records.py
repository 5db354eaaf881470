"""Line records: one JSON object a line — reading them, their size limit, what is wrong.

The one reader of line records, for `guard check --jsonl` and
`guard reply --suggest --jsonl` (guard/jsonl.py) and for the audit's JSON
Lines logs (guard/audit/readers.py): one size limit, one set of reasons.

* Blank lines are not records; a byte-order mark before the first line is
  not part of it.
* A line longer than MAX_LINE_BYTES is rejected unread: it is measured,
  never held whole, so memory stays bounded however long it is (a runaway
  export, not a message: no chat message comes near it).
* Anything else that is not a JSON object of the expected fields is
  rejected with its line number and the reason; the other lines are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, NamedTuple

import orjson

# A line longer than this (in bytes, without its newline) is rejected unread.
MAX_LINE_BYTES = 1 << 20
BOM = b"\xef\xbb\xbf"


class Rejected(NamedTuple):
    """A record that cannot be read: its line number and why."""

    line: int
    reason: str


class Record(NamedTuple):
    """A line record read as a JSON object with a string text field."""

    line: int
    fields: dict[str, Any]
    text: str


# ---------------------------------------------------------------- the reasons


def too_long(length: int) -> str:
    return f"行太长（{length:,} 字节，上限 {MAX_LINE_BYTES:,}）"


def cut_short(error: object) -> str:
    """The reason for the line where a compressed file breaks off (a download cut short)."""
    what = "压缩数据提前结束" if isinstance(error, EOFError) else str(error)
    return f"压缩文件在这里中断（{what}），这一行及之后的内容都无法读取"


def missing(names: Sequence[str]) -> str:
    return f"缺少字段：{', '.join(names)}"


def not_strings(fields: Sequence[tuple[str, object]]) -> str:
    """The reason for fields that must be strings and are not: (name, value) each."""
    return "不是字符串：" + ", ".join(
        f"{name}（实为 {_json_type(value)}）" for name, value in fields)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


# ---------------------------------------------------------------- one line


def read_object(raw: bytes) -> dict[str, Any] | str:
    """The JSON object a line holds, or the reason it holds none."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            return f"不是有效的 UTF-8（第 {bad.start + 1} 字节）"
        return f"不是有效的 JSON：{exc}"
    if type(value) is not dict:
        return f"不是 JSON 对象（实为 {_json_type(value)}）"
    return value


def text_record(line: int, raw: bytes, text_field: str = "text") -> Record | Rejected:
    """A line that must be a JSON object with a string `text_field`."""
    fields = read_object(raw)
    if type(fields) is str:
        return Rejected(line, fields)
    assert isinstance(fields, dict)
    text = fields.get(text_field)
    if text is None:
        return Rejected(line, missing([text_field]))
    if type(text) is not str:
        return Rejected(line, not_strings([(text_field, text)]))
    return Record(line, fields, text)


# ---------------------------------------------------------------- a stream


def iter_lines(stream: IO[bytes], limit: int = MAX_LINE_BYTES) -> Iterator[tuple[bytes, int]]:
    """(line, its full length without the newline) for each line of a stream.

    A line over `limit` is returned cut short, with its full length:
    the rest is read and dropped a piece at a time, never held.
    """
    while True:
        line = stream.readline(limit + 2)
        if not line:
            return
        length = len(line) - line.endswith(b"\n")
        if length > limit and not line.endswith(b"\n"):
            while True:  # the rest of the runaway line
                rest = stream.readline(1 << 20)
                if not rest:
                    break
                if rest.endswith(b"\n"):
                    length += len(rest) - 1
                    break
                length += len(rest)
        yield line, length


def read_records(lines: Iterable[tuple[bytes, int]],
                 text_field: str = "text") -> Iterator[Record | Rejected]:
    """The records of a stream's lines (`iter_lines`); blank lines are not records."""
    for number, (raw, length) in enumerate(lines, 1):
        if number == 1:
            raw = raw.removeprefix(BOM)  # a BOM from Windows tools
        if length > MAX_LINE_BYTES:
            yield Rejected(number, too_long(length))
            continue
        stripped = raw.strip()
        if stripped:
            yield text_record(number, stripped, text_field)
