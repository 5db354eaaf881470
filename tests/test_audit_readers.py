"""Reading chat logs: counting never lies (records in = scanned + skipped + rejected)."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from guard.audit.readers import (
    MAX_LINE_BYTES,
    Rejected,
    Row,
    iter_records,
    open_source,
    read_chunks,
)
from guard.audit.rows import _jsonl_batch, _jsonl_record
from guard.audit.run import audit_to_report
from guard.errors import UsageError

DATA = Path(__file__).parent / "data"


def record(line: int, role: str = "agent", text: str = "好的亲", conversation: str = "C1",
           **extra: object) -> bytes:
    fields = {"shop": "店铺A", "agent": "客服1", "conversation": conversation,
              "time": f"2026-11-01T10:{line % 60:02d}:00+08:00", "role": role, "text": text}
    fields.update(extra)
    return json.dumps(fields, ensure_ascii=False).encode()


def messy_jsonl() -> tuple[bytes, dict[int, str]]:
    """A log with every kind of bad line; returns (bytes, {line: reason start})."""
    lines: list[bytes] = [
        record(1),                                            # 1 agent
        record(2, role="buyer", text="我的快递到哪了"),        # 2 buyer: skipped
        b"",                                                  # 3 blank: no record
        b'{"shop": "A", "agent": "x", "text": "broken',       # 4 broken JSON
        record(5, text="亲 加我微信 abc12345 聊"),             # 5 agent, blocked
        b'{"shop": "A", "agent": "x", "role": "agent", "text": "hi"}',  # 6 missing fields
        record(7)[:-2] + b'\xff\xfe"}',                       # 7 invalid UTF-8
        b"   \t ",                                            # 8 blank (whitespace)
        b'{"text": "' + b"x" * (MAX_LINE_BYTES + 50) + b'"}',  # 9 a line over 1 MB
        record(10, role="system", text="[系统消息] 订单已发货"),  # 10 system: skipped
        b"[1, 2, 3]",                                         # 11 not an object
        record(12, role="manager"),                           # 12 unknown role
        record(13, time="yesterday"),                         # 13 bad time
        b"\r",                                                # 14 blank (CR only)
        record(15, text=123),                                 # 15 text not a string
        record(16, role="buyer", agent=None, text="在吗"),     # 16 buyer without agent: fine
        record(17),                                           # 17 last line, no newline
    ]
    reasons = {4: "不是有效的 JSON", 6: "缺少字段", 7: "不是有效的 UTF-8",
               9: "行太长", 11: "不是 JSON 对象", 12: "未知角色",
               13: "时间不是 ISO 8601 格式：'yesterday'", 15: "不是字符串：text"}
    return b"\n".join(lines), reasons


def check_counts(report, reasons: dict[int, str]) -> None:  # type: ignore[no-untyped-def]
    totals = report.totals
    assert totals["records"] == 14  # 17 lines, 3 blank
    assert totals["records"] == totals["scanned"] + totals["skipped"] + totals["rejected"]
    assert totals["rejected"] == len(reasons)
    assert totals["skipped"] == 3
    assert totals["scanned"] == 3
    assert totals["block"] == 1
    assert totals["pass"] + totals["warn"] + totals["block"] == totals["scanned"]
    listed = {r.line: r.reason for r in report.rejected}
    assert sorted(listed) == sorted(reasons)
    for line, start in reasons.items():
        assert listed[line].startswith(start), (line, listed[line])


@pytest.mark.parametrize("chunk_bytes", [1 << 20, 300, 1])
def test_counting_on_a_messy_jsonl_log(tmp_path: Path, guard, chunk_bytes: int) -> None:
    data, reasons = messy_jsonl()
    path = tmp_path / "messy.jsonl"
    path.write_bytes(data)
    report = audit_to_report([str(path)], chunk_bytes=chunk_bytes, guard=guard)
    check_counts(report, reasons)
    assert "1,048," in next(r.reason for r in report.rejected if r.line == 9)


def test_counting_on_gzip(tmp_path: Path, guard) -> None:
    data, reasons = messy_jsonl()
    path = tmp_path / "messy.jsonl.gz"
    path.write_bytes(gzip.compress(data))
    check_counts(audit_to_report([str(path)], chunk_bytes=500, guard=guard), reasons)


def test_a_long_line_is_never_held_whole(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_bytes(record(1) + b"\n" + b"y" * (5 * MAX_LINE_BYTES) + b"\n" + record(3) + b"\n")
    for ship in (False, True):
        chunks = list(read_chunks(open_source(str(path)), chunk_bytes=100, ship=ship))
        assert all(len(data) < 1000 and len(back) < 1000
                   for data, back in (c.contents() for c in chunks))
    records = [r for c in chunks for r in iter_records(c)]
    assert [type(r) for r in records] == [Row, Rejected, Row]
    assert records[1].line == 2 and "5,242,880 字节" in records[1].reason


ZH_CSV = (
    "\ufeff店铺,客服,会话,时间,角色,内容\n"
    "店铺A,客服1,C1,2026-11-01 10:00:00,买家,在吗\n"              # 2 buyer
    "店铺A,客服1,C1,2026-11-01 10:00:30,客服,亲 在的\n"           # 3 agent
    "店铺A,客服1,C1,2026-11-01 10:01:00,客服,加我微信 abc12345\n"  # 4 agent, blocked
    "\n"                                                          # 5 blank
    "店铺A,客服1,C1,2026-11-01 10:02:00,客服\n"                    # 6 ragged (5 fields)
    '店铺A,客服1,C1,2026-11-01 10:03:00,客服,"两行的\n消息，带""引号"""\n'  # 7-8 one record
    "店铺A,客服1,C1,2026-11-01 10:04:00,系统,[系统消息] 订单已发货\n"  # 9 system
    "店铺A,客服1,C1,2026-11-01 10:05:00,客服,好的,多出来的一列\n"   # 10 ragged (7 fields)
)


