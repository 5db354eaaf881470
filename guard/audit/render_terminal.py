"""The audit report in the terminal (rich): what a manager reads first.

Reads a `Report`; decides nothing. Labels are Simplified Chinese.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from guard.audit.labels import ROLE_LABELS, SEVERITY_LABELS
from guard.audit.metrics import Responses, shop_totals
from guard.audit.report import TALLY, Report, WorstMessage
from guard.termtext import escape_controls as shown
from guard.termtext import escaped_text

SPAN_STYLE = {"warn": "black on yellow", "block": "bold white on red"}
TOP_AGENTS = 15
TOP_RULES = 10
TOP_TERMS = 10
TOP_WORST = 10
TOP_REJECTED = 10


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


# The response-time columns (metrics.py): short headings, a terminal is narrow.
METRIC_HEADINGS = ("首响中位", "平均响应", "3分钟回复", "未回复会话")


def duration(seconds: float | None) -> str:
    """Seconds as a manager reads them: 45秒, 3分20秒, 1小时5分; — for nothing measured."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole < 60:
        return f"{seconds:g}秒" if seconds != whole else f"{whole}秒"
    if whole < 3600:
        return f"{whole // 60}分{whole % 60:02d}秒"
    return f"{whole // 3600}小时{whole % 3600 // 60:02d}分"


def metric_cells(responses: Responses | None) -> list[str]:
    """The four figures of an agent or a shop as text."""
    figures = (responses or Responses()).figures()
    share = figures["answered_3min_share"]
    unanswered = figures["unanswered_conversations"]
    return [duration(figures["first_response_median_s"]), duration(figures["response_mean_s"]),
            "—" if share is None else f"{100 * share:.1f}%",
            "—" if unanswered is None else f"{unanswered:,}"]


def agent_label(agent: str, role: str) -> str:
    """An agent's row; buyers' and system lines (with --role all) under the agent's name."""
    if role == "agent":
        return agent or "（未填）"
    return f"{agent or '（未填）'}（{ROLE_LABELS.get(role, role)}消息）"


def term_label(report: Report, rule: str, term: str) -> str:
    return shown(term) if term else f"〈{report.rule_labels.get(rule, rule)}〉"


def grouped_terms(report: Report) -> list[tuple[str, str, int, list[tuple[str, int]]]]:
    """(rule, term, count, [(spelling, count)]): a term's spellings as one row, most first.

    Spellings are one term when they read alike once normalized (NFKC, case,
    spaces and noise: ＶＸ, v x, 𝐯𝐱 and vx); the row shows the commonest.
    """
    from guard.audit.baseline import normalized

    groups: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for (rule, _, term), count in report.terms.items():
        groups.setdefault((rule, normalized(term)), []).append((term, count))
    rows = []
    for (rule, _), spellings in groups.items():
        spellings.sort(key=lambda sc: (-sc[1], sc[0]))
        rows.append((rule, spellings[0][0], sum(c for _, c in spellings), spellings))
    rows.sort(key=lambda r: (-r[2], r[0], r[1]))
    return rows


def parts_text(worst: WorstMessage) -> Text:
    """The message, each joined message on its own line with its line number."""
    pieces = worst.message.split("\n")
    text = Text()
    position = 0
    lines = worst.lines if len(worst.lines) == len(pieces) else (worst.line,) * len(pieces)
    for index, piece in enumerate(pieces):
        if index:
            text.append("\n")
        if len(pieces) > 1:
            text.append(f"第{lines[index]}行 ", style="dim")
        spans = []
        for start, end, severity in worst.spans:
            lo, hi = max(start, position), min(end, position + len(piece))
            if lo < hi:
                spans.append((lo - position, hi - position, SPAN_STYLE.get(severity, "bold")))
        text.append_text(escaped_text(piece, spans))  # control characters shown escaped
        position += len(piece) + 1
    return text


def _summary(report: Report, files: Sequence[str]) -> Panel:
    t = report.totals
    lines = [
        Text.assemble(("记录 ", "bold"), f"{t['records']:,}", "　已检查 ", f"{t['scanned']:,}",
                      "　跳过 ", f"{t['skipped']:,}",
                      ("（买家和系统消息）" if report.settings.role == "agent" else ""),
                      "　拒收 ", (f"{t['rejected']:,}", "bold red" if t["rejected"] else "")),
        Text.assemble(("结论 ", "bold"), ("通过 ", "green"), f"{t['pass']:,}",
                      ("　提醒 ", "yellow"), f"{t['warn']:,}", ("　拦截 ", "red"),
                      f"{t['block']:,}", "　违规率 ",
                      percent(t["warn"] + t["block"], t["scanned"]),
                      "　发现 ", f"{t['findings']:,}",
                      f"（其中跨消息拆分 {t['split_findings']:,}）" if t["split_findings"] else ""),
    ]
    if files:
        lines.insert(0, Text("文件：" + "、".join(shown(f) for f in files), style="dim"))
    return Panel(Group(*lines), title="guard 审计汇总", title_align="left",
                 border_style="red" if t["block"] else ("yellow" if t["warn"] else "green"))


