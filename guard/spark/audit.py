"""The audit on Spark, driver side: records → partitions by conversation → partial reports → one.

    records (inputs.py: log files or a DataFrame, validated on the executors)
      → repartition by (shop, conversation), sort by file, conversation, time
      → each partition through the chunk unit (stages.audit_partition)
      → partial reports (pickled, small) collected and merged with the report's merge;
        findings put in input order (file, line) by Spark and streamed to the caller

The merged report is the one `guard audit` builds, so every renderer reads
it. The rejected records listed are the first 1,000 by file and line, as
locally: each partial lists its own first 1,000 in that order, so the first
1,000 of all of them are the first 1,000 of the whole.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, replace
from typing import TYPE_CHECKING

import orjson

from guard.audit.conversation import WINDOW_MESSAGES, WINDOW_SECONDS
from guard.audit.report import (
    MAX_REJECTED_LISTED,
    FindingRecord,
    Report,
    ReportBuilder,
    Settings,
)
from guard.spark.ship import LexiconBundle
from guard.spark.stages import FINDING, PART_DDL, REPORT, audit_partition

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

# Findings per partition when they are put in order for the driver (one job each).
FINDINGS_PER_PART = 200_000
# What a DataFrame without files is called in reports, unless the caller names it.
DATAFRAME_LABEL = "DataFrame"


def settings_for(role: str) -> Settings:
    if role not in ("agent", "all"):
        raise ValueError(f"role must be 'agent' or 'all', not {role!r}")
    return Settings(role, WINDOW_MESSAGES, WINDOW_SECONDS)


def audit_parts(records: DataFrame, bundle: LexiconBundle, settings: Settings,
                labels: Sequence[str]) -> DataFrame:
    """The audit stage's rows (stages.PART_DDL): a report per partition, a row per finding.

    As many partitions as the input has (its files' splits), at least one
    per core: the data decides, not spark.sql.shuffle.partitions (200 tiny
    tasks for a small log, each with its Python round trip).
    """
    shipped = records.sparkSession.sparkContext.broadcast((bundle, tuple(labels)))

    def audit(batches):  # type: ignore[no-untyped-def]
        bundle, labels = shipped.value
        return audit_partition(batches, bundle, settings, labels)

    context = records.sparkSession.sparkContext
    partitions = max(context.defaultParallelism, records.rdd.getNumPartitions())
    # by (shop, conversation): a conversation's buyer lines may not name the agent
    return (records.repartition(partitions, "shop", "conversation", "spread")
            .sortWithinPartitions("file_index", "shop", "conversation", "moment", "line")
            .mapInArrow(audit, PART_DDL))


def collect_report(parts: DataFrame | None, settings: Settings, labels: Sequence[str],
                   lexicon_dirs: Sequence[str], sink: Callable[[bytes], object]) -> Report:
    """The merged report (without findings); each finding's JSON goes to `sink`, in input order."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from guard.audit.labels import labels_for

    partials: list[Report] = []
    if parts is not None:
        parts = parts.persist(StorageLevel.MEMORY_AND_DISK)  # the audit runs once
        try:
            partials = [pickle.loads(row.payload) for row in parts.where(
                F.col("kind") == REPORT).select("payload").collect()]
            count = sum(partial.totals["findings"] for partial in partials)
            order = ("file_index", "line", "seq")
            findings = (parts.where(F.col("kind") == FINDING)
                        .repartitionByRange(max(1, -(-count // FINDINGS_PER_PART)), *order)
                        .sortWithinPartitions(*order))
            for row in findings.select("payload").toLocalIterator():
                sink(row.payload)
        finally:
            parts.unpersist()
    category_labels, rule_labels = labels_for(lexicon_dirs)
    return merge_partials(partials, settings, labels, category_labels, rule_labels).build()


def merge_partials(partials: Sequence[Report], settings: Settings, labels: Sequence[str],
                   category_labels: Mapping[str, str] | None = None,
                   rule_labels: Mapping[str, str] | None = None) -> ReportBuilder:
    """The partitions' reports as one (every file listed, rejected records in file order)."""
    builder = ReportBuilder(settings, category_labels, rule_labels)
    for label in labels:  # an empty file is listed too
        builder.files.setdefault(label, [0, 0, 0, 0])
    rejected = []
    for report in partials:
        rejected.extend(report.rejected)
        builder.add(replace(report, rejected=()))
    order = {label: index for index, label in enumerate(labels)}
    rejected.sort(key=lambda r: (order.get(r.file, len(order)), r.line))
    builder.rejected = rejected[:MAX_REJECTED_LISTED]
    return builder


# ---------------------------------------------------------------- a DataFrame


def _records_of_dataframe(df: DataFrame, role: str, columns: Mapping[str, str] | None,
                          label: str) -> tuple[DataFrame | None, list[str], list[str]]:
    """(the records, the files in report order as Spark names them, and as reports name them)."""
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F

    from guard.spark.inputs import label_of, table_columns, typed_records

    columns = dict(columns or {})
    selected = table_columns(df, {k: v for k, v in columns.items() if k not in ("file", "line")})
    files: list[str] = []
    if "line" in columns:
        file_path = F.col(f"`{columns['file']}`").cast("string") if "file" in columns \
            else F.lit(label)
        records = typed_records(df, file_path, F.lit(0).cast("long"), selected, files, role,
                                line=F.col(f"`{columns['line']}`"))
        return records, files, list(files)
    try:
        df.select("_metadata.file_path", "_metadata.file_block_start").schema  # noqa: B018
        file_path, block = F.col("_metadata.file_path"), F.col("_metadata.file_block_start")
        named = label_of
    except AnalysisException:  # not read from files: rows numbered in the DataFrame's order
        file_path, block = F.lit(label), F.spark_partition_id().cast("long")

        def named(path: str) -> str:
            return path
    records = typed_records(df, file_path, block, selected, files, role)
    return records, files, [named(path) for path in files]


def audit_dataframe(df: DataFrame, *, role: str = "agent",
                    lexicons: Sequence[str] | None = None,
                    columns: Mapping[str, str] | None = None,
                    label: str = DATAFRAME_LABEL) -> Report:
    """Audit a DataFrame of chat messages: the same `Report` as `guard audit` builds.

    `df` holds the six fields (shop, agent, conversation, time, role, text),
    named as in a log's CSV header (English or Chinese) or mapped with
    `columns` ({"text": "content", ...}); non-string columns are read as
    strings, timestamps as ISO 8601. Findings name each message's `file`
    and `line`: the row's file and its row number there when the DataFrame
    was read from files (Parquet…), else `label` and its row number in the
    DataFrame; or, mapped in `columns`, the DataFrame's own "file" and
    "line" columns. `lexicons`: merchant folders, as --lexicons. The findings
    are kept in memory: for a year of them, use `findings_dataframe`.
    """
    settings = settings_for(role)
    lexicon_dirs = tuple(lexicons or ())
    bundle = LexiconBundle.pack(lexicon_dirs)
    records, _, labels = _records_of_dataframe(df, role, columns, label)
    parts = None if records is None else audit_parts(records, bundle, settings, labels)
    found: list[FindingRecord] = []
    report = collect_report(parts, settings, labels, lexicon_dirs,
                            lambda payload: found.append(
                                FindingRecord.from_dict(orjson.loads(payload))))
    return replace(report, findings=tuple(found))


def findings_dataframe(df: DataFrame, *, role: str = "agent",
                       lexicons: Sequence[str] | None = None,
                       columns: Mapping[str, str] | None = None,
                       label: str = DATAFRAME_LABEL) -> DataFrame:
    """The findings of a DataFrame of chat messages, one row per finding (masked evidence).

    Columns as in the audit report's `findings` (file, line, shop, agent,
    conversation, time, role, rule, category, severity, start, end, text,
    reason, message, masked, lines, split), for writing back to a table.
    Lazy, like any DataFrame: nothing runs until it is written or collected.
    """
    from pyspark.sql import functions as F

    settings = settings_for(role)
    bundle = LexiconBundle.pack(tuple(lexicons or ()))
    records, _, labels = _records_of_dataframe(df, role, columns, label)
    if records is None:
        return df.sparkSession.createDataFrame([], finding_ddl())
    parts = audit_parts(records, bundle, settings, labels)
    return (parts.where(F.col("kind") == FINDING)
            .select(F.from_json(F.col("payload").cast("string"), finding_ddl()).alias("f"))
            .select("f.*"))


_SPARK_TYPES = {"str": "string", "int": "long", "bool": "boolean", "tuple[int, ...]": "array<long>"}


def finding_ddl() -> str:
    """The Spark schema of a finding's JSON form (FindingRecord.to_dict), from its fields."""
    columns = [(f.name, _SPARK_TYPES.get(str(f.type), "string")) for f in fields(FindingRecord)]
    names = {name for name, _ in columns}
    extra = [(key, "boolean" if isinstance(value, bool) else "string")
             for key, value in _example_finding().items() if key not in names]
    return ", ".join(f"`{name}` {kind}" for name, kind in (*columns, *extra))


def _example_finding() -> dict[str, object]:
    values = {f.name: (0 if str(f.type) == "int" else () if str(f.type).startswith("tuple")
                       else "") for f in fields(FindingRecord)}
    return FindingRecord(**values).to_dict()  # type: ignore[arg-type]