def test_counting_on_a_chinese_csv(tmp_path: Path, guard) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(ZH_CSV.encode() + "店铺A,客服1,C1,2026-11-01 10:06:00,客服,".encode()
                     + b"\xff\xfe\n" + "店铺A,客服1,C1,2026-11-01 10:07:00,客服,好的".encode())
    for chunk_bytes in (1 << 20, 60, 1):
        report = audit_to_report([str(path)], chunk_bytes=chunk_bytes, guard=guard)
        totals = report.totals
        assert totals["records"] == 9, chunk_bytes  # 12 lines: a header, a blank, a 2-line row
        assert (totals["scanned"], totals["skipped"], totals["rejected"]) == (4, 2, 3)
        assert totals["block"] == 1
        reasons = {r.line: r.reason for r in report.rejected}
        assert reasons == {6: "列数不齐：5 列，表头有 6 列",
                           10: "列数不齐：7 列，表头有 6 列",
                           11: "不是有效的 UTF-8"}


def test_csv_fixture_with_english_headers_and_gzip(tmp_path: Path, guard) -> None:
    plain = DATA / "audit_export_en.csv"
    packed = tmp_path / "audit_export_en.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    first = audit_to_report([str(plain)], guard=guard).to_dict()
    second = audit_to_report([str(packed)], guard=guard).to_dict()
    assert first["totals"] == second["totals"]
    assert first["totals"]["records"] == 6
    assert first["totals"]["rejected"] == 1
    assert first["rejected"][0]["line"] == 6


def test_gb18030_csv_from_excel(tmp_path: Path, guard) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(ZH_CSV.replace("\ufeff", "").encode("gb18030"))
    report = audit_to_report([str(path)], guard=guard)
    assert report.totals["records"] == 7
    assert report.totals["rejected"] == 2  # the two ragged rows; the rest read as GB18030
    assert report.totals["block"] == 1