def _tally_table(title: str, first: Sequence[str]) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", header_style="bold")
    for name in first:
        table.add_column(name)
    for name in ("消息", "拦截", "提醒", "违规率", *METRIC_HEADINGS):
        table.add_column(name, justify="right")
    return table


def _tally_cells(tally: dict[str, int]) -> list[Text | str]:
    return [f"{tally['messages']:,}",
            Text(f"{tally['block']:,}", style="red" if tally["block"] else ""),
            Text(f"{tally['warn']:,}", style="yellow" if tally["warn"] else ""),
            percent(tally["warn"] + tally["block"], tally["messages"])]


def render_report(report: Report, console: Console, files: Sequence[str] = (),
                  review: Any = None) -> None:
    """Totals, shops, agents, top rules and terms, the worst messages, rejected records.

    `review` (baseline.Review): with --baseline, how many findings are new.
    """
    console.print(_summary(report, files))
    if review is not None and review.baseline is not None:
        new, done = review.new, review.reviewed
        console.print(Text.assemble(
            ("基线 ", "bold"), "新发现 ", (f"{new['block'] + new['warn']:,}", "bold"),
            f"（拦截 {new['block']:,}，提醒 {new['warn']:,}）　已复核 ",
            f"{done['violation'] + done['not_violation']:,}",
            f"（违规 {done['violation']:,}，不违规 {done['not_violation']:,}）"
            "　--fail-on 只看新发现"))
    shops = sorted(report.shops().items(),
                   key=lambda kv: (-kv[1]["block"], -kv[1]["warn"], kv[0]))
    if shops:
        table = _tally_table("各店铺", ("店铺", "客服数"))
        timed = shop_totals(report.responses)
        for shop, tally in shops:
            table.add_row(shown(shop), str(tally["agents"]), *_tally_cells(tally),
                          *metric_cells(timed.get(shop)))
        console.print(table)
    agents = sorted(report.agents.items(),
                    key=lambda kv: (-kv[1][3], -kv[1][2], kv[0]))
    if agents:
        title = "各客服" + (f"（违规最多的 {TOP_AGENTS} 位，共 {len(agents)} 位）"
                          if len(agents) > TOP_AGENTS else "")
        table = _tally_table(title, ("店铺", "客服"))
        for (shop, agent, role), values in agents[:TOP_AGENTS]:
            tally = dict(zip(TALLY, values, strict=True))
            table.add_row(shown(shop), shown(agent_label(agent, role)), *_tally_cells(tally),
                          *metric_cells(report.responses.get((shop, agent))
                                        if role == "agent" else None))
        console.print(table)
    if report.rules:
        table = Table(title="命中最多的规则", title_justify="left", title_style="bold",
                      header_style="bold")
        for name, justify in (("规则", "left"), ("类别", "left"), ("次数", "right"),
                              ("拦截", "right"), ("提醒", "right")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        ranked = sorted(report.rules.items(), key=lambda kv: (-kv[1][0], kv[0]))
        for (rule, category), (count, warn, block) in ranked[:TOP_RULES]:
            table.add_row(report.rule_labels.get(rule, rule),
                          report.category_labels.get(category, category),
                          f"{count:,}", f"{block:,}", f"{warn:,}")
        console.print(table)
    if report.terms:
        table = Table(title="命中最多的说法", title_justify="left", title_style="bold",
                      header_style="bold")
        table.add_column("命中内容")
        table.add_column("规则")
        table.add_column("次数", justify="right")
        for rule, term, count, spellings in grouped_terms(report)[:TOP_TERMS]:
            label = term_label(report, rule, term)
            if len(spellings) > 1:
                label += f"（{len(spellings)} 种写法）"
            table.add_row(label, report.rule_labels.get(rule, rule), f"{count:,}")
        console.print(table)
    if report.worst:
        table = Table(title="最严重的消息", title_justify="left", title_style="bold",
                      header_style="bold", show_lines=True)
        table.add_column("位置", no_wrap=True)
        table.add_column("店铺 / 客服")
        table.add_column("结论", no_wrap=True)
        table.add_column("消息（买家个人信息已脱敏）", ratio=1, overflow="fold")
        for worst in report.worst[:TOP_WORST]:
            table.add_row(
                Text(f"{shown(worst.file)}:{worst.line}\n{shown(worst.time)}", style="dim"),
                f"{shown(worst.shop)}\n{shown(agent_label(worst.agent, worst.role))}",
                Text(SEVERITY_LABELS.get(worst.verdict, worst.verdict),
                     style=SPAN_STYLE.get(worst.verdict, "")),
                parts_text(worst),
            )
        console.print(table)
    if report.totals["rejected"]:
        count = report.totals["rejected"]
        lines = [Text(f"拒收 {count:,} 条记录（未计入检查）：", style="bold red")]
        for rejected in report.rejected[:TOP_REJECTED]:
            lines.append(Text(f"  {shown(rejected.file)}:{rejected.line}  "
                              f"{shown(rejected.reason)}"))
        if report.totals["rejected"] > TOP_REJECTED:
            lines.append(Text("  …… 完整清单见 --json 报告的 rejected", style="dim"))
        console.print(Group(*lines))
