"""`guard audit LOG...`: the batch audit's command line.

`register` only builds the argparse subcommand (guard/cli.py calls it on
every start, so it imports nothing heavy); `run` does the work, importing
lazily.

Exit status (for nightly jobs):
  0  nothing at or above the --fail-on level (block by default)
  1  a message at or above the --fail-on level (block, or warn with --fail-on warn)
  2  a usage error, a broken lexicon, or records rejected (bad lines in the log);
     2 wins over 1: the figures of a partly unreadable log need a look first.
"""

from __future__ import annotations

import argparse
import sys
from typing import IO, Any

from guard.errors import EXIT_BLOCKED, EXIT_OK, EXIT_USAGE, UsageError

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
    audit.add_argument("logs", nargs="+", metavar="LOG",
                       help="聊天记录文件：.jsonl 或 .csv（英文或中文表头），可为 .gz")
    audit.add_argument("--workers", type=int, metavar="N",
                       help="工作进程数（默认：大文件用全部 CPU 核，小文件用 1 个）")
    audit.add_argument("--role", choices=("agent", "all"), default="agent",
                       help="检查哪些消息：agent 只检查客服（默认），all 也检查买家和系统消息")
    audit.add_argument("--json", metavar="FILE", help='完整报告写成 JSON（"-" 为标准输出）')
    audit.add_argument("--csv", metavar="FILE", help='每条发现一行的 CSV（"-" 为标准输出）')
    audit.add_argument("--html", metavar="FILE", help="单文件 HTML 报告（含图表，可离线打开）")
    audit.add_argument("--fail-on", choices=FAIL_ON, default="block",
                       help="达到哪个级别时退出码为 1：block（默认）、warn 或 never")
    audit.add_argument("--lexicons", action="append", default=[], metavar="DIR",
                       help="商家自己的词库目录，叠加在内置词库之上（可重复）")
    audit.add_argument("--quiet", action="store_true", help="不在终端输出汇总")
    audit.add_argument("--chunk-bytes", type=int, help=argparse.SUPPRESS)
    audit.set_defaults(func=run)


def exit_status(totals: dict[str, int] | Any, fail_on: str) -> int:
    """The exit status for these totals (see the module docstring)."""
    if totals["rejected"]:
        return EXIT_USAGE
    if fail_on == "block" and totals["block"]:
        return EXIT_BLOCKED
    if fail_on == "warn" and (totals["block"] or totals["warn"]):
        return EXIT_BLOCKED
    return EXIT_OK


def _output(name: str | None, binary: bool, newline: str | None = None) -> IO[Any] | None:
    if name is None:
        return None
    if name == "-":
        return sys.stdout.buffer if binary else sys.stdout
    try:
        if binary:
            return open(name, "wb")
        encoding = "utf-8-sig" if newline == "" else "utf-8"
        return open(name, "w", encoding=encoding, newline=newline)
    except OSError as exc:
        raise UsageError(f"{name}: {exc.strerror}") from None


def _check_outputs(args: argparse.Namespace) -> None:
    from pathlib import Path

    to_stdout = [flag for flag in ("json", "csv") if getattr(args, flag) == "-"]
    if args.html == "-":
        to_stdout.append("html")
    if len(to_stdout) > 1:
        raise UsageError("only one of --json/--csv/--html can go to standard output (-)")
    for flag in ("json", "csv", "html"):
        name = getattr(args, flag)
        if name and name != "-":
            parent = Path(name).parent
            if not parent.is_dir():
                raise UsageError(f"--{flag} {name}: no such folder {parent}")


