"""Reading JSON Lines input record by record: nothing lost, nothing fatal.

Each line is decoded on its own, so one line of invalid UTF-8 or broken JSON
is rejected with its line number and reason while the rest are answered.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from guard.errors import UsageError

# A line longer than this is rejected unread (a runaway export, not a message).
MAX_LINE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Record:
    """One non-blank input line: its fields, or why it was rejected."""

    line: int
    fields: dict[str, Any] | None
    error: str | None = None

    @property
    def text(self) -> str:
        assert self.fields is not None
        return self.fields["text"]


def iter_lines(stream: IO[bytes], limit: int = MAX_LINE_BYTES) -> Iterator[tuple[bytes, int]]:
    """(line, its full length) for each line; a line over `limit` is cut, not kept whole.

    Memory stays bounded however long a line is.
    """
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        length = len(line)
        if length > limit and not line.endswith(b"\n"):
            while True:  # skip the rest of the runaway line
                rest = stream.readline(1 << 20)
                length += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
        yield line, length


def parse_line(number: int, raw: bytes, text_field: str = "text", length: int = 0,
               limit: int = MAX_LINE_BYTES) -> Record:
    """Parse one JSON line into a record with a string `text_field`."""
    length = max(length, len(raw))
    if length > limit:
        return Record(number, None, f"line too long ({length:,} bytes; limit {limit:,})")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Record(number, None, f"not valid UTF-8 (byte {exc.start + 1})")
    try:
        fields = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Record(number, None, f"not valid JSON: {exc}")
    if not isinstance(fields, dict):
        return Record(number, None, f"not a JSON object (got {type(fields).__name__})")
    if text_field not in fields:
        return Record(number, None, f'no "{text_field}" field')
    if not isinstance(fields[text_field], str):
        kind = type(fields[text_field]).__name__
        return Record(number, None, f'"{text_field}" must be a string (got {kind})')
    return Record(number, fields)


def read_records(lines: Iterable[tuple[bytes, int]], text_field: str = "text",
                 limit: int = MAX_LINE_BYTES) -> Iterator[Record]:
    """Records of a JSONL stream; blank lines are not records."""
    for number, (raw, length) in enumerate(lines, 1):
        stripped = raw.strip()
        if number == 1:
            stripped = stripped.removeprefix(b"\xef\xbb\xbf")  # a BOM from Windows tools
        if stripped:
            yield parse_line(number, stripped, text_field, length, limit)


def message_argument(text: str | None, usage: str) -> str:
    """The message given on the command line, or else all of standard input."""
    if text is not None:
        return text
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError(usage)
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8").rstrip("\n")
    except UnicodeDecodeError as exc:
        raise UsageError(f"<stdin>: not valid UTF-8 (byte {exc.start + 1})") from None


def answer_jsonl(name: str, answer: Callable[[str], tuple[str, dict[str, Any]]],
                 err: IO[str]) -> tuple[str, Counter[str]]:
    """Answer every record of the JSONL file `name` ("-": standard input).

    One line out per record, in order: the record's other fields, then what
    `answer(text)` returns (its first item is the name the record is counted
    under). A line that cannot be read is answered `{"line", "error"}` and
    reported on `err` as `FILE:N: rejected: …`; the run goes on. Returns the
    file's label and the counts (records, rejected, and answer's names).
    """
    if name == "-":
        stream: IO[bytes] = sys.stdin.buffer
        label = "<stdin>"
    else:
        try:
            stream = open(name, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise UsageError(f"{name}: {exc.strerror}") from None
        label = name
    out = sys.stdout.buffer
    counts: Counter[str] = Counter()
    try:
        for record in read_records(iter_lines(stream)):
            counts["records"] += 1
            if record.fields is None:
                counts["rejected"] += 1
                err.write(f"guard: {label}:{record.line}: rejected: {record.error}\n")
                out.write(orjson.dumps({"line": record.line, "error": record.error}) + b"\n")
                continue
            kind, fields = answer(record.text)
            counts[kind] += 1
            result = {k: v for k, v in record.fields.items() if k != "text"}
            result.update(fields)
            out.write(orjson.dumps(result) + b"\n")
    finally:
        out.flush()
        if stream is not sys.stdin.buffer:
            stream.close()
    return label, counts
