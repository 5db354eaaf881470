"""The audit's records on Spark: log files of any path Spark reads, or a DataFrame.

Text logs (JSON Lines, CSV; compressed too) are read as raw lines
(`spark.read.text`, split on "\\n" only, bytes kept as they are), never
through Spark's JSON or CSV readers: every line is numbered and validated by
the local reader's own code (guard/spark/stages.py), so a malformed record
is counted and listed by file and line exactly as `guard audit` lists it,
and never fails the job. Parquet and ORC files, and any DataFrame, give
typed columns, validated by the same `make_row`.

Line numbers: each row gets Spark's monotonically increasing id; one
counting pass gives each split ("block") of each file its rows and first
id, and the driver turns that into the line number of every block's first
row. The same pass reads every text file's first line (the CSV header, or
the format sniffed) and where quotes are left open at the end of a split:
a CSV record that crosses from one split into the next is read here on the
driver (a few lines) and parsed by the same code; the executors skip it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from guard.audit.readers import FIELDS, HEADER_ALIASES, Source, described_source, name_format
from guard.errors import UsageError
from guard.records import MAX_LINE_BYTES
from guard.spark.stages import (
    RECORD_DDL,
    LinePlan,
    RecordWriter,
    read_columns,
    read_lines,
    records_of,
    spark_uri,
)

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

# Compression Hadoop recognizes by a file's suffix (it decompresses them itself).
CODECS = (".gz", ".bz2", ".deflate", ".zst", ".lz4", ".snappy", ".xz")
TABLE_FORMATS = {".parquet": "parquet", ".orc": "orc"}
_GLOB = re.compile(r"[*?\[{]")


@dataclass(frozen=True)
class LogFile:
    """One file to audit: as Spark names it, as the report names it, and how to read it."""

    uri: str  # Hadoop's Path.toUri(): what _metadata.file_path says
    label: str  # as the user wrote it (a folder's files: the folder, then the path inside)
    kind: str  # "text" | "parquet" | "orc"
    size: int


def list_logs(spark: SparkSession, names: Sequence[str],
              warn: Callable[[str], object]) -> list[LogFile]:
    """The files the LOG arguments name: files, folders (every file inside), or globs.

    Hidden files (_SUCCESS, .crc) are left out, as Spark leaves them out; a
    file named twice is read once (with a warning), as in the local audit.
    """
    jvm = spark.sparkContext._jvm  # type: ignore[attr-defined]
    conf = spark.sparkContext._jsc.hadoopConfiguration()  # type: ignore[attr-defined]
    found: dict[str, LogFile] = {}
    for name in names:
        path = jvm.org.apache.hadoop.fs.Path(name)
        system = path.getFileSystem(conf)
        matches = system.globStatus(system.makeQualified(path)) or []
        if not matches:
            raise UsageError(f"{name}：没有这个文件")
        is_glob = _GLOB.search(name) is not None
        for status in matches:
            if status.isDirectory():
                root = status.getPath().toUri().toString().rstrip("/")
                files = _files_under(system, status.getPath())
                if not files and not is_glob:
                    raise UsageError(f"{name}: 目录里没有文件")
                entries = [(f, _label(name, f) if is_glob else name.rstrip("/") + "/"
                            + unquote(f.getPath().toUri().toString()[len(root) + 1:]))
                           for f in files]
            else:
                entries = [(status, name if not is_glob else _label(name, status))]
            for entry, label in entries:
                uri = spark_uri(entry.getPath().toUri().toString())
                if uri in found:
                    warn(f"{label} 与 {found[uri].label} 是同一个文件，只审计一次")
                    continue
                found[uri] = LogFile(uri, label, _kind(uri), entry.getLen())
    return list(found.values())


def _files_under(system: Any, folder: Any) -> list[Any]:
    """Every visible file under a folder, sorted by path."""
    files, listing = [], system.listFiles(folder, True)
    while listing.hasNext():
        status = listing.next()
        relative = status.getPath().toUri().getPath()[len(folder.toUri().getPath()):]
        if not any(part.startswith(("_", ".")) for part in relative.split("/") if part):
            files.append(status)
    return sorted(files, key=lambda s: s.getPath().toUri().toString())


def _label(pattern: str, status: Any) -> str:
    """A glob's match as the report names it: a path like the pattern's (relative stays so)."""
    uri = status.getPath().toUri()
    if uri.getScheme() not in (None, "file") or urlsplit(pattern).scheme:
        return str(uri.toString())
    path = str(uri.getPath())
    if not pattern.startswith("/"):
        try:
            return str(Path(path).relative_to(Path.cwd()))
        except ValueError:
            pass
    return path


def _kind(uri: str) -> str:
    suffix = PurePosixPath(urlsplit(uri).path).suffix.lower()
    return TABLE_FORMATS.get(suffix, "text")


def label_of(uri: str) -> str:
    """A file Spark names by URI, named for a report: a local path as a path."""
    parts = urlsplit(uri)
    return unquote(parts.path) if parts.scheme in ("", "file") else uri


# ---------------------------------------------------------------- numbering


@dataclass(frozen=True)
class Block:
    """One split of one file, from the counting pass."""

    file_path: str
    block: int
    first_id: int
    rows: int
    head: bytes | None = None  # the file's first line (the first split only)
    head_quotes: int = 0  # parity of its quotes
    quotes: int = 0  # parity of the split's quotes
    first_odd: int | None = None  # ids of its first and last line with an odd number of quotes
    last_odd: int | None = None


def _count_blocks(numbered: DataFrame, text: bool = False, quotes: bool = False) -> list[Block]:
    """Each block's rows and first id; of text, each file's first line (`head`), and with
    `quotes` (some file may be CSV) where each block leaves quotes open."""
    from pyspark.sql import functions as F

    aggregates = [F.min("id").alias("first_id"), F.count(F.lit(1)).alias("rows")]
    if text:
        aggregates.append(F.when(F.col("block") == 0, F.min_by("raw", "id")).alias("head"))
    if quotes:
        parity = (F.octet_length("raw")
                  - F.octet_length(F.replace("value", F.lit('"'), F.lit("")))) % 2
        odd = parity == 1
        aggregates += [
            F.min_by(parity, "id").alias("head_quotes"),
            (F.sum(parity) % 2).alias("quotes"),
            F.min(F.when(odd, F.col("id"))).alias("first_odd"),
            F.max(F.when(odd, F.col("id"))).alias("last_odd"),
        ]
    rows = numbered.groupBy("file_path", "block").agg(*aggregates).collect()
    return [Block(**{**row.asDict(), "file_path": spark_uri(row.file_path)}) for row in rows]


def _line_offsets(blocks: Sequence[Block], index_of: Mapping[str, int],
                  ) -> dict[tuple[str, int], tuple[int, int]]:
    """(file, block) → (file index, line of a row minus its id): blocks in file order."""
    offsets: dict[tuple[str, int], tuple[int, int]] = {}
    line: dict[str, int] = {}
    for block in sorted(blocks, key=lambda b: (b.file_path, b.block)):
        first = line.get(block.file_path, 1)
        offsets[(block.file_path, block.block)] = (index_of[block.file_path],
                                                   first - block.first_id)
        line[block.file_path] = first + block.rows
    return offsets


def _crossing_records(blocks: Sequence[Block],
                      offsets: Mapping[tuple[str, int], tuple[int, int]]) -> list[tuple[int, int]]:
    """(first line, last line) of the CSV records of one file that cross a split boundary.

    A split that ends inside quotes left a record open on its last line with
    an odd number of quotes; the first such line of the next split closes
    it. A record left open past a whole split is not followed (as the local
    reader cuts a runaway record): each split's reader rejects its part.
    """
    crossing: list[tuple[int, int]] = []
    inside, opened = False, 0
    for block in sorted(blocks, key=lambda b: b.block):
        offset = offsets[(block.file_path, block.block)][1]
        quotes = block.quotes ^ (block.head_quotes if block.block == 0 else 0)
        first_odd = block.first_odd
        if block.block == 0 and block.head_quotes and first_odd == block.first_id:
            first_odd = None  # an odd header: not a record's quote (its own error)
        if inside and first_odd is not None:
            crossing.append((opened, first_odd + offset))
            inside = not quotes  # the first odd line closed it: the rest's parity decides
        else:
            inside = bool(quotes)
        if inside and block.last_odd is not None:
            opened = block.last_odd + offset
    return crossing


# ---------------------------------------------------------------- the records


def _text_lines(spark: SparkSession, files: Sequence[LogFile]) -> DataFrame:
    from pyspark.sql import functions as F

    lines = spark.read.option("lineSep", "\n").text([_escaped(f.uri) for f in files])
    return lines.select(F.col("_metadata.file_path").alias("file_path"),
                        F.col("_metadata.file_block_start").alias("block"),
                        F.monotonically_increasing_id().alias("id"), "value",
                        F.col("value").cast("binary").alias("raw"))


def _escaped(uri: str) -> str:
    """A file's name as a path Spark reads literally (its reader takes globs)."""
    return re.sub(r"([*?\[\]{}\\])", r"\\\1", uri)


