"""The terminal summary a manager reads: headline first, fits 50 lines, says where the rest is."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
from rich.console import Console

from guard.audit.render_terminal import render_report
from guard.audit.run import audit_to_report

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [ROOT / "samples" / "chat_log.jsonl", ROOT / "samples" / "chat_log.csv",
           ROOT / "samples" / "chat_export.xlsx"]


def summary(report, width: int, outputs=()) -> list[str]:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    render_report(report, Console(file=out, width=width, highlight=False),
                  [str(p) for p in SAMPLES], outputs=outputs)
    return out.getvalue().splitlines()


@pytest.fixture(scope="module")
def report(guard):  # type: ignore[no-untyped-def]
    return audit_to_report([str(p) for p in SAMPLES], guard=guard)


@pytest.mark.parametrize("width", [80, 100, 160])
def test_the_summary_fits_a_50_line_terminal_headline_first(report, width: int) -> None:
    lines = summary(report, width)
    assert len(lines) <= 50, "\n".join(lines)
    assert all(len(line) <= width for line in lines)
    t = report.totals
    assert lines[0].startswith(f"拦截 {t['block']:,}、提醒 {t['warn']:,} 条（违规率")
    assert lines[0].endswith("次") and "最多：微信" in lines[0]  # one line, even at 80
    # the more shops, agents and rules than shown, the more it says so
    text = "\n".join(lines)
    assert "各客服（违规最多的 6 位，共" in text and "命中最多的规则（前 5 个，共" in text


def test_the_worst_messages_show_the_rule_and_the_reason(report) -> None:
    lines = summary(report, 120)
    start = next(i for i, line in enumerate(lines) if line.startswith("最严重的消息"))
    first, message = lines[start + 1], lines[start + 2]
    worst = report.worst[0]
    assert first.startswith("1. ") and f":{worst.line}" in first
    assert report.rule_labels[worst.rules[0]] in first
    assert worst.reason[:8] in first
    assert message.startswith("   ") and message.strip()


def test_it_says_where_the_reports_are_or_how_to_get_them(report) -> None:
    assert summary(report, 100)[-1] == "完整报告（图表、每条证据、复核）：加 --html 报告.html"
    written = summary(report, 120, [("json", "r.json"), ("html", "r.html")])[-1]
    assert written.startswith("报告已写出：JSON r.json、HTML r.html")


def test_writing_reports_is_a_step_on_a_terminal(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    page = tmp_path / "r.html"
    child = pexpect.spawn(sys.executable, ["-m", "guard.cli", "audit", str(SAMPLES[0]),
                                           "--html", str(page)],
                          env={**os.environ, "COLUMNS": "100"}, encoding="utf-8", timeout=120)
    child.expect("正在写出报告：" + str(page))
    child.expect("报告已写出：HTML")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1 and page.exists()
