"""What Spark's executors run (through mapInArrow): reading records, auditing partitions.

Two stages, each a function over a partition's Arrow batches:

* `read_lines` / `read_columns` — the lines of JSON Lines / CSV files (raw
  bytes, numbered) or the typed columns of Parquet or any DataFrame → one
  row per record: valid (its fields, and its moment for sorting) or rejected
  (why), validated by the local reader's own code (readers.parse_lines and
  make_row). With --role agent, system records are only counted (one count
  row per file and partition): they never reach the shuffle; buyers' records
  reach it, for the response times (metrics.py) and as the lines shown
  before a finding (evidence.neighbours).
* `audit_partition` — after the rows are partitioned by conversation and
  sorted by time, each file's rows of the partition go through the chunk
  unit (chunk.audit_rows), reaching back over the whole conversation; out
  come the partition's report (pickled, without findings) and its findings
  (one row each, in the spool's JSON form, numbered to be put in order).

Nothing here imports pyspark: the driver side is guard/spark/inputs.py and
guard/spark/audit.py.
"""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any
from urllib.parse import urlsplit

import orjson
import pyarrow as pa

from guard.audit.chunk import SYSTEM, UNBOUNDED, audit_rows
from guard.audit.readers import CHUNK_BYTES, Rejected, Row, Source, make_row, parse_lines
from guard.audit.report import ReportBuilder, Settings
from guard.records import MAX_LINE_BYTES
from guard.spark.ship import LexiconBundle, auditor_for

# The records stage's rows. `moment` (µs since the epoch) only orders a
# conversation; `skipped` marks a count row; `spread` scatters rejected and
# count rows over partitions (valid rows go by their conversation).
RECORD_FIELDS = (
    ("file_index", pa.int32()), ("line", pa.int64()), ("shop", pa.string()),
    ("agent", pa.string()), ("conversation", pa.string()), ("time", pa.string()),
    ("role", pa.string()), ("text", pa.string()), ("moment", pa.int64()),
    ("reason", pa.string()), ("skipped", pa.int64()), ("spread", pa.int64()))
RECORD_SCHEMA = pa.schema(RECORD_FIELDS)
RECORD_DDL = ("file_index int, line long, shop string, agent string, conversation string, "
              "time string, role string, text string, moment long, reason string, "
              "skipped long, spread long")
# The audit stage's rows: kind REPORT (payload: a pickled partial Report) or
# FINDING (payload: a FindingRecord's JSON, ordered by file, line, seq).
REPORT, FINDING = 0, 1
PART_SCHEMA = pa.schema([("kind", pa.int8()), ("file_index", pa.int32()),
                         ("line", pa.int64()), ("seq", pa.int64()), ("payload", pa.binary())])
PART_DDL = "kind byte, file_index int, line long, seq long, payload binary"

BATCH_ROWS = 8192
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class LinePlan:
    """What the records stage needs to know of the files (from the driver's numbering).

    `blocks`: (file URI, block) → (file index, line number minus row id): a
    row's line is its monotonically increasing id plus that. `sources`: each
    file's `Source` (format, CSV columns) by file index. `taken`: per file
    index, line ranges (first, last) read on the driver instead — CSV records
    that cross the boundary of two of Spark's splits.
    """

    blocks: Mapping[tuple[str, int], tuple[int, int]]
    sources: Sequence[Source]
    taken: Mapping[int, Sequence[tuple[int, int]]] = field(default_factory=dict)
    role: str = "agent"


