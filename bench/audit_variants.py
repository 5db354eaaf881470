"""`guard audit` with a feature taken out, to measure what each feature costs.

    python bench/audit_variants.py VARIANT audit LOG [options]   (as `guard audit`)

Variants (patched into guard.audit.chunk before the audit starts; worker
processes are forked, so they run the variant too):

  * `full` — the audit as it is;
  * `no-metrics` — without the response times: the clock keeps only what the
    neighbour lines beside findings need (each conversation's last messages,
    ended by the same 4,000-line gap), times nothing and leaves no segments;
    the buyers' lines are read, as the neighbour lines show them;
  * `no-neighbours` — without the neighbour lines: the clock times every turn,
    a finding is shown without the lines before it;
  * `neither` — neither: no clock, and the buyers' lines dropped unread (what
    the audit was before both).

Everything else is the audit's own code. tests/test_audit_metrics.py checks that
each variant changes its report only where its feature shows.
"""

from __future__ import annotations

import sys
from typing import Any

import guard.audit.chunk as chunk
from guard.audit.metrics import GAP_LINES, ResponseClock, _Thread


class NeighboursOnly(ResponseClock):
    """The clock's conversations and neighbour lines, no response times."""

    def _feed(self, rows: Any) -> None:  # ResponseClock._feed less the timing
        threads, gap = self.threads, GAP_LINES
        for row in rows:
            try:
                line, shop, _, conversation, _, role, _, _, _ = row
            except ValueError:
                continue
            if role != "agent" and role != "buyer":
                continue
            key = (shop, conversation)
            thread = threads.get(key)
            if thread is None:
                thread = self._open(key, line)
            elif line - thread.last_line > gap:
                thread = threads[key] = _Thread(line, line)
            thread.last_line = line
            thread.third, thread.second, thread.last = thread.second, thread.last, row

    def finish(self) -> tuple[dict[Any, Any], None]:
        return {}, None


class MetricsOnly(ResponseClock):
    """The clock's response times; no neighbour lines beside a finding."""

    def before(self, shop: str, conversation: str, line: int) -> tuple[Any, ...]:
        return ()


class NoClock:
    """No clock at all."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def remember(self, rows: Any) -> None:
        pass

    def feed(self, rows: Any, wanted: Any = ()) -> list[tuple[Any, ...]]:
        return [() for _ in wanted]

    def finish(self) -> tuple[dict[Any, Any], None]:
        return {}, None


VARIANTS = ("full", "no-metrics", "no-neighbours", "neither")
_REAL = chunk.ResponseClock, chunk.SYSTEM


def apply(variant: str) -> None:
    """Patch guard.audit.chunk to run `variant` (one of VARIANTS)."""
    clock = {"full": _REAL[0], "no-metrics": NeighboursOnly, "no-neighbours": MetricsOnly,
             "neither": NoClock}[variant]
    chunk.ResponseClock = clock  # type: ignore[assignment, misc]
    chunk.SYSTEM = chunk.NOT_AGENT if variant == "neither" else _REAL[1]


if __name__ == "__main__":
    from guard.cli import main

    apply(sys.argv[1])
    sys.exit(main(sys.argv[2:]))
