"""Service metrics: response times per agent and per shop, against figures worked out by hand."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.audit import metrics, run, segments
from guard.audit.chunking import read_chunks
from guard.audit.metrics import GAP_LINES, Responses, median
from guard.audit.render_csv import HEADER
from guard.audit.report import Report, merge_reports
from guard.cli import main

# (shop, agent, conversation, time, role, text). Worked out by hand below.
LOG = [
    ("S1", "A", "c1", "10:00:00", "buyer", "在吗"),
    ("S1", "A", "c1", "10:00:20", "buyer", "有货吗"),       # same turn, timed from 10:00:00
    ("S1", "A", "c1", "10:00:50", "agent", "有的亲"),       # 50 s, c1's first response
    ("S1", "B", "c3", "12:00:00", "buyer", "发什么快递"),   # another conversation in between
    ("S1", "A", "c1", "10:02:00", "buyer", "能便宜点吗"),
    ("S1", "A", "c1", "10:06:00", "agent", "已经是最低价了"),  # 240 s
    ("S1", "A", "c1", "10:06:30", "agent", "还有别的问题吗"),  # nothing open: no turn
    ("S1", "A", "c1", "10:10:00", "buyer", "好吧"),         # never answered: c1 unanswered
    ("S1", "A", "c2", "11:00:00", "agent", "您好"),         # the agent greets first
    ("S1", "", "c2", "11:00:10", "buyer", "我的快递到哪了"),  # buyer lines need not name the agent
    ("S1", "A", "c2", "11:00:40", "agent", "我帮您查一下"),   # 30 s, c2's first response
    ("S1", "B", "c3", "12:02:00", "agent", "中通"),         # 120 s, c3's first response
    ("S1", "B", "c3", "12:03:00", "buyer", "几天到"),
    ("S1", "", "c3", "12:03:01", "system", "[系统消息] 订单已付款"),  # not a turn
    ("S1", "B", "c3", "12:05:00", "agent", "一般三天"),      # 120 s
    ("S2", "C", "c1", "09:00:00", "buyer", "在吗"),          # same id, another shop: never answered
]

# By hand:
# A: answered turns 50, 240, 30 s; one unanswered turn (c1's last).
#    mean (50+240+30)/3 = 106.67; within 180 s: 50 and 30 of 4 turns = 0.5;
#    first responses c1 50, c2 30 → median 40; unanswered conversations: c1 → 1.
# B: turns 120, 120 → mean 120; 2 of 2 within 180 s → 1.0; first c3 120; none unanswered.
# C: no answered turn → mean and median null; 0 of 1 turns within 180 s → 0.0; 1 unanswered.
# S1: turns 50, 240, 30, 120, 120 + 1 unanswered → mean 560/5 = 112; 4 of 6 → 0.6667;
#     first responses 50, 30, 120 → median 50; unanswered conversations 1.
EXPECTED_AGENTS = {
    ("S1", "A"): (40.0, 106.7, 0.5, 1),
    ("S1", "B"): (120.0, 120.0, 1.0, 0),
    ("S2", "C"): (None, None, 0.0, 1),
}
EXPECTED_SHOPS = {"S1": (50.0, 112.0, 0.6667, 1), "S2": (None, None, 0.0, 1)}
FIGURES = ("first_response_median_s", "response_mean_s", "answered_3min_share",
           "unanswered_conversations")


def write(path: Path, rows: list[tuple[str, ...]], filler: int = 0) -> Path:
    lines = []
    for index, (shop, agent, conversation, time, role, text) in enumerate(rows):
        lines.append(json.dumps({"shop": shop, "agent": agent, "conversation": conversation,
                                 "time": f"2026-11-02T{time}+08:00", "role": role, "text": text},
                                ensure_ascii=False))
        if index == 0:
            lines.extend(json.dumps({"shop": "S9", "agent": "Z", "conversation": f"f{n}",
                                     "time": "2026-11-02T10:00:01+08:00", "role": "agent",
                                     "text": "好的"}) for n in range(filler))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def audit(path: Path, *args: str) -> dict:
    out = path.with_suffix(".report.json")
    assert main(["audit", str(path), "--quiet", "--fail-on", "never", "--json", str(out),
                 *args]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def figures(report: dict) -> tuple[dict, dict]:
    agents = {(a["shop"], a["agent"]): tuple(a[f] for f in FIGURES) for a in report["agents"]
              if a["shop"] != "S9"}
    shops = {s["shop"]: tuple(s[f] for f in FIGURES) for s in report["shops"] if s["shop"] != "S9"}
    return agents, shops


def test_the_figures_worked_out_by_hand(tmp_path: Path) -> None:
    report = audit(write(tmp_path / "log.jsonl", LOG))
    agents, shops = figures(report)
    assert agents == EXPECTED_AGENTS
    assert shops == EXPECTED_SHOPS
    c = next(a for a in report["agents"] if a["agent"] == "C")
    assert c["messages"] == 0  # listed for its unanswered buyer, though it sent nothing


def test_the_same_figures_whatever_the_chunks_and_workers(tmp_path: Path) -> None:
    """Conversations cut by chunk boundaries (a few hundred bytes each) keep their turns."""
    log = write(tmp_path / "log.jsonl", LOG, filler=30)
    whole = audit(log)
    for args in (("--chunk-bytes", "300"), ("--chunk-bytes", "700", "--workers", "2")):
        cut = audit(log, *args)
        assert figures(cut) == (EXPECTED_AGENTS, EXPECTED_SHOPS), args
        assert cut["agents"] == whole["agents"] and cut["shops"] == whole["shops"]


def test_a_report_read_back_and_merged_keeps_the_figures(tmp_path: Path) -> None:
    report = audit(write(tmp_path / "log.jsonl", LOG))
    again = Report.from_dict(report)
    assert again.to_dict() == report
    doubled = merge_reports(again, again).to_dict()
    agents = {(a["shop"], a["agent"]): a for a in doubled["agents"]}
    # twice the same turns: the same mean, median and share; twice the unanswered
    assert tuple(agents[("S1", "A")][f] for f in FIGURES) == (40.0, 106.7, 0.5, 2)


def test_a_conversation_silent_for_longer_than_the_gap_starts_anew(tmp_path: Path) -> None:
    rows = [("S1", "A", "c1", "10:00:00", "buyer", "在吗"),
            ("S1", "A", "c1", "10:01:00", "buyer", "人呢")]
    log = write(tmp_path / "gap.jsonl", rows, filler=GAP_LINES + 5)
    agents, shops = figures(audit(log, "--chunk-bytes", "50000"))
    # two conversations, each one unanswered turn
    assert shops["S1"] == (None, None, 0.0, 2)
    assert agents[("S1", "A")] == (None, None, 0.0, 2)


def test_a_turn_reaching_back_past_the_lookback_is_timed_the_same_in_chunks(
        tmp_path: Path) -> None:
    """Once a known bug (each chunk re-read 4,000 lines back): a turn whose first message
    lies further back than any lookback is timed from it, in chunks and workers alike."""
    rows = [("S1", "A", "c1", "10:00:00", "buyer", "在吗"),
            ("S1", "A", "c1", "10:00:10", "buyer", "在吗在吗"),
            ("S1", "A", "c1", "10:01:40", "agent", "在的")]
    lines = []
    for index, (shop, agent, conversation, time, role, text) in enumerate(rows):
        lines.append(json.dumps({"shop": shop, "agent": agent, "conversation": conversation,
                                 "time": f"2026-11-02T{time}+08:00", "role": role,
                                 "text": text}, ensure_ascii=False))
        if index < 2:  # 3,000 lines of other conversations after each buyer line
            lines.extend(json.dumps({"shop": "S9", "agent": "Z", "conversation": f"f{index}{n}",
                                     "time": "2026-11-02T10:00:01+08:00", "role": "agent",
                                     "text": "好的"}) for n in range(3000))
    log = tmp_path / "long.jsonl"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = figures(audit(log))[0][("S1", "A")]
    assert whole == (100.0, 100.0, 1.0, 0)  # 10:00:00 → 10:01:40
    assert figures(audit(log, "--chunk-bytes", "100000"))[0][("S1", "A")] == whole
    assert figures(audit(log, "--chunk-bytes", "60000", "--workers", "2"))[0][("S1", "A")] \
        == whole


def test_a_later_turn_is_not_taken_for_the_first_response_in_a_later_chunk(
        tmp_path: Path) -> None:
    """The conversation answered before a chunk's first line: a turn after it is no first."""
    rows = [("S1", "A", "c1", "10:00:00", "buyer", "在吗"),
            ("S1", "A", "c1", "10:00:30", "agent", "在的"),    # first response 30 s
            ("S1", "A", "c1", "10:10:00", "buyer", "发货了吗"),
            ("S1", "A", "c1", "10:20:00", "agent", "发了")]    # 600 s, not a first response
    log = write(tmp_path / "later.jsonl", rows[:3])
    lines = log.read_text(encoding="utf-8").splitlines()
    filler = [json.dumps({"shop": "S9", "agent": "Z", "conversation": f"f{n}",
                          "time": "2026-11-02T10:00:01+08:00", "role": "agent", "text": "好的"})
              for n in range(3000)]
    last = write(tmp_path / "one.jsonl", [rows[3]]).read_text(encoding="utf-8").splitlines()
    log.write_text("\n".join(lines[:2] + filler + lines[2:] + filler + last) + "\n",
                   encoding="utf-8")
    whole = figures(audit(log))[0][("S1", "A")]
    assert whole == (30.0, 315.0, 0.5, 0)
    for size in ("30000", "100000", "200000"):
        assert figures(audit(log, "--chunk-bytes", size))[0][("S1", "A")] == whole, size


