"""Whole lines of a log → records: `Row`, `NonText` or `Rejected` (workers).

Counting rule (SPEC "Chat log format"): every non-blank line (JSONL) or row
(CSV) is a record, and each record is scanned, skipped or rejected, with its
line number and the reason. Blank lines are not records. The usual JSONL
line takes an inline path; anything else goes through `make_row`, which
says what is wrong (a property test holds the two paths equal).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

import orjson

from guard.audit.exports import NON_TEXT, REJECTED
from guard.audit.sources import FIELDS, Source
from guard.records import (
    BOM,
    Rejected,
    missing,
    not_strings,
    read_object,
    too_long,
)
from guard.times import parse_time

if TYPE_CHECKING:
    from guard.audit.chunking import Chunk

ROLES: dict[str, str] = {  # the shop's side (bots included) is judged as the agent
    "agent": "agent", "客服": "agent", "seller": "agent", "商家": "agent",
    "robot": "agent", "bot": "agent", "机器人": "agent", "智能客服": "agent",
    "buyer": "buyer", "买家": "buyer", "顾客": "buyer", "customer": "buyer", "用户": "buyer",
    "消费者": "buyer",
    "system": "system", "系统": "system",
}

# Times without an offset are the merchant's local time: China Standard Time.
LOCAL = timezone(timedelta(hours=8))


class Row(NamedTuple):
    """One valid chat-log record (a named tuple: millions are made)."""

    line: int
    shop: str
    agent: str
    conversation: str
    time: str
    role: str  # agent | buyer | system
    text: str
    moment: datetime  # aware, for the conversation window
    day: str  # YYYY-MM-DD as written (the merchant's local date)


class NonText(NamedTuple):
    """A message that is not text (an image, an order card…): not judged, counted by type.

    It still takes part in the conversation's response times.
    """

    line: int
    shop: str
    agent: str
    conversation: str
    time: str
    role: str
    kind: str  # the message type, as the export names it
    moment: datetime
    day: str

_SURROGATE = re.compile("[\udc80-\udcff]")


def make_row(line: int, shop: object, agent: object, conversation: object, time: object,
             role: object, text: object) -> Row | Rejected:
    """Validate one record's fields: all present, strings, a known role, a readable time."""
    if (type(shop) is str and type(agent) is str and type(conversation) is str
            and type(time) is str and type(role) is str and type(text) is str
            and shop and conversation and time):
        kind = ROLES.get(role) or ROLES.get(role.strip().lower())
        if kind is None:
            return Rejected(line, f"未知角色：{role!r}（应为 agent、buyer 或 system）")
        if kind == "agent" and not agent.strip():
            return Rejected(line, missing(["agent"]))
        when = parse_time(time)
        if when is None:
            return Rejected(line, f"时间不是 ISO 8601 格式：{time!r}")
        return Row(line, shop, agent, conversation, time, kind, text, when[0], when[1])
    if agent is None and type(role) is str and ROLES.get(role.strip().lower()) != "agent":
        agent = ""  # a buyer's or the system's line need not name the agent
        return make_row(line, shop, agent, conversation, time, role, text)
    values = (shop, agent, conversation, time, role, text)
    absent = [name for name, value in zip(FIELDS, values, strict=True)
              if value is None or (value == "" and name not in ("agent", "text"))]
    if absent:
        return Rejected(line, missing(absent))
    if isinstance(conversation, int) and not isinstance(conversation, bool):
        return make_row(line, shop, agent, str(conversation), time, role, text)
    return Rejected(line, not_strings([(name, value) for name, value in zip(FIELDS, values,
                                                                             strict=True)
                                       if not isinstance(value, str)]))


def _jsonl_record(raw: bytes, line: int) -> Row | NonText | Rejected | None:
    """One JSONL line the fast loop could not take: a Row, why it is rejected, or None if blank."""
    if not raw or raw.isspace():
        return None
    values = read_object(raw)
    if type(values) is str:
        return Rejected(line, values)
    get = values.get  # type: ignore[union-attr]
    if REJECTED in values:  # type: ignore[operator]
        return Rejected(line, str(get(REJECTED)))
    kind = get(NON_TEXT)
    text = get("text")
    if type(kind) is str and text is None:
        row = make_row(line, get("shop"), get("agent"), get("conversation"), get("time"),
                       get("role"), "")
        if type(row) is Rejected:
            return row
        return NonText(*row[:6], kind or "未知类型", *row[7:])  # type: ignore[misc]
    return make_row(line, get("shop"), get("agent"), get("conversation"), get("time"),
                    get("role"), text)


