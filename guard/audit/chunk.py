"""Records → one partial report: the loop every way of running the audit runs.

`audit_rows` is the unit: records in input order (from any source: a chunk
of a file here, a Spark partition sorted by conversation elsewhere), each
judged (judge.py), joined with its conversation's earlier agent messages
(conversation.py), counted, and its evidence masked (evidence.py). Its
partial reports merge in any grouping to the same whole (report.py), so
where the records were cut does not change the result, provided each part
comes with the rows just before it as `context`.

`audit_chunk` is that unit on a chunk of a log file (readers.py).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from guard.audit.conversation import Conversations, SplitFinding
from guard.audit.evidence import Evidence
from guard.audit.judge import Auditor
from guard.audit.metrics import ResponseClock, merge_into
from guard.audit.readers import LOOKBACK_LINES, Chunk, NonText, Rejected, Row, parse_records
from guard.audit.report import Report, ReportBuilder, top_worst
from guard.verdict import worst

Record = Row | NonText | Rejected
# Roles only counted (unless --role all): skipped.
NOT_AGENT = frozenset({"buyer", "system"})
# Roles a reader may drop unread: buyers' lines are read, for the response times.
SYSTEM = frozenset({"system"})
# A window's reach when rows come grouped by conversation, in time order.
UNBOUNDED = sys.maxsize
# Records judged, then fed to the response-time clock, at once (metrics.ResponseClock.feed).
FEED_BATCH = 4096


@dataclass(slots=True)
class Tally:
    """What one agent's messages of one day add up to."""

    messages: int = 0
    passed: int = 0
    warned: int = 0
    blocked: int = 0
    findings: int = 0

    def values(self) -> tuple[int, int, int, int, int]:
        """The figures in the report's order (`report.TALLY`)."""
        return self.messages, self.passed, self.warned, self.blocked, self.findings


def audit_chunk(auditor: Auditor, chunk: Chunk) -> Report:
    """The partial report of one chunk of a log file.

    The records are parsed with the cyclic garbage collector paused too
    (they hold no cycles; see `audit_rows`): a chunk's rows, buyers' lines
    included, would otherwise set off collections that walk them all.
    """
    if not gc.isenabled():
        return _audit_chunk(auditor, chunk)
    gc.disable()
    try:
        return _audit_chunk(auditor, chunk)
    finally:
        gc.enable()


def _audit_chunk(auditor: Auditor, chunk: Chunk) -> Report:
    contents = chunk.contents()
    skip = frozenset() if auditor.config.settings.role == "all" else SYSTEM
    context, _ = parse_records(chunk, lookback=True, contents=contents, skip=SYSTEM)
    rows, skipped = parse_records(chunk, contents=contents, skip=skip)
    if chunk.cut_short:  # the broken-off line at the end of a compressed file
        rows.append(Rejected(chunk.first_line + contents[0].count(b"\n"), chunk.cut_short))
    return audit_rows(auditor, rows, chunk.source.label, context=context, skipped=skipped,
                      part=(1 if chunk.first else chunk.first_line,
                            chunk.first_line + chunk.line_count, chunk.final))


def audit_rows(auditor: Auditor, rows: Iterable[Row | NonText | Rejected], label: str, *,
               context: Iterable[Row | NonText | Rejected] = (), skipped: int = 0,
               lookback: int = LOOKBACK_LINES,
               part: tuple[int, int, bool] | None = None) -> Report:
    """Every record judged and counted, its evidence masked: one partial report.

    `rows`: the records in input order, valid (`Row`) or not (`Rejected`),
    each numbered by its line of the file `label`. `context`: the records
    just before them — their agent messages are what the first rows' windows
    reach back to; they are not counted. `skipped`: records already counted
    as skipped (a reader that drops buyers' and system lines without making
    rows of them says how many); with `--role agent`, buyers' and system
    rows among `rows` are skipped here. `lookback`: how many lines back (by
    line number) a window reaches — a file's chunk sees LOOKBACK_LINES;
    rows that come grouped by conversation in time order (Spark) reach the
    whole conversation (`UNBOUNDED`). `part`: (first line, line after the
    last, whether the file ends there) of the rows, when they are a part of
    a file cut anywhere (a chunk): the conversations' response times that
    depend on the parts around are left to join with them when the reports
    merge (segments.py; `context` plays no part in them); None: the rows hold
    whole conversations.

    The cyclic garbage collector pauses meanwhile: a chunk makes millions
    of objects and no cycles, and each collection would walk them all for
    nothing (5–8 % of the time, measured). In this process it collects
    once the chunk is done; worker processes run without it.
    """
    if not gc.isenabled():
        return _audit_rows(auditor, rows, label, context, skipped, lookback, part)
    gc.disable()
    try:
        return _audit_rows(auditor, rows, label, context, skipped, lookback, part)
    finally:
        gc.enable()


