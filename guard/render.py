"""Terminal rendering of a `Verdict` (rich). Reads the verdict; decides nothing."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from guard.verdict import Verdict

VERDICT_STYLE = {"pass": "bold green", "warn": "bold yellow", "block": "bold white on red"}
VERDICT_LABEL = {"pass": "通过 PASS", "warn": "提醒 WARN", "block": "拦截 BLOCK"}
SPAN_STYLE = {"warn": "black on yellow", "block": "bold white on red"}


def highlighted(verdict: Verdict) -> Text:
    """The original message with every finding's span highlighted."""
    text = Text(verdict.text)
    for finding in verdict.findings:
        text.stylize(SPAN_STYLE[finding.severity], finding.start, finding.end)
    return text


def findings_table(verdict: Verdict, category_labels: dict[str, str]) -> Table:
    table = Table(show_header=True, header_style="bold", expand=False, show_lines=False)
    for column in ("级别", "类别", "规则", "命中内容", "位置", "原因"):
        table.add_column(column, overflow="fold")
    for finding in verdict.findings:
        table.add_row(
            Text("拦截" if finding.severity == "block" else "提醒",
                 style=SPAN_STYLE[finding.severity]),
            category_labels.get(finding.category, finding.category),
            finding.rule,
            repr(finding.text)[1:-1],
            f"{finding.start}–{finding.end}",
            finding.reason,
        )
    return table


def render_verdict(verdict: Verdict, category_labels: dict[str, str],
                   console: Console) -> None:
    """One message's verdict: spans, reasons, masked message, warning."""
    parts: list = [Text("消息：", style="bold") + highlighted(verdict)]
    if verdict.findings:
        parts.append(findings_table(verdict, category_labels))
        parts.append(Text("脱敏后：", style="bold") + Text(verdict.masked))
    if verdict.warning:
        style = "red" if verdict.verdict == "block" else "yellow"
        parts.append(Text(verdict.warning, style=style))
    if verdict.suggestion is not None:
        parts.append(Text("建议改为：", style="bold") + Text(verdict.suggestion, style="green"))
    console.print(Panel(
        Group(*parts),
        title=Text(VERDICT_LABEL[verdict.verdict], style=VERDICT_STYLE[verdict.verdict]),
        title_align="left",
        border_style=VERDICT_STYLE[verdict.verdict].split()[-1],
    ))
