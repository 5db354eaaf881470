"""An Excel export's sheet of conversations (首条时间 / 末条时间): boundaries and a check.

Besides its message rows, a merchant back end's chat export often holds a
sheet with one row per conversation: the shop, the buyer's account, the
agent, sometimes a conversation id, and the times of its first and last
message. The audit reads it (openpyxl read-only, a row at a time, before
the messages) for two things:

* **where conversations begin and end**: a message sheet without a
  conversation id would make one conversation of all of a buyer's chat with
  an agent; with this sheet, a message belongs to the conversation of its
  buyer (and agent) whose time range holds it (widened by TOLERANCE_S either
  side: some exports write minutes only), so a buyer who came back the next
  day starts a new conversation — for the response times (first responses,
  unanswered conversations) as for the split-message windows;
* **whether the two sheets agree**: a conversation whose messages start
  after its 首条时间 or end before its 末条时间, or that has no message at
  all, means the message sheet lacks messages (an export cut at a row limit,
  a filtered sheet); a message outside every conversation of its buyer means
  the conversation sheet lacks one. Each disagreement is reported with the
  sheet and row (`ConversationSheet` in the report), never silently.

A conversation row that cannot be read (no buyer, a time that is not a
time) is listed as such and not used. Memory: one small entry per
conversation, at most MAX_CONVERSATIONS; a larger sheet is counted and
reported but not used (the message rows then form threads as without it).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from guard.times import CHINA_TZ, parse_time

# The conversation sheet's columns, by field: header names read by default.
CONVERSATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "shop": ("店铺", "店铺名", "店铺名称", "商家", "shop"),
    "buyer": ("消费者账号", "消费者ID", "消费者id", "消费者", "买家账号", "买家ID", "买家id",
              "买家", "buyer"),
    "agent": ("客服账号", "客服", "客服昵称", "客服名称", "agent"),
    "conversation": ("会话ID", "会话id", "会话编号", "conversation"),
    "first": ("首条时间", "首条消息时间", "会话开始时间", "开始时间", "first"),
    "last": ("末条时间", "末条消息时间", "最后消息时间", "会话结束时间", "结束时间", "last"),
}
TOLERANCE_S = 60
MAX_CONVERSATIONS = 200_000
MAX_LISTED = 50  # disagreements listed (all are counted)
_TOLERANCE = timedelta(seconds=TOLERANCE_S)


def header_columns(header: Sequence[Any], table: Mapping[str, Sequence[str]],
                   given: Mapping[str, str] | None = None) -> dict[str, int]:
    """The column of each field a sheet's header row names: by the names in `table`
    (the first found), or by the one name `given` for a field (--column)."""
    names = [str(cell).strip() if cell is not None else "" for cell in header]
    found: dict[str, int] = {}
    for field, defaults in table.items():
        for name in (given[field],) if given and field in given else defaults:
            if name in names:
                found[field] = names.index(name)
                break
    return found


def conversation_header(header: Sequence[Any]) -> dict[str, int] | None:
    """The column of each field, if this header row is a conversation sheet's (else None)."""
    found = header_columns(header, CONVERSATION_COLUMNS)
    if "first" in found and "last" in found and ("buyer" in found or "conversation" in found):
        return found
    return None


def cell_time(value: Any) -> datetime | None:
    """A time cell (a date cell, or text in a form the one time parser reads) → aware."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=CHINA_TZ) if value.tzinfo is None else value
    if isinstance(value, str):
        parsed = parse_time(value.strip())
        return parsed.moment if parsed is not None else None
    return None


@dataclass(slots=True)
class _Conversation:
    """One row of the sheet, and what the message rows showed of it."""

    row: int
    agent: str
    first: datetime
    last: datetime
    id: str
    messages: int = 0
    seen_first: datetime | None = None
    seen_last: datetime | None = None


@dataclass(frozen=True, slots=True)
class ConversationSheet:
    """What the audit made of one conversation sheet: the report's `conversation_sheets`."""

    file: str  # FILE:SHEET, as records are named
    rows: int  # conversation rows (the header and empty rows not counted)
    used: int  # rows whose conversations bounded the message rows
    messages_matched: int  # message rows that fell in one of them
    disagreements: int  # rows unreadable, conversations the messages contradict, stray messages
    listed: tuple[tuple[str, int, str], ...]  # (sheet, row, reason), the first MAX_LISTED

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "rows": self.rows, "used": self.used,
                "messages_matched": self.messages_matched,
                "disagreements": self.disagreements,
                "listed": [{"sheet": sheet, "row": row, "reason": reason}
                           for sheet, row, reason in self.listed]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConversationSheet:
        return cls(data["file"], data["rows"], data["used"], data["messages_matched"],
                   data["disagreements"],
                   tuple((item["sheet"], item["row"], item["reason"]) for item in data["listed"]))


def _shown(moment: datetime) -> str:
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


