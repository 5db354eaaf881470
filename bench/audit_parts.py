"""Where one process's audit time goes: judging, conversation windows, evidence, the rest.

    python bench/audit_parts.py [LOG]   (default: bench_audit.py's 1,000,000-message log)

Audits the log's chunks in this process, as one worker does, with a clock
around the three kinds of real work, each counted by its calls:

  * judging a text not in the worker's cache (the fast pass, and the slow one
    if needed): each distinct text once, and again if the bounded cache
    dropped it before it came back;
  * a conversation window the shortcut does not answer at once (the joined
    texts judged);
  * the evidence of a message with findings (masked, reasons, records).

The rest — reading the chunks, the per-message loop, tallies — is the total
less those. A clock around each call costs ~0.1 µs: noise next to what they take.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guard.audit import judge  # noqa: E402
from guard.audit.chunk import audit_chunk  # noqa: E402
from guard.audit.evidence import Evidence  # noqa: E402
from guard.audit.judge import AuditConfig, Auditor  # noqa: E402
from guard.audit.readers import open_source, read_chunks  # noqa: E402


def _timed(slot: list[float], function: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args)
        finally:
            slot[0] += 1
            slot[1] += time.perf_counter() - started

    return timed


def main() -> int:
    parser = argparse.ArgumentParser()
    default = Path(tempfile.gettempdir()) / "guard-bench-log-1000000-11.jsonl"
    parser.add_argument("log", nargs="?", default=str(default))
    args = parser.parse_args()
    if not Path(args.log).is_file():
        raise SystemExit(f"{args.log}: no such file (python bench/bench_audit.py makes it)")
    chunks = list(read_chunks(open_source(args.log)))
    auditor = Auditor(AuditConfig()).warm()
    parts = {"judging a text": [0, 0.0], "a window judged joined": [0, 0.0],
             "evidence of a message": [0, 0.0]}
    judging, window, evidence = parts.values()
    auditor.judged = lru_cache(maxsize=judge.CACHE_SIZE)(_timed(judging, auditor._judge))
    known_quiet, timed_window = auditor.window_findings, _timed(window, auditor.window_findings)
    auditor.window_findings = lambda turns: (  # type: ignore[method-assign]
        known_quiet(turns) if tuple(t.text for t in turns) in auditor.quiet_windows
        else timed_window(turns))
    Evidence.add = _timed(evidence, Evidence.add)  # type: ignore[method-assign]
    gc.disable()  # as in a worker process
    started = time.perf_counter()
    for chunk in chunks:
        audit_chunk(auditor, chunk)
    total = time.perf_counter() - started
    print(f"{args.log}: {len(chunks)} chunks audited in one process in {total:.2f} s")
    for name, (calls, seconds) in parts.items():
        print(f"  {name:<26} {int(calls):>8,} × {seconds / max(calls, 1) * 1e6:6.1f} µs"
              f" = {seconds:5.2f} s")
    rest = total - sum(seconds for _, seconds in parts.values())
    print(f"  {'the rest (reading, loop)':<26} {'':>19}{rest:5.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