def test_nothing_to_measure_is_null(tmp_path: Path) -> None:
    report = audit(write(tmp_path / "log.jsonl", [("S1", "A", "c1", "10:00:00", "agent", "您好")]))
    (agent,) = report["agents"]
    assert all(agent[f] is None for f in FIGURES)


@pytest.mark.parametrize(("counts", "expected"), [
    ({}, None), ({5: 1}, 5.0), ({5: 1, 7: 1}, 6.0), ({1: 2, 10: 1}, 1.0), ({1: 1, 3: 2, 9: 1}, 3.0),
])
def test_median_of_counts(counts: dict[int, int], expected: float | None) -> None:
    assert median(counts) == expected


def test_bins_put_each_turn_in_one_bin() -> None:
    responses = Responses({10: 2, 30: 1, 31: 1, 180: 1, 181: 1, 5000: 3}, {}, 4, 1, 2)
    assert responses.bins() == [3, 1, 1, 1, 0, 3, 4]


# The same log as a QA lead's spreadsheet (--csv-summary), by hand from LOG: per row
# (scope, shop, agent, agents, messages, conversations, turns, answered, unanswered,
#  first-response median, mean response, answered within 3 min, unanswered conversations).
# A's messages: c1's three and c2's two; B's: c3's two; C sent nothing. Turns as above.
EXPECTED_SUMMARY = [
    ("店铺", "S1", "", "2", "7", "3", "6", "5", "1", "50.0", "112.0", "0.6667", "1"),
    ("客服", "S1", "A", "", "5", "2", "4", "3", "1", "40.0", "106.7", "0.5", "1"),
    ("客服", "S1", "B", "", "2", "1", "2", "2", "0", "120.0", "120.0", "1.0", "0"),
    ("店铺", "S2", "", "1", "0", "1", "1", "0", "1", "", "", "0.0", "1"),
    ("客服", "S2", "C", "", "0", "1", "1", "0", "1", "", "", "0.0", "1"),
]
SUMMARY_COLUMNS = ("范围", "店铺", "客服", "客服人数", "消息数", "会话数", "买家轮次", "已回复轮次",
                   "未回复轮次", "首响中位（秒）", "平均响应（秒）", "3分钟回复占比", "未回复会话")


