"""Chat-log files → chunks of whole records (main process) → records (workers).

The reading of logs, in three parts, each its own module:

* sources.py   — LOG arguments → `Source`: the format (by name or sniffed), a CSV's header;
* chunking.py  — a file → chunks of whole records with the lines before them (main process);
* rows.py      — a chunk's lines → `Row` / `NonText` / `Rejected` records (workers).

This module names them together, for the code that reads logs.
"""

from guard.audit.chunking import (
    CHUNK_BYTES,
    LOOKBACK_LINES,
    MAX_CSV_RECORD_BYTES,
    MIN_TAIL_CHUNK_BYTES,
    READ_BYTES,
    Chunk,
    read_chunks,
)
from guard.audit.rows import (
    LOCAL,
    ROLES,
    NonText,
    Row,
    iter_records,
    make_row,
    parse_lines,
    parse_records,
)
from guard.audit.sources import (
    CONVERTED,
    CSV_SUFFIXES,
    FIELDS,
    HEADER_ALIASES,
    JSONL_SUFFIXES,
    XLSX_SUFFIXES,
    Source,
    described_source,
    name_format,
    open_source,
    open_sources,
)
from guard.records import MAX_LINE_BYTES, Rejected

__all__ = [
    "CHUNK_BYTES", "CONVERTED", "CSV_SUFFIXES", "FIELDS", "HEADER_ALIASES", "JSONL_SUFFIXES",
    "LOCAL", "LOOKBACK_LINES", "MAX_CSV_RECORD_BYTES", "MAX_LINE_BYTES", "MIN_TAIL_CHUNK_BYTES",
    "READ_BYTES", "ROLES", "XLSX_SUFFIXES", "Chunk", "NonText", "Rejected", "Row", "Source",
    "described_source", "iter_records", "make_row", "name_format", "open_source",
    "open_sources", "parse_lines", "parse_records", "read_chunks",
]
