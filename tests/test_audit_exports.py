"""The exports merchants really have: Excel workbooks, the chat workbench's JSON, re-saved CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import orjson
import pytest
from openpyxl import Workbook

from guard.audit.render_csv import excel_text
from guard.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
XLSX = SAMPLES / "chat_export.xlsx"
WORKBENCH = SAMPLES / "workbench.jsonl"
EXCEL_CSV = SAMPLES / "chat_log_excel.csv"


def audit(tmp_path: Path, *args: str) -> tuple[int, dict]:
    out = tmp_path / "report.json"
    status = main(["audit", *args, "--quiet", "--json", str(out)])
    return status, json.loads(out.read_text(encoding="utf-8"))


def found(report: dict) -> list[tuple[str, str, str]]:
    return [(f["agent"], f["rule"], f["text"]) for f in report["findings"]]


@pytest.fixture(scope="module")
def first_80(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The JSONL sample's first 80 records — what the Excel and workbench samples hold."""
    folder = tmp_path_factory.mktemp("first80")
    lines = (SAMPLES / "chat_log.jsonl").read_text(encoding="utf-8").splitlines()[:80]
    log = folder / "first80.jsonl"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, report = audit(folder, str(log))
    assert status == 1
    return report


def test_the_excel_sample_gives_the_findings_of_the_same_messages(tmp_path: Path,
                                                                   first_80: dict) -> None:
    status, report = audit(tmp_path, str(XLSX))
    assert status == 2  # one row's time cannot be read
    totals = report["totals"]
    # 80 messages, 5 photos, 4 order cards, one row with a bad time; header and empty row no records
    assert totals["records"] == 90
    assert totals["records"] == totals["scanned"] + totals["skipped"] + totals["rejected"]
    assert report["skipped_non_text"] == {"图片": 5, "订单卡片": 4}
    assert totals["scanned"] == first_80["totals"]["scanned"]
    assert totals["skipped"] == first_80["totals"]["skipped"] + 9
    assert report["rejected"] == [{"file": f"{XLSX}:聊天记录", "line": 92,
                                   "reason": "时间不是 ISO 8601 格式：'昨天下午'"}]
    assert found(report) == found(first_80)
    assert {f["shop"] for f in report["findings"]} <= {"店铺01", "店铺02", "店铺03", "店铺04"}
    # no buyer account in the report: the conversation is a hash of the thread
    assert all(f["conversation"].startswith("买家-") for f in report["findings"])
    assert "pdd0" not in json.dumps(report, ensure_ascii=False)


def test_the_workbench_sample_gives_the_findings_of_the_same_messages(
        tmp_path: Path, first_80: dict) -> None:
    status, report = audit(tmp_path, str(WORKBENCH))
    assert status == 2
    totals = report["totals"]
    assert totals["records"] == 86 and totals["rejected"] == 1
    assert totals["records"] == totals["scanned"] + totals["skipped"] + totals["rejected"]
    assert report["skipped_non_text"] == {"图片": 5}
    assert report["rejected"][0]["line"] == 11
    assert report["rejected"][0]["reason"].startswith("不是有效的 JSON")
    assert found(report) == found(first_80)
    assert report["findings"][0]["time"].endswith("+08:00")


