"""The audit as one self-contained HTML file a manager opens in any browser.

Inline CSS (report.css), charts drawn as inline SVG (html_charts.py), one
inline script (review.js: marking findings and downloading the baseline), no
font, no image, no URL: it works offline and can be mailed as an attachment.
Reads a `Report` and the findings; decides nothing.
"""

from __future__ import annotations

import heapq
import json
import zlib
from collections.abc import Iterable, Sequence
from importlib.resources import files as package_files
from typing import IO, Any

from guard.audit.baseline import REVIEW_LABELS, finding_key
from guard.audit.html_charts import day_chart, hbar_chart, legend, response_chart
from guard.audit.html_charts import esc as _e
from guard.audit.labels import SEVERITY_LABELS
from guard.audit.metrics import Responses, shop_totals
from guard.audit.render_terminal import (
    METRIC_HEADINGS,
    agent_label,
    grouped_terms,
    metric_cells,
    percent,
    term_label,
)
from guard.audit.report import TALLY, FindingRecord, Report

MAX_EVIDENCE = 2000  # findings in the evidence table (the CSV / JSON list them all)
TOP_AGENTS_CHART = 15
TOP_TERMS = 20



def highlight(message: str, spans: Iterable[tuple[int, int, str]],
              lines: Sequence[int] = ()) -> str:
    """The message as HTML with each span in a <mark>, joined messages one per line."""
    severity_at: list[str | None] = [None] * len(message)
    for start, end, severity in spans:
        for index in range(max(0, start), min(end, len(message))):
            if severity_at[index] != "block":
                severity_at[index] = severity
    pieces = message.split("\n")
    out: list[str] = []
    position = 0
    for number, piece in enumerate(pieces):
        if number:
            out.append("\n")
        if len(pieces) > 1 and len(lines) == len(pieces):
            out.append(f'<span class="ln">第{lines[number]}行</span>')
        index = 0
        while index < len(piece):
            level = severity_at[position + index]
            stop = index
            while stop < len(piece) and severity_at[position + stop] == level:
                stop += 1
            chunk = _e(piece[index:stop])
            out.append(f'<mark class="{level}">{chunk}</mark>' if level else chunk)
            index = stop
        position += len(piece) + 1
    return "".join(out)


def evidence_sample(findings: Iterable[FindingRecord],
                    size: int | None = None) -> tuple[int, list[FindingRecord]]:
    """(how many findings, the `size` shown): blocking ones first, a fair sample of the run.

    Each finding draws a fixed pseudo-random number from where it stands
    (file, line, rule, span), and the `size` findings with the smallest
    (severity, number) are kept: all the blocking ones if they fit, a
    uniform sample of them if not, the warnings sampled alike for the rest.
    The choice depends on the findings alone — not on workers, chunks or the
    order they arrived in — and they are shown in input order.
    """
    size = MAX_EVIDENCE if size is None else size
    kept: list[tuple[tuple[int, int, int], FindingRecord]] = []  # a heap, largest key first
    count = 0
    for finding in findings:
        draw = zlib.crc32(f"{finding.file}\0{finding.line}\0{finding.rule}\0"
                          f"{finding.offset + finding.start}\0{finding.lines}".encode())
        key = (0 if finding.severity == "block" else 1, draw, count)
        count += 1
        if len(kept) < size:
            heapq.heappush(kept, ((-key[0], -key[1], -key[2]), finding))
        elif key < (-kept[0][0][0], -kept[0][0][1], -kept[0][0][2]):
            heapq.heapreplace(kept, ((-key[0], -key[1], -key[2]), finding))
    chosen = sorted(kept, key=lambda item: -item[0][2])  # input order
    return count, [finding for _, finding in chosen]


def _agent_name(shop: str, agent: str, role: str) -> str:
    """An agent in a chart: the shop only where the agent's name does not already say it."""
    name = agent_label(agent, role)
    return name if shop in agent else f"{shop} {name}"


