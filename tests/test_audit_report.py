"""One report model: 1 worker, 2 workers and two halves merged give the same report."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.audit import report as report_module
from guard.audit import report_entries
from guard.audit.report import (
    TOTALS,
    FindingRecord,
    RejectedRecord,
    Report,
    Settings,
    WorstMessage,
    merge_reports,
)
from guard.audit.run import audit_to_report

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))
from generate import chat_log  # noqa: E402


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A generated log of 4,000 records cut in two between conversations."""
    records = list(chat_log(4000, seed=5, shops=4, agents_per_shop=3, violation_rate=0.1))
    cut = next(i for i in range(len(records) // 2, len(records))
               if records[i]["conversation"] != records[i - 1]["conversation"])
    folder = tmp_path_factory.mktemp("halves")
    paths = folder / "day1.jsonl", folder / "day2.jsonl"
    for path, part in zip(paths, (records[:cut], records[cut:]), strict=True):
        path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in part))
    return paths


def test_one_worker_two_workers_and_two_halves(halves: tuple[Path, Path], guard) -> None:
    files = [str(p) for p in halves]
    one = audit_to_report(files, workers=1, guard=guard, chunk_bytes=64_000)
    assert one.totals["split_findings"] > 0 and one.totals["block"] > 0
    whole = one.to_dict()
    two = audit_to_report(files, workers=2, chunk_bytes=64_000)
    assert two.to_dict() == whole
    other_chunks = audit_to_report(files, workers=1, guard=guard, chunk_bytes=7_000)
    assert other_chunks.to_dict() == whole
    first = audit_to_report(files[:1], guard=guard)
    second = audit_to_report(files[1:], guard=guard)
    assert merge_reports(first, second).to_dict() == whole
    # … and through their JSON form, as separate runs would hand them over
    again = [Report.from_dict(json.loads(json.dumps(r.to_dict()))) for r in (first, second)]
    assert merge_reports(*again).to_dict() == whole
    assert orjson.dumps(merge_reports(*again).to_dict()) == orjson.dumps(whole)


def test_spec_fields(halves: tuple[Path, Path], guard) -> None:
    data = audit_to_report([str(halves[0])], guard=guard).to_dict()
    assert set(data["totals"]) >= {"records", "scanned", "skipped", "rejected", "pass", "warn",
                                   "block"}
    totals = data["totals"]
    assert totals["records"] == totals["scanned"] + totals["skipped"] + totals["rejected"]
    assert {"shop", "agent", "messages", "warn", "block"} <= set(data["agents"][0])
    assert data["shops"] and data["rules"] and data["findings"]
    for finding in data["findings"]:
        assert {"file", "line", "shop", "agent", "conversation", "time", "rule", "category",
                "severity", "start", "end", "text", "masked"} <= set(finding)
        assert finding["message"][finding["start"]:finding["end"]] == finding["text"]


# ---------------------------------------------------------------- associativity

names = st.sampled_from(["a", "b", "c"])
small = st.integers(0, 5)


@st.composite
def reports(draw: st.DrawFn) -> Report:
    def tally(width: int) -> tuple[int, ...]:
        return tuple(draw(st.lists(small, min_size=width, max_size=width)))

    worst = [
        WorstMessage(draw(names), draw(st.integers(1, 9)), "s", "x", "c", "t", "agent",
                     draw(st.sampled_from(["warn", "block"])), draw(names),
                     tuple((0, 1, draw(st.sampled_from(["warn", "block"])))
                           for _ in range(draw(st.integers(0, 2)))), ("r",), (1,), 0, 1)
        for _ in range(draw(st.integers(0, 4)))
    ]
    findings = [
        FindingRecord(draw(names), draw(st.integers(1, 9)), "s", "x", "c", "t", "agent", "r",
                      "contact_im", "block", 0, 1, "m", "why", draw(names), "█", 0, 1, (1,))
        for _ in range(draw(st.integers(0, 3)))
    ]
    return Report(
        settings=Settings(),
        category_labels=draw(st.dictionaries(names, names, max_size=2)),
        rule_labels=draw(st.dictionaries(names, names, max_size=2)),
        totals={name: draw(small) for name in TOTALS},
        files=draw(st.dictionaries(names, st.just(tally(4)), max_size=2)),
        agents=draw(st.dictionaries(st.tuples(names, names, st.sampled_from(["agent", "buyer"])),
                                    st.just(tally(5)), max_size=3)),
        days=draw(st.dictionaries(names, st.just(tally(5)), max_size=2)),
        rules=draw(st.dictionaries(st.tuples(names, names), st.just(tally(3)), max_size=2)),
        terms=draw(st.dictionaries(st.tuples(names, names, names), small, max_size=3)),
        rejected_reasons=draw(st.dictionaries(names, small, max_size=2)),
        rejected=tuple(RejectedRecord(draw(names), draw(st.integers(1, 9)), "bad")
                       for _ in range(draw(st.integers(0, 3)))),
        worst=tuple(report_module.top_worst(worst)),
        findings=tuple(findings),
    )


@settings(max_examples=150, deadline=None)
@given(reports(), reports(), reports())
def test_merge_is_associative(a: Report, b: Report, c: Report) -> None:
    # small caps, so that the bounded lists overflow
    old = report_module.MAX_REJECTED_LISTED, report_entries.MAX_WORST
    report_module.MAX_REJECTED_LISTED, report_entries.MAX_WORST = 2, 2
    try:
        left = merge_reports(merge_reports(a, b), c)
        right = merge_reports(a, merge_reports(b, c))
        flat = merge_reports(a, b, c)
        assert left.to_dict() == right.to_dict() == flat.to_dict()
        assert Report.from_dict(left.to_dict()).to_dict() == left.to_dict()
    finally:
        report_module.MAX_REJECTED_LISTED, report_entries.MAX_WORST = old


def test_worst_messages_merge_the_same_in_any_grouping_even_on_ties() -> None:
    """Found by hypothesis: entries equal in everything the rank knew but the message."""
    def worst(*messages: str) -> tuple[WorstMessage, ...]:
        return tuple(WorstMessage("a", 1, "s", "x", "c", "t", "agent", "warn", m, (), ("r",),
                                  (1,), 0, len(m)) for m in messages)

    empty = Report(settings=Settings(), category_labels={}, rule_labels={},
                   totals=dict.fromkeys(TOTALS, 0), files={}, agents={}, days={}, rules={},
                   terms={}, rejected_reasons={}, rejected=(), worst=(), findings=())
    a, b, c = (replace(empty, worst=worst(*m)) for m in (("b", "c"), ("a",), ("c",)))
    old = report_entries.MAX_WORST
    report_entries.MAX_WORST = 2
    try:
        left = merge_reports(merge_reports(a, b), c).to_dict()["worst"]
        right = merge_reports(a, merge_reports(b, c)).to_dict()["worst"]
    finally:
        report_entries.MAX_WORST = old
    assert left == right
    assert [w["message"] for w in left] == ["a", "b"]


def test_reports_of_different_settings_do_not_merge() -> None:
    with pytest.raises(ValueError, match="different settings"):
        merge_reports(Report(), Report(settings=Settings(role="all")))
