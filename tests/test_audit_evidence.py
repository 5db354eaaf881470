"""Evidence is bounded: a span with its context, never a whole long message per finding."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guard.audit import render_html
from guard.audit.evidence import (
    CONTEXT,
    DISPLAY_LIMIT,
    ELLIPSIS,
    MAX_LISTED_PER_MESSAGE,
    display,
    listed_finding,
)
from guard.audit.run import audit_to_report
from guard.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "chat_log.jsonl"


def record(line: int, text: str, role: str = "agent") -> str:
    return json.dumps({"shop": "店铺A", "agent": "客服1", "conversation": f"C{line}",
                       "time": "2026-11-01T10:00:00+08:00", "role": role, "text": text},
                      ensure_ascii=False) + "\n"


@given(st.text(max_size=400), st.data())
def test_an_excerpt_holds_the_span_where_it_says(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    masked = "█" * len(text)
    (*_, start_, end_, shown, _, message, masked_, offset, length) = listed_finding(
        "r", "c", "block", start, end, "why", text, masked)
    assert shown == text[start:end] == message[start_:end_]
    assert masked_[start_:end_] == masked[start:end]
    assert length == len(text) and offset + start_ == start
    # what is shown is the text itself, "…" only where something was cut
    inner = message
    if offset:
        assert message.startswith(ELLIPSIS)
        inner = inner[1:]
    cut_right = offset + len(message) < len(text)
    if cut_right:
        assert message.endswith(ELLIPSIS)
        inner = inner[:-1]
    first = offset + (1 if offset else 0)
    assert inner == text[first:first + len(inner)]
    assert len(message) <= (end - start) + 2 * CONTEXT + 2
    assert start - first <= CONTEXT and (offset == 0 or start - first == CONTEXT)


def test_a_display_is_bounded_and_its_spans_are_inside() -> None:
    text = "好" * 1000 + "加我微信" + "好" * 5000
    shown = display(text, [(1000, 1004, "block"), (5990, 6000, "warn")])
    assert len(shown.message) <= DISPLAY_LIMIT + 2
    assert shown.spans == ((1000 - shown.offset, 1004 - shown.offset, "block"),)
    assert shown.message[shown.spans[0][0]:shown.spans[0][1]] == "加我微信"
    assert shown.length == len(text)


def test_a_megabyte_of_violations_gives_a_report_of_kilobytes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One 1 MB line holding ~100,000 violations: every one counted, a few listed, each with
    its context; the reports stay small (they were gigabytes)."""
    dense = "加我微信abc123 " * 52000  # 988 KB of UTF-8
    log = tmp_path / "dense.jsonl"
    log.write_text(record(1, "好的") + record(2, dense) + record(3, "加我微信abc123 好的"),
                   encoding="utf-8")
    out = {kind: tmp_path / f"r.{kind}" for kind in ("json", "csv", "html")}
    assert main(["audit", str(log), "--quiet", "--json", str(out["json"]), "--csv",
                 str(out["csv"]), "--html", str(out["html"])]) == 1
    capsys.readouterr()
    for path in out.values():
        assert path.stat().st_size < 200_000, path  # a few MB at most, by far
    report = json.loads(out["json"].read_text(encoding="utf-8"))
    totals = report["totals"]
    assert totals["findings"] > 100_000  # all counted
    assert totals["findings_listed"] == MAX_LISTED_PER_MESSAGE + 2 == len(report["findings"])
    assert sum(r["findings"] for r in report["rules"]) == totals["findings"]
    for finding in report["findings"]:
        assert finding["message"][finding["start"]:finding["end"]] == finding["text"]
        assert len(finding["message"]) <= len(finding["text"]) + 2 * CONTEXT + 2
        if finding["line"] == 2:
            assert finding["message_length"] == len(dense)
            whole = finding["offset"] + finding["start"]
            assert dense[whole:whole + len(finding["text"])] == finding["text"]
    (worst,) = [w for w in report["worst"] if w["line"] == 2]
    assert len(worst["message"]) <= DISPLAY_LIMIT + 2
    shown = [worst["message"][s:e] for s, e, _ in worst["spans"]]
    assert len(shown) > 50 and set(shown[:-1]) == {"微信", "abc123"}
    assert shown[-1] in ("微信", "abc123", "微", "abc12", "abc1", "abc", "ab", "a")  # cut there
    rows = list(csv.reader(out["csv"].read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) - 1 == totals["findings_listed"]
    page = out["html"].read_text(encoding="utf-8")
    assert f"另有 {totals['findings'] - totals['findings_listed']:,} 条发现只计数" in page


def test_a_short_message_is_shown_whole(tmp_path: Path, guard) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text(record(1, "亲 加我微信 acff8957 聊，发您实拍图"), encoding="utf-8")
    (finding, *_) = audit_to_report([str(log)], guard=guard).findings
    assert finding.message == "亲 加我微信 acff8957 聊，发您实拍图"
    assert finding.offset == 0 and finding.message_length == len(finding.message)


def test_the_html_evidence_is_a_fair_sample_of_the_whole_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Blocks first, then warnings, drawn from the whole log — not its first minutes —
    and the same whatever the workers."""
    lines = [record(n, f"亲 加我微信 ab{n:04d}cd" if n % 3 else f"京东的价格我们管不了哦{n}")
             for n in range(1, 601)]
    log = tmp_path / "log.jsonl"
    log.write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(render_html, "MAX_EVIDENCE", 50)
    pages = []
    for workers in ("1", "2"):
        page = tmp_path / f"r{workers}.html"
        assert main(["audit", str(log), "--quiet", "--chunk-bytes", "4096", "--workers",
                     workers, "--html", str(page)]) == 1
        pages.append(page.read_text(encoding="utf-8"))
    capsys.readouterr()
    assert pages[0] == pages[1]
    evidence = pages[0].split("id='evidence'")[1]
    shown = [int(n) for n in re.findall(r"log\.jsonl:(\d+)<br>", evidence)]
    assert len(shown) == 50 and shown == sorted(shown)  # in input order
    assert all(n % 3 for n in shown)  # 400 blocks: only blocks
    assert min(shown) < 100 and max(shown) > 500  # from all over the log