def text_records(spark: SparkSession, files: Sequence[LogFile], index_of: Mapping[str, int],
                 role: str) -> DataFrame | None:
    """The records of text logs (`index_of`: each file's index by URI), or None if none."""
    from pyspark.sql import functions as F

    numbered = _text_lines(spark, files)
    maybe_csv = any(name_format(f.label, CODECS)[0] != "jsonl" for f in files)
    blocks = _count_blocks(numbered, text=True, quotes=maybe_csv)
    heads = {b.file_path: b.head or b"" for b in blocks if b.block == 0}
    sources: dict[int, Source] = {}
    for log in files:  # an empty file too: a CSV one needs its header (as locally)
        fmt, codec = name_format(log.label, CODECS)
        source = sources[index_of[log.uri]] = described_source(
            log.label, Path(log.label), fmt, bool(codec), heads.get(log.uri, b"")[:MAX_LINE_BYTES],
            log.size)
        if source.converted:
            raise UsageError(f"{log.label}: --spark 读 JSONL、CSV 和 Parquet；聊天工作台的消息 "
                             "JSON 和 Excel 导出请不用 --spark 审计")
    if not blocks:
        return None
    offsets = _line_offsets(blocks, index_of)
    taken: dict[int, list[tuple[int, int]]] = {}
    by_file: dict[str, list[Block]] = {}
    for block in blocks:
        by_file.setdefault(block.file_path, []).append(block)
    for uri, file_blocks in by_file.items():
        if sources[index_of[uri]].fmt == "csv" and len(file_blocks) > 1:
            crossing = _crossing_records(file_blocks, offsets)
            if crossing:
                taken[index_of[uri]] = crossing
    every = [sources.get(i) for i in range(max(sources) + 1)]
    plan = LinePlan(offsets, every, taken, role)  # type: ignore[arg-type]
    shipped = spark.sparkContext.broadcast(plan)
    long = F.octet_length("raw") > MAX_LINE_BYTES
    placeholder = F.when(
        (F.octet_length("raw") - F.octet_length(F.replace("value", F.lit('"'), F.lit("")))) % 2
        == 1, F.lit(b'"')).otherwise(F.lit(b""))
    lines = numbered.select("file_path", "block", "id",
                            F.when(long, placeholder).otherwise(F.col("raw")).alias("raw"),
                            F.octet_length("raw").cast("long").alias("length"))
    records = lines.mapInArrow(lambda batches: read_lines(batches, shipped.value), RECORD_DDL)
    if taken:
        records = records.unionByName(_read_on_driver(spark, lines, plan))
    return records


