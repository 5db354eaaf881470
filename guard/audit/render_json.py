"""The audit's JSON report, streamed: the findings go out one by one.

The same form as `Report.to_dict()`, so `Report.from_dict` reads it back
(to merge the reports of separate runs), but a year of findings never has
to be in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import orjson

from guard.audit.report import FindingRecord, Report


def write_json(report: Report, findings: Iterable[FindingRecord], out: IO[bytes],
               review: Any = None) -> None:
    """The report; with a baseline (`review`: baseline.Review) each finding says its review.

    Each finding carries its baseline `key`; with --baseline also its `review`
    (violation, not_violation, pending, or null: new), and the head a
    `baseline` summary.
    """
    head = report.to_dict(findings=())
    del head["findings"]
    baseline = review.baseline if review is not None else None
    if baseline is not None:
        head["baseline"] = {"new": review.new, "reviewed": review.reviewed}
    text = orjson.dumps(head, option=orjson.OPT_INDENT_2)
    out.write(text[:-2] + b',\n  "findings": [')  # reopen the object before its "}"
    first = True
    for finding in findings:
        out.write(b"\n    " if first else b",\n    ")
        entry = finding.to_dict()
        if baseline is not None:
            entry["review"] = baseline.review(entry["key"])
        out.write(orjson.dumps(entry))
        first = False
    out.write(b"]\n}\n" if first else b"\n  ]\n}\n")