def _tally_row(first: Sequence[str], tally: dict[str, int],
               responses: Responses | None = None) -> str:
    cells = "".join(f"<td>{_e(v)}</td>" for v in first)
    figures = (responses or Responses()).figures()
    timed = "".join(f"<td class='num' data-sort='{-1 if raw is None else raw}'>{_e(v)}</td>"
                    for v, raw in zip(metric_cells(responses), figures.values(), strict=True))
    return (f"<tr>{cells}<td class='num'>{tally['messages']:,}</td>"
            f"<td class='num'>{tally['block']:,}</td><td class='num'>{tally['warn']:,}</td>"
            f"<td class='num'>{percent(tally['warn'] + tally['block'], tally['messages'])}"
            f"</td>{timed}</tr>")


def _agent_view(w: Any, report: Report, chosen: Sequence[FindingRecord], short: Any) -> None:
    """Per agent, each violation among the conversation's lines just before it."""
    from guard.audit.labels import ROLE_LABELS

    by_agent: dict[tuple[str, str], list[FindingRecord]] = {}
    seen: set[tuple[str, int]] = set()
    for finding in chosen:
        if (finding.file, finding.line) in seen:
            continue  # one message, shown once
        seen.add((finding.file, finding.line))
        by_agent.setdefault((finding.shop, finding.agent), []).append(finding)
    if not by_agent:
        return
    w("<h2 id='by-agent'>按客服查看：每条违规和它之前的对话</h2>"
      "<p class='note'>每条违规消息前是同一会话里紧挨着的两条消息（买家的个人信息已脱敏）。</p>")
    for (shop, agent), items in sorted(by_agent.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        w(f"<details class='agent'><summary><b>{_e(shop)} / {_e(agent or '（未填）')}</b>"
          f"　{len(items):,} 条违规消息</summary>")
        for finding in items:
            w(f"<div class='thread'><div class='note'>{_e(short(finding.file))}:{finding.line}"
              f"　会话 {_e(finding.conversation)}　"
              f"{_e(report.rule_labels.get(finding.rule, finding.rule))}</div>")
            for line, role, text in finding.context:
                w(f"<div class='line {_e(role)}'><span class='ln'>第{line}行 "
                  f"{_e(ROLE_LABELS.get(role, role))}</span>{_e(text)}</div>")
            spans = [(finding.start, finding.end, finding.severity)]
            w(f"<div class='line agent hit'><span class='ln'>第{finding.line}行 "
              f"{_e(ROLE_LABELS.get(finding.role, finding.role))}</span>"
              f"{highlight(finding.message, spans, finding.lines)}</div></div>")
        w("</details>")


def _filter(table: str, hint: str) -> str:
    return (f"<p><input type='search' class='filter' data-filter='{table}' "
            f"placeholder='{_e(hint)}' aria-label='{_e(hint)}'></p>")


def made_at() -> str:
    """When the report is made (China time); SOURCE_DATE_EPOCH fixes it, for reproducible pages."""
    import os
    from datetime import datetime

    from guard.times import CHINA_TZ

    fixed = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = (datetime.fromtimestamp(int(fixed), CHINA_TZ) if fixed.isdigit()
              else datetime.now(CHINA_TZ))
    return moment.strftime("%Y-%m-%d %H:%M")


def short_names(files: Sequence[str]) -> Any:
    """A file's name as rows show it: as given when relative, else relative to here, else
    its base name (the header lists the files in full)."""
    import os

    def short(name: str) -> str:
        if not os.path.isabs(name):
            return name
        relative = os.path.relpath(name)
        return relative if not relative.startswith("..") else os.path.basename(name)

    return short


def _style() -> str:
    return package_files("guard.audit").joinpath("report.css").read_text(encoding="utf-8")


def _script() -> str:
    return package_files("guard.audit").joinpath("review.js").read_text(encoding="utf-8")


def _review_panel(w: Any, review: Any) -> None:
    """The reviewer's panel: counts, the download, candidate allow-list entries (review.js)."""
    if review is None:
        return
    w("<div class='panel' id='review'><p>在下面的证据表里把每条发现标为“违规”或“不违规”"
      "（同一店铺、同一规则、同一说法的发现一起标记），再下载基线；下次审计加上 "
      "<code>--baseline 基线文件</code>，复核过的发现不再算新发现，"
      "<code>--fail-on</code> 只看新发现。</p>"
      "<p id='review-counts' class='note'></p>"
      "<button type='button' class='main' id='download-baseline'>下载基线</button>"
      "<h3>标为“不违规”的说法（可加入商家词库白名单的候选）</h3>"
      "<table id='allow-candidates'><tr><th>规则</th><th>说法</th><th class='num'>次数</th>"
      "<th>上下文</th></tr></table>"
      "<p class='note'>放进 --lexicons 目录里的 allow.toml（先删去并非无害的短语）：</p>"
      "<pre class='toml' id='allow-toml'></pre></div>")


def write_html(report: Report, findings: Iterable[FindingRecord], out: IO[str],
               files: Sequence[str] = (), title: str = "客服聊天合规审计报告",
               review: Any = None) -> None:
    """Write the whole report as one HTML document.

    `review` (baseline.Review): the baseline the page starts from; each
    finding can then be marked and the baseline downloaded.
    """
    t = report.totals
    w = out.write
    w(f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
      f'<meta name="viewport" content="width=device-width, initial-scale=1">'
      f"<title>{_e(title)}</title><style>{_style()}</style></head><body>")
    w(f"<h1>{_e(title)}</h1>")
    scope = "只检查客服消息" if report.settings.role == "agent" else "检查全部消息"
    window = report.settings
    days = sorted(report.days)
    span = f"{days[0]} 至 {days[-1]}" if days else "—"
    w(f'<div class="meta">文件：{_e("、".join(files) or "—")}　·　聊天记录日期：{_e(span)}'
      f"　·　报告生成：{_e(made_at())}　·　{scope}　·　"
      f"拆分检查：同一会话相邻 {window.window_messages} 条客服消息、"
      f"{window.window_seconds // 60} 分钟内</div>")
    short = short_names(files)
    cards = [
        ("记录", f"{t['records']:,}", ""), ("已检查", f"{t['scanned']:,}", ""),
        ("跳过", f"{t['skipped']:,}", ""), ("拒收", f"{t['rejected']:,}",
                                          "block" if t["rejected"] else ""),
        ("拦截", f"{t['block']:,}", "block"), ("提醒", f"{t['warn']:,}", "warn"),
        ("违规率", percent(t["warn"] + t["block"], t["scanned"]), ""),
        ("发现", f"{t['findings']:,}", ""), ("跨消息拆分", f"{t['split_findings']:,}", ""),
    ]
    w('<div class="cards">')
    for label, value, kind in cards:
        w(f'<div class="card {kind}"><div class="label">{_e(label)}</div>'
          f'<div class="value">{_e(value)}</div></div>')
    w("</div>")

    agents = sorted(report.agents.items(), key=lambda kv: (-kv[1][3] - kv[1][2], kv[0]))
    agent_rows = [(_agent_name(shop, agent, role), v[3], v[2])
                  for (shop, agent, role), v in agents[:TOP_AGENTS_CHART] if v[3] + v[2]]
    category_rows = [(report.category_labels.get(c, c), tally[2], tally[1])
                     for c, tally in report.categories().items()]
    day_rows = [(day, v[3], v[2]) for day, v in sorted(report.days.items())]
    w('<h2 id="charts">图表</h2><div class="charts">')
    w(f'<div class="chart"><h3>各客服违规消息数（前 {TOP_AGENTS_CHART} 位）</h3>{legend()}'
      f'{hbar_chart(agent_rows, "没有违规消息")}</div>')
    w(f'<div class="chart"><h3>各类别发现数</h3>{legend()}'
      f'{hbar_chart(category_rows, "没有发现")}</div>')
    w(f'<div class="chart wide"><h3>每日违规消息数</h3>{legend()}{day_chart(day_rows)}</div>')
    timed_rows = [(_agent_name(shop, agent, "agent"), responses.bins())
                  for (shop, agent), responses in sorted(report.responses.items()) if agent]
    w('<div class="chart wide"><h3>各客服响应时间分布（买家每轮提问到客服回复）</h3>'
      f"{response_chart(timed_rows)}</div>")
    w("</div>")

    head = ("<th class='num'>消息</th><th class='num'>拦截</th><th class='num'>提醒</th>"
            "<th class='num'>违规率</th>"
            + "".join(f"<th class='num'>{_e(name)}</th>" for name in METRIC_HEADINGS))
    w(f"<h2 id='shops'>各店铺</h2><table class='sortable' id='shops-table'><tr><th>店铺</th>"
      f"<th>客服数</th>{head}</tr>")
    timed = shop_totals(report.responses)
    for shop, tally in sorted(report.shops().items(),
                              key=lambda kv: (-kv[1]["block"], -kv[1]["warn"], kv[0])):
        w(_tally_row((shop, str(tally["agents"])), tally, timed.get(shop)))
    w("</table>")
    w("<h2 id='agents'>各客服</h2>" + _filter("agents-table", "筛选：店铺、客服……")
      + f"<table class='sortable' id='agents-table'><tr><th>店铺</th><th>客服</th>{head}</tr>")
    for (shop, agent, role), values in agents:
        w(_tally_row((shop, agent_label(agent, role)), dict(zip(TALLY, values, strict=True)),
                     report.responses.get((shop, agent)) if role == "agent" else None))
    w("</table>")

    w("<h2 id='rules'>命中最多的规则</h2><table class='sortable' id='rules-table'>"
      "<tr><th>规则</th><th>类别</th>"
      "<th class='num'>次数</th><th class='num'>拦截</th><th class='num'>提醒</th></tr>")
    for (rule, category), (count, warn, block) in sorted(report.rules.items(),
                                                         key=lambda kv: (-kv[1][0], kv[0])):
        w(f"<tr><td>{_e(report.rule_labels.get(rule, rule))}</td>"
          f"<td>{_e(report.category_labels.get(category, category))}</td>"
          f"<td class='num'>{count:,}</td><td class='num'>{block:,}</td>"
          f"<td class='num'>{warn:,}</td></tr>")
    w("</table>")
    w(f"<h2 id='terms'>命中最多的说法（前 {TOP_TERMS} 个）</h2>"
      "<table class='sortable' id='terms-table'><tr><th>命中内容</th><th>写法</th>"
      "<th>规则</th><th class='num'>次数</th></tr>")
    for rule, term, count, spellings in grouped_terms(report)[:TOP_TERMS]:
        written = "、".join(f"{spelling} ×{n:,}" for spelling, n in spellings if spelling)
        w(f"<tr><td class='msg'>{_e(term_label(report, rule, term))}</td>"
          f"<td class='msg'>{_e(written)}</td>"
          f"<td>{_e(report.rule_labels.get(rule, rule))}</td><td class='num'>{count:,}</td></tr>")
    w("</table>")

    w("<h2 id='worst'>最严重的消息</h2>")
    if report.worst:
        w("<table><tr><th>位置</th><th>店铺 / 客服</th><th>结论</th>"
          "<th>消息（买家个人信息已脱敏）</th></tr>")
        for worst in report.worst:
            w(f"<tr><td class='where'>{_e(short(worst.file))}:{worst.line}<br>"
              f"{_e(worst.time)}</td>"
              f"<td class='who'>{_e(worst.shop)}<br>{_e(agent_label(worst.agent, worst.role))}"
              "</td>"
              f"<td><span class='tag {_e(worst.verdict)}'>"
              f"{_e(SEVERITY_LABELS.get(worst.verdict, worst.verdict))}</span></td>"
              f"<td class='msg'>{highlight(worst.message, worst.spans, worst.lines)}</td></tr>")
        w("</table>")
    else:
        w('<div class="empty">没有违规消息。</div>')

    w("<h2 id='evidence'>证据</h2>")
    listed, chosen = evidence_sample(findings)
    _review_panel(w, review)
    if chosen:
        if listed > len(chosen):
            w(f'<p class="note">共列出 {listed:,} 条发现，这里是其中 {len(chosen):,} 条：'
              "拦截优先，从整个审计中按固定规则均匀抽取，按原顺序排列；"
              "完整清单见 --csv 或 --json。</p>")
        if t["findings"] > listed:
            w(f'<p class="note">另有 {t["findings"] - listed:,} 条发现只计数、不列出：'
              "一条消息最多列出 20 条自己的发现。</p>")
        w(_filter("evidence-table", "筛选：店铺、客服、规则、拦截 / 提醒……")
          + "<table class='sortable' id='evidence-table'><tr><th>位置</th><th>店铺 / 客服</th>"
          "<th>级别</th>"
          "<th>类别 / 规则</th><th>消息（买家个人信息已脱敏）</th><th>原因</th><th>复核</th></tr>")
        for finding in chosen:
            key = finding_key(finding.rule, finding.text, finding.shop)
            phrase = finding.message[max(finding.start - 2, 0):finding.end + 2]
            split = "<br><span class='tag split'>跨消息拆分</span>" if finding.split else ""
            spans = [(finding.start, finding.end, finding.severity)]
            w(f"<tr class='finding' data-key='{_e(key)}' data-rule='{_e(finding.rule)}' "
              f"data-rule-label='{_e(report.rule_labels.get(finding.rule, finding.rule))}' "
              f"data-term='{_e(finding.text)}' data-phrase='{_e(phrase)}'>"
              f"<td class='where' data-sort='{_e(short(finding.file))}:{finding.line:012d}'>"
              f"{_e(short(finding.file))}:{finding.line}<br>{_e(finding.time)}</td>"
              f"<td class='who'>{_e(finding.shop)}<br>"
              f"{_e(agent_label(finding.agent, finding.role))}<br>"
              f"<span class='note'>会话 {_e(finding.conversation)}</span></td>"
              f"<td><span class='tag {_e(finding.severity)}'>"
              f"{_e(SEVERITY_LABELS.get(finding.severity, finding.severity))}</span>{split}</td>"
              f"<td>{_e(report.category_labels.get(finding.category, finding.category))}<br>"
              f"<span class='note'>{_e(report.rule_labels.get(finding.rule, finding.rule))}"
              f"</span></td>"
              f"<td class='msg'>{highlight(finding.message, spans, finding.lines)}</td>"
              f"<td>{_e(finding.reason)}</td>"
              "<td class='review'><button type='button' data-review='violation' "
              f"aria-pressed='false'>{REVIEW_LABELS['violation']}</button>"
              "<button type='button' data-review='not_violation' aria-pressed='false'>"
              f"{REVIEW_LABELS['not_violation']}</button></td></tr>")
        w("</table>")
    else:
        w('<div class="empty">没有发现。</div>')

    _agent_view(w, report, chosen, short)

    if t["rejected"]:
        w(f"<h2 id='rejected'>拒收的记录（{t['rejected']:,} 条）</h2>")
        if t["rejected"] > len(report.rejected):
            w(f'<p class="note">列出前 {len(report.rejected):,} 条。</p>')
        w("<table><tr><th>位置</th><th>原因</th></tr>")
        for rejected in report.rejected:
            w(f"<tr><td class='where'>{_e(short(rejected.file))}:{rejected.line}</td>"
              f"<td>{_e(rejected.reason)}</td></tr>")
        w("</table>")
    for sheet in report.sheets:
        w(f"<h2>会话表 {_e(short(sheet.file))}</h2>")
        w(f'<p class="note">{sheet.rows:,} 个会话，{sheet.used:,} 个用来划分消息表中的会话，'
          f"消息表中 {sheet.messages_matched:,} 条消息落在其中；与消息表对不上 "
          f"{sheet.disagreements:,} 处。</p>")
        if sheet.listed:
            w("<table><tr><th>位置</th><th>对不上的地方</th></tr>")
            for name, row, reason in sheet.listed:
                w(f"<tr><td class='where'>{_e(name)} 第 {row:,} 行</td><td>{_e(reason)}</td></tr>")
            w("</table>")
    w("<footer>由 guard audit 生成。本报告是单个文件，不引用任何网络资源。证据中买家的手机号、"
      "地址、姓名等个人信息已脱敏；客服自己发出的联系方式属于违规内容，照原样保留。</footer>")
    if review is not None:
        baseline = review.to_dict()
        w('<script type="application/json" id="guard-baseline">'
          + json.dumps(baseline, ensure_ascii=False).replace("</", "<\\/") + "</script>")
        w("<script>" + _script() + "</script>")
    w("</body></html>\n")
