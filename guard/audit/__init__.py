"""`guard audit`: a batch audit of exported chat logs.

How a log flows (one direction, each module knows nothing of the next):

    sources.py       LOG arguments → sources: the format (by name or sniffed), a CSV header
    exports.py       Excel and chat-workbench exports → the log's own records, as read
      sheets.py      an Excel export's conversation sheet: boundaries and a check
      json_array.py  a JSON array read a value at a time
    chunking.py      a file → chunks of whole records with the lines before them, in order
    rows.py          a chunk's lines → records (Row, NonText, Rejected); readers.py names all three
    chunk.py         records → one partial report: the loop (`audit_rows`, `audit_chunk`)
    judge.py         each distinct text judged once (`Auditor`: the Guard and its caches)
    conversation.py  an agent message joined with the previous ones: split evasions
    fastpath.py      when a joined window cannot hold anything new
    evidence.py      a violating message as evidence: records, counts, the worst listed
    privacy.py       buyers' personal data masked before anything leaves the worker
    report.py        the one report model: partial reports merge associatively
      report_entries.py  what it lists: rejected records, findings, worst messages
    metrics.py       response times per agent and shop, beside the report
    segments.py      a conversation's response times across chunks: joined as reports merge
    spool.py         findings on disk while the audit runs
    run.py           files → chunks → reports in input order (this process or the pool)
    pool.py          worker processes
    render_*.py      terminal (rich) · JSON · CSV of findings · single-file HTML
      html_charts.py  the HTML's SVG charts (report.css its style, review.js its script)
    command.py       the `guard audit` command line

`audit_files()` is the Python entry point; it returns a `Report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guard.audit.report import Report

__all__ = ["audit_files"]


def audit_files(paths: Sequence[str], *, workers: int = 1, role: str = "agent",
                lexicon_dirs: Sequence[str] = ()) -> Report:
    """Audit chat-log files and return the full report (findings kept in memory).

    For logs too large to keep every finding in memory use the command line,
    which spools findings to disk. Merge reports with
    `guard.audit.report.merge_reports`.
    """
    from guard.audit.run import audit_to_report

    return audit_to_report(paths, workers=workers, role=role, lexicon_dirs=lexicon_dirs)
