"""The findings as CSV: one row per listed finding, for Excel and for QA spreadsheets.

Written with a UTF-8 byte-order mark (Excel then reads the Chinese right) and
Chinese headers; machines read the JSON report instead. The messages are the
findings' bounded excerpts ("…" where cut); the span is given in the whole
message (`offset + start` to `offset + end`).

Excel opens a CSV by guessing each cell's type: a span `2-5` becomes a date,
an 18-digit card number loses its last digits, `=…` runs as a formula. A
cell Excel would take for a number, a date or a formula is written as the
formula `="…"`, which Excel shows as that exact text (`excel_text`).

The findings CSV keeps one row per finding (its columns are the report
contract); the service metrics go to a second CSV (`--csv-summary`,
`write_csv_summary`): one row per shop, each followed by its agents' rows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import IO, Any

from guard.audit.labels import ROLE_LABELS, SEVERITY_LABELS
from guard.audit.metrics import shop_totals
from guard.audit.report import FindingRecord, Report

# What Excel reads as a number, a date, a time or a fraction rather than text.
_EXCEL_GUESSES = re.compile(r"[\s+\-]*[\d.,:/\-\s%eE+]*\d[\d.,:/\-\s%eE+]*")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def excel_text(value: str) -> str:
    """`value` as a cell Excel keeps as text: `="…"` where it would guess a number or a date."""
    if _EXCEL_GUESSES.fullmatch(value) or value.startswith(_FORMULA_START):
        return '="' + value.replace('"', '""') + '"'
    return value


HEADER = ("文件", "行号", "涉及行", "店铺", "客服", "会话", "时间", "角色", "级别", "类别",
          "规则", "命中内容", "位置", "原因", "消息（已脱敏）", "屏蔽后消息")


def write_csv(findings: Iterable[FindingRecord], out: IO[str],
              category_labels: Mapping[str, str], rule_labels: Mapping[str, str]) -> int:
    """Write the rows; returns how many. `out` is a text stream opened with newline=""."""
    writer = csv.writer(out)
    writer.writerow(HEADER)
    count = 0
    for f in findings:
        writer.writerow(tuple(excel_text(v) if type(v) is str else v for v in (
            f.file, f.line, " ".join(map(str, f.lines)), f.shop, f.agent, f.conversation,
            f.time, ROLE_LABELS.get(f.role, f.role), SEVERITY_LABELS.get(f.severity, f.severity),
            category_labels.get(f.category, f.category), rule_labels.get(f.rule, f.rule),
            f.text, f"{f.offset + f.start}-{f.offset + f.end}", f.reason, f.message, f.masked,
        )))
        count += 1
    return count


SUMMARY_HEADER = ("范围", "店铺", "客服", "客服人数", "消息数", "通过", "警告", "拦截", "发现",
                  "违规率", "会话数", "买家轮次", "已回复轮次", "未回复轮次",
                  "首响中位（秒）", "平均响应（秒）", "3分钟回复占比", "未回复会话")
_FIGURES = ("first_response_median_s", "response_mean_s", "answered_3min_share",
            "unanswered_conversations")


def write_csv_summary(report: Report, out: IO[str]) -> int:
    """The service metrics and message counts, one row per shop then its agents; returns how many.

    Figures are the JSON report's (`Report.to_dict`'s `shops[]` and
    `agents[]`); with them the counts they are made of (conversations, buyer
    turns answered and not). Nothing to measure is an empty cell. The
    response times of buyers no agent can be named for count in their shop only.
    """
    data = report.to_dict(())
    shop_responses = shop_totals(report.responses)
    agents: dict[str, list[dict[str, Any]]] = {}
    for row in data["agents"]:
        if row["role"] == "agent":
            agents.setdefault(row["shop"], []).append(row)
    writer = csv.writer(out)
    writer.writerow(SUMMARY_HEADER)
    count = 0
    for shop in data["shops"]:
        name = shop["shop"]
        lines = [("店铺", shop, shop["agents"], shop_responses.get(name))]
        lines += [("客服", agent, "", report.responses.get((name, agent["agent"])))
                  for agent in agents.get(name, ())]
        for scope, row, people, responses in lines:
            answered = sum(responses.turns.values()) if responses is not None else 0
            unanswered = responses.unanswered_turns if responses is not None else 0
            writer.writerow((
                scope, excel_text(name), excel_text(row.get("agent", "")), people,
                row["messages"], row["pass"], row["warn"], row["block"], row["findings"],
                row["rate"], responses.conversations if responses is not None else 0,
                answered + unanswered, answered, unanswered,
                *("" if row[f] is None else row[f] for f in _FIGURES)))
            count += 1
    return count