def summary(log: Path, *args: str) -> tuple[bytes, list[dict[str, str]]]:
    out = log.with_suffix(".summary.csv")
    assert main(["audit", str(log), "--quiet", "--fail-on", "never", "--csv-summary", str(out),
                 *args]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the Chinese right
    return raw, list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_the_csv_summary_has_the_figures_worked_out_by_hand(tmp_path: Path) -> None:
    _, rows = summary(write(tmp_path / "log.jsonl", LOG))
    assert [tuple(row[c] for c in SUMMARY_COLUMNS) for row in rows] == EXPECTED_SUMMARY
    for row in rows:  # nothing in this log is a violation
        assert (row["通过"], row["警告"], row["拦截"], row["违规率"]) == \
            (row["消息数"], "0", "0", "0.0")


def test_the_csv_summary_is_the_same_whatever_the_chunks_and_workers(tmp_path: Path) -> None:
    log = write(tmp_path / "log.jsonl", LOG, filler=30)
    whole, rows = summary(log)
    assert [tuple(row[c] for c in SUMMARY_COLUMNS) for row in rows
            if row["店铺"] != "S9"] == EXPECTED_SUMMARY
    for args in (("--chunk-bytes", "300"), ("--chunk-bytes", "700", "--workers", "2")):
        assert summary(log, *args)[0] == whole, args


def test_the_csv_summary_keeps_names_excel_would_misread_as_text(tmp_path: Path) -> None:
    rows = [("2-5", "=1+1", "c1", "10:00:00", "buyer", "在吗"),
            ("2-5", "=1+1", "c1", "10:00:30", "agent", "在的")]
    _, written = summary(write(tmp_path / "log.jsonl", rows))
    assert [(row["店铺"], row["客服"]) for row in written] == \
        [('="2-5"', ""), ('="2-5"', '="=1+1"')]
    assert written[1]["平均响应（秒）"] == "30.0"


def test_the_findings_csv_keeps_its_columns_beside_the_summary(tmp_path: Path) -> None:
    log = write(tmp_path / "log.jsonl", LOG)
    findings = tmp_path / "findings.csv"
    assert main(["audit", str(log), "--quiet", "--csv", str(findings), "--csv-summary",
                 str(tmp_path / "summary.csv")]) == 0
    header = next(csv.reader(io.StringIO(findings.read_text(encoding="utf-8-sig"))))
    assert tuple(header) == HEADER


def test_only_one_report_goes_to_standard_output(tmp_path: Path) -> None:
    log = write(tmp_path / "log.jsonl", LOG)
    assert main(["audit", str(log), "--quiet", "--csv", "-", "--csv-summary", "-"]) == 2


@pytest.mark.parametrize("batch", [1, 2, 7])
def test_the_clock_fed_in_batches_of_any_size_gives_the_same_report(
        monkeypatch: pytest.MonkeyPatch, batch: int) -> None:
    """The audit loop feeds the clock in batches: a finding's neighbour lines and the
    figures must not depend on where a batch ends (the sample log has both)."""
    import guard.audit.chunk as chunk
    from guard.audit.run import audit_to_report

    sample = str(Path(__file__).resolve().parent.parent / "samples" / "chat_log.jsonl")
    whole = audit_to_report([sample], role="all").to_dict()
    assert any(f["context"] for f in whole["findings"])  # neighbour lines are shown
    monkeypatch.setattr(chunk, "FEED_BATCH", batch)
    assert audit_to_report([sample], role="all").to_dict() == whole


# Small logs of a few conversations: (shop, agent, conversation, seconds after the last
# line, role). The figures of any cut into chunks (any size, any lookback, the gap
# between two conversations made small so that it falls inside and across chunks)
# are those of one pass over the whole file.
MESSAGES = st.lists(st.tuples(st.sampled_from(["S1", "S2"]), st.sampled_from(["A", "B", ""]),
                              st.sampled_from(["c1", "c2", "c3"]), st.integers(0, 300),
                              st.sampled_from(["buyer", "buyer", "agent", "agent", "system"])),
                    max_size=40)


@settings(max_examples=60, deadline=None)
@given(messages=MESSAGES, chunk_bytes=st.integers(1, 3000), lookback=st.integers(0, 50),
       gap=st.integers(1, 12))
def test_any_chunks_give_the_figures_of_one_pass(
        guard: object, messages: list[tuple[str, str, str, int, str]], chunk_bytes: int,
        lookback: int, gap: int) -> None:
    import tempfile

    lines, moment = [], 0
    for shop, agent, conversation, step, role in messages:
        moment += step
        lines.append(json.dumps({"shop": shop, "agent": agent, "conversation": conversation,
                                 "time": f"2026-11-02T10:{moment // 60:02d}:{moment % 60:02d}"
                                         "+08:00", "role": role, "text": "好的"}))
    patch = pytest.MonkeyPatch()
    try:
        patch.setattr(metrics, "GAP_LINES", gap)
        patch.setattr(segments, "GAP_LINES", gap)
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder) / "log.jsonl"
            log.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
            whole = run.audit_to_report([str(log)], guard=guard, chunk_bytes=1 << 30)
            patch.setattr(run, "read_chunks", lambda source, size, ship=None: read_chunks(
                source, size, lookback, ship))
            cut = run.audit_to_report([str(log)], guard=guard, chunk_bytes=chunk_bytes)
    finally:
        patch.undo()
    assert whole.parts == () and cut.parts == ()
    assert {k: v.to_dict() for k, v in cut.responses.items()} == \
        {k: v.to_dict() for k, v in whole.responses.items()}
    assert cut.to_dict()["agents"] == whole.to_dict()["agents"]


