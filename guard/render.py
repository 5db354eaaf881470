"""Terminal rendering of a `Verdict` (rich). Reads the verdict; decides nothing.

A person reads it: each finding shows its category and its rule by their Chinese
labels and the matched text in its context, highlighted; ids and offsets are in
the JSON form (`guard check --json`). Control and format characters in the
message are shown escaped (guard/termtext.py), so nothing hidden moves the text.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from guard.termtext import escape_controls, escaped_text
from guard.verdict import Finding, Verdict

VERDICT_STYLE = {"pass": "bold green", "warn": "bold yellow", "block": "bold white on red"}
VERDICT_LABEL = {"pass": "通过 PASS", "warn": "提醒 WARN", "block": "拦截 BLOCK"}
SPAN_STYLE = {"warn": "black on yellow", "block": "bold white on red"}
CONTEXT_CHARS = 6  # characters of the message shown either side of a finding


def highlighted(verdict: Verdict) -> Text:
    """The original message with every finding's span highlighted (line breaks kept)."""
    spans = [(f.start, f.end, SPAN_STYLE[f.severity]) for f in verdict.findings]
    return escaped_text(verdict.text, spans, keep="\n")


def in_context(text: str, finding: Finding) -> Text:
    """The finding's span highlighted among the characters around it (… where cut)."""
    start = max(0, finding.start - CONTEXT_CHARS)
    end = min(len(text), finding.end + CONTEXT_CHARS)
    shown = escaped_text(text[start:end],
                         [(finding.start - start, finding.end - start,
                           SPAN_STYLE[finding.severity])])
    return Text.assemble("…" if start else "", shown, "…" if end < len(text) else "")


def rule_label(rule: str, rule_labels: Mapping[str, str] | None) -> str:
    if rule_labels is None:
        from guard.audit.labels import RECOGNIZER_LABELS

        rule_labels = RECOGNIZER_LABELS
    return rule_labels.get(rule, rule)


def findings_table(verdict: Verdict, category_labels: Mapping[str, str],
                   rule_labels: Mapping[str, str] | None = None) -> Table:
    table = Table(show_header=True, header_style="bold", expand=False, show_lines=False)
    for column in ("级别", "类别", "规则", "命中内容（上下文）", "原因"):
        table.add_column(column, overflow="fold")
    for finding in verdict.findings:
        table.add_row(
            Text("拦截" if finding.severity == "block" else "提醒",
                 style=SPAN_STYLE[finding.severity]),
            category_labels.get(finding.category, finding.category),
            rule_label(finding.rule, rule_labels),
            in_context(verdict.text, finding),
            escape_controls(finding.reason),
        )
    return table


def render_verdict(verdict: Verdict, category_labels: Mapping[str, str],
                   console: Console, rule_labels: Mapping[str, str] | None = None) -> None:
    """One message's verdict: spans, reasons, masked message, warning."""
    parts: list = [Text("消息：", style="bold") + highlighted(verdict)]
    if verdict.findings:
        parts.append(findings_table(verdict, category_labels, rule_labels))
        parts.append(Text("脱敏后：", style="bold") + escaped_text(verdict.masked, keep="\n"))
    if verdict.warning:
        style = "red" if verdict.verdict == "block" else "yellow"
        parts.append(Text(verdict.warning, style=style))
    if verdict.suggestion is not None:
        parts.append(Text("建议改为：", style="bold")
                     + escaped_text(verdict.suggestion, keep="\n", style="green"))
    console.print(Panel(
        Group(*parts),
        title=Text(VERDICT_LABEL[verdict.verdict], style=VERDICT_STYLE[verdict.verdict]),
        title_align="left",
        border_style=VERDICT_STYLE[verdict.verdict].split()[-1],
    ))
