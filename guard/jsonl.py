"""JSON Lines on the command line: one answer a record, in order, nothing fatal.

`guard check --jsonl` and `guard reply --suggest --jsonl` read their input
through guard/records.py (one line record at a time: a line of invalid UTF-8
or broken JSON is rejected with its number and reason while the rest are
answered) and write one JSON line per record.
"""

from __future__ import annotations

import gzip
import sys
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from typing import IO, Any

import orjson

from guard.errors import UsageError, write_stdout
from guard.records import Record, Rejected, cut_short, iter_lines, read_records


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
        raise UsageError(f"<stdin>：不是有效的 UTF-8（第 {exc.start + 1} 字节）") from None


def answer_jsonl(name: str, answer: Callable[[str], tuple[str, dict[str, Any]]],
                 err: IO[str]) -> tuple[str, Counter[str]]:
    """Answer every record of the JSONL file `name` ("-": standard input).

    One line out per record, in order: the record's other fields, then what
    `answer(text)` returns (its first item is the name the record is counted
    under). A line that cannot be read is answered `{"line", "error"}` and
    reported on `err` as `FILE:N: rejected: …`; the run goes on. Returns the
    file's label and the counts (records, rejected, and answer's names).

    Standard output closed by its reader (`… | head`) is not an error: the
    remaining records are still read and answered, unwritten, so the counts
    (and the exit status made of them) are the whole run's. Any other
    failure to write (a full disk) is a `RunError`.
    """
    if name == "-":
        raw: IO[bytes] = sys.stdin.buffer
        label = "<stdin>"
    else:
        try:
            raw = open(name, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            from guard.cache import os_reason

            raise UsageError(f"{name}：{os_reason(exc)}") from None
        label = name
    stream = _decompressed(raw, name)
    out = sys.stdout.buffer
    counts: Counter[str] = Counter()
    written = True  # until the reader goes away
    lines = _Lines(stream, label)
    try:
        for record in _with_break(read_records(lines), lines):
            counts["records"] += 1
            if type(record) is Rejected:
                counts["rejected"] += 1
                err.write(f"guard: {label}:{record.line}: 拒收：{record.reason}\n")
                line = orjson.dumps({"line": record.line, "error": record.reason}) + b"\n"
            else:
                kind, fields = answer(record.text)
                counts[kind] += 1
                if not written:
                    continue
                result = {k: v for k, v in record.fields.items() if k != "text"}
                result.update(fields)
                line = orjson.dumps(result) + b"\n"
            if written:
                written = write_stdout(lambda line=line: out.write(line))
        if written:
            write_stdout(out.flush)
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()
    return label, counts


GZIP_MAGIC = b"\x1f\x8b"


def _decompressed(raw: IO[bytes], name: str) -> IO[bytes]:
    """The stream to read: gzip-decompressed when the name ends in .gz (the audit's rule,
    guard/audit/readers.py) or the bytes start as gzip does (a compressed standard input)."""
    from guard.audit.readers import name_format

    compressed = name != "-" and name_format(name)[1] == ".gz"
    if not compressed:
        peek = getattr(raw, "peek", None)
        compressed = peek is not None and peek(2)[:2] == GZIP_MAGIC
    return gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw


class _Lines:
    """`iter_lines` of a stream, counted; where a compressed stream breaks off, the error."""

    def __init__(self, stream: IO[bytes], label: str) -> None:
        self.stream = stream
        self.label = label
        self.count = 0
        self.broken: Exception | None = None

    def __iter__(self) -> Iterator[tuple[bytes, int]]:
        try:
            for line in iter_lines(self.stream):
                self.count += 1
                yield line
        except (OSError, EOFError, zlib.error) as exc:
            self.broken = exc


def _with_break(records: Iterator[Record | Rejected], lines: _Lines,
                ) -> Iterator[Record | Rejected]:
    """The records, then — as in the audit — the line where the compressed file broke off,
    rejected with the reason: every whole line before it was read."""
    yield from records
    if lines.broken is not None:
        if not lines.count:  # not even a first line: not a file to read (the audit's rule too)
            from guard.cache import os_reason

            reason = os_reason(lines.broken) if isinstance(lines.broken, OSError) and \
                lines.broken.errno else lines.broken
            raise UsageError(f"{lines.label}：无法读取：{reason}")
        yield Rejected(lines.count + 1, cut_short(lines.broken))