def test_csv_rows_are_the_fields_the_header_names(tmp_path: Path) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["内容", "角色", "时间", "会话", "客服", "店铺", "备注"],
                                  ["加我微信", "客服", "2026-11-01T10:00:00", "C9", "小王",
                                   "店铺B", "x"]])
    path = tmp_path / "reordered.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    chunks = list(read_chunks(open_source(str(path))))
    (row,) = [r for c in chunks for r in iter_records(c)]
    assert isinstance(row, Row)
    assert (row.shop, row.agent, row.conversation, row.role, row.text) == (
        "店铺B", "小王", "C9", "agent", "加我微信")


def test_unusable_files_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="没有这个文件"):
        open_source(str(tmp_path / "nope.jsonl"))
    bad = tmp_path / "bad.csv"
    bad.write_text("shop,agent,time,text\nA,x,2026-11-01T10:00:00,hi\n", encoding="utf-8")
    with pytest.raises(UsageError, match="conversation"):
        open_source(str(bad))


def test_blank_lines_are_not_records(tmp_path: Path, guard) -> None:
    path = tmp_path / "blank.jsonl"
    path.write_bytes(b"\n\n" + record(3) + b"\n\n \n\r\n" + record(7) + b"\n\n")
    report = audit_to_report([str(path)], guard=guard)
    assert report.totals["records"] == 2
    assert {f: t[0] for f, t in report.files.items()} == {str(path): 2}


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_chunks_read_by_workers_are_the_chunks_shipped(tmp_path: Path, kind: str) -> None:
    """A worker reading a plain file's bytes itself sees exactly what a shipped chunk holds,
    and each chunk's lookback is exactly the lines before it (placeholders included)."""
    if kind == "jsonl":
        data, _ = messy_jsonl()
        data = data + b"\n" + b"z" * (MAX_LINE_BYTES + 3) + b"\n" + record(19) + b"\n"
    else:
        data = ZH_CSV.encode() + b'A,b,C,2026-11-01 10:00:00,\xe5\xae\xa2\xe6\x9c\x8d,"' \
            + b"q" * (MAX_LINE_BYTES + 9) + b'\nmore"\n' + ZH_CSV.split("\n", 1)[1].encode()
    path = tmp_path / f"log.{kind}"
    path.write_bytes(data)
    source = open_source(str(path))
    for chunk_bytes in (1, 40, 333, 1 << 20):
        shipped = list(read_chunks(source, chunk_bytes, lookback_lines=3, ship=True))
        read = list(read_chunks(source, chunk_bytes, lookback_lines=3, ship=False))
        assert [c.contents() for c in shipped] == [c.contents() for c in read]
        lines: list[bytes] = []
        for chunk in read:
            body, back = chunk.contents()
            assert back.count(b"\n") == chunk.first_line - chunk.lookback_first_line
            if kind == "jsonl":
                assert back.splitlines() == lines[-3:] or chunk.first_line == 1
            lines += body.splitlines()


@pytest.mark.parametrize("keep", [0.35, 0.7, 0.95])
def test_a_compressed_log_cut_short_counts_what_it_holds(tmp_path: Path, guard,
                                                         keep: float) -> None:
    """An interrupted download: every whole line before the break counts, the break is listed."""
    import random
    import zlib

    rng = random.Random(7)
    def text() -> str:
        return "".join(rng.choice("好的亲在吗发货退款微信") for _ in range(rng.randint(5, 60)))

    lines = [record(i, role=rng.choice(["agent", "buyer"]), text=text()) for i in range(1, 4001)]
    packed = gzip.compress(b"\n".join(lines) + b"\n")
    cut = packed[:int(len(packed) * keep)]
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(cut)
    readable = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(cut)  # what can be had
    whole_lines = readable.count(b"\n")
    for chunk_bytes in (1 << 20, 20_000):
        report = audit_to_report([str(path)], guard=guard, chunk_bytes=chunk_bytes)
        totals = report.totals
        assert totals["records"] == whole_lines + 1  # the broken-off line is one record
        assert totals["rejected"] == 1
        assert totals["scanned"] + totals["skipped"] == whole_lines
        (broken,) = report.rejected
        assert broken.line == whole_lines + 1 and "压缩文件在这里中断" in broken.reason