def _read_on_driver(spark: SparkSession, lines: DataFrame, plan: LinePlan) -> DataFrame:
    """The CSV records that cross a split boundary: their lines fetched, parsed here."""
    import pyarrow as pa
    from pyspark.sql import functions as F

    wanted = None
    ranges: list[tuple[int, int, int]] = []  # (file index, first line, last line)
    for (uri, block), (file_index, offset) in plan.blocks.items():
        for first, last in plan.taken.get(file_index, ()):
            condition = ((F.col("file_path") == uri) & (F.col("block") == block)
                         & F.col("id").between(first - offset, last - offset))
            wanted = condition if wanted is None else wanted | condition
            ranges.append((file_index, first, last))
    got: dict[tuple[int, int], tuple[bytes, int]] = {}
    for row in lines.where(wanted).collect():
        file_index, offset = plan.blocks[(row.file_path, row.block)]
        got[(file_index, row.id + offset)] = (bytes(row.raw), row.length)
    writer = RecordWriter(plan.role)
    for file_index, first, last in sorted(set(ranges)):
        parts = [got[(file_index, line)] for line in range(first, last + 1)]
        records, skipped = records_of(plan.sources[file_index],  # type: ignore[arg-type]
                                      [p[0] for p in parts], [p[1] for p in parts], first)
        writer.add(file_index, records, skipped)
    table = pa.Table.from_batches([writer.batch(final=True)])
    return spark.createDataFrame(table, schema=RECORD_DDL)