def test_a_workbench_json_array_is_read_too(tmp_path: Path) -> None:
    messages = [
        {"msg_id": "1", "ts": 1793495462, "from": {"role": "user", "uid": "u1"},
         "to": {"role": "mall_cs", "uid": "cs1"}, "type": 0, "content": "在吗"},
        {"msg_id": "2", "ts": 1793495480, "from": {"role": "mall_cs", "uid": "cs1"},
         "to": {"role": "user", "uid": "u1"}, "type": 0, "content": "加我微信吧"},
        {"msg_id": "3", "ts": 1793495490, "from": {"role": "mall_cs", "uid": "cs1"},
         "to": {"role": "user", "uid": "u1"}, "type": 6, "content": "{}"},
        {"msg_id": "4", "ts": 1793495499, "from": {"role": "robot", "uid": "x"}, "type": 0},
        {"msg_id": "5", "ts": 1793495500, "from": {"role": "mall", "uid": "m"},
         "to": {"role": "user", "uid": "u1"}, "type": 0, "content": "感谢光临"},
    ]
    log = tmp_path / "店铺A.json"
    log.write_bytes(orjson.dumps(messages, option=orjson.OPT_INDENT_2))
    status, report = audit(tmp_path, str(log))
    assert status == 2
    totals = report["totals"]
    assert (totals["records"], totals["scanned"], totals["skipped"], totals["rejected"]) == \
        (5, 2, 2, 1)
    assert report["rejected"][0]["line"] == 4 and "robot" in report["rejected"][0]["reason"]
    assert report["skipped_non_text"] == {"订单卡片": 1}
    (finding,) = report["findings"]
    assert (finding["shop"], finding["agent"], finding["line"]) == ("店铺A", "cs1", 2)
    assert finding["time"] == "2026-11-01 09:11:20+08:00"


def test_a_broken_workbench_array_keeps_the_values_before_the_break(
        tmp_path: Path) -> None:
    # a bad value is one rejected record; where the array breaks off, the last one
    log = tmp_path / "wb.json"
    good = {"msg_id": "1", "ts": 1793495480, "from": {"role": "mall_cs", "uid": "cs1"},
            "to": {"role": "user", "uid": "u1"}, "type": 0, "content": "加我微信吧"}
    log.write_bytes(b"[" + orjson.dumps(good) + b', {"msg_id": "2", "ts": 1,, "from": {}},\n'
                    + orjson.dumps(good) + b', {"msg_id": "4", "ts"')
    status, report = audit(tmp_path, str(log))
    assert status == 2
    totals = report["totals"]
    assert (totals["records"], totals["scanned"], totals["rejected"]) == (4, 2, 2)
    assert [r["line"] for r in report["rejected"]] == [2, 4]
    assert report["rejected"][0]["reason"].startswith("不是有效的 JSON")
    assert "中断" in report["rejected"][1]["reason"]
    assert [f["line"] for f in report["findings"]] == [1, 3]


