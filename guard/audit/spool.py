"""Findings on disk, in input order, while the audit runs: memory stays flat.

The main process appends each chunk's findings as it arrives; the JSON, CSV
and HTML writers each read them back in one pass.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

import orjson

from guard.audit.report import FindingRecord


class FindingSpool:
    """A temporary JSON Lines file of findings (deleted on exit)."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="guard-audit-")  # noqa: SIM115
        self.count = 0

    def __enter__(self) -> FindingSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def write(self, findings: Iterable[FindingRecord]) -> None:
        dumps = orjson.dumps
        for finding in findings:
            self._file.write(dumps(finding.to_dict()) + b"\n")
            self.count += 1

    def write_encoded(self, encoded: bytes, count: int) -> None:
        """`count` findings already encoded by `encode` (in a worker, off the main process)."""
        self._file.write(encoded)
        self.count += count

    def read(self) -> Iterator[FindingRecord]:
        """Every finding written so far, in order (one pass; call again for another)."""
        self._file.flush()
        self._file.seek(0)
        yield from decode(self._file)
        self._file.seek(0, 2)


def encode(findings: Iterable[FindingRecord]) -> bytes:
    """Findings as the spool holds them (what `FindingSpool.write` would write)."""
    dumps = orjson.dumps
    return b"".join([dumps(finding.to_dict()) + b"\n" for finding in findings])


def decode(lines: Iterable[bytes] | bytes) -> Iterator[FindingRecord]:
    """The findings `encode` wrote (bytes, or an iterable of its lines)."""
    for line in lines.splitlines() if isinstance(lines, bytes) else lines:
        yield FindingRecord.from_dict(orjson.loads(line))