class RecordWriter:
    """Rows of the records stage, as Arrow batches; skipped records counted per file."""

    def __init__(self, role: str):
        self.skip = frozenset() if role == "all" else SYSTEM
        self.columns: list[list[Any]] = [[] for _ in RECORD_FIELDS]
        self.skipped: dict[int, int] = {}

    def add(self, file_index: int, records: Iterable[Row | Rejected], skipped: int = 0) -> None:
        skip = self.skip
        for record in records:
            if type(record) is Rejected:
                values: tuple[Any, ...] = (file_index, record.line, None, None, None, None, None,
                                           None, None, record.reason, None, record.line)
            elif record.role in skip:
                skipped += 1
                continue
            else:
                row: Row = record  # type: ignore[assignment]
                values = (file_index, row.line, row.shop, row.agent, row.conversation, row.time,
                          row.role, row.text,
                          (row.moment - _EPOCH) // _MICROSECOND, None, None, None)
            for column, value in zip(self.columns, values, strict=True):
                column.append(value)
        if skipped:
            self.skipped[file_index] = self.skipped.get(file_index, 0) + skipped

    def full(self) -> bool:
        return len(self.columns[0]) >= BATCH_ROWS

    def batch(self, final: bool = False) -> pa.RecordBatch:
        if final:
            for file_index, count in sorted(self.skipped.items()):
                for column, value in zip(self.columns, (file_index, None, None, None, None, None,
                                                        None, None, None, None, count, -1),
                                         strict=True):
                    column.append(value)
            self.skipped.clear()
        columns, self.columns = self.columns, [[] for _ in RECORD_FIELDS]
        return pa.RecordBatch.from_arrays(
            [pa.array(values, type=kind) for values, (_, kind) in zip(columns, RECORD_FIELDS,
                                                                       strict=True)],
            schema=RECORD_SCHEMA)


def records_of(source: Source, lines: Sequence[bytes], lengths: Sequence[int], first_line: int,
               skip: frozenset[str] = frozenset()) -> tuple[list[Row | Rejected], int]:
    """(the records of consecutive lines of one file, line `first_line` first; how many skipped).

    `lines` are the file's bytes without their newline, an over-long one
    (`lengths`) as its placeholder; a CSV header (line 1) is not a record.
    `skip`: roles a JSONL run counts without making rows of them.
    """
    if source.fmt == "csv" and first_line == 1:
        lines, lengths, first_line = lines[1:], lengths[1:], 2
    if not lines:
        return [], 0
    long = {index: length for index, length in enumerate(lengths) if length > MAX_LINE_BYTES}
    return parse_lines(source, b"\n".join(lines) + b"\n", first_line, long, skip)


def read_lines(batches: Iterable[pa.RecordBatch], plan: LinePlan) -> Iterator[pa.RecordBatch]:
    """The records stage over a partition of text lines: (file_path, block, id, raw, length).

    Consecutive lines of one file are parsed together, as the local reader
    parses a chunk; a CSV run is cut only where its quotes balance.
    """
    writer = RecordWriter(plan.role)
    blocks, sources, taken = plan.blocks, plan.sources, plan.taken
    run: list[bytes] = []
    lengths: list[int] = []
    run_file, run_first, run_bytes, run_quotes = -1, 0, 0, 0
    key: tuple[str, int] | None = None
    file_index = offset = 0
    skipping: Sequence[tuple[int, int]] = ()

    def flush() -> None:
        nonlocal run, lengths, run_bytes, run_quotes
        if run:
            records, skipped = records_of(sources[run_file], run, lengths, run_first,
                                          writer.skip)
            writer.add(run_file, records, skipped)
        run, lengths, run_bytes, run_quotes = [], [], 0, 0

    for batch in batches:
        paths, block_starts, ids, raws, sizes = (batch.column(i).to_pylist() for i in range(5))
        for path, block, row_id, raw, size in zip(paths, block_starts, ids, raws, sizes,
                                                  strict=True):
            if (path, block) != key:
                key = (path, block)
                file_index, offset = blocks.get(key) or blocks[(spark_uri(path), block)]
                skipping = taken.get(file_index, ())
            line = row_id + offset
            if skipping and any(first <= line <= last for first, last in skipping):
                flush()
                continue
            if file_index != run_file or line != run_first + len(run):
                flush()
                run_file, run_first = file_index, line
            elif run_bytes >= CHUNK_BYTES and not run_quotes:
                flush()
                run_first = line
            run.append(raw)
            lengths.append(size)
            run_bytes += len(raw) + 1
            if sources[file_index].fmt == "csv":
                run_quotes ^= raw.count(b'"') & 1
        if writer.full():
            flush()
            yield writer.batch()
    flush()
    yield writer.batch(final=True)


def read_columns(batches: Iterable[pa.RecordBatch], plan: LinePlan) -> Iterator[pa.RecordBatch]:
    """The records stage over typed rows: (file_path, block, id, shop, …, text), strings or null."""
    writer = RecordWriter(plan.role)
    blocks = plan.blocks
    key: tuple[str, int] | None = None
    file_index = offset = 0
    for batch in batches:
        columns = [batch.column(i).to_pylist() for i in range(9)]
        records: list[Row | Rejected] = []
        for path, block, row_id, *values in zip(*columns, strict=True):
            if (path, block) != key:
                if records:
                    writer.add(file_index, records)
                    records = []
                key = (path, block)
                file_index, offset = blocks.get(key) or blocks[(spark_uri(path), block)]
            records.append(make_row(row_id + offset, *values))
        writer.add(file_index, records)
        if writer.full():
            yield writer.batch()
    yield writer.batch(final=True)


def spark_uri(uri: str) -> str:
    """A file's URI as Spark's `_metadata.file_path` writes it (file:/x, not file:///x)."""
    parts = urlsplit(uri)
    if parts.scheme and not parts.netloc and uri.startswith(f"{parts.scheme}:///"):
        return f"{parts.scheme}:{uri[len(parts.scheme) + 3:]}"
    return uri


# ---------------------------------------------------------------- the audit stage


def _rows(batches: Iterable[pa.RecordBatch]) -> Iterator[tuple[int, int | None, Any]]:
    """(file index, skipped count or None, Row | Rejected | None) of sorted record rows."""
    for batch in batches:
        columns = [batch.column(i).to_pylist() for i in range(len(RECORD_FIELDS))]
        for (file_index, line, shop, agent, conversation, time, role, text, _, reason, skipped,
             _) in zip(*columns, strict=True):
            if skipped is not None:
                yield file_index, skipped, None
            elif reason is not None:
                yield file_index, None, Rejected(line, reason)
            else:
                yield file_index, None, make_row(line, shop, agent, conversation, time, role,
                                                 text)


def audit_partition(batches: Iterable[pa.RecordBatch], bundle: LexiconBundle,
                    settings: Settings, labels: Sequence[str]) -> Iterator[pa.RecordBatch]:
    """The audit stage: one partition's records (sorted by file, conversation, time).

    Each file's rows go through the chunk unit on their own (a report names
    one file per part, and a window never joins two files' messages, as in
    the local audit); the count rows come first in each file's run.
    """
    auditor = auditor_for(bundle, settings)
    builder = ReportBuilder(settings)
    out: list[list[Any]] = [[], [], [], [], []]
    seq = 0
    for file_index, group in itertools.groupby(_rows(batches), key=itemgetter(0)):
        entries = iter(group)  # consumed once: the count rows first, then the records
        skipped = 0
        head = next(entries)
        while head is not None and head[1] is not None:
            skipped += head[1]
            head = next(entries, None)
        rows = itertools.chain(() if head is None else (head[2],),
                               (row for _, _, row in entries))
        report = audit_rows(auditor, rows, labels[file_index], skipped=skipped,
                            lookback=UNBOUNDED)
        builder.add(report.without_findings())
        for finding in report.findings:
            for column, value in zip(out, (FINDING, file_index, finding.line, seq,
                                           orjson.dumps(finding.to_dict())), strict=True):
                column.append(value)
            seq += 1
        if len(out[0]) >= BATCH_ROWS:
            yield _part_batch(out)
            out = [[], [], [], [], []]
    for column, value in zip(out, (REPORT, None, None, None,
                                   pickle.dumps(builder.build(), pickle.HIGHEST_PROTOCOL)),
                             strict=True):
        column.append(value)
    yield _part_batch(out)


def _part_batch(columns: list[list[Any]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays(
        [pa.array(values, type=kind.type) for values, kind in zip(columns, PART_SCHEMA,
                                                                   strict=True)],
        schema=PART_SCHEMA)
