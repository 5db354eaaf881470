"""Line records: one reader, one size limit, one set of reasons for check --jsonl and the audit."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from guard.audit.readers import open_source, parse_records, read_chunks
from guard.records import MAX_LINE_BYTES, Record, Rejected, iter_lines, read_records

BAD_LINES = [
    b"this is not json",
    b'{"text": "\xff\xfe"}',
    b"[1, 2]",
    b'{"text": 12}',
    b'{"shop": "A"}',
    b'{"text": "' + b"x" * MAX_LINE_BYTES + b'"}',
]


def test_a_runaway_line_is_measured_not_held() -> None:
    stream = io.BytesIO(b"a\n" + b"y" * (3 * MAX_LINE_BYTES + 7) + b"\nb\n" + b"z" * MAX_LINE_BYTES)
    lines = list(iter_lines(stream))
    assert [length for _, length in lines] == [1, 3 * MAX_LINE_BYTES + 7, 1, MAX_LINE_BYTES]
    assert all(len(line) <= MAX_LINE_BYTES + 2 for line, _ in lines)


def test_blank_lines_and_a_bom_are_not_records() -> None:
    stream = io.BytesIO(b'\xef\xbb\xbf{"text": "a"}\n\n  \n{"text": "b", "id": 2}\n')
    assert list(read_records(iter_lines(stream))) == [
        Record(1, {"text": "a"}, "a"), Record(4, {"text": "b", "id": 2}, "b")]


def test_check_and_audit_reject_a_bad_line_for_the_same_reason(tmp_path: Path) -> None:
    """The same broken line gives the same reason in `guard check --jsonl` and the audit."""
    checked = list(read_records(iter_lines(io.BytesIO(b"\n".join(BAD_LINES) + b"\n"))))
    log = tmp_path / "log.jsonl"
    log.write_bytes(b"\n".join(BAD_LINES) + b"\n")
    (chunk,) = read_chunks(open_source(str(log)), ship=True)
    audited, _ = parse_records(chunk)
    assert all(type(r) is Rejected for r in checked + audited)
    by_line = {r.line: r.reason for r in audited}
    for record in checked:
        if record.line in (4, 5):  # the fields: the audit wants six, the check one
            assert by_line[record.line].startswith("缺少字段：")
            assert record.reason == ("不是字符串：text（实为 number）", "缺少字段：text")[
                record.line - 4]
        else:
            assert by_line[record.line] == record.reason, record.line
    assert by_line[6] == f"行太长（{MAX_LINE_BYTES + 12:,} 字节，上限 {MAX_LINE_BYTES:,}）"


@pytest.mark.parametrize(("line", "reason"), [
    (b'{"text": null}', "缺少字段：text"),
    (b'{"text": ["a"]}', "不是字符串：text（实为 array）"),
    (b'"just a string"', "不是 JSON 对象（实为 string）"),
])
def test_reasons(line: bytes, reason: str) -> None:
    (record,) = read_records(iter_lines(io.BytesIO(line)))
    assert record == Rejected(1, reason)