def test_a_file_that_is_not_gzip_at_all_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl.gz"
    path.write_bytes(b'{"shop": "A"}\n')
    with pytest.raises(UsageError, match="无法读取"):
        open_source(str(path))


# The usual line takes the reader's inline path; any other goes through _jsonl_record
# and make_row, which say what is wrong. Both must read every line the same way.
_FIELD_VALUES = st.one_of(st.text(max_size=12), st.sampled_from(
    ["", " ", "agent", "buyer", "客服", "系统", "2026-11-01T10:00:00+08:00", "2026/11/01 10:00:00",
     "20261101T100000", "C1", "店铺A"]), st.integers(-5, 99), st.none(), st.booleans())


_VALID = {"shop": "店铺A", "agent": "客服1", "conversation": "C1",
          "time": "2026-11-01T10:00:00+08:00", "role": "agent", "text": "好的亲"}


@st.composite
def jsonl_lines(draw: st.DrawFn) -> bytes:
    """A valid record with a few fields changed, dropped or added; sometimes broken."""
    fields: dict[str, object] = dict(_VALID)
    for name in (*_VALID, "extra"):
        change = draw(st.integers(0, 5))
        if change == 0:
            fields.pop(name, None)
        elif change == 1:
            fields[name] = draw(_FIELD_VALUES)
    line = json.dumps(fields, ensure_ascii=draw(st.booleans())).encode()
    if draw(st.integers(0, 4)) == 0:  # sometimes broken: a byte changed, cut or inserted
        at = draw(st.integers(0, len(line)))
        junk = draw(st.sampled_from([b"", b"\xff", b"{", b'"', b",", b"\\ud800", b" "]))
        line = line[:at] + junk + line[at + draw(st.integers(0, 3)):]
    return line.replace(b"\n", b"")


@given(st.lists(jsonl_lines(), max_size=12))
@example([record(1)[:-1] + b', "extra": "\xff"}'])  # bad bytes in a field the audit never reads
@example([record(1)[:-1] + b', "extra": 1e999}'])
@settings(max_examples=300, deadline=None)
def test_the_inline_path_reads_every_line_as_the_careful_path_does(lines: list[bytes]) -> None:
    data = b"".join(line + b"\n" for line in lines)
    fast, skipped = _jsonl_batch(data, 1, {}, False)
    careful = [r for n, line in enumerate(lines, 1)
               if (r := _jsonl_record(line, n)) is not None]
    assert skipped == 0
    assert fast == careful
    # the roles only counted are validated as fully, and counted, not returned
    kept, skipped = _jsonl_batch(data, 1, {}, False, frozenset({"buyer", "system"}))
    assert kept == [r for r in careful if type(r) is Rejected or r.role == "agent"]
    assert skipped == len(careful) - len(kept)


def test_a_line_with_other_fields_is_read_as_carefully(tmp_path: Path, guard) -> None:
    """Fields besides the six are allowed, and checked like the rest of the line."""
    path = tmp_path / "extra.jsonl"
    lines = [
        record(1)[:-1] + b', "meta": {"a": [1, {"b": null}]}, "msg_id": 42}',
        record(2)[:-1] + b', "text": "duplicate key: the last one counts"}',
        record(3)[:-1] + b', "note": "\xff"}',  # invalid UTF-8, in a field the audit never reads
        record(4)[:-1] + b', "score": 1e999}',  # no number a parser can hold
        record(5, text="X").replace(b'"X"', b'"\\ud800"'),  # a lone surrogate: not text
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = audit_to_report([str(path)], guard=guard)
    assert (report.totals["scanned"], report.totals["rejected"]) == (2, 3)
    reasons = {r.line: r.reason for r in report.rejected}
    assert sorted(reasons) == [3, 4, 5]
    assert reasons[3].startswith("不是有效的 UTF-8")
    assert reasons[4].startswith("不是有效的 JSON")
