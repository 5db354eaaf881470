"""The audit report in the terminal (rich): what a manager reads first.

Reads a `Report`; decides nothing. Labels are Simplified Chinese.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from guard.audit.labels import ROLE_LABELS
from guard.audit.metrics import Responses, shop_totals
from guard.audit.report import TALLY, Report, WorstMessage
from guard.termtext import escape_controls as shown
from guard.termtext import escaped_text

SPAN_STYLE = {"warn": "black on yellow", "block": "bold white on red"}
# The summary fits a 50-line terminal: the longest lists are cut here (the HTML has them all).
TOP_SHOPS = 5
TOP_AGENTS = 6
TOP_RULES = 5
TOP_TERMS = 10
TOP_WORST = 5
TOP_SHEET_NOTES = 2
TOP_REJECTED = 3


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
        lines.insert(0, Text("文件：" + "、".join(shown(f) for f in files), style="dim",
                             no_wrap=True, overflow="ellipsis"))
    return Panel(Group(*lines), title="guard 审计汇总", title_align="left",
                 border_style="red" if t["block"] else ("yellow" if t["warn"] else "green"))


def _tally_table(title: str, first: Sequence[str]) -> Table:
    table = _compact(title)
    for name in first:
        table.add_column(name, no_wrap=True)
    for name in ("消息", "拦截", "提醒", "违规率", *METRIC_HEADINGS):
        table.add_column(name, justify="right", no_wrap=True)
    return table


def _tally_cells(tally: dict[str, int]) -> list[Text | str]:
    return [f"{tally['messages']:,}",
            Text(f"{tally['block']:,}", style="red" if tally["block"] else ""),
            Text(f"{tally['warn']:,}", style="yellow" if tally["warn"] else ""),
            percent(tally["warn"] + tally["block"], tally["messages"])]


def headline(report: Report) -> Text:
    """The one line a manager reads first: how bad, how wide, what most."""
    t = report.totals
    scanned = t["scanned"]
    if not t["records"]:
        return Text("没有读到任何记录", style="bold red")
    if not t["block"] and not t["warn"]:
        return Text(f"没有发现违规：已检查 {scanned:,} 条消息，全部通过", style="bold green")
    offenders = sum(1 for (_, _, role), v in report.agents.items()
                    if role == "agent" and v[2] + v[3])
    agents = sum(1 for (_, _, role) in report.agents if role == "agent")
    top = max(report.rules.items(), key=lambda kv: (kv[1][0], kv[0]), default=None)
    most = (f"；最多：{report.rule_labels.get(top[0][0], top[0][0])} {top[1][0]:,} 次"
            if top else "")
    return Text.assemble(
        ("拦截 ", "bold"), (f"{t['block']:,}", "bold red"), ("、提醒 ", "bold"),
        (f"{t['warn']:,}", "bold yellow"),
        (f" 条（违规率 {percent(t['warn'] + t['block'], scanned)}）；"
         f"{agents:,} 位客服中 {offenders:,} 位违规{most}", "bold"))


def _compact(title: str) -> Table:
    return Table(title=title, title_justify="left", title_style="bold", header_style="bold",
                 box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1))


def render_report(report: Report, console: Console, files: Sequence[str] = (),
                  review: Any = None, outputs: Sequence[tuple[str, str]] = ()) -> None:
    """The summary, fitting a 50-line terminal: the headline, totals, the worst shops,
    agents and rules, the worst messages (rule and reason), rejected records, and where
    the whole report is (`outputs`: (flag, file) written) — or how to get it.

    `review` (baseline.Review): with --baseline, how many findings are new.
    """
    console.print(headline(report))
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
        table = _tally_table(_top("各店铺", TOP_SHOPS, len(shops)), ("店铺", "客服数"))
        timed = shop_totals(report.responses)
        for shop, tally in shops[:TOP_SHOPS]:
            table.add_row(shown(shop), str(tally["agents"]), *_tally_cells(tally),
                          *metric_cells(timed.get(shop)))
        console.print(table)
    agents = sorted(report.agents.items(),
                    key=lambda kv: (-kv[1][3], -kv[1][2], kv[0]))
    if agents:
        title = "各客服" + (f"（违规最多的 {TOP_AGENTS} 位，共 {len(agents):,} 位）"
                          if len(agents) > TOP_AGENTS else "")
        table = _tally_table(title, ("店铺", "客服"))
        for (shop, agent, role), values in agents[:TOP_AGENTS]:
            tally = dict(zip(TALLY, values, strict=True))
            table.add_row(shown(shop), shown(agent_label(agent, role)), *_tally_cells(tally),
                          *metric_cells(report.responses.get((shop, agent))
                                        if role == "agent" else None))
        console.print(table)
    if report.rules:
        table = _compact(_top("命中最多的规则", TOP_RULES, len(report.rules)))
        for name, justify in (("规则", "left"), ("次数", "right"), ("拦截", "right"),
                              ("提醒", "right"), ("常见说法", "left")):
            table.add_column(name, justify=justify, no_wrap=name != "常见说法",  # type: ignore[arg-type]
                             overflow="ellipsis")
        spellings: dict[str, list[str]] = {}
        for rule, term, count, variants in grouped_terms(report):
            if term:
                written = term_label(report, rule, term)
                if len(variants) > 1:
                    written += f"（{len(variants)} 种写法）"
                spellings.setdefault(rule, []).append(f"{written} {count:,}")
        ranked = sorted(report.rules.items(), key=lambda kv: (-kv[1][0], kv[0]))
        for (rule, _), (count, warn, block) in ranked[:TOP_RULES]:
            table.add_row(report.rule_labels.get(rule, rule), f"{count:,}", f"{block:,}",
                          f"{warn:,}", "、".join(spellings.get(rule, [])[:3]) or "—")
        console.print(table)
    if report.worst:
        console.print(Text(_top("最严重的消息（买家个人信息已脱敏）", TOP_WORST,
                                len(report.worst)), style="bold"))
        for index, worst in enumerate(report.worst[:TOP_WORST], 1):
            rules = "、".join(report.rule_labels.get(r, r) for r in worst.rules) or "—"
            head = Text.assemble(
                f"{index}. ", (f"{shown(worst.file.rsplit('/', 1)[-1])}:{worst.line}", "dim"),
                "  ", shown(agent_label(worst.agent, worst.role)), "  ",
                (rules, SPAN_STYLE.get(worst.verdict, "")), "  ",
                shown(worst.reason.replace("\n", "⏎")))
            message = Text("   ").append_text(_one_line(parts_text(worst)))
            for line in (head, message):
                console.print(line, no_wrap=True, overflow="ellipsis")
    if report.totals["rejected"]:
        count = report.totals["rejected"]
        lines = [Text(f"拒收 {count:,} 条记录（未计入检查）：", style="bold red")]
        for rejected in report.rejected[:TOP_REJECTED]:
            lines.append(Text(f"  {shown(rejected.file)}:{rejected.line}  "
                              f"{shown(rejected.reason)}"))
        if report.totals["rejected"] > TOP_REJECTED:
            lines.append(Text("  …… 完整清单见 --json 报告的 rejected", style="dim"))
        console.print(Group(*lines))
    for sheet in report.sheets:  # an Excel export's conversation sheet that disagrees
        if sheet.disagreements:
            lines = [Text(f"会话表 {shown(sheet.file)}：{sheet.disagreements:,} 处与消息表"
                          "对不上：", style="bold yellow")]
            lines.extend(Text(f"  {shown(name)} 第 {row:,} 行  {shown(reason)}")
                         for name, row, reason in sheet.listed[:TOP_SHEET_NOTES])
            console.print(Group(*lines), no_wrap=True, overflow="ellipsis")
    console.print(_where(outputs))


def _top(title: str, limit: int, count: int) -> str:
    return title + (f"（前 {limit} 个，共 {count:,} 个）" if count > limit else "")


def _one_line(text: Text) -> Text:
    """A message of joined parts on one line (parts joined with ⏎)."""
    out = text.copy()
    out.plain = out.plain.replace("\n", "⏎")
    return out


def _where(outputs: Sequence[tuple[str, str]]) -> Text:
    """Where the whole report went, or how to get it (the HTML first)."""
    names = {"json": "JSON", "csv": "CSV", "csv-summary": "CSV 汇总", "html": "HTML",
             "write-baseline": "基线"}
    written = [f"{names.get(flag, flag)} {shown(path)}" for flag, path in outputs
               if path and path != "-"]
    if any(flag == "html" for flag, path in outputs if path and path != "-"):
        return Text("报告已写出：" + "、".join(written) + "（用浏览器打开 HTML：图表、证据、复核）",
                    style="bold")
    told = ("报告已写出：" + "、".join(written) + "。") if written else ""
    return Text(told + "完整报告（图表、每条证据、复核）：加 --html 报告.html", style="dim")
