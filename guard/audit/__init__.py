"""`guard audit`: a batch audit of exported chat logs.

How a log flows (one direction, each module knows nothing of the next):

    readers.py       LOG files (JSONL / CSV, .gz) → chunks of whole records, in order
    workers.py       chunk → records → Guard.check (each worker builds its Guard once)
    conversation.py  an agent message joined with the previous ones: split evasions
    privacy.py       buyers' personal data masked before anything leaves the worker
    report.py        the one report model: partial reports merge associatively
    render_*.py      terminal (rich) · JSON · CSV of findings · single-file HTML
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
    from guard.audit.workers import audit_to_report

    return audit_to_report(paths, workers=workers, role=role, lexicon_dirs=lexicon_dirs)
