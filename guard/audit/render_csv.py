"""The findings as CSV: one row per listed finding, for Excel and for QA spreadsheets.

Written with a UTF-8 byte-order mark (Excel then reads the Chinese right) and
Chinese headers; machines read the JSON report instead. The messages are the
findings' bounded excerpts ("…" where cut); the span is given in the whole
message (`offset + start` to `offset + end`).

Excel opens a CSV by guessing each cell's type: a span `2-5` becomes a date,
an 18-digit card number loses its last digits, `=…` runs as a formula. A
cell Excel would take for a number, a date or a formula is written as the
formula `="…"`, which Excel shows as that exact text (`excel_text`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import IO

from guard.audit.labels import ROLE_LABELS, SEVERITY_LABELS
from guard.audit.report import FindingRecord

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
