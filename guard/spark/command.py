"""`guard audit --spark [MASTER] LOG...`: the batch audit on Apache Spark.

The same command, report and exit status as `guard audit` (guard/audit/
command.py writes and shows the report), with the records read, judged and
counted by Spark's executors. LOG is any path Spark reads: a file, a folder
(every file inside), a glob, on the local disk, HDFS, S3 or OSS; JSON Lines
and CSV (compressed or not) by line, Parquet and ORC by column.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guard.errors import Interrupted, RunError, UsageError, stop_signals

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from guard.spark.inputs import LogFile

# What --spark's optional value looks like when it is a master, not the first LOG.
MASTER = re.compile(r"local(\[(\d+|\*)(,\s*\d+)?\])?|local-cluster\[.*\]|yarn|"
                    r"(spark|k8s|mesos)://\S+")


def master_and_logs(value: str, logs: Sequence[str]) -> tuple[str | None, list[str]]:
    """(--spark's master, or None for the default; the LOG arguments).

    `--spark LOG...` without a master takes the first LOG as --spark's
    value: it is given back to the logs unless it names a master.
    """
    if not value:
        return None, list(logs)
    if MASTER.fullmatch(value):
        return value, list(logs)
    return None, [value, *logs]


def _first_line(exc: BaseException) -> str:
    """What failed, in one line: the error's first line, and for a Java one its root cause."""
    java = getattr(exc, "java_exception", None)
    text = str(java.toString()) if java is not None else str(exc)
    line = next((part.strip() for part in text.splitlines() if part.strip()),
                type(exc).__name__)
    cause = java
    while cause is not None and cause.getCause() is not None:
        cause = cause.getCause()
    if cause is not None and cause is not java:
        line += f"（{cause.toString()}）"
    return line


@contextmanager
def spark_session(master: str | None) -> Iterator[SparkSession]:
    """The running SparkSession (spark-submit's, a notebook's, a test's), or a new one.

    A new session: `master`, else the one spark-submit gives, else local[*];
    a local one runs its Python workers with this interpreter.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError("--spark 需要 pyspark：pip install 'guard[spark]'") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    builder = SparkSession.builder.appName("guard audit")
    under_submit = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit started this driver
    if master is not None or not under_submit:
        master = master or "local[*]"
        builder = builder.master(master)
        if master.startswith("local") and "PYSPARK_PYTHON" not in os.environ:
            os.environ["PYSPARK_PYTHON"] = sys.executable
    log_config = Path(__file__).with_name("log4j2.properties").as_uri()
    builder = (builder.config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={log_config}")
               .config("spark.log.level", "OFF"))
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # no Java, a master that cannot be reached
        raise RunError(f"Spark 启动失败：{_first_line(exc)}"
                       "（需要 Java 17 或更新版本，并检查 MASTER）") from None
    try:
        yield spark
    finally:
        spark.stop()


def log_records(spark: SparkSession, files: Sequence[LogFile], role: str) -> DataFrame | None:
    """The records of every file (text logs by line, Parquet and ORC by column), or None."""
    from pyspark.sql import functions as F

    from guard.spark.inputs import table_columns, text_records, typed_records

    uris = [f.uri for f in files]
    index_of = {uri: index for index, uri in enumerate(uris)}
    parts: list[DataFrame] = []
    text = [f for f in files if f.kind == "text"]
    if text:
        records = text_records(spark, text, index_of, role)
        if records is not None:
            parts.append(records)
    for kind in ("parquet", "orc"):
        tables = [f for f in files if f.kind == kind]
        if not tables:
            continue
        df = getattr(spark.read, kind)(*[f.uri for f in tables])
        try:
            columns = table_columns(df)
        except UsageError as exc:
            raise UsageError(f"{tables[0].label}: {exc}") from None
        records = typed_records(df, F.col("_metadata.file_path"),
                                F.col("_metadata.file_block_start"), columns, uris, role)
        if records is not None:
            parts.append(records)
    if not parts:
        return None
    combined = parts[0]
    for other in parts[1:]:
        combined = combined.unionByName(other)
    return combined


def run_spark(args: argparse.Namespace) -> int:
    """`guard audit --spark`: audit on Spark, then write and show the report as locally."""
    from guard.audit.command import _check_outputs
    from guard.audit.labels import labels_for
    from guard.spark.audit import settings_for
    from guard.spark.ship import LexiconBundle

    master, logs = master_and_logs(args.spark, args.logs)
    if not logs:
        raise UsageError("audit: 请给出至少一个聊天记录文件或路径（LOG）")
    if args.workers is not None:
        raise UsageError("--workers 不能与 --spark 同时使用（并行度由 Spark 决定）")
    _check_outputs(args)
    for directory in args.lexicons:
        if not Path(directory).is_dir():
            raise UsageError(f"--lexicons {directory}：没有这个目录")
    labels_for(args.lexicons)  # a broken lexicon fails here, before Spark starts
    settings = settings_for(args.role)
    bundle = LexiconBundle.pack(args.lexicons)
    with stop_signals():
        try:
            return _audit(args, master, logs, bundle, settings)
        except Interrupted as exc:
            sys.stderr.write(f"guard: 已中断（收到 {exc.name}）："
                             "Spark 作业已取消，没有写出报告文件\n")
            return exc.status


def _audit(args: argparse.Namespace, master: str | None, logs: list[str], bundle: Any,
           settings: Any) -> int:
    from guard.audit.command import finish
    from guard.audit.spool import FindingSpool
    from guard.spark.audit import audit_parts, collect_report
    from guard.spark.inputs import list_logs

    with spark_session(master) as spark, FindingSpool() as spool:
        try:
            files = list_logs(spark, logs, lambda text: print(f"guard: {text}", file=sys.stderr))
            labels = [f.label for f in files]
            records = log_records(spark, files, args.role)
            parts = None if records is None else audit_parts(records, bundle, settings, labels)
            report = collect_report(parts, settings, labels, args.lexicons,
                                    lambda payload: spool.write_encoded(payload + b"\n", 1))
        except (UsageError, RunError):
            raise
        except Interrupted:
            spark.sparkContext.cancelAllJobs()  # a session not ours goes on; our jobs stop
            raise
        except Exception as exc:
            if type(exc).__module__.startswith(("pyspark", "py4j")):
                raise RunError(f"Spark 作业失败：{_first_line(exc)}") from None
            raise
        return finish(args, report, spool, labels)
