"""`guard audit LOG...`: the batch audit's command line.

`register` only builds the argparse subcommand (guard/cli.py calls it on
every start, so it imports nothing heavy); `run` does the work, importing
lazily.

Exit status (for nightly jobs):
  0  nothing at or above the --fail-on level (block by default)
  1  a message at or above the --fail-on level (block, or warn with --fail-on warn)
  2  a usage error, a broken lexicon, or records rejected (bad lines in the log);
     2 wins over 1: the figures of a partly unreadable log need a look first;
     also logs that hold no record at all (empty files, only blank lines): an
     export that came out empty is not a clean day;
     also a run that could not finish (a worker lost twice, a report that
     could not be written): one line on stderr, and no report file
  129, 130, 143  stopped by SIGHUP, SIGINT (Ctrl-C) or SIGTERM: one line says how
     far it got; workers stopped, no report file written (128 + the signal)

Reports are written to a temporary file beside each target and renamed into
place together once all are complete: a report file is the whole report of
a finished run, or the one that was there before. Standard output closed by
its reader (`--json - | head`) is not an error: the run ends quietly with the
status it has.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from guard.errors import (
    EXIT_BLOCKED,
    EXIT_OK,
    EXIT_USAGE,
    STOP_SIGNALS,
    Interrupted,
    RunError,
    UsageError,
    stop_signals,
    write_stdout,
)

FAIL_ON = ("block", "warn", "never")


def register(commands: Any) -> None:
    audit = commands.add_parser(
        "audit",
        help="批量审计导出的聊天记录（JSONL / CSV，可为 .gz）",
        description=(
            "批量审计导出的客服聊天记录：哪些店铺、哪些客服、违反了哪些规则，附证据。"
            "默认只检查客服消息；买家和系统消息计为跳过。"
            "退出码：0 未达到 --fail-on 级别，1 达到（默认：有拦截），"
            "2 用法错误、词库错误或有记录被拒收。"
        ),
    )
    audit.add_argument("logs", nargs="*", metavar="LOG",
                       help="聊天记录文件：.jsonl 或 .csv（英文或中文表头），可为 .gz；"
                            "Excel 导出（.xlsx）；"
                            "聊天工作台的消息 JSON（每行一条或一个数组）；"
                            "用 --spark 时也可以是 Spark 能读的任何路径（目录、通配符、"
                            "hdfs://、s3a://，含 Parquet）")
    audit.add_argument("--column", action="append", default=[], metavar="字段=表头",
                       help="Excel 导出的列名与默认不同时指定（可重复），字段为 shop、buyer、"
                            "agent、conversation、role、type、text、time，如 --column "
                            "text=聊天内容")
    audit.add_argument("--workers", type=int, metavar="N",
                       help="工作进程数（默认：大文件用全部 CPU 核，小文件用 1 个）")
    audit.add_argument("--role", choices=("agent", "all"), default="agent",
                       help="检查哪些消息：agent 只检查客服（默认），all 也检查买家和系统消息")
    audit.add_argument("--json", metavar="FILE", help='完整报告写成 JSON（"-" 为标准输出）')
    audit.add_argument("--csv", metavar="FILE", help='每条发现一行的 CSV（"-" 为标准输出）')
    audit.add_argument("--csv-summary", metavar="FILE",
                       help="每个店铺、每个客服一行的服务指标 CSV（首响中位、平均响应、"
                            "3分钟回复占比、未回复会话及消息数），可用 Excel 打开"
                            '（"-" 为标准输出）')
    audit.add_argument("--html", metavar="FILE", help="单文件 HTML 报告（含图表，可离线打开）")
    audit.add_argument("--fail-on", choices=FAIL_ON, default="block",
                       help="达到哪个级别时退出码为 1：block（默认）、warn 或 never")
    audit.add_argument("--write-baseline", metavar="FILE",
                       help="把本次的发现写成基线文件，供复核（只存规则、命中内容的哈希和店铺）")
    audit.add_argument("--baseline", metavar="FILE",
                       help="已复核的基线：复核过的发现不算新发现，--fail-on 只看新发现")
    audit.add_argument("--lexicons", action="append", default=[], metavar="DIR",
                       help="商家自己的词库目录，叠加在内置词库之上（可重复）")
    audit.add_argument("--quiet", action="store_true", help="不在终端输出汇总")
    audit.add_argument("--spark", nargs="?", const="", metavar="MASTER",
                       help="在 Apache Spark 上审计（需要 pip install 'guard[spark]'）：MASTER 如 "
                            "local[4]、yarn、spark://host:7077；省略时用 spark-submit 给的，"
                            "否则 local[*]")
    audit.add_argument("--chunk-bytes", type=int, help=argparse.SUPPRESS)
    audit.set_defaults(func=run)


def exit_status(totals: dict[str, int] | Any, fail_on: str, new: dict[str, int] | None = None
                ) -> int:
    """The exit status for these totals (see the module docstring).

    `new`: with --baseline, the new findings by severity: only they count for --fail-on.
    """
    if totals["rejected"] or not totals["records"]:
        return EXIT_USAGE
    if new is not None:
        totals = {"block": new.get("block", 0), "warn": new.get("warn", 0)}
    if fail_on == "block" and totals["block"]:
        return EXIT_BLOCKED
    if fail_on == "warn" and (totals["block"] or totals["warn"]):
        return EXIT_BLOCKED
    return EXIT_OK


def _check_outputs(args: argparse.Namespace) -> None:
    from pathlib import Path

    to_stdout = [flag for flag in ("json", "csv", "csv_summary", "html")
                 if getattr(args, flag, None) == "-"]
    if len(to_stdout) > 1:
        raise UsageError("--json、--csv、--csv-summary、--html 中只能有一个写到标准输出（-）")
    if args.baseline:
        from guard.audit.baseline import load_baseline

        load_baseline(args.baseline)  # a broken one fails now, not after the audit
    for flag in ("json", "csv", "csv_summary", "html", "write_baseline"):
        name = getattr(args, flag, None)
        if name and name != "-":
            if Path(name).is_dir():
                raise UsageError(f"--{flag.replace('_', '-')} {name}: 是目录，不是文件")
            parent = Path(name).parent
            if not parent.is_dir():
                raise UsageError(f"--{flag.replace('_', '-')} {name}：没有目录 {parent}")


@dataclass
class _Done:
    """How far the run got: what an interrupted run says."""

    total_bytes: int
    records: int = 0
    bytes: int = 0  # of the logs on disk, audited
    audited: bool = False  # every record
    written: bool = False  # the reports, in place

    def interrupted(self, exc: Interrupted) -> str:
        said = f"已中断（收到 {exc.name}）："
        if self.written:
            return said + f"审计已完成（{self.records:,} 条记录），报告已写出"
        if self.audited:
            return said + f"已审计全部 {self.records:,} 条记录，报告没有写完，没有写出报告文件"
        if not self.bytes:
            return said + "还没有审计完任何一段记录，没有写出报告文件"
        estimate = round(self.records * self.total_bytes / self.bytes)
        return said + (f"已审计 {self.records:,} / 约 {estimate:,} 条记录"
                       f"（日志的 {self.bytes / max(self.total_bytes, 1):.0%}），没有写出报告文件")


def run(args: argparse.Namespace) -> int:
    """Audit the logs, render the report, return the exit status."""
    from guard.audit.labels import labels_for
    from guard.audit.readers import open_sources

    if args.spark is not None:
        from guard.spark.command import run_spark

        return run_spark(args)
    if not args.logs:
        raise UsageError("audit: 请给出至少一个聊天记录文件（LOG）")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers 至少为 1")
    _check_outputs(args)
    for directory in args.lexicons:
        from pathlib import Path

        if not Path(directory).is_dir():
            raise UsageError(f"--lexicons {directory}：没有这个目录")
    from guard.audit.exports import parse_columns

    sources = open_sources(args.logs, _warn, tuple(parse_columns(args.column).items()))
    labels = labels_for(args.lexicons)  # a broken lexicon fails here
    done = _Done(sum(source.size for source in sources))
    with stop_signals():
        try:
            return _audit(args, sources, labels, done)
        except Interrupted as exc:
            sys.stderr.write(f"guard: {done.interrupted(exc)}\n")
            return exc.status


def _warn(line: str) -> None:
    sys.stderr.write(f"guard: {line}\n")


def _audit(args: argparse.Namespace, sources: list[Any],
           labels: tuple[dict[str, str], dict[str, str]], done: _Done) -> int:
    import contextlib

    from guard.audit.conversation import WINDOW_MESSAGES, WINDOW_SECONDS
    from guard.audit.judge import AuditConfig
    from guard.audit.pool import available_cores
    from guard.audit.readers import CHUNK_BYTES
    from guard.audit.report import ReportBuilder, Settings
    from guard.audit.run import all_chunks, audit_chunks
    from guard.audit.spool import FindingSpool

    chunk_bytes = args.chunk_bytes or CHUNK_BYTES
    workers = args.workers
    if workers is None:  # small logs: starting processes would cost more than it saves
        workers = min(available_cores(), 8) if done.total_bytes > 2 * chunk_bytes else 1
    config = AuditConfig(tuple(args.lexicons),
                         Settings(args.role, WINDOW_MESSAGES, WINDOW_SECONDS))
    builder = ReportBuilder(config.settings, *labels, keep_findings=False)
    for source in sources:  # an empty file is listed too
        builder.files.setdefault(source.label, [0, 0, 0, 0])
    files = [s.label for s in sources]
    with FindingSpool() as spool:
        with _progress(done.total_bytes) as advance, contextlib.closing(audit_chunks(
                all_chunks(sources, chunk_bytes, workers), config, workers,
                warn=_warn)) as results:
            base, current = 0, sources[0]
            for chunk, report, encoded in results:
                if encoded is None:
                    spool.write(report.findings)
                else:  # a worker process encoded them
                    spool.write_encoded(encoded, encoded.count(b"\n"))
                builder.add(report)
                if chunk.source is not current:  # files are read in order
                    base += sum(s.size for s in sources[sources.index(current):
                                                        sources.index(chunk.source)])
                    current = chunk.source
                done.records, done.bytes = builder.totals["records"], base + chunk.disk_end
                advance(done.bytes, done.records)
        done.audited = True
        return finish(args, builder.build(), spool, files, done)


def finish(args: argparse.Namespace, report: Any, spool: Any, files: list[str],
           done: _Done | None = None) -> int:
    """Write the reports asked for and show the summary; the exit status (any way of running)."""
    review = None
    if getattr(args, "baseline", None) or getattr(args, "write_baseline", None) or args.html:
        from guard.audit.baseline import Review, load_baseline

        review = Review.of(spool.read(), load_baseline(args.baseline) if args.baseline
                           else None)
    status = exit_status(report.totals, args.fail_on,
                         review.new if review is not None and review.baseline else None)
    for name in files:  # an empty export is said, not summed silently into the figures
        if not report.files.get(name, (0,))[0]:
            _warn(f"{name}：没有读到任何记录（文件是空的，或只有空行）")
    if not report.totals["records"]:
        _warn("没有读到任何记录，没有可审计的内容（退出码 2）")
    outputs = [(flag, getattr(args, flag.replace("-", "_"), None) or "")
               for flag in ("json", "csv", "csv-summary", "html", "write-baseline")]
    outputs = [(flag, path) for flag, path in outputs if path]
    if outputs and not args.quiet and sys.stderr.isatty():  # no silent seconds after the bar
        sys.stderr.write("guard: 正在写出报告：" + "、".join(path for _, path in outputs)
                         + " ……\n")
        sys.stderr.flush()
    if not _write_outputs(args, report, spool, files, review):
        return status  # standard output closed by its reader: nothing more to show
    if done is not None:
        done.written = True
    if not args.quiet:
        from rich.console import Console

        from guard.audit.render_terminal import render_report

        if "-" in (args.json, args.csv, getattr(args, "csv_summary", None), args.html):
            render_report(report, Console(file=sys.stderr, highlight=False), files, review,
                          outputs)
        else:
            write_stdout(lambda: (render_report(report, Console(file=sys.stdout,
                                                                highlight=False), files,
                                                  review, outputs),
                                  sys.stdout.flush()))
    return status


def _writers(args: argparse.Namespace, report: Any, spool: Any, files: list[str],
             review: Any = None) -> list[tuple[str, str, bool, Callable[[IO[Any]], object]]]:
    """(flag, target, binary, write(stream)) of each report asked for."""
    writers: list[tuple[str, str, bool, Callable[[IO[Any]], object]]] = []
    if args.json:
        from guard.audit.render_json import write_json

        writers.append(("json", args.json, True,
                        lambda out: write_json(report, spool.read(), out, review)))
    if args.csv:
        from guard.audit.render_csv import write_csv

        writers.append(("csv", args.csv, False, lambda out: write_csv(
            spool.read(), out, report.category_labels, report.rule_labels)))
    if getattr(args, "csv_summary", None):
        from guard.audit.render_csv import write_csv_summary

        writers.append(("csv-summary", args.csv_summary, False,
                        lambda out: write_csv_summary(report, out)))
    if args.html:
        from guard.audit.render_html import write_html

        writers.append(("html", args.html, False,
                        lambda out: write_html(report, spool.read(), out, files, review=review)))
    if getattr(args, "write_baseline", None) and review is not None:
        writers.append(("write-baseline", args.write_baseline, True, review.write))
    return writers


def _write_outputs(args: argparse.Namespace, report: Any, spool: Any, files: list[str],
                   review: Any = None) -> bool:
    """Every report asked for, whole or not at all; False if standard output was closed.

    Files are written to temporary names beside their targets, then renamed
    into place together (stop signals held off meanwhile: a few renames), so
    an interrupted or failed run leaves every target as it was.
    """
    from guard.cache import AtomicFile, os_reason

    pending: list[AtomicFile] = []
    open_stdout = True
    try:
        for flag, name, binary, write in _writers(args, report, spool, files, review):
            if name == "-":
                continue
            try:
                csv = flag in ("csv", "csv-summary")
                out = AtomicFile(name, text=not binary, newline="" if csv else None,
                                 encoding="utf-8-sig" if csv else "utf-8")
                pending.append(out)
                write(out.file)
                out.close()
            except OSError as exc:
                raise RunError(f"--{flag} {name}: 写入失败：{os_reason(exc)}；"
                               "没有写出报告文件") from None
        for _, name, binary, write in _writers(args, report, spool, files, review):
            if name == "-":
                stream: IO[Any] = sys.stdout.buffer if binary else sys.stdout
                open_stdout = write_stdout(
                    lambda write=write, stream=stream: (write(stream), stream.flush()))
        held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            for out in pending:
                out.commit()
        except OSError as exc:
            raise RunError(f"{out.path}: 无法写入：{os_reason(exc)}") from None
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
    finally:
        for out in pending:
            out.discard()  # nothing left of a report not put in place
    return open_stdout


class _progress:
    """A progress bar on stderr (rate and ETA) while the audit runs — only on a terminal."""

    def __init__(self, total: int):
        self.total = total
        self.bar: Any = None

    def __enter__(self) -> Any:
        if not sys.stderr.isatty():
            return lambda done, records: None
        import time

        started = time.monotonic()
        task = None

        def advance(done: int, records: int) -> None:
            # drawn as each chunk is done, by this thread: no refresh thread may
            # exist when a worker process is forked (at the start, or to replace one)
            nonlocal task
            if self.bar is None:
                from rich.console import Console
                from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

                self.bar = Progress(
                    TextColumn("[bold]审计中"), BarColumn(), TaskProgressColumn(),
                    TextColumn("{task.fields[records]:,} 条"),
                    TextColumn("{task.fields[rate]:,.0f} 条/秒"),
                    TextColumn("剩余 {task.fields[eta]}"),
                    console=Console(stderr=True), transient=True, auto_refresh=False,
                )
                self.bar.start()
                task = self.bar.add_task("audit", total=max(self.total, 1), records=0, rate=0,
                                         eta="—")
            elapsed = max(time.monotonic() - started, 1e-6)
            left = elapsed * (self.total - done) / done if done else 0
            eta = f"{int(left) // 60}:{int(left) % 60:02d}" if done else "—"
            self.bar.update(task, completed=min(done, self.total), records=records,
                            rate=records / elapsed, eta=eta)
            self.bar.refresh()

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
