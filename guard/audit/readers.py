"""Chat-log files → chunks of whole records (main process) → records (workers).

The main process only cuts the byte stream into chunks at record boundaries
(it never parses a record: the workers do, in parallel). Memory stays flat:
a chunk is a few MB, and a runaway line is counted, not kept — it travels as
an empty placeholder plus its length, so every line keeps its number.

Counting rule (SPEC "Chat log format"): every non-blank line (JSONL) or row
(CSV) is a record, and each record is scanned, skipped or rejected, with its
line number and the reason. Blank lines are not records.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, NamedTuple

import orjson

from guard.audit.exports import NON_TEXT, REJECTED
from guard.errors import UsageError
from guard.records import (
    BOM,
    MAX_LINE_BYTES,
    Rejected,
    cut_short,
    missing,
    not_strings,
    read_object,
    too_long,
)
from guard.times import parse_time

# Bytes of whole records per chunk handed to a worker, and per read.
CHUNK_BYTES = 8 << 20
READ_BYTES = 1 << 20
# The chunks of a file's last quarter shrink towards this size (see read_chunks).
MIN_TAIL_CHUNK_BYTES = 512 << 10
# How far back (in lines of the same file) a worker looks for the previous
# agent messages of a conversation; the chunk before carries these lines.
LOOKBACK_LINES = 4000
# A CSV record whose quotes never close is cut here rather than kept whole.
MAX_CSV_RECORD_BYTES = 64 << 20

# A log's format by its name (else sniffed from its first line).
JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson", ".log")
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
# Formats read through a converter (exports.py) into JSON Lines records.
CONVERTED = ("xlsx", "workbench")

FIELDS = ("shop", "agent", "conversation", "time", "role", "text")
HEADER_ALIASES: dict[str, str] = {
    "shop": "shop", "店铺": "shop", "店铺名": "shop", "店铺名称": "shop",
    "agent": "agent", "客服": "agent", "客服账号": "agent", "客服昵称": "agent",
    "conversation": "conversation", "会话": "conversation", "会话id": "conversation",
    "会话编号": "conversation",
    "time": "time", "时间": "time", "发送时间": "time", "消息时间": "time",
    "role": "role", "角色": "role", "发送方": "role", "发送者角色": "role",
    "text": "text", "内容": "text", "消息内容": "text", "消息": "text",
}
ROLES: dict[str, str] = {  # the shop's side (bots included) is judged as the agent
    "agent": "agent", "客服": "agent", "seller": "agent", "商家": "agent",
    "robot": "agent", "bot": "agent", "机器人": "agent", "智能客服": "agent",
    "buyer": "buyer", "买家": "buyer", "顾客": "buyer", "customer": "buyer", "用户": "buyer",
    "消费者": "buyer",
    "system": "system", "系统": "system",
}
# Times without an offset are the merchant's local time: China Standard Time.
LOCAL = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Source:
    """One LOG argument: how to open and read it."""

    path: Path
    label: str  # as the user wrote it (an Excel file: FILE:SHEET): what reports name
    fmt: str  # "jsonl" | "csv" | "xlsx" | "workbench" (the chat workbench's message JSON)
    compressed: bool
    size: int  # bytes on disk, for progress
    encoding: str = "utf-8"
    columns: tuple[int, ...] = ()  # CSV: the column of each of FIELDS
    width: int = 0  # CSV: the header's number of columns
    sheet: str = ""  # Excel: the sheet of message rows
    conversation_sheet: str = ""  # Excel: the sheet of conversations (sheets.py), if any
    mapping: tuple[tuple[str, str], ...] = ()  # Excel: (field, header) given by --column

    @property
    def converted(self) -> bool:
        """Read through a converter (exports.py): its chunks carry their bytes."""
        return self.fmt in CONVERTED


@dataclass(frozen=True)
class Chunk:
    """Whole records of one file, with the lines before them for context.

    The records are the bytes [start, end) of the (decompressed) file, the
    lines before them [lookback_start, start). Over-long lines in either are
    `skips` (byte start, byte end, parity of their quotes): never read, they
    travel as placeholder lines. `long_lines` are (index within the chunk's
    lines, full length) of those in the records. A plain file's bytes are
    read by the worker itself (`data` is None); a compressed one's travel
    in `data` and `lookback`, placeholders already in. A compressed file
    whose stream breaks off (a download cut short) ends with a chunk whose
    `cut_short` says why: the broken-off line counts as one rejected record.
    """

    source: Source
    first_line: int
    start: int
    end: int
    long_lines: tuple[tuple[int, int], ...]
    lookback_start: int
    lookback_first_line: int
    skips: tuple[tuple[int, int, int], ...]
    disk_end: int  # bytes of the file on disk consumed so far (progress)
    data: bytes | None = None
    lookback: bytes | None = None
    cut_short: str = ""  # the file's last chunk, when its stream broke off: why
    line_count: int = 0  # lines of its records (blank ones too)
    final: bool = False  # the file's last chunk
    # what a converter found beside the records (an Excel export's conversation sheet,
    # sheets.ConversationSheet), on the file's last chunk: the main process reports it
    sheets: tuple[Any, ...] = ()

    def describe(self) -> str:
        """Where its records are, for a message: `FILE 第 a–b 行`."""
        last = self.first_line + max(self.line_count, 1) - 1
        return f"{self.source.label} 第 {self.first_line:,}–{last:,} 行"

    def contents(self) -> tuple[bytes, bytes]:
        """(the records' bytes, the lookback's bytes), placeholders in place of long lines."""
        if self.data is not None:
            return self.data, self.lookback or b""
        with open(self.source.path, "rb") as handle:
            return (_read_range(handle, self.start, self.end, self.skips),
                    _read_range(handle, self.lookback_start, self.start, self.skips))


def _read_range(handle: IO[bytes], start: int, end: int,
                skips: tuple[tuple[int, int, int], ...]) -> bytes:
    pieces, position = [], start
    handle.seek(start)
    for skip_start, skip_end, quotes in skips:
        if skip_start < position or skip_start >= end:
            continue
        pieces.append(handle.read(skip_start - position))
        pieces.append(b'"' * quotes + b"\n")
        position = min(skip_end, end)
        handle.seek(position)
    pieces.append(handle.read(end - position))
    data = b"".join(pieces)
    return data if not data or data.endswith(b"\n") else data + b"\n"


def _open_raw(path: Path, compressed: bool) -> tuple[IO[bytes], IO[bytes]]:
    """(the stream to read, the file on disk whose position tells progress)."""
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller
    if compressed:
        return gzip.GzipFile(fileobj=raw, mode="rb"), raw
    return raw, raw


def _first_line(path: Path, compressed: bool) -> bytes:
    stream, raw = _open_raw(path, compressed)
    try:
        return stream.readline(MAX_LINE_BYTES)
    except (OSError, EOFError) as exc:
        raise UsageError(f"{path}：无法读取：{exc}") from None
    finally:
        stream.close()
        raw.close()


def _csv_header(label: str, line: bytes) -> tuple[str, tuple[int, ...], int]:
    """(encoding, column of each field, width) from a CSV header line."""
    line = line.removeprefix(BOM).rstrip(b"\r\n")
    try:
        text, encoding = line.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:  # Excel on a Chinese Windows saves CSV as GB18030 (GBK)
            text, encoding = line.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            raise UsageError(f"{label}：CSV 表头既不是 UTF-8 也不是 GB18030 编码") from None
    names = next(csv.reader([text]), [])
    found: dict[str, int] = {}
    for index, name in enumerate(names):
        field = HEADER_ALIASES.get(name.strip().lower())
        if field and field not in found:
            found[field] = index
    missing = [f for f in FIELDS if f not in found]
    if missing:
        wanted = "、".join(missing)
        raise UsageError(
            f"{label}：CSV 表头缺少 {wanted}（应有的列：shop,agent,conversation,time,role,text"
            " 或 店铺,客服,会话,时间,角色,内容）"
        )
    return encoding, tuple(found[f] for f in FIELDS), len(names)


def open_sources(names: Sequence[str], warn: Callable[[str], object],
                 columns: Sequence[tuple[str, str]] = ()) -> list[Source]:
    """`open_source` of each LOG argument; a file named twice (or by two paths) is read once.

    Counting it twice would double every figure of the report without a
    word; the second naming is dropped with a warning (`warn`).
    """
    sources: list[Source] = []
    seen: dict[tuple[int, int], str] = {}
    for name in names:
        source = open_source(name, columns)
        status = source.path.stat()
        identity = (status.st_dev, status.st_ino)
        if identity in seen:
            warn(f"{name} 与 {seen[identity]} 是同一个文件，只审计一次")
            continue
        seen[identity] = name
        sources.append(source)
    return sources


def open_source(name: str, columns: Sequence[tuple[str, str]] = ()) -> Source:
    """Check a LOG argument before the run starts: exists, format known, CSV header usable.

    `columns`: (field, header) pairs naming an Excel export's columns (--column).
    """
    path = Path(name)
    if path.is_dir():
        raise UsageError(f"{name}: 是目录，不是文件（请给出其中的聊天记录文件）")
    if not path.is_file():
        raise UsageError(f"{name}：没有这个文件")
    fmt, compression = name_format(path.name)
    if fmt == "xlsx":
        from guard.audit.exports import find_sheet

        mapping = tuple(columns)
        sheet, conversations = find_sheet(path, name, dict(mapping))
        return Source(path, f"{name}:{sheet}", "xlsx", False, path.stat().st_size,
                      sheet=sheet, conversation_sheet=conversations, mapping=mapping)
    first = _first_line(path, compression == ".gz")
    return described_source(name, path, fmt, compression == ".gz", first, path.stat().st_size)


def name_format(name: str, codecs: Sequence[str] = (".gz",)) -> tuple[str, str]:
    """(the format a file name says — "jsonl", "csv" or "" to sniff —, its compression suffix).

    `codecs`: the compression suffixes the reader decompresses.
    """
    suffixes = [s.lower() for s in Path(name).suffixes]
    compression = suffixes.pop() if suffixes and suffixes[-1] in codecs else ""
    kind = suffixes[-1] if suffixes else ""
    if kind in JSONL_SUFFIXES:
        return "jsonl", compression
    if kind in CSV_SUFFIXES:
        return "csv", compression
    if kind in XLSX_SUFFIXES and not compression:
        return "xlsx", compression
    return "", compression


def described_source(label: str, path: Path, fmt: str, compressed: bool, first: bytes,
                     size: int) -> Source:
    """A LOG's `Source` from its first line: the format sniffed if the name did not say
    (a JSON object starts with {), a CSV header read (UsageError if unusable)."""
    if fmt == "xlsx":  # its sheet is found by open_source
        return Source(path, label, fmt, False, size)
    if not fmt:
        fmt = "jsonl" if first.removeprefix(BOM).lstrip()[:1] in (b"{", b"[", b"") else "csv"
    if fmt == "jsonl":
        from guard.audit.exports import is_workbench

        return Source(path, label, "workbench" if is_workbench(first) else fmt, compressed, size)
    if not first.strip():
        raise UsageError(f"{label}：CSV 聊天记录的第一行必须是表头")
    encoding, columns, width = _csv_header(label, first)
    return Source(path, label, fmt, compressed, size, encoding, columns, width)


# ---------------------------------------------------------------- main process: chunks


def _lookback_start(data: bytes, lines: int, csv_quotes: bool) -> int:
    """Where the last `lines` lines of `data` start (at a CSV record boundary)."""
    position = len(data)
    for _ in range(lines):
        found = data.rfind(b"\n", 0, position - 1)
        if found < 0:
            position = 0
            break
        position = found + 1
    if csv_quotes:  # `data` holds whole records: start where the quotes balance
        while position > 0 and data.count(b'"', position) % 2:
            found = data.rfind(b"\n", 0, position - 1)
            position = found + 1 if found >= 0 else 0
    return position


@dataclass(frozen=True, slots=True)
class _LongLine:
    offset: int  # where it starts in the (decompressed) file
    length: int  # without its newline
    size: int  # bytes it takes, newline included
    quotes: int  # parity of its quotes: a CSV record may go on past it


def _read_block(stream: IO[bytes], compressed: bool) -> tuple[bytes, Exception | None]:
    """About READ_BYTES of the stream, and the error that stopped it, if any.

    A compressed stream is read in the pieces it decompresses (`read1`), so
    when it breaks off, everything decompressed before the break is kept.
    """
    if not compressed:
        try:
            return stream.read(READ_BYTES), None
        except OSError as exc:
            return b"", exc
    parts: list[bytes] = []
    size = 0
    while size < READ_BYTES:
        try:
            part = stream.read1(READ_BYTES - size)  # type: ignore[attr-defined]
        except (OSError, EOFError, zlib.error) as exc:
            return b"".join(parts), exc
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts), None


@dataclass(frozen=True, slots=True)
class _CutShort:
    reason: str  # why the stream broke off


def _segments(stream: IO[bytes], label: str, offset: int,
              compressed: bool = False) -> Iterator[tuple[int, bytes] | _LongLine | _CutShort]:
    """(offset, run of whole lines), and the over-long lines between the runs.

    A line over MAX_LINE_BYTES is measured, never held: memory stays bounded.
    A compressed stream that breaks off after the first read ends with
    `_CutShort` (the whole lines before it count); a plain file that cannot
    be read, or a compressed one that cannot be read at all, is a usage error.
    """
    limit = MAX_LINE_BYTES
    carry = b""
    skipping = False
    skip_start = skip_length = skip_quotes = 0
    broken: Exception | None = None
    while True:
        if broken is not None:
            yield _CutShort(cut_short(broken))
            return
        block, broken = _read_block(stream, compressed)
        if broken is not None and not (compressed and (block or offset)):
            raise UsageError(f"{label}：无法读取：{broken}") from None
        if not block:
            if broken is not None:
                continue
            break
        if skipping:
            newline = block.find(b"\n")
            if newline < 0:
                skip_length += len(block)
                skip_quotes ^= block.count(b'"') & 1
                offset += len(block)
                continue
            skip_length += newline
            skip_quotes ^= block.count(b'"', 0, newline) & 1
            yield _LongLine(skip_start, skip_length, skip_length + 1, skip_quotes)
            skipping = False
            block = block[newline + 1:]
            offset += newline + 1
        buffer = carry + block if carry else block
        base = offset - len(carry)  # where `buffer` starts
        offset += len(block)
        end = buffer.rfind(b"\n") + 1
        position = start = 0
        while position < end:
            # a newline within limit + 1 bytes: every line up to it is short enough
            newline = buffer.rfind(b"\n", position, position + limit + 1)
            if newline >= 0:
                position = newline + 1
                continue
            newline = buffer.find(b"\n", position)
            if start < position:
                yield base + start, buffer[start:position]
            yield _LongLine(base + position, newline - position, newline + 1 - position,
                            buffer.count(b'"', position, newline) & 1)
            position = start = newline + 1
        if start < end:
            yield base + start, (buffer[start:end] if start or end < len(buffer) else buffer)
        carry = buffer[end:]
        if len(carry) > limit:
            skipping, skip_start = True, base + end
            skip_length, skip_quotes = len(carry), carry.count(b'"') & 1
            carry = b""
    if skipping:
        yield _LongLine(skip_start, skip_length, skip_length, skip_quotes)
    elif carry:
        yield offset - len(carry), carry + b"\n"


def _lookback_start(history: Sequence[tuple[int, bytes]], lines: int,
                    csv_quotes: bool) -> tuple[int, int]:
    """(piece, position) where the last `lines` lines of the recent pieces start.

    Every piece ends a line. For CSV the start moves back until the quotes
    after it balance: a record never starts inside a quoted field.
    """
    index, position, remaining = len(history) - 1, 0, lines
    while index >= 0:
        data = history[index][1]
        count = data.count(b"\n")
        if count >= remaining:
            position = len(data)
            for _ in range(remaining):
                position = data.rfind(b"\n", 0, position - 1) + 1
            break
        remaining -= count
        index -= 1
    else:
        return 0, 0
    if csv_quotes:
        quotes = history[index][1].count(b'"', position) + sum(
            piece.count(b'"') for _, piece in history[index + 1:])
        while quotes % 2 and (index or position):
            if position == 0:
                index -= 1
                position = len(history[index][1])
            data = history[index][1]
            previous = data.rfind(b"\n", 0, position - 1) + 1
            quotes += data.count(b'"', previous, position)
            position = previous
    return index, position


def read_chunks(source: Source, chunk_bytes: int = CHUNK_BYTES,
                lookback_lines: int = LOOKBACK_LINES, ship: bool | None = None) -> Iterator[Chunk]:
    """Cut one file into chunks of whole records (about `chunk_bytes` each), in order.

    `ship`: the chunks carry their bytes (default: only for compressed
    files; a worker reads a plain file's bytes itself, so they cross no pipe).
    The last one says so (`final`).
    """
    held: Chunk | None = None
    for chunk in _cut_chunks(source, chunk_bytes, lookback_lines, ship):
        if held is not None:
            yield held
        held = chunk
    if held is not None:
        yield replace(held, final=True)


def _cut_chunks(source: Source, chunk_bytes: int, lookback_lines: int,
                ship: bool | None) -> Iterator[Chunk]:
    is_csv = source.fmt == "csv"
    ship = source.compressed or source.converted if ship is None else ship or source.converted
    if source.converted:
        stream, raw = _open_converted(source)
    else:
        stream, raw = _open_raw(source.path, source.compressed)
    try:
        line_no, offset = 1, 0
        if is_csv:
            offset = len(stream.readline(MAX_LINE_BYTES))  # the header, read in open_source
            line_no = 2
        pieces: list[bytes] = []  # this chunk's bytes so far (only if shipped)
        start = end = offset
        size = lines = quotes = 0  # quotes: their parity in the chunk so far
        long_lines: list[tuple[int, int]] = []
        skips: deque[tuple[int, int, int]] = deque()  # recent long lines: (start, end, quotes)
        history: deque[tuple[int, bytes]] = deque()  # (offset, bytes): the latest lines
        history_lines = 0

        counts: deque[int] = deque()  # lines of each piece in `history`

        def remember(at: int, piece: bytes, count: int) -> None:
            """Keep the latest pieces: enough lines for the next chunk's lookback, no more."""
            nonlocal history_lines
            history.append((at, piece))
            counts.append(count)
            history_lines += count
            while len(history) > 1 and history_lines - counts[0] >= lookback_lines:
                history.popleft()
                history_lines -= counts.popleft()

        def lookback() -> tuple[int, int, bytes | None]:
            """(offset, lines, bytes if shipped) of the lines before the next chunk."""
            recent = list(history)
            if not recent:
                return start, 0, b"" if ship else None
            index, position = _lookback_start(recent, lookback_lines, is_csv)
            parts = [recent[index][1][position:]] + [p for _, p in recent[index + 1:]]
            count = sum(part.count(b"\n") for part in parts)
            return recent[index][0] + position, count, b"".join(parts) if ship else None

        back = lookback()
        target = chunk_bytes

        def emit(cut_short: str = "") -> Chunk:
            nonlocal pieces, size, lines, quotes, long_lines, line_no, start, back, target
            offset, count, before = back
            while skips and skips[0][0] < offset:
                skips.popleft()
            chunk = Chunk(source, line_no, start, end, tuple(long_lines), offset,
                          line_no - count, tuple(skips), raw.tell(),
                          b"".join(pieces) if ship else None, before, cut_short, lines)
            line_no += lines
            pieces, size, lines, quotes, long_lines = [], 0, 0, 0, []
            start = end
            back = lookback()
            if not (source.compressed or source.converted):
                # the last chunks get smaller: no worker idles at the end
                target = min(chunk_bytes, max(MIN_TAIL_CHUNK_BYTES, (source.size - end) // 4))
            return chunk

        def ready() -> bool:  # a chunk may end here: big enough, and not inside quotes
            return size >= target and (not quotes or size >= MAX_CSV_RECORD_BYTES)

        cut_short = ""
        for segment in _segments(stream, source.label, offset,
                                 source.compressed or source.converted):
            if isinstance(segment, _CutShort):
                cut_short = segment.reason
                break
            if isinstance(segment, _LongLine):
                placeholder = b'"' * segment.quotes + b"\n"
                long_lines.append((lines, segment.length))
                skips.append((segment.offset, segment.offset + segment.size, segment.quotes))
                if ship:
                    pieces.append(placeholder)
                size, lines = size + 1, lines + 1
                remember(segment.offset, placeholder, 1)
                quotes ^= segment.quotes if is_csv else 0
                end = segment.offset + segment.size
                if ready():
                    yield emit()
                continue
            at, run = segment
            position = 0
            while position < len(run):
                cut = run.find(b"\n", position + max(target - size, 1) - 1) + 1
                if cut <= 0:
                    cut = len(run)
                part = run if position == 0 and cut == len(run) else run[position:cut]
                if ship:
                    pieces.append(part)
                count = part.count(b"\n")
                size += len(part)
                lines += count
                remember(at + position, part, count)
                if is_csv:
                    quotes ^= part.count(b'"') & 1
                position = cut
                end = at + cut
                if ready():
                    yield emit()
        notes = tuple(getattr(stream, "notes", ()))
        if lines or cut_short or notes:
            yield replace(emit(cut_short), sheets=notes)
    finally:
        stream.close()
        raw.close()


def _open_converted(source: Source) -> tuple[Any, Any]:
    """(the converted lines as a stream, that same stream: its tell() is the progress)."""
    from guard.audit import exports

    shop = source.path.name.split(".")[0]
    if source.fmt == "xlsx":
        share = [0.0]
        notes: list[Any] = []
        lines = exports.xlsx_lines(source.path, source.sheet, shop, dict(source.mapping), share,
                                   source.conversation_sheet, notes)
        stream = exports.ConvertedStream(lines, lambda: share[0] * source.size, notes)
    else:
        file, raw = _open_raw(source.path, source.compressed)

        def read() -> Iterator[bytes]:
            try:
                yield from exports.workbench_lines(file, shop)
            except UsageError as exc:
                raise UsageError(f"{source.label}：{exc}") from None
            finally:
                file.close()
                raw.close()

        stream = exports.ConvertedStream(read(), raw.tell)
    return stream, stream


# ---------------------------------------------------------------- workers: records


class Row(NamedTuple):
    """One valid chat-log record (a named tuple: millions are made)."""

    line: int
    shop: str
    agent: str
    conversation: str
    time: str
    role: str  # agent | buyer | system
    text: str
    moment: datetime  # aware, for the conversation window
    day: str  # YYYY-MM-DD as written (the merchant's local date)


class NonText(NamedTuple):
    """A message that is not text (an image, an order card…): not judged, counted by type.

    It still takes part in the conversation's response times.
    """

    line: int
    shop: str
    agent: str
    conversation: str
    time: str
    role: str
    kind: str  # the message type, as the export names it
    moment: datetime
    day: str


_SURROGATE = re.compile("[\udc80-\udcff]")


def make_row(line: int, shop: object, agent: object, conversation: object, time: object,
             role: object, text: object) -> Row | Rejected:
    """Validate one record's fields: all present, strings, a known role, a readable time."""
    if (type(shop) is str and type(agent) is str and type(conversation) is str
            and type(time) is str and type(role) is str and type(text) is str
            and shop and conversation and time):
        kind = ROLES.get(role) or ROLES.get(role.strip().lower())
        if kind is None:
            return Rejected(line, f"未知角色：{role!r}（应为 agent、buyer 或 system）")
        if kind == "agent" and not agent.strip():
            return Rejected(line, missing(["agent"]))
        when = parse_time(time)
        if when is None:
            return Rejected(line, f"时间不是 ISO 8601 格式：{time!r}")
        return Row(line, shop, agent, conversation, time, kind, text, when[0], when[1])
    if agent is None and type(role) is str and ROLES.get(role.strip().lower()) != "agent":
        agent = ""  # a buyer's or the system's line need not name the agent
        return make_row(line, shop, agent, conversation, time, role, text)
    values = (shop, agent, conversation, time, role, text)
    absent = [name for name, value in zip(FIELDS, values, strict=True)
              if value is None or (value == "" and name not in ("agent", "text"))]
    if absent:
        return Rejected(line, missing(absent))
    if isinstance(conversation, int) and not isinstance(conversation, bool):
        return make_row(line, shop, agent, str(conversation), time, role, text)
    return Rejected(line, not_strings([(name, value) for name, value in zip(FIELDS, values,
                                                                             strict=True)
                                       if not isinstance(value, str)]))


def _jsonl_record(raw: bytes, line: int) -> Row | NonText | Rejected | None:
    """One JSONL line the fast loop could not take: a Row, why it is rejected, or None if blank."""
    if not raw or raw.isspace():
        return None
    values = read_object(raw)
    if type(values) is str:
        return Rejected(line, values)
    get = values.get  # type: ignore[union-attr]
    if REJECTED in values:  # type: ignore[operator]
        return Rejected(line, str(get(REJECTED)))
    kind = get(NON_TEXT)
    text = get("text")
    if type(kind) is str and text is None:
        row = make_row(line, get("shop"), get("agent"), get("conversation"), get("time"),
                       get("role"), "")
        if type(row) is Rejected:
            return row
        return NonText(*row[:6], kind or "未知类型", *row[7:])  # type: ignore[misc]
    return make_row(line, get("shop"), get("agent"), get("conversation"), get("time"),
                    get("role"), text)


def _jsonl_batch(data: bytes, first_line: int, long: dict[int, int], file_start: bool,
                 skip: frozenset[str] = frozenset()) -> tuple[list[Row | Rejected], int]:
    """(the records of JSONL bytes, in order; how many valid ones had a role in `skip`).

    A skipped record is validated as fully as any other (its time too), only
    no Row is made of it: a rejected record is rejected whatever its role.
    The usual record — an object with the six fields, all strings, a role
    written as the log format says, an ISO 8601 time — takes the inline path;
    anything else goes through `_jsonl_record` and `make_row`, which say what
    is wrong.
    """
    loads = orjson.loads
    roles, parse, fromisoformat, local = ROLES, parse_time, datetime.fromisoformat, LOCAL
    fields = itemgetter(*FIELDS)
    new_row = partial(tuple.__new__, Row)  # Row(...) without its Python-level __new__
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()  # the newline that ends the last line
    if file_start and lines:
        lines[0] = lines[0].removeprefix(BOM)
    records: list[Row | Rejected] = []
    append = records.append
    skipped = 0
    for index, raw in enumerate(lines):
        try:
            shop, agent, conversation, time, role, text = fields(loads(raw))
            kind = roles[role]
            if not (type(shop) is str and shop and type(agent) is str and type(conversation) is str
                    and conversation and type(time) is str and type(text) is str
                    and (kind != "agent" or agent.strip())):
                raise ValueError
            moment = fromisoformat(time)
        except (ValueError, KeyError, TypeError):  # orjson's JSONDecodeError is a ValueError
            line = first_line + index
            if index in long:
                append(Rejected(line, too_long(long[index])))
                continue
            record = _jsonl_record(raw, line)
            if record is None:
                continue
            if type(record) is Row and record.role in skip:
                skipped += 1
            else:
                append(record)
            continue
        if kind in skip:
            skipped += 1
            continue
        if time[4:5] == "-" and time[7:8] == "-":
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=local)
            append(new_row((first_line + index, shop, agent, conversation, time, kind, text,
                            moment, time[:10])))
        else:  # an ISO 8601 form without dashes (20261101T…): the date as parse_time writes it
            when = parse(time)
            append(new_row((first_line + index, shop, agent, conversation, time, kind, text,
                            *when)))  # type: ignore[misc]
    return records, skipped


def _csv_records(source: Source, data: bytes, first_line: int,
                 long: dict[int, int]) -> Iterator[Row | Rejected]:
    text = data.decode(source.encoding, errors="surrogateescape")
    check_bytes = _SURROGATE.search(text) is not None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    columns, width = source.columns, source.width
    consumed = 0  # physical lines read so far
    while True:
        start = consumed
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            consumed = reader.line_num
            yield Rejected(first_line + start, f"CSV 行损坏：{exc}")
            continue
        consumed = reader.line_num
        line = first_line + start
        over = [long[i] for i in range(start, consumed) if i in long] if long else ()
        if over:
            yield Rejected(line, too_long(over[0]))
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line
        if check_bytes and any(_SURROGATE.search(field) for field in row):
            yield Rejected(line, f"不是有效的 {source.encoding.upper()}")
            continue
        if len(row) != width:
            yield Rejected(line, f"列数不齐：{len(row)} 列，表头有 {width} 列")
            continue
        yield make_row(line, *[row[c] for c in columns])


def parse_records(chunk: Chunk, lookback: bool = False,
                  contents: tuple[bytes, bytes] | None = None,
                  skip: frozenset[str] = frozenset()) -> tuple[list[Row | Rejected], int]:
    """(the records of a chunk — or of the lines before it — in order; how many were skipped).

    `contents`: the chunk's bytes if already read (`Chunk.contents()`).
    `skip`: roles (agent, buyer, system) whose valid records are only counted,
    not returned (a CSV reader returns them anyway; a rejected record always is).
    """
    source = chunk.source
    data, back = contents if contents is not None else chunk.contents()
    if lookback:
        data, first, long = back, chunk.lookback_first_line, {}
    else:
        first, long = chunk.first_line, dict(chunk.long_lines)
    return parse_lines(source, data, first, long, skip)


def parse_lines(source: Source, data: bytes, first_line: int, long: dict[int, int] | None = None,
                skip: frozenset[str] = frozenset()) -> tuple[list[Row | Rejected], int]:
    """(the records of whole lines of a log, in order; how many were skipped).

    `data`: consecutive lines of `source` (each ending with a newline; a CSV
    record not cut), the first being line `first_line`; `long`: (index among
    them, full length) of over-long lines, each in `data` as a placeholder.
    The one parser of records, whoever cut the lines (a chunk here, a Spark
    partition in guard/spark/).
    """
    if not data:
        return [], 0
    if source.fmt == "csv":
        return list(_csv_records(source, data, first_line, long or {})), 0
    return _jsonl_batch(data, first_line, long or {}, first_line == 1, skip)


def iter_records(chunk: Chunk, lookback: bool = False,
                 contents: tuple[bytes, bytes] | None = None) -> Iterator[Row | Rejected]:
    """Every record of a chunk (or of the lines before it), in order."""
    return iter(parse_records(chunk, lookback, contents)[0])