def test_parts_merged_in_any_order_give_the_figures_of_one_pass(tmp_path: Path) -> None:
    """Spark or a pool may hand partial reports over in any order: adjacent parts join."""
    log = write(tmp_path / "log.jsonl", LOG, filler=30)
    whole = run.audit_to_report([str(log)])
    config = run.AuditConfig((), whole.settings)
    parts = [report for _, report, _ in run.audit_chunks(
        list(run.all_chunks([run.open_source(str(log))], 300)), config)]
    assert len(parts) > 5
    shuffled = parts[1::2] + parts[::2][::-1]
    assert sorted(map(id, shuffled)) == sorted(map(id, parts))
    merged = merge_reports(*shuffled)
    assert merged.parts == ()
    assert {k: v.to_dict() for k, v in merged.responses.items()} == \
        {k: v.to_dict() for k, v in whole.responses.items()}


def test_a_csv_whose_records_start_on_line_2_keeps_the_figures(tmp_path: Path) -> None:
    """The header is line 1: the first chunk still starts the file's conversations."""
    log = tmp_path / "log.csv"
    with log.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(("shop", "agent", "conversation", "time", "role", "text"))
        for shop, agent, conversation, time, role, text in LOG:
            out.writerow((shop, agent, conversation, f"2026-11-02T{time}+08:00", role, text))
    for args in ((), ("--chunk-bytes", "200"), ("--chunk-bytes", "300", "--workers", "2")):
        assert figures(audit(log, *args)) == (EXPECTED_AGENTS, EXPECTED_SHOPS), args