def _book(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    book = Workbook()
    book.active.title = "Sheet1"
    notes = book.create_sheet("说明", 0)  # a first sheet that is not the messages
    notes.append(["导出说明"])
    sheet = book["Sheet1"]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_excel_columns_named_otherwise_are_mapped_with_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    when = datetime(2026, 11, 2, 9, 30)
    book = _book(tmp_path / "export.xlsx", ["买家昵称", "接待客服", "谁发的", "聊天内容", "时刻"], [
        ["小王", "客服A", "消费者", "在吗", when],
        ["小王", "客服A", "客服A", "您好，加个微信吧", when],  # the sender named by account
    ])
    assert main(["audit", str(book), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "export.xlsx：没有一张工作表的第一行含有消息所需的列" in err and "--column" in err
    status, report = audit(tmp_path, str(book), "--column", "buyer=买家昵称",
                           "--column", "agent=接待客服", "--column", "role=谁发的",
                           "--column", "text=聊天内容", "--column", "time=时刻")
    assert status == 1
    assert report["totals"]["records"] == 2 and report["totals"]["skipped"] == 1
    (finding,) = report["findings"]
    assert (finding["shop"], finding["agent"], finding["line"]) == ("export", "客服A", 3)
    assert finding["file"] == f"{book}:Sheet1"
    assert finding["time"] == "2026-11-02 09:30:00"
    assert main(["audit", str(book), "--column", "colour=红"]) == 2
    assert "--column colour=红：" in capsys.readouterr().err


def test_one_and_two_workers_read_an_excel_export_alike(tmp_path: Path) -> None:
    common = [str(XLSX), str(WORKBENCH), "--chunk-bytes", "2000"]
    _, one = audit(tmp_path, *common, "--workers", "1")
    _, two = audit(tmp_path, *common, "--workers", "2")
    assert one == two and one["totals"]["records"] == 90 + 86


def test_a_csv_excel_resaved_is_read_like_the_original(tmp_path: Path) -> None:
    status, resaved = audit(tmp_path, str(EXCEL_CSV))
    _, original = audit(tmp_path, str(SAMPLES / "chat_log.csv"))
    assert status == 1 and resaved["totals"]["rejected"] == 0
    assert resaved["totals"] == original["totals"]
    assert found(resaved) == found(original)
    assert resaved["findings"][0]["time"].count("/") == 2  # as written


@pytest.mark.parametrize(("value", "written"), [
    ("2-5", '="2-5"'), ("6222021234567890128", '="6222021234567890128"'),
    ("138 1234 5678", '="138 1234 5678"'), ("1/2", '="1/2"'), ("=HYPERLINK(1)", '="=HYPERLINK(1)"'),
    ("+86 13812345678", '="+86 13812345678"'), ('="x"', '="=""x"""'),
    ("加我vx", "加我vx"), ("V8 Pro", "V8 Pro"), ("C0000001", "C0000001"),
])
def test_csv_cells_excel_would_misread_are_written_as_text(value: str, written: str) -> None:
    assert excel_text(value) == written


def test_the_findings_csv_keeps_spans_and_digits_as_text(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps({"shop": "s", "agent": "a", "conversation": "c",
                               "time": "2026-11-01T10:00:00", "role": "agent",
                               "text": "卡号 6222021234567890128 转账"}, ensure_ascii=False)
                   + "\n", encoding="utf-8")
    out = tmp_path / "f.csv"
    assert main(["audit", str(log), "--quiet", "--csv", str(out)]) == 1
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    header, *body = rows
    spans = [row[header.index("位置")] for row in body]
    texts = [row[header.index("命中内容")] for row in body]
    assert all(s.startswith('="') and s.endswith('"') and "-" in s for s in spans)
    assert '="6222021234567890128"' in texts


def _conversation_book(path: Path, conversations: list[list[object]]) -> Path:
    """A buyer who chats in the morning and comes back in the afternoon (no conversation id)."""
    book = Workbook()
    messages = book.active
    messages.title = "聊天记录"
    messages.append(["消费者账号", "客服账号", "发送方", "消息内容", "发送时间"])
    for hour, minute, second, role, text in [
        (9, 0, 0, "消费者", "在吗"), (9, 1, 0, "客服", "在的亲"),
        (15, 0, 0, "消费者", "我又来了"), (15, 2, 0, "客服", "加我微信吧"),
        (20, 0, 0, "消费者", "还在吗"),  # in no conversation of the sheet
    ]:
        messages.append(["u1", "客服A", role, text, datetime(2026, 11, 2, hour, minute, second)])
    sheet = book.create_sheet("会话")
    sheet.append(["消费者账号", "客服账号", "首条时间", "末条时间"])
    for row in conversations:
        sheet.append(row)
    book.save(path)
    return path


def test_the_conversation_sheet_bounds_conversations_and_is_checked(tmp_path: Path) -> None:
    day = datetime(2026, 11, 2)
    with_sheet = _conversation_book(tmp_path / "店铺A.xlsx", [
        ["u1", "客服A", day.replace(hour=9), day.replace(hour=9, minute=1)],
        ["u1", "客服A", "2026-11-02 15:00", "2026/11/2 15:02"],  # text times, minutes only
        ["u1", "客服A", day.replace(hour=16), day.replace(hour=16, minute=10)],  # no messages
        ["u1", "客服A", "昨天", day],  # unreadable
    ])
    status, report = audit(tmp_path, str(with_sheet))
    assert status == 1  # the sheet's disagreements are reported, not rejected records
    assert report["totals"]["records"] == 5 and report["totals"]["rejected"] == 0
    (times,) = report["response_times"]
    # two conversations, each first response timed (60 s, 120 s); the evening line, in no
    # conversation of the sheet, falls back to the thread: a third, unanswered
    assert times["first"] == {"60": 1, "120": 1} and times["conversations"] == 3
    assert times["turns"] == {"60": 1, "120": 1} and times["unanswered_conversations"] == 1
    (sheet,) = report["conversation_sheets"]
    assert sheet["file"] == f"{with_sheet}:会话"
    assert (sheet["rows"], sheet["used"], sheet["messages_matched"]) == (4, 3, 4)
    assert sheet["disagreements"] == 3
    listed = [(item["sheet"], item["row"]) for item in sheet["listed"]]
    assert listed == [("会话", 4), ("会话", 5), ("聊天记录", 6)]
    reasons = [item["reason"] for item in sheet["listed"]]
    assert "没有这次会话的消息" in reasons[0] and "无法读取（首条时间）" in reasons[1]
    assert "不在会话表中" in reasons[2]
    (finding,) = report["findings"]
    morning = tmp_path / "no-sheet"
    morning.mkdir()
    without = _conversation_book(morning / "店铺A.xlsx", [])
    book = __import__("openpyxl").load_workbook(without)
    del book["会话"]
    book.save(without)
    _, plain = audit(morning, str(without))
    (times,) = plain["response_times"]  # one thread: one conversation, one first response
    assert times["first"] == {"60": 1} and times["conversations"] == 1
    assert plain["conversation_sheets"] == []
    (other,) = plain["findings"]
    assert finding["conversation"] != other["conversation"]


def test_the_excel_sample_s_conversation_sheet_gives_the_log_s_conversations(
        tmp_path: Path, first_80: dict) -> None:
    _, report = audit(tmp_path, str(XLSX))
    (sheet,) = report["conversation_sheets"]
    assert (sheet["rows"], sheet["used"], sheet["disagreements"]) == (14, 14, 1)
    assert sheet["listed"][0]["row"] == 15 and "没有这次会话的消息" in sheet["listed"][0]["reason"]
    # the buyer who came back in the evening: two conversations, as in the JSON Lines log

    def conversations(data: dict) -> dict[str, int]:
        return {r["agent"]: r["conversations"] for r in data["response_times"]}

    assert conversations(report) == conversations(first_80)


def test_a_conversation_sheet_with_ids_checks_the_messages_by_id(tmp_path: Path) -> None:
    book = Workbook()
    messages = book.active
    messages.title = "消息"
    messages.append(["会话ID", "客服账号", "发送方", "消息内容", "发送时间"])
    day = datetime(2026, 11, 3)
    messages.append(["k1", "客服A", "消费者", "在吗", day.replace(hour=9)])
    messages.append(["k1", "客服A", "客服", "在的", day.replace(hour=9, minute=1)])
    messages.append(["k2", "客服A", "消费者", "发货了吗", day.replace(hour=10)])  # k2: not listed
    conversations = book.create_sheet("会话列表")
    conversations.append(["会话ID", "客服账号", "会话开始时间", "会话结束时间"])
    conversations.append(["k1", "客服A", day.replace(hour=9), day.replace(hour=9, minute=20)])
    conversations.append(["k3", "客服A", day.replace(hour=11), day.replace(hour=11, minute=5)])
    path = tmp_path / "店铺B.xlsx"
    book.save(path)
    status, report = audit(tmp_path, str(path))
    assert status == 0 and report["totals"]["records"] == 3
    (sheet,) = report["conversation_sheets"]
    assert (sheet["rows"], sheet["used"], sheet["messages_matched"]) == (2, 2, 2)
    reasons = {(item["sheet"], item["row"]): item["reason"] for item in sheet["listed"]}
    assert set(reasons) == {("会话列表", 2), ("会话列表", 3), ("消息", 4)}
    assert "缺少这次会话结尾" in reasons[("会话列表", 2)]  # ends 09:01, the sheet says 09:20
    assert "没有这次会话的消息" in reasons[("会话列表", 3)]
    assert "不在会话表中" in reasons[("消息", 4)]
    # the export's own conversation ids are kept: k1 answered in 60 s, k2 unanswered
    (times,) = report["response_times"]
    assert times["first"] == {"60": 1} and times["conversations"] == 2
    assert times["unanswered_conversations"] == 1
