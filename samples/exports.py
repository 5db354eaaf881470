"""Make the samples of the exports merchants really have, from samples/chat_log.jsonl.

    python samples/exports.py

writes, beside this script:

* `chat_export.xlsx` — an Excel export as the merchant back end gives it: a
  sheet 聊天记录 of message rows (店铺, 消费者账号, 客服账号, 发送方, 消息类型,
  消息内容, 发送时间 — no conversation id: a conversation is the buyer's thread
  with the agent) with a few images and order cards, and a sheet 会话 of
  conversations (首条时间 / 末条时间). One buyer comes back in the evening (the
  会话 sheet makes that two conversations), and the 会话 sheet lists one
  conversation the message sheet lacks (an export cut short: reported);
* `workbench.jsonl` — the chat workbench's message JSON, one object a line
  (msg_id, ts in seconds, from/to {role, uid}, type, content);
* `chat_log_excel.csv` — the CSV sample as Excel re-saves it: GB18030,
  times like 2026/11/1 8:46 (no zero padding, no seconds).

Deterministic: the same input gives the same files.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
MESSAGES = 80  # of chat_log.jsonl, for the Excel and workbench samples
SENDERS = {"agent": "客服", "buyer": "消费者", "system": "系统"}


def _log() -> list[dict[str, str]]:
    lines = (HERE / "chat_log.jsonl").read_text(encoding="utf-8").splitlines()
    return [orjson.loads(line) for line in lines[:MESSAGES]]


def _buyer(record: dict[str, str]) -> str:
    return "pdd" + record["conversation"][-5:]


# In the Excel sample the buyer of conversation …00012 is the buyer of …00006, back
# in the evening with the same agent: one thread, two conversations in the 会话 sheet.
RETURNING = {"pdd00012": "pdd00006"}
# A conversation the 会话 sheet lists and the message sheet lacks (shop, buyer, agent, times).
MISSING = ("店铺02", "pdd00014", "店铺02-客服3", datetime(2026, 11, 2, 9, 0, 5),
           datetime(2026, 11, 2, 9, 4, 41))


def write_xlsx(records: list[dict[str, str]], path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "聊天记录"
    sheet.append(["店铺", "消费者账号", "客服账号", "发送方", "消息类型", "消息内容", "发送时间"])
    threads: dict[tuple[str, str, str, str], list[datetime]] = {}
    for index, record in enumerate(records):
        moment = datetime.fromisoformat(record["time"]).replace(tzinfo=None)
        buyer = RETURNING.get(_buyer(record), _buyer(record))
        sheet.append([record["shop"], buyer, record["agent"], SENDERS[record["role"]], "文本",
                      record["text"], moment])
        threads.setdefault((record["shop"], buyer, record["agent"], record["conversation"]),
                           []).append(moment)
        if index % 17 == 5:  # a buyer's photo, an agent's order card
            sheet.append([record["shop"], buyer, record["agent"], "消费者", "图片",
                          "[图片]", moment])
        if index % 23 == 7:
            sheet.append([record["shop"], buyer, record["agent"], "客服", "订单卡片",
                          "订单号 261101-0000", moment])
    sheet.append([])  # an empty row: not a record
    sheet.append(["店铺01", "pdd99999", "店铺01-客服1", "客服", "文本", "好的", "昨天下午"])
    conversations = book.create_sheet("会话")
    conversations.append(["店铺", "消费者账号", "客服账号", "首条时间", "末条时间"])
    for (shop, buyer, agent, _), times in threads.items():
        conversations.append([shop, buyer, agent, min(times), max(times)])
    conversations.append(list(MISSING))
    for row in sheet.iter_rows(min_row=2, min_col=7, max_col=7):
        for cell in row:
            cell.number_format = "yyyy/m/d h:mm:ss"
    book.properties.created = book.properties.modified = datetime(2026, 11, 6)
    book.save(path)


def write_workbench(records: list[dict[str, str]], path: Path) -> None:
    roles = {"agent": "mall_cs", "buyer": "user", "system": "system"}
    lines = []
    for index, record in enumerate(records, 1):
        ts = int(datetime.fromisoformat(record["time"]).timestamp())
        buyer = {"role": "user", "uid": _buyer(record)}
        agent = {"role": "mall_cs", "uid": record["agent"]}
        sender = {"agent": agent, "buyer": buyer, "system": {"role": "system", "uid": "0"}}
        receiver = buyer if record["role"] != "buyer" else agent
        message = {"msg_id": f"m{index:06d}", "ts": ts, "from": sender[record["role"]],
                   "to": receiver, "type": 0, "content": record["text"],
                   "mall_id": record["shop"]}
        assert roles[record["role"]] == message["from"]["role"]
        lines.append(orjson.dumps(message))
        if index % 19 == 4:
            lines.append(orjson.dumps({**message, "msg_id": f"m{index:06d}i", "type": 1,
                                       "content": "https://img.example/x.jpg"}))
    lines.insert(10, b'{"msg_id": "broken", "ts": "yesterday"')
    path.write_bytes(b"\n".join(lines) + b"\n")


def write_excel_csv(path: Path) -> None:
    source = (HERE / "chat_log.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(source)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        moment = datetime.fromisoformat(row[3])
        row[3] = f"{moment.year}/{moment.month}/{moment.day} {moment.hour}:{moment.minute:02d}"
        writer.writerow(row)
    path.write_bytes(out.getvalue().encode("gb18030"))


def main() -> None:
    records = _log()
    write_xlsx(records, HERE / "chat_export.xlsx")
    write_workbench(records, HERE / "workbench.jsonl")
    write_excel_csv(HERE / "chat_log_excel.csv")


if __name__ == "__main__":
    main()