def table_columns(df: DataFrame, columns: Mapping[str, str] | None = None) -> list[Column]:
    """The six fields of a DataFrame as strings, by `columns` or by the CSV header names."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DateType, StringType, TimestampNTZType, TimestampType

    chosen = dict(columns or {})
    for name in df.columns:
        field = HEADER_ALIASES.get(name.strip().lower())
        if field and field not in chosen:
            chosen[field] = name
    missing = [f for f in FIELDS if f not in chosen]
    if missing:
        raise UsageError(f"表缺少列 {'、'.join(missing)}（应有的列：shop,agent,conversation,"
                         "time,role,text 或 店铺,客服,会话,时间,角色,内容；或用 columns=... 指定）")
    types = {f.name: f.dataType for f in df.schema.fields}
    selected = []
    for field in FIELDS:
        name = chosen[field]
        if name not in types:
            raise UsageError(f"columns：{field} → {name}：没有这一列")
        column, kind = F.col(f"`{name}`"), types[name]
        if isinstance(kind, TimestampType | TimestampNTZType):
            column = F.date_format(column, "yyyy-MM-dd'T'HH:mm:ss" +
                                   ("XXX" if isinstance(kind, TimestampType) else ""))
        elif isinstance(kind, DateType) or not isinstance(kind, StringType):
            column = column.cast("string")
        selected.append(column.alias(field))
    return selected


def typed_records(df: DataFrame, file_path: Column, block: Column, columns: Sequence[Column],
                  files: list[str], role: str, line: Column | None = None) -> DataFrame | None:
    """The records of typed rows (Parquet, ORC, any DataFrame), numbered per file and block.

    `file_path`, `block`: what names a row's file and its split (for a
    DataFrame not read from files: a name, and the partition). `files`: the
    files known so far, in report order; the ones found here are added in
    sorted order (a file's index is its place in it). `line`: the rows' own
    line numbers, if the DataFrame has them (nothing to count then).
    """
    from pyspark.sql import functions as F

    numbered = df.select(file_path.alias("file_path"), block.alias("block"),
                         (F.monotonically_increasing_id() if line is None
                          else line.cast("long")).alias("id"), *columns)
    if line is None:
        blocks = _count_blocks(numbered)
    else:
        blocks = [Block(row.file_path, row.block, 0, 0) for row in
                  numbered.select("file_path", "block").distinct().collect()]
    files.extend(sorted({b.file_path for b in blocks} - set(files)))
    if not blocks:
        return None
    index = {path: i for i, path in enumerate(files)}
    offsets = (_line_offsets(blocks, index) if line is None
               else {(b.file_path, b.block): (index[b.file_path], 0) for b in blocks})
    plan = df.sparkSession.sparkContext.broadcast(LinePlan(offsets, (), {}, role))
    return numbered.mapInArrow(lambda batches: read_columns(batches, plan.value), RECORD_DDL)