class ConversationIndex:
    """The conversations of one sheet, by (shop, buyer); messages matched as they stream by."""

    def __init__(self, label: str, sheet: str, message_sheet: str):
        self.label = label  # the workbook as the user named it
        self.sheet = sheet
        self.message_sheet = message_sheet
        self.rows = 0
        self.by_buyer: dict[tuple[str, str], list[_Conversation]] = {}
        self.by_id: dict[str, _Conversation] = {}
        self.starts: dict[tuple[str, str], list[datetime]] = {}
        self.disagreements = 0
        self.listed: list[tuple[str, int, str]] = []
        self.matched = 0
        self.too_many = False

    def _note(self, sheet: str, row: int, reason: str) -> None:
        self.disagreements += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append((sheet, row, reason))

    def read(self, rows: Iterable[tuple[Any, ...]], columns: Mapping[str, int],
             default_shop: str, thread_id: Any) -> None:
        """The sheet's rows after its header (row 2 on); `thread_id(buyer, agent)` names one."""
        count: dict[tuple[str, str, str], int] = {}
        for number, values in enumerate(rows, 2):
            cells = {f: values[i] if i < len(values) else None for f, i in columns.items()}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
                continue
            self.rows += 1
            if self.too_many:
                continue
            if self.rows > MAX_CONVERSATIONS:
                self.too_many = True
                self.by_buyer.clear()
                self.by_id.clear()
                self._note(self.sheet, number,
                           f"会话表超过 {MAX_CONVERSATIONS:,} 行：没有用它划分会话，也没有核对")
                continue
            first, last = cell_time(cells.get("first")), cell_time(cells.get("last"))
            buyer = _text(cells.get("buyer"))
            conversation = _text(cells.get("conversation"))
            if first is None or last is None or last < first or not (buyer or conversation):
                what = ("首条时间" if first is None else "末条时间" if last is None
                        else "末条时间早于首条时间" if last < first else "消费者账号")
                self._note(self.sheet, number, f"会话表这一行无法读取（{what}）：没有使用")
                continue
            shop = _text(cells.get("shop")) or default_shop
            agent = _text(cells.get("agent"))
            if not conversation:
                key = (shop, buyer, agent)
                count[key] = count.get(key, 0) + 1
                conversation = f"{thread_id(buyer, agent)}-{count[key]}"
            entry = _Conversation(number, agent, first, last, conversation)
            if _text(cells.get("conversation")):
                self.by_id[conversation] = entry
            if buyer:
                self.by_buyer.setdefault((shop, buyer), []).append(entry)
        for key, entries in self.by_buyer.items():
            entries.sort(key=lambda e: (e.first, e.row))
            self.starts[key] = [e.first for e in entries]

    @property
    def used(self) -> int:
        return 0 if self.too_many else len({id(e) for entries in self.by_buyer.values()
                                            for e in entries} | {id(e) for e in
                                                                 self.by_id.values()})

    def conversation_of(self, row: int, shop: str, buyer: str | None, agent: str | None,
                        conversation: str | None, time: str | None) -> str | None:
        """The conversation id a message row belongs to by the sheet (None: the sheet
        says nothing of it); the message counted against it."""
        if self.too_many or time is None:
            return None
        parsed = parse_time(time)
        if parsed is None:
            return None  # the record is rejected for its time anyway
        moment = parsed.moment
        entry = None
        if conversation and self.by_id:
            entry = self.by_id.get(conversation)
        elif buyer:
            entries = self.by_buyer.get((shop, buyer))
            if entries:
                starts = self.starts[(shop, buyer)]
                index = bisect.bisect_right(starts, moment + _TOLERANCE)
                for candidate in reversed(entries[max(0, index - 8):index]):
                    if moment <= candidate.last + _TOLERANCE and (
                            not agent or not candidate.agent or candidate.agent == agent):
                        entry = candidate
                        break
        if entry is None:
            if (conversation and self.by_id) or (buyer and (shop, buyer) in self.by_buyer):
                self._note(self.message_sheet, row, f"这条消息（{_shown(moment)}）不在会话表中"
                           "这位买家任何一次会话的首条时间与末条时间之间：会话表可能缺少这次会话")
            return None
        entry.messages += 1
        self.matched += 1
        if entry.seen_first is None or moment < entry.seen_first:
            entry.seen_first = moment
        if entry.seen_last is None or moment > entry.seen_last:
            entry.seen_last = moment
        return None if conversation else entry.id

    def finish(self) -> ConversationSheet:
        """The check, once every message row is read."""
        entries = {id(e): e for group in self.by_buyer.values() for e in group}
        entries.update({id(e): e for e in self.by_id.values()})
        for entry in sorted(entries.values(), key=lambda e: e.row):
            if entry.messages == 0:
                self._note(self.sheet, entry.row, "消息表中没有这次会话的消息：消息表可能不完整")
                continue
            assert entry.seen_first is not None and entry.seen_last is not None
            if entry.seen_first < entry.first - _TOLERANCE or \
                    entry.seen_last > entry.last + _TOLERANCE:
                self._note(self.sheet, entry.row,
                           f"会话表记为 {_shown(entry.first)} 至 {_shown(entry.last)}，消息表中"
                           f"这次会话的消息却在 {_shown(entry.seen_first)} 至 "
                           f"{_shown(entry.seen_last)}：两张表对不上")
                continue
            if entry.seen_first > entry.first + _TOLERANCE:
                self._note(self.sheet, entry.row,
                           f"首条时间 {_shown(entry.first)}，消息表中这次会话的第一条消息却在 "
                           f"{_shown(entry.seen_first)}：消息表缺少这次会话开头的消息")
            if entry.seen_last < entry.last - _TOLERANCE:
                self._note(self.sheet, entry.row,
                           f"末条时间 {_shown(entry.last)}，消息表中这次会话的最后一条消息却在 "
                           f"{_shown(entry.seen_last)}：消息表缺少这次会话结尾的消息（导出被截断？）")
        self.listed.sort(key=lambda item: (item[0] != self.sheet, item[1]))
        return ConversationSheet(f"{self.label}:{self.sheet}", self.rows, self.used,
                                 self.matched, self.disagreements, tuple(self.listed))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
