"""The exports merchants really have → the audit's own records, one JSON line each.

Two kinds of file are not chat logs in the log format (SPEC "Chat log
format") but hold the same messages:

* **Excel workbooks** (`.xlsx`): the merchant back end's and the popular
  third-party chat-record exports — a sheet of message rows with columns
  such as 消费者账号 / 消费者ID, 客服账号, 发送方, 消息类型, 消息内容, 发送时间.
  Read with openpyxl in read-only mode, a row at a time (memory stays flat).
* **The chat workbench's message JSON**: objects with `msg_id`, `ts`
  (seconds), `from` / `to` `{role, uid}` (`mall_cs` the agent, `user` the
  buyer, `system`, `mall` the shop's own automatic messages), `type` (0 is
  text) and `content`; one object a line, or one JSON array (read a value
  at a time, json_array.py).

Each is converted, as it is read, into one JSON line per record of the log
format, numbered as the source numbers it: line N of the converted stream
is row N of the sheet (the header row is a blank line: not a record), line N
of a workbench file, or the Nth object of a workbench array. So every record
keeps the counting guarantee — scanned, skipped or rejected with its place
and the reason — and the rest of the audit (chunks, workers, windows,
report) reads it as any JSON Lines log.

Where a record names no conversation, the conversation is the thread of one
buyer with one agent in one shop: an id made from a hash of the buyer's
account and the agent (the report never shows the buyer's account). A
message that is not text (an image, an order card, a goods card…) is not
judged: it is counted as skipped, by its type (`NON_TEXT`), and still times
the conversation's turns.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import orjson

from guard.audit.json_array import Unreadable, array_values
from guard.audit.sheets import (
    ConversationIndex,
    ConversationSheet,
    conversation_header,
    header_columns,
)
from guard.errors import UsageError
from guard.records import BOM, MAX_LINE_BYTES, missing, read_object, too_long
from guard.times import CHINA_TZ

# A converted record that is not text carries its type under this key (and no text).
NON_TEXT = "guard_non_text"
# A converted record the converter already knows to be unreadable carries why.
REJECTED = "guard_rejected"

# The columns of an Excel export, by field: the header names read by default.
# A merchant whose export names them otherwise maps them with --column FIELD=NAME.
XLSX_COLUMNS: dict[str, tuple[str, ...]] = {
    "shop": ("店铺", "店铺名", "店铺名称", "商家", "shop"),
    "buyer": ("消费者账号", "消费者ID", "消费者id", "消费者", "买家账号", "买家ID", "买家id",
              "买家", "buyer"),
    "agent": ("客服账号", "客服", "客服昵称", "客服名称", "agent"),
    "conversation": ("会话ID", "会话id", "会话编号", "会话", "conversation"),
    "role": ("发送方", "发送者", "发送者角色", "角色", "role"),
    "type": ("消息类型", "类型", "type"),
    "text": ("消息内容", "内容", "消息", "text"),
    "time": ("发送时间", "消息时间", "时间", "time"),
}
XLSX_REQUIRED = ("agent", "role", "text", "time")
# 消息类型 values that are text; any other value is a non-text message.
TEXT_TYPES = frozenset({"", "文本", "文字", "文本消息", "text", "0"})
# The workbench's sender roles → the log format's roles.
WORKBENCH_ROLES = {"mall_cs": "agent", "user": "buyer", "system": "system", "mall": "agent"}
# The workbench's message types (`type`); 0 is text, the others are not judged.
WORKBENCH_TYPES = {1: "图片", 2: "表情", 3: "语音", 4: "视频", 5: "商品卡片", 6: "订单卡片",
                   7: "文件"}


def thread_id(buyer: str, agent: str = "") -> str:
    """A conversation id for one buyer's thread (with one agent): no buyer data in it."""
    digest = hashlib.blake2b(f"{buyer}\0{agent}".encode(), digest_size=6).hexdigest()
    return f"买家-{digest}"


def _line(record: Mapping[str, Any]) -> bytes:
    return orjson.dumps(record) + b"\n"


def _local(moment: datetime) -> str:
    if moment.tzinfo is None:
        return moment.isoformat(sep=" ")
    return moment.astimezone(CHINA_TZ).isoformat(sep=" ")


# ---------------------------------------------------------------- Excel


def parse_columns(pairs: Sequence[str]) -> dict[str, str]:
    """--column FIELD=表头 options → {field: header}; a UsageError names a bad one."""
    columns: dict[str, str] = {}
    for pair in pairs:
        field, _, header = pair.partition("=")
        field = field.strip()
        if field not in XLSX_COLUMNS or not header.strip():
            raise UsageError(f"--column {pair}：应为 字段=表头，字段是 "
                             + "、".join(XLSX_COLUMNS))
        columns[field] = header.strip()
    return columns


