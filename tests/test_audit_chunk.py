"""The loop over one chunk's records: no reference cycles, evidence once per distinct text."""

from __future__ import annotations

import gc
import json
from pathlib import Path

from guard.audit.run import audit_to_report

SAMPLES = Path(__file__).parent.parent / "samples"


def test_auditing_makes_no_reference_cycles(tmp_path: Path, guard) -> None:
    """Worker processes run with the cyclic collector off: nothing may need it."""
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(
        b'{"shop":"A","agent":"x","conversation":"C","time":"2026-11-01T10:00:00","role":"agent",'
        b'"text":"\xe5\x8a\xa0\xe6\x88\x91\xe5\xbe\xae"}\n'  # 加我微 …
        b'{"shop":"A","agent":"x","conversation":"C","time":"2026-11-01T10:00:09","role":"agent",'
        b'"text":"\xe4\xbf\xa1 abcd1234"}\n'  # … 信 abcd1234: split over two messages
        b'not json\n{"shop":"A"}\n\xff\xfe\n[1, 2]\n'
        b'{"shop":"A","agent":"x","conversation":"C","time":"yesterday","role":"agent","text":"a"}\n'
        b'{"shop":"A","agent":"x","conversation":"C","time":"2026-11-01T10:01:00","role":"boss",'
        b'"text":"a"}\n')
    logs = [SAMPLES / "chat_log.jsonl", SAMPLES / "chat_log.csv", broken]
    copies = []
    for index, log in enumerate(logs):  # the same records again, under other names
        copy = tmp_path / f"copy{index}{log.suffix}"
        copy.write_bytes(log.read_bytes())
        copies.append(copy)

    def garbage_cycles(paths: list[Path]) -> int:
        """Objects in reference cycles left behind by one audit of `paths`."""
        gc.collect()
        enabled = gc.isenabled()
        gc.disable()
        try:
            report = audit_to_report([str(p) for p in paths], guard=guard, chunk_bytes=4096)
            assert report.totals["rejected"] == 6 * len(paths) // 3
            assert report.totals["split_findings"] >= 1
            return gc.collect()
        finally:
            if enabled:
                gc.enable()

    once = garbage_cycles(logs)
    twice = garbage_cycles(logs + copies)
    # The one auditor per run (its caches point back at it) is a cycle; no record may add one.
    assert once == twice


def test_a_repeated_line_is_evidence_each_time_and_listed_once(tmp_path: Path, guard) -> None:
    """Evidence is worked out once per distinct (text, role); each copy is still a finding."""
    said = "好的，收件人王小明，加我微信 wxabc123 电话13900001111"
    lines = []
    for index, role in enumerate(["agent", "buyer", "agent", "agent", "buyer"]):
        lines.append(json.dumps({"shop": "店铺A", "agent": "客服1", "conversation": f"C{index}",
                                 "time": f"2026-11-01T10:0{index}:00+08:00", "role": role,
                                 "text": said}, ensure_ascii=False))
    path = tmp_path / "repeated.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for role, expected in (("agent", [1, 3, 4]), ("all", [1, 2, 3, 4, 5])):
        report = audit_to_report([str(path)], role=role, guard=guard, chunk_bytes=1 << 20)
        wechat = [f for f in report.findings if f.rule == "wechat"]
        assert [f.line for f in wechat] == expected
        for finding in report.findings:
            assert "王小明" not in finding.message
            assert finding.text == finding.message[finding.start:finding.end]
            # the agent's own number is the violation; in a buyer's line it is personal data
            assert ("13900001111" in finding.message) == (finding.role == "agent")
        # one entry per distinct display, at its first line, whatever the chunking
        assert [(w.line, w.role) for w in report.worst] == [(1, "agent")] + (
            [(2, "buyer")] if role == "all" else [])
        assert report == audit_to_report([str(path)], role=role, guard=guard, chunk_bytes=200)