def test_the_bench_variants_take_out_only_their_feature(monkeypatch: pytest.MonkeyPatch) -> None:
    """bench/bench_audit.py --metrics measures each feature against the audit without it,
    everything else equal: each variant's report differs from the audit's only there."""
    import importlib.util

    import guard.audit.chunk as chunk
    from guard.audit.run import audit_to_report

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("audit_variants",
                                                  root / "bench" / "audit_variants.py")
    assert spec is not None and spec.loader is not None
    variants = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(variants)
    sample = str(root / "samples" / "chat_log.jsonl")
    reports = {}
    for variant in variants.VARIANTS:
        monkeypatch.setattr(chunk, "ResponseClock", chunk.ResponseClock)
        monkeypatch.setattr(chunk, "SYSTEM", chunk.SYSTEM)
        variants.apply(variant)
        reports[variant] = audit_to_report([sample], role="all", chunk_bytes=4000).to_dict()
        monkeypatch.undo()
    full = reports["full"]
    assert any(f["context"] for f in full["findings"])
    assert any(a["response_mean_s"] is not None for a in full["agents"])

    def without(report: dict, *keys: str) -> dict:
        found = [{k: v for k, v in f.items() if k not in keys} for f in report["findings"]]
        agents = [{k: v for k, v in a.items() if k not in keys} for a in report["agents"]]
        return {**report, "findings": found, "agents": agents,
                "shops": [{k: v for k, v in s.items() if k not in keys} for s in report["shops"]],
                **{key: None for key in keys if key in report}}

    times = (*FIGURES, "response_times")
    assert without(reports["no-metrics"], *times) == without(full, *times)
    assert not reports["no-metrics"]["response_times"]
    assert without(reports["no-neighbours"], "context") == without(full, "context")
    assert not any(f["context"] for f in reports["no-neighbours"]["findings"])


def test_a_first_chunk_made_by_hand_at_line_2_starts_the_file(tmp_path: Path) -> None:
    """Whether a chunk starts its file follows from where it starts (`Chunk.first`), not
    from a flag its maker must remember: once, a CSV's first chunk made without the flag
    left its conversations waiting for a chunk before line 2, never counted."""
    from guard.audit.chunk import audit_chunk
    from guard.audit.judge import AuditConfig, Auditor
    from guard.audit.readers import Chunk, open_source

    log = tmp_path / "log.csv"
    rows = [*LOG[:3], ("S1", "A", "c1", "10:01:00", "agent", "去京东买更便宜"), *LOG[3:]]
    with log.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(("shop", "agent", "conversation", "time", "role", "text"))
        for shop, agent, conversation, time, role, text in rows:
            out.writerow((shop, agent, conversation, f"2026-11-02T{time}+08:00", role, text))
    whole = run.audit_to_report([str(log)])
    assert whole.parts == () and whole.findings[0].context  # neighbour lines
    source = open_source(str(log))
    header = len(log.read_bytes().split(b"\n", 1)[0]) + 1
    size = log.stat().st_size
    chunk = Chunk(source, 2, header, size, (), header, 2, (), size, line_count=len(rows),
                  final=True)
    assert chunk.first
    report = audit_chunk(Auditor(AuditConfig((), whole.settings)), chunk)
    assert report.parts == ()
    assert {k: v.to_dict() for k, v in report.responses.items()} == \
        {k: v.to_dict() for k, v in whole.responses.items()}
    assert [f.context for f in report.findings] == [f.context for f in whole.findings]
