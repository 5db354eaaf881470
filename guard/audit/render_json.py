"""The audit's JSON report, streamed: the findings go out one by one.

The same form as `Report.to_dict()`, so `Report.from_dict` reads it back
(to merge the reports of separate runs), but a year of findings never has
to be in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import orjson

from guard.audit.report import FindingRecord, Report


def write_json(report: Report, findings: Iterable[FindingRecord], out: IO[bytes]) -> None:
    head = report.to_dict(findings=())
    del head["findings"]
    text = orjson.dumps(head, option=orjson.OPT_INDENT_2)
    out.write(text[:-2] + b',\n  "findings": [')  # reopen the object before its "}"
    first = True
    for finding in findings:
        out.write(b"\n    " if first else b",\n    ")
        out.write(orjson.dumps(finding.to_dict()))
        first = False
    out.write(b"]\n}\n" if first else b"\n  ]\n}\n")