def _jsonl_batch(data: bytes, first_line: int, long: dict[int, int], file_start: bool,
                 skip: frozenset[str] = frozenset()) -> tuple[list[Row | Rejected], int]:
    """(the records of JSONL bytes, in order; how many valid ones had a role in `skip`).

    A skipped record is validated as fully as any other (its time too), only
    no Row is made of it: a rejected record is rejected whatever its role.
    The usual record — an object with the six fields, all strings, a role
    written as the log format says, an ISO 8601 time — takes the inline path;
    anything else goes through `_jsonl_record` and `make_row`, which say what
    is wrong.
    """
    loads = orjson.loads
    roles, parse, fromisoformat, local = ROLES, parse_time, datetime.fromisoformat, LOCAL
    fields = itemgetter(*FIELDS)
    new_row = partial(tuple.__new__, Row)  # Row(...) without its Python-level __new__
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()  # the newline that ends the last line
    if file_start and lines:
        lines[0] = lines[0].removeprefix(BOM)
    records: list[Row | Rejected] = []
    append = records.append
    skipped = 0
    for index, raw in enumerate(lines):
        try:
            shop, agent, conversation, time, role, text = fields(loads(raw))
            kind = roles[role]
            if not (type(shop) is str and shop and type(agent) is str and type(conversation) is str
                    and conversation and type(time) is str and type(text) is str
                    and (kind != "agent" or agent.strip())):
                raise ValueError
            moment = fromisoformat(time)
        except (ValueError, KeyError, TypeError):  # orjson's JSONDecodeError is a ValueError
            line = first_line + index
            if index in long:
                append(Rejected(line, too_long(long[index])))
                continue
            record = _jsonl_record(raw, line)
            if record is None:
                continue
            if type(record) is Row and record.role in skip:
                skipped += 1
            else:
                append(record)
            continue
        if kind in skip:
            skipped += 1
            continue
        if time[4:5] == "-" and time[7:8] == "-":
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=local)
            append(new_row((first_line + index, shop, agent, conversation, time, kind, text,
                            moment, time[:10])))
        else:  # an ISO 8601 form without dashes (20261101T…): the date as parse_time writes it
            when = parse(time)
            append(new_row((first_line + index, shop, agent, conversation, time, kind, text,
                            *when)))  # type: ignore[misc]
    return records, skipped


def _csv_records(source: Source, data: bytes, first_line: int,
                 long: dict[int, int]) -> Iterator[Row | Rejected]:
    text = data.decode(source.encoding, errors="surrogateescape")
    check_bytes = _SURROGATE.search(text) is not None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    columns, width = source.columns, source.width
    consumed = 0  # physical lines read so far
    while True:
        start = consumed
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            consumed = reader.line_num
            yield Rejected(first_line + start, f"CSV 行损坏：{exc}")
            continue
        consumed = reader.line_num
        line = first_line + start
        over = [long[i] for i in range(start, consumed) if i in long] if long else ()
        if over:
            yield Rejected(line, too_long(over[0]))
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line
        if check_bytes and any(_SURROGATE.search(field) for field in row):
            yield Rejected(line, f"不是有效的 {source.encoding.upper()}")
            continue
        if len(row) != width:
            yield Rejected(line, f"列数不齐：{len(row)} 列，表头有 {width} 列")
            continue
        yield make_row(line, *[row[c] for c in columns])


def parse_records(chunk: Chunk, lookback: bool = False,
                  contents: tuple[bytes, bytes] | None = None,
                  skip: frozenset[str] = frozenset()) -> tuple[list[Row | Rejected], int]:
    """(the records of a chunk — or of the lines before it — in order; how many were skipped).

    `contents`: the chunk's bytes if already read (`Chunk.contents()`).
    `skip`: roles (agent, buyer, system) whose valid records are only counted,
    not returned (a CSV reader returns them anyway; a rejected record always is).
    """
    source = chunk.source
    data, back = contents if contents is not None else chunk.contents()
    if lookback:
        data, first, long = back, chunk.lookback_first_line, {}
    else:
        first, long = chunk.first_line, dict(chunk.long_lines)
    return parse_lines(source, data, first, long, skip)


def parse_lines(source: Source, data: bytes, first_line: int, long: dict[int, int] | None = None,
                skip: frozenset[str] = frozenset()) -> tuple[list[Row | Rejected], int]:
    """(the records of whole lines of a log, in order; how many were skipped).

    `data`: consecutive lines of `source` (each ending with a newline; a CSV
    record not cut), the first being line `first_line`; `long`: (index among
    them, full length) of over-long lines, each in `data` as a placeholder.
    The one parser of records, whoever cut the lines (a chunk here, a Spark
    partition in guard/spark/).
    """
    if not data:
        return [], 0
    if source.fmt == "csv":
        return list(_csv_records(source, data, first_line, long or {})), 0
    return _jsonl_batch(data, first_line, long or {}, first_line == 1, skip)


def iter_records(chunk: Chunk, lookback: bool = False,
                 contents: tuple[bytes, bytes] | None = None) -> Iterator[Row | Rejected]:
    """Every record of a chunk (or of the lines before it), in order."""
    return iter(parse_records(chunk, lookback, contents)[0])
