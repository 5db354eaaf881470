"""LOG arguments → `Source`s: which file, which format, how to open it.

A log's format comes from its name (`.jsonl`, `.csv`, `.xlsx`, `.gz`), else
it is sniffed from its first line (a JSON object or array, the chat
workbench's message JSON, or a CSV header whose columns are read here, in
English or Chinese). Everything a user can get wrong about a file — a
folder, a missing file, a CSV header without the needed columns, a file
named twice — is a usage error before the run starts.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from guard.errors import UsageError
from guard.records import BOM, MAX_LINE_BYTES

# A log's format by its name (else sniffed from its first line).
JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson", ".log")
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")

# Formats read through a converter (exports.py) into JSON Lines records.
CONVERTED = ("xlsx", "workbench")

FIELDS = ("shop", "agent", "conversation", "time", "role", "text")
HEADER_ALIASES: dict[str, str] = {
    "shop": "shop", "店铺": "shop", "店铺名": "shop", "店铺名称": "shop",
    "agent": "agent", "客服": "agent", "客服账号": "agent", "客服昵称": "agent",
    "conversation": "conversation", "会话": "conversation", "会话id": "conversation",
    "会话编号": "conversation",
    "time": "time", "时间": "time", "发送时间": "time", "消息时间": "time",
    "role": "role", "角色": "role", "发送方": "role", "发送者角色": "role",
    "text": "text", "内容": "text", "消息内容": "text", "消息": "text",
}


@dataclass(frozen=True)
class Source:
    """One LOG argument: how to open and read it."""

    path: Path
    label: str  # as the user wrote it (an Excel file: FILE:SHEET): what reports name
    fmt: str  # "jsonl" | "csv" | "xlsx" | "workbench" (the chat workbench's message JSON)
    compressed: bool
    size: int  # bytes on disk, for progress
    encoding: str = "utf-8"
    columns: tuple[int, ...] = ()  # CSV: the column of each of FIELDS
    width: int = 0  # CSV: the header's number of columns
    sheet: str = ""  # Excel: the sheet of message rows
    conversation_sheet: str = ""  # Excel: the sheet of conversations (sheets.py), if any
    mapping: tuple[tuple[str, str], ...] = ()  # Excel: (field, header) given by --column

    @property
    def first_line(self) -> int:
        """The line its first record is on (a CSV's header is line 1)."""
        return 2 if self.fmt == "csv" else 1

    @property
    def converted(self) -> bool:
        """Read through a converter (exports.py): its chunks carry their bytes."""
        return self.fmt in CONVERTED


def open_raw(path: Path, compressed: bool) -> tuple[IO[bytes], IO[bytes]]:
    """(the stream to read, the file on disk whose position tells progress)."""
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller
    if compressed:
        return gzip.GzipFile(fileobj=raw, mode="rb"), raw
    return raw, raw


def _first_line(path: Path, compressed: bool) -> bytes:
    stream, raw = open_raw(path, compressed)
    try:
        return stream.readline(MAX_LINE_BYTES)
    except (OSError, EOFError) as exc:
        raise UsageError(f"{path}：无法读取：{exc}") from None
    finally:
        stream.close()
        raw.close()


def _csv_header(label: str, line: bytes) -> tuple[str, tuple[int, ...], int]:
    """(encoding, column of each field, width) from a CSV header line."""
    line = line.removeprefix(BOM).rstrip(b"\r\n")
    try:
        text, encoding = line.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:  # Excel on a Chinese Windows saves CSV as GB18030 (GBK)
            text, encoding = line.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            raise UsageError(f"{label}：CSV 表头既不是 UTF-8 也不是 GB18030 编码") from None
    names = next(csv.reader([text]), [])
    found: dict[str, int] = {}
    for index, name in enumerate(names):
        field = HEADER_ALIASES.get(name.strip().lower())
        if field and field not in found:
            found[field] = index
    missing = [f for f in FIELDS if f not in found]
    if missing:
        wanted = "、".join(missing)
        raise UsageError(
            f"{label}：CSV 表头缺少 {wanted}（应有的列：shop,agent,conversation,time,role,text"
            " 或 店铺,客服,会话,时间,角色,内容）"
        )
    return encoding, tuple(found[f] for f in FIELDS), len(names)


def open_sources(names: Sequence[str], warn: Callable[[str], object],
                 columns: Sequence[tuple[str, str]] = ()) -> list[Source]:
    """`open_source` of each LOG argument; a file named twice (or by two paths) is read once.

    Counting it twice would double every figure of the report without a
    word; the second naming is dropped with a warning (`warn`).
    """
    sources: list[Source] = []
    seen: dict[tuple[int, int], str] = {}
    for name in names:
        source = open_source(name, columns)
        status = source.path.stat()
        identity = (status.st_dev, status.st_ino)
        if identity in seen:
            warn(f"{name} 与 {seen[identity]} 是同一个文件，只审计一次")
            continue
        seen[identity] = name
        sources.append(source)
    return sources


def open_source(name: str, columns: Sequence[tuple[str, str]] = ()) -> Source:
    """Check a LOG argument before the run starts: exists, format known, CSV header usable.

    `columns`: (field, header) pairs naming an Excel export's columns (--column).
    """
    path = Path(name)
    if path.is_dir():
        raise UsageError(f"{name}: 是目录，不是文件（请给出其中的聊天记录文件）")
    if not path.is_file():
        raise UsageError(f"{name}：没有这个文件")
    fmt, compression = name_format(path.name)
    if fmt == "xlsx":
        from guard.audit.exports import find_sheet

        mapping = tuple(columns)
        sheet, conversations = find_sheet(path, name, dict(mapping))
        return Source(path, f"{name}:{sheet}", "xlsx", False, path.stat().st_size,
                      sheet=sheet, conversation_sheet=conversations, mapping=mapping)
    first = _first_line(path, compression == ".gz")
    return described_source(name, path, fmt, compression == ".gz", first, path.stat().st_size)


def name_format(name: str, codecs: Sequence[str] = (".gz",)) -> tuple[str, str]:
    """(the format a file name says — "jsonl", "csv" or "" to sniff —, its compression suffix).

    `codecs`: the compression suffixes the reader decompresses.
    """
    suffixes = [s.lower() for s in Path(name).suffixes]
    compression = suffixes.pop() if suffixes and suffixes[-1] in codecs else ""
    kind = suffixes[-1] if suffixes else ""
    if kind in JSONL_SUFFIXES:
        return "jsonl", compression
    if kind in CSV_SUFFIXES:
        return "csv", compression
    if kind in XLSX_SUFFIXES and not compression:
        return "xlsx", compression
    return "", compression


def described_source(label: str, path: Path, fmt: str, compressed: bool, first: bytes,
                     size: int) -> Source:
    """A LOG's `Source` from its first line: the format sniffed if the name did not say
    (a JSON object starts with {), a CSV header read (UsageError if unusable)."""
    if fmt == "xlsx":  # its sheet is found by open_source
        return Source(path, label, fmt, False, size)
    if not fmt:
        fmt = "jsonl" if first.removeprefix(BOM).lstrip()[:1] in (b"{", b"[", b"") else "csv"
    if fmt == "jsonl":
        from guard.audit.exports import is_workbench

        return Source(path, label, "workbench" if is_workbench(first) else fmt, compressed, size)
    if not first.strip():
        raise UsageError(f"{label}：CSV 聊天记录的第一行必须是表头")
    encoding, columns, width = _csv_header(label, first)
    return Source(path, label, fmt, compressed, size, encoding, columns, width)
