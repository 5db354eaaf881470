"""A log file → chunks of whole records, in order (main process).

The main process only cuts the byte stream into chunks at record boundaries
(it never parses a record: the workers do, in parallel, rows.py). Memory
stays flat: a chunk is a few MB, and a runaway line is counted, not kept —
it travels as an empty placeholder plus its length, so every line keeps its
number. Each chunk names the LOOKBACK_LINES lines before it, which its
worker reads for the conversation windows and the response times. Excel and
workbench exports are read through their converters (exports.py) into the
same kind of lines.
"""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import IO, Any

from guard.audit.sources import Source, open_raw
from guard.errors import UsageError
from guard.records import MAX_LINE_BYTES, cut_short

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

    @property
    def first(self) -> bool:
        """Whether it is the file's first chunk: no line of records before it."""
        return self.first_line <= self.source.first_line

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
        stream, raw = open_raw(source.path, source.compressed)
    try:
        line_no, offset = source.first_line, 0
        if is_csv:
            offset = len(stream.readline(MAX_LINE_BYTES))  # the header, read in open_source
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
        file, raw = open_raw(source.path, source.compressed)

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
