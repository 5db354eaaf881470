"""The whole audit: LOG files → chunks → partial reports, in input order → one report.

One worker runs in this process; more run in worker processes (pool.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import replace

from guard.audit.chunk import audit_chunk
from guard.audit.conversation import WINDOW_MESSAGES, WINDOW_SECONDS
from guard.audit.judge import AuditConfig, Auditor
from guard.audit.readers import CHUNK_BYTES, Chunk, Source, open_source, read_chunks
from guard.audit.report import Report, ReportBuilder, Settings
from guard.engine import Guard


def audit_chunks(chunks: Iterator[Chunk] | Sequence[Chunk], config: AuditConfig,
                 workers: int = 1, guard: Guard | None = None,
                 warn: Callable[[str], object] | None = None,
                 ) -> Iterator[tuple[Chunk, Report, bytes | None]]:
    """(chunk, its report, None) in input order — or, from worker processes,
    (chunk, its report without findings, its findings spool-encoded).

    One worker runs in this process (with `guard` if given); more run in
    worker processes (`warn`: a line on a chunk audited again after a lost
    worker). Close the generator (`contextlib.closing`) to stop them early.
    """
    if workers <= 1:
        auditor = Auditor(config, guard=guard)
        for chunk in chunks:
            yield chunk, with_sheets(audit_chunk(auditor, chunk), chunk), None
        return
    from guard.audit.pool import audit_in_workers

    results = audit_in_workers(chunks, config, workers, guard) if warn is None else \
        audit_in_workers(chunks, config, workers, guard, warn)
    try:
        for chunk, report, encoded in results:
            yield chunk, with_sheets(report, chunk), encoded
    finally:
        results.close()


def with_sheets(report: Report, chunk: Chunk) -> Report:
    """The chunk's report with what its file's converter found beside the records
    (an Excel export's conversation sheet: the main process read it)."""
    return replace(report, sheets=(*report.sheets, *chunk.sheets)) if chunk.sheets else report


def all_chunks(sources: Sequence[Source], chunk_bytes: int = CHUNK_BYTES,
               workers: int = 1) -> Iterator[Chunk]:
    """Every file's chunks, in order; with one worker (this process) they carry their bytes."""
    for source in sources:
        yield from read_chunks(source, chunk_bytes, ship=True if workers <= 1 else None)


def audit_to_report(paths: Sequence[str], *, workers: int = 1, role: str = "agent",
                    lexicon_dirs: Sequence[str] = (), chunk_bytes: int = CHUNK_BYTES,
                    guard: Guard | None = None) -> Report:
    """The whole audit of `paths` as one in-memory report (findings kept in memory)."""
    from guard.audit.labels import labels_for
    from guard.audit.spool import decode

    sources = [open_source(p) for p in paths]
    config = AuditConfig(tuple(lexicon_dirs), Settings(role, WINDOW_MESSAGES, WINDOW_SECONDS))
    category_labels, rule_labels = labels_for(lexicon_dirs)
    builder = ReportBuilder(config.settings, category_labels, rule_labels)
    for source in sources:  # an empty file is listed too
        builder.files.setdefault(source.label, [0, 0, 0, 0])
    with closing(audit_chunks(all_chunks(sources, chunk_bytes, workers), config, workers,
                              guard)) as results:
        for _, report, encoded in results:
            builder.add(report)
            if encoded:
                builder.findings.extend(decode(encoded))
    return builder.build()