def _audit_rows(auditor: Auditor, rows: Iterable[Row | NonText | Rejected], label: str,
                context: Iterable[Row | NonText | Rejected], skipped: int, lookback: int,
                part: tuple[int, int, bool] | None) -> Report:
    settings = auditor.config.settings
    judge_all = settings.role == "all"
    judged_of, window_findings, shortcut = auditor.judged, auditor.window_findings, \
        auditor.shortcut
    conversations = Conversations(shortcut.closed if shortcut is not None else None, lookback)
    clock = ResponseClock(*part, label) if part is not None else ResponseClock(label=label)
    timed: list[Row | NonText] = []  # the lines before: the neighbours of the first findings
    for row in context:
        kind = type(row)
        if kind is Row or kind is NonText:
            timed.append(row)  # type: ignore[arg-type]
            if kind is Row and row.role == "agent":  # type: ignore[union-attr]
                conversations.remember((row.shop, row.agent, row.conversation), row.line,
                                       row.moment, row.text, judged_of(row.text).edges)
    clock.remember(timed)
    del timed
    window = conversations.window
    builder = ReportBuilder(settings)
    evidence = Evidence(builder, label, auditor.evidence, auditor.privacy,
                        auditor.neighbour_line)
    tallies: dict[tuple[str, str, str, str], Tally] = {}  # (shop, agent, role, day)
    records, scanned, rejected, split_count = skipped, 0, 0, 0
    no_splits: Sequence[SplitFinding] = ()
    # The clock takes each batch of records whole, after the loop has judged it (one
    # loop in metrics.py, nothing per message here): a finding's evidence waits for
    # its neighbour lines, the clock's state at the finding's place in the batch.
    wanted: list[tuple[int, str, str, int]] = []  # for `clock.feed`
    waiting: list[tuple[Row, Any, Sequence[SplitFinding], str]] = []  # evidence to add
    for batch in _batches(rows):
        records += len(batch)
        for position, record in enumerate(batch, 1):
            kind = type(record)
            if kind is not Row:
                if kind is Rejected:
                    rejected += 1
                    builder.reject(label, record.line, record.reason)  # type: ignore[union-attr]
                else:  # an image, a card…: not judged, counted by its type
                    skipped += 1
                    builder.non_text[record.kind] = (  # type: ignore[union-attr]
                        builder.non_text.get(record.kind, 0) + 1)  # type: ignore[union-attr]
                continue
            row: Row = record  # type: ignore[assignment]
            role = row.role
            if role != "agent" and not judge_all:
                skipped += 1
                continue
            scanned += 1
            text = row.text
            judged = judged_of(text)
            verdict = judged.verdict
            name = verdict.verdict
            found = len(verdict.findings)
            splits = no_splits
            if role == "agent":
                turns = window((row.shop, row.agent, row.conversation), row.line, row.moment,
                               text, judged.edges)
                if turns:
                    splits = window_findings(turns)
                    if splits:
                        found += len(splits)
                        split_count += len(splits)
                        name = worst((name, *(s.finding.severity for s in splits)))
            key = (row.shop, row.agent, role, row.day)
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = Tally()
            tally.messages += 1
            if name == "pass":
                tally.passed += 1
            elif name == "warn":
                tally.warned += 1
            else:
                tally.blocked += 1
            if found:
                tally.findings += found
                wanted.append((position, row.shop, row.conversation, row.line))
                waiting.append((row, verdict, splits, name))
        for (row, verdict, splits, name), before in zip(
                waiting, clock.feed(batch, wanted), strict=True):
            evidence.add(row, verdict, splits, name, before)
        wanted.clear()
        waiting.clear()
    for (shop, agent, role, day), tally in tallies.items():
        builder.count_messages((shop, agent, role), day, tally.values())
    builder.count_records(label, records, scanned, skipped, rejected, split_count)
    responses, open_part = clock.finish()
    merge_into(builder.responses, responses.items())
    if open_part is not None:
        builder.parts.setdefault(label, []).append(open_part)
    builder.worst = top_worst(builder.worst)
    return builder.build()


def _batches(rows: Iterable[Record]) -> Iterator[Sequence[Record]]:
    """The records in batches of FEED_BATCH: a chunk's list sliced, any other iterable
    (a Spark partition's rows) taken a batch at a time."""
    if isinstance(rows, list):
        for start in range(0, len(rows), FEED_BATCH):
            yield rows[start:start + FEED_BATCH]
        return
    iterator = iter(rows)
    while batch := list(islice(iterator, FEED_BATCH)):
        yield batch