def run(args: argparse.Namespace) -> int:
    """Audit the logs, render the report, return the exit status."""
    from guard.audit.conversation import WINDOW_MESSAGES, WINDOW_SECONDS
    from guard.audit.judge import AuditConfig
    from guard.audit.labels import labels_for
    from guard.audit.pool import available_cores
    from guard.audit.readers import CHUNK_BYTES, open_source
    from guard.audit.report import ReportBuilder, Settings
    from guard.audit.run import all_chunks, audit_chunks
    from guard.audit.spool import FindingSpool

    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    _check_outputs(args)
    for directory in args.lexicons:
        from pathlib import Path

        if not Path(directory).is_dir():
            raise UsageError(f"--lexicons {directory}: no such folder")
    sources = [open_source(name) for name in args.logs]
    category_labels, rule_labels = labels_for(args.lexicons)  # a broken lexicon fails here
    chunk_bytes = args.chunk_bytes or CHUNK_BYTES
    total_bytes = sum(source.size for source in sources)
    workers = args.workers
    if workers is None:  # small logs: starting processes would cost more than it saves
        workers = min(available_cores(), 8) if total_bytes > 2 * chunk_bytes else 1
    config = AuditConfig(tuple(args.lexicons),
                         Settings(args.role, WINDOW_MESSAGES, WINDOW_SECONDS))
    builder = ReportBuilder(config.settings, category_labels, rule_labels, keep_findings=False)
    for source in sources:  # an empty file is listed too
        builder.files.setdefault(source.label, [0, 0, 0, 0])
    stdout_taken = "-" in (args.json, args.csv, args.html)
    with FindingSpool() as spool:
        with _progress(total_bytes) as advance:
            base, current = 0, sources[0]
            for chunk, report, encoded in audit_chunks(
                    all_chunks(sources, chunk_bytes, workers), config, workers):
                if encoded is None:
                    spool.write(report.findings)
                else:  # a worker process encoded them
                    spool.write_encoded(encoded, encoded.count(b"\n"))
                builder.add(report)
                if chunk.source is not current:  # files are read in order
                    base += sum(s.size for s in sources[sources.index(current):
                                                        sources.index(chunk.source)])
                    current = chunk.source
                advance(base + chunk.disk_end, builder.totals["records"])
        report = builder.build()
        _write_outputs(args, report, spool, [s.label for s in sources])
        if not args.quiet:
            from rich.console import Console

            from guard.audit.render_terminal import render_report

            console = Console(file=sys.stderr if stdout_taken else sys.stdout, highlight=False)
            render_report(report, console, [s.label for s in sources])
    return exit_status(report.totals, args.fail_on)


def _write_outputs(args: argparse.Namespace, report: Any, spool: Any, files: list[str]) -> None:
    if args.json:
        from guard.audit.render_json import write_json

        out = _output(args.json, binary=True)
        assert out is not None
        try:
            write_json(report, spool.read(), out)
        finally:
            out.flush() if args.json == "-" else out.close()
    if args.csv:
        from guard.audit.render_csv import write_csv

        out = _output(args.csv, binary=False, newline="")
        assert out is not None
        try:
            write_csv(spool.read(), out, report.category_labels, report.rule_labels)
        finally:
            out.flush() if args.csv == "-" else out.close()
    if args.html:
        from guard.audit.render_html import write_html

        out = _output(args.html, binary=False)
        assert out is not None
        try:
            write_html(report, spool.read(), out, files)
        finally:
            out.flush() if args.html == "-" else out.close()


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
            # started on the first chunk done: the bar's refresh thread must not
            # exist when the worker processes are forked
            nonlocal task
            if self.bar is None:
                from rich.console import Console
                from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

                self.bar = Progress(
                    TextColumn("[bold]审计中"), BarColumn(), TaskProgressColumn(),
                    TextColumn("{task.fields[records]:,} 条"),
                    TextColumn("{task.fields[rate]:,.0f} 条/秒"),
                    TextColumn("剩余 {task.fields[eta]}"),
                    console=Console(stderr=True), transient=True,
                )
                self.bar.start()
                task = self.bar.add_task("audit", total=max(self.total, 1), records=0, rate=0,
                                         eta="—")
            elapsed = max(time.monotonic() - started, 1e-6)
            left = elapsed * (self.total - done) / done if done else 0
            eta = f"{int(left) // 60}:{int(left) % 60:02d}" if done else "—"
            self.bar.update(task, completed=min(done, self.total), records=records,
                            rate=records / elapsed, eta=eta)

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