def _header_map(header: Sequence[Any], columns: Mapping[str, str]) -> dict[str, int]:
    return header_columns(header, XLSX_COLUMNS, columns)


def open_workbook(path: Path, label: str) -> Any:
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - a core dependency
        raise UsageError(f"{label}：读取 .xlsx 需要 openpyxl（pip install openpyxl）") from None
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors: a broken file
        raise UsageError(f"{label}：不是可读的 Excel 工作簿（{type(exc).__name__}: {exc}）") \
            from None


def find_sheet(path: Path, label: str, columns: Mapping[str, str]) -> tuple[str, str]:
    """(the sheet of message rows: the first whose first row names the needed columns,
    the sheet of conversations — 首条时间 / 末条时间 — if there is one, else "")."""
    book = open_workbook(path, label)
    try:
        tried, found_sheet, conversations = [], "", ""
        for sheet in book.worksheets:
            header = next(sheet.iter_rows(max_row=1, values_only=True), ())
            found = _header_map(header, columns)
            if not found_sheet and all(f in found for f in XLSX_REQUIRED) and (
                    "conversation" in found or "buyer" in found):
                found_sheet = str(sheet.title)
            elif not conversations and conversation_header(header) is not None:
                conversations = str(sheet.title)
            else:
                tried.append(sheet.title)
    finally:
        book.close()
    if found_sheet:
        return found_sheet, conversations
    needed = "、".join(XLSX_COLUMNS[f][0] for f in ("buyer", *XLSX_REQUIRED))
    raise UsageError(f"{label}：没有一张工作表的第一行含有消息所需的列（{needed}；"
                     f"看过：{'、'.join(tried) or '无'}）；列名不同时用 --column 字段=表头 指定")


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return _local(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_lines(path: Path, sheet: str, shop: str, columns: Mapping[str, str],
               progress: list[float], conversations: str = "",
               notes: list[ConversationSheet] | None = None) -> Iterator[bytes]:
    """The converted lines of one sheet, row N as line N; `progress[0]`: share read so far.

    `conversations`: the sheet of conversations (sheets.py), read first; what
    it made of them is appended to `notes` once the last row is read.
    """
    book = open_workbook(path, str(path))
    try:
        index = None
        if conversations:
            index = ConversationIndex(str(path), conversations, sheet)
            rows = book[conversations].iter_rows(values_only=True)
            header = conversation_header(next(rows, ()))
            if header is not None:
                index.read(rows, header, shop, thread_id)
        rows = book[sheet]
        total = max(rows.max_row or 1, 1)
        found: dict[str, int] = {}
        for number, values in enumerate(rows.iter_rows(values_only=True), 1):
            progress[0] = min(number / total, 1.0)
            if number == 1:
                found = _header_map(values, columns)
                yield b"\n"
                continue
            cells = {f: _cell(values[i]) if i < len(values) else None
                     for f, i in found.items()}
            if not any(c is not None and c.strip() for c in cells.values()):
                yield b"\n"  # an empty row: not a record
                continue
            yield _line(_xlsx_record(cells, shop, index, number))
        if index is not None and notes is not None:
            notes.append(index.finish())
    finally:
        book.close()


def _xlsx_record(cells: Mapping[str, str | None], shop: str,
                 index: ConversationIndex | None = None, number: int = 0) -> dict[str, Any]:
    from guard.audit.rows import ROLES

    agent, buyer = cells.get("agent"), cells.get("buyer")
    sender = (cells.get("role") or "").strip()
    role = ROLES.get(sender) or ROLES.get(sender.lower())
    if role is None and sender:  # some exports name the sender's account instead
        role = "agent" if sender == agent else "buyer" if sender == buyer else sender
    shop = cells.get("shop") or shop
    conversation = cells.get("conversation")
    if index is not None:  # the conversation sheet says where conversations begin and end
        conversation = index.conversation_of(number, shop, buyer, agent, conversation,
                                             cells.get("time")) or conversation
    if not conversation and buyer:
        conversation = thread_id(buyer, agent or "")
    record: dict[str, Any] = {
        "shop": shop, "agent": agent or "",
        "conversation": conversation, "time": cells.get("time"), "role": role or sender or None,
    }
    kind = (cells.get("type") or "").strip()
    if kind.lower() in TEXT_TYPES:
        record["text"] = cells.get("text") or ""
    else:
        record[NON_TEXT] = kind
    return record


# ---------------------------------------------------------------- the chat workbench


def is_workbench(first: bytes) -> bool:
    """Whether a file's first line is the workbench's: a JSON array, or an object with msg_id."""
    head = first.removeprefix(BOM).lstrip()
    if head[:1] == b"[":
        return True
    if head[:1] != b"{":
        return False
    value = read_object(head)
    return isinstance(value, dict) and "msg_id" in value and "from" in value


def workbench_record(value: Any, shop: str) -> dict[str, Any]:
    """One workbench message as a log record (or one that says why it cannot be read)."""
    if not isinstance(value, dict):
        return {REJECTED: "不是 JSON 对象"}
    sender, receiver = value.get("from"), value.get("to")
    if not isinstance(sender, dict) or not isinstance(sender.get("role"), str):
        return {REJECTED: missing(["from.role"])}
    role = WORKBENCH_ROLES.get(sender["role"])
    if role is None:
        return {REJECTED: f"未知角色：{sender['role']!r}（应为 mall_cs、user、system 或 mall）"}
    ts = value.get("ts")
    if isinstance(ts, bool) or not isinstance(ts, int | float):
        return {REJECTED: missing(["ts"]) if ts is None else f"ts 不是秒数：{ts!r}"}
    try:
        moment = datetime.fromtimestamp(ts, CHINA_TZ)
    except (OverflowError, OSError, ValueError):
        return {REJECTED: f"ts 不是有效的时间：{ts!r}"}
    other = receiver if isinstance(receiver, dict) else {}
    agent = (sender if role == "agent" else other if other.get("role") in ("mall_cs", "mall")
             else {}).get("uid")
    buyer = (sender if role == "buyer" else other if other.get("role") == "user"
             else {}).get("uid")
    conversation = value.get("conversation") or value.get("conv_id")
    if not conversation:
        conversation = thread_id(str(buyer), "") if buyer is not None else "系统"
    record: dict[str, Any] = {
        "shop": str(value.get("mall_id") or value.get("shop") or shop),
        "agent": "" if agent is None else str(agent), "conversation": str(conversation),
        "time": moment.isoformat(sep=" "), "role": role,
    }
    kind = value.get("type", 0)
    if kind == 0:
        record["text"] = value.get("content")
    else:
        record[NON_TEXT] = WORKBENCH_TYPES.get(kind, f"类型 {kind}")
    return record


def workbench_lines(stream: IO[bytes], shop: str) -> Iterator[bytes]:
    """The converted lines of a workbench file (object per line, or one JSON array)."""
    first = stream.peek(64) if hasattr(stream, "peek") else b""
    if first.removeprefix(BOM).lstrip()[:1] == b"[":
        for value in array_values(stream):  # a value at a time: memory stays flat
            if type(value) is Unreadable:
                yield _line({REJECTED: value.reason})
            else:
                yield _line(workbench_record(value, shop))
        return
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 2)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            length = len(raw)
            while raw and not raw.endswith(b"\n"):  # the runaway line: measured, not kept
                raw = stream.readline(1 << 20)
                length += len(raw) - raw.endswith(b"\n")
            yield _line({REJECTED: too_long(length)})
            continue
        if number == 1:
            raw = raw.removeprefix(BOM)
        if not raw.strip():
            yield b"\n"
            continue
        value = read_object(raw.strip())
        if type(value) is str:
            yield _line({REJECTED: value})
            continue
        yield _line(workbench_record(value, shop))


class ConvertedStream:
    """A file-like view of converted lines: what the chunk reader reads instead of the file."""

    def __init__(self, lines: Iterator[bytes], position: Any,
                 notes: list[ConversationSheet] | None = None):
        self._lines = lines
        # what the converter found beside the records (an Excel export's conversation
        # sheet), complete once the lines are read to their end
        self.notes = notes if notes is not None else []
        self._buffer = b""
        self._position = position  # () -> bytes of the file on disk read so far
        self._told = 0

    def read(self, size: int = -1) -> bytes:
        parts, have = [self._buffer], len(self._buffer)
        for line in self._lines:
            parts.append(line)
            have += len(line)
            if 0 <= size <= have:
                break
        data = b"".join(parts)
        if size < 0:
            self._buffer = b""
            return data
        self._buffer = data[size:]
        return data[:size]

    read1 = read

    def tell(self) -> int:
        with contextlib.suppress(ValueError):  # once read to its end, the file is closed
            self._told = int(self._position())
        return self._told

    def close(self) -> None:
        close = getattr(self._lines, "close", None)
        if close is not None:
            close()
