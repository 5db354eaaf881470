"""Chunks of records → partial reports, in worker processes, back in input order.

Each worker process builds its `Guard` once (in the pool's initializer) and
keeps a bounded cache of verdicts: chat is full of canned replies, and a
verdict depends on the text alone. A chunk carries the lines before it, so
a worker sees a conversation's earlier messages without asking anyone: the
partial reports are independent and merge in any grouping to the same whole.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from guard.audit.conversation import (
    PART_LIMIT,
    WINDOW_MESSAGES,
    WINDOW_SECONDS,
    SplitFinding,
    Turn,
    split_findings,
)
from guard.audit.fastpath import Edges, Shortcut
from guard.audit.privacy import apply_mask, private_positions, safe_reason
from guard.audit.readers import (
    CHUNK_BYTES,
    LOOKBACK_LINES,
    Chunk,
    Rejected,
    Row,
    Source,
    open_source,
    parse_records,
    read_chunks,
)
from guard.audit.report import (
    MAX_REJECTED_LISTED,
    MAX_WORST,
    RULE_TERMS,
    FindingRecord,
    RejectedRecord,
    Report,
    ReportBuilder,
    Settings,
    WorstMessage,
    reason_kind,
    top_worst,
)
from guard.audit.spool import encode
from guard.decide import mask
from guard.verdict import Verdict, worst

# Verdicts a worker remembers (by text). Bounded: memory stays flat.
CACHE_SIZE = 16384
_TALLY_INDEX = {"pass": 1, "warn": 2, "block": 3}
_NOT_AGENT = frozenset({"buyer", "system"})  # roles only counted (unless --role all)
_WINDOW = timedelta(seconds=WINDOW_SECONDS)
# audit_chunk keeps the last two agent turns of a conversation and finds the window inline
assert WINDOW_MESSAGES == 3, "audit_chunk's inline window takes at most two previous turns"


@dataclass(frozen=True)
class AuditConfig:
    """What every worker needs to build the same auditor."""

    lexicon_dirs: tuple[str, ...] = ()
    settings: Settings = field(default_factory=Settings)


class Judged(NamedTuple):
    """A message's verdict, and what a conversation window reads of it."""

    verdict: Verdict
    probe: str  # the text with its blocked spans masked (same length)
    edges: Edges | None  # its edges' facts (None without the shortcut)


class Auditor:
    """One per process: the Guard, built once, and its caches."""

    def __init__(self, config: AuditConfig, use_shortcut: bool = True, guard: Any = None):
        """`guard`: an already built Guard for these lexicons (tests share one)."""
        from guard.cli import build_guard

        self.config = config
        self.guard = guard if guard is not None else build_guard(config.lexicon_dirs)
        shortcut = Shortcut(self.guard) if use_shortcut else None
        self.shortcut = shortcut if shortcut is not None and shortcut.enabled else None
        self.judged: Callable[[str], Judged] = lru_cache(maxsize=CACHE_SIZE)(self._judge)
        self.check_joined: Callable[[str], Verdict] = lru_cache(maxsize=CACHE_SIZE // 4)(
            self.guard.check)
        self.evidence: Callable[[str, str], OwnEvidence] = lru_cache(maxsize=CACHE_SIZE // 4)(
            lambda text, role: own_evidence(text, role, self.check(text)))
        # windows (their texts, oldest first) known to hold nothing new: chat repeats itself
        self.quiet_windows: set[tuple[str, ...]] = set()

    def check(self, text: str) -> Verdict:
        return self.judged(text).verdict

    def probe(self, text: str) -> str:
        return self.judged(text).probe

    def _judge(self, text: str) -> Judged:
        """The verdict, from one fast pass that also gives the window its facts.

        The probe is what a window reads of a message: its blocked spans
        masked, so a violation already reported on its own message is not
        judged again in each window it falls in; masking (same length, █ joins
        nothing) keeps every other character, and so every offset, as it was.
        """
        guard, shortcut = self.guard, self.shortcut
        candidates = guard.inspect(text)
        verdict = guard.judge(candidates)
        if verdict.verdict != "block":
            return Judged(verdict, text, shortcut.edges_of(candidates) if shortcut else None)
        probe = mask(text, tuple(f for f in verdict.findings if f.severity == "block"))
        return Judged(verdict, probe, shortcut.edges(probe) if shortcut else None)

    def warm(self) -> Auditor:
        """Load everything loaded lazily (the tokenizer), so forked workers share it."""
        self.guard.preload()
        return self

    def window_findings(self, previous: Sequence[Turn], turn: Turn,
                        texts: tuple[str, ...]) -> Sequence[SplitFinding]:
        """What joining `texts` (the window's, oldest first) finds that no message alone holds.

        A window found empty is remembered by its texts (the answer depends on
        the texts alone): the same quick replies in the same order are not
        joined again. The shortcut answers most other windows from what each
        message's edges allow, without joining them.
        """
        shortcut = self.shortcut
        if shortcut is not None and shortcut.quiet_with(
                [self.judged(t).edges for t in texts],  # type: ignore[misc]
                lambda: [self.probe(t) for t in texts]):
            splits: Sequence[SplitFinding] = ()
        else:
            splits = split_findings(self.check, previous, turn, self.check_joined, self.probe)
        if not splits:
            if len(self.quiet_windows) >= 4 * CACHE_SIZE:
                self.quiet_windows.clear()
            self.quiet_windows.add(texts)
        return splits

    def audit_chunk(self, chunk: Chunk) -> Report:
        """Every record of the chunk judged and counted; evidence masked.

        The cyclic garbage collector pauses meanwhile: a chunk makes millions
        of objects and no cycles, and each collection would walk them all for
        nothing (5–8 % of the time, measured). In this process it collects
        once the chunk is done; worker processes run without it.
        """
        if not gc.isenabled():
            return self._audit_chunk(chunk)
        gc.disable()
        try:
            return self._audit_chunk(chunk)
        finally:
            gc.enable()

    def _audit_chunk(self, chunk: Chunk) -> Report:
        judged_of, quiet_windows, window_findings = self.judged, self.quiet_windows, \
            self.window_findings
        closed = self.shortcut.closed if self.shortcut is not None else None
        judge_all = self.config.settings.role == "all"
        label = chunk.source.label
        builder = ReportBuilder(self.config.settings)
        evidence = ChunkEvidence(builder, label, self.evidence)
        # (shop, agent, conversation) → [its agent turn before last, its last] (`Said`)
        histories: dict[tuple[str, str, str], list[Any]] = {}
        contents = chunk.contents()
        before, _ = parse_records(chunk, lookback=True, contents=contents, skip=_NOT_AGENT)
        for record in before:
            if type(record) is Row and record.role == "agent":
                _remember(histories, record, judged_of(record.text).edges)
        totals = builder.totals
        # (shop, agent, role, day) → [messages, pass, warn, block, findings]
        tallies: dict[tuple[str, str, str, str], list[int]] = {}
        found_records, skipped = parse_records(chunk, contents=contents,
                                               skip=frozenset() if judge_all else _NOT_AGENT)
        records, scanned, rejected = len(found_records) + skipped, 0, 0
        lookback = LOOKBACK_LINES
        span = _WINDOW
        for record in found_records:
            if type(record) is Rejected:
                rejected += 1
                if len(builder.rejected) < MAX_REJECTED_LISTED:
                    builder.rejected.append(RejectedRecord(label, record.line, record.reason))
                kind = reason_kind(record.reason)
                builder.rejected_reasons[kind] = builder.rejected_reasons.get(kind, 0) + 1
                continue
            row: Row = record  # type: ignore[assignment]
            is_agent = row.role == "agent"
            if not is_agent and not judge_all:
                skipped += 1
                continue
            scanned += 1
            text = row.text
            judged = judged_of(text)
            verdict = judged.verdict
            splits: Sequence[SplitFinding] = ()
            if is_agent:
                line, moment, edges = row.line, row.moment, judged.edges
                key = (row.shop, row.agent, row.conversation)
                history = histories.get(key)
                joins_last = None
                if history is None:
                    histories[key] = [None, (line, moment, text, edges, None)]
                else:
                    # conversation.window, inline: the previous turns in this one's window
                    older, last = history
                    if line - last[0] <= lookback and abs(moment - last[1]) <= span:
                        joins_last = closed is not None and closed(last[3], edges)
                        if older is not None and line - older[0] <= lookback \
                                and abs(moment - older[1]) <= span:
                            if not (joins_last and _joined(closed, older, last)):
                                texts: tuple[str, ...] = (older[2], last[2], text)
                                if texts not in quiet_windows:
                                    splits = window_findings(
                                        (Turn(*older[:3]), Turn(*last[:3])),
                                        Turn(line, moment, text), texts)
                        elif not joins_last:
                            texts = (last[2], text)
                            if texts not in quiet_windows:
                                splits = window_findings((Turn(*last[:3]),),
                                                         Turn(line, moment, text), texts)
                    history[0] = last
                    history[1] = (line, moment, text, edges, joins_last)
            name = verdict.verdict
            found = len(verdict.findings)
            if splits:
                found += len(splits)
                name = worst((name, *(s.finding.severity for s in splits)))
                totals["split_findings"] += len(splits)
            tally_key = (row.shop, row.agent, row.role, row.day)
            tally = tallies.get(tally_key)
            if tally is None:
                tally = tallies[tally_key] = [0, 0, 0, 0, 0]
            tally[0] += 1
            tally[_TALLY_INDEX[name]] += 1
            if found:
                tally[4] += found
                evidence.add(row, verdict, splits, name)
        if chunk.cut_short:  # the broken-off line at the end of a compressed file
            records += 1
            rejected += 1
            line = chunk.first_line + contents[0].count(b"\n")
            if len(builder.rejected) < MAX_REJECTED_LISTED:
                builder.rejected.append(RejectedRecord(label, line, chunk.cut_short))
            kind = reason_kind(chunk.cut_short)
            builder.rejected_reasons[kind] = builder.rejected_reasons.get(kind, 0) + 1
        for (shop, agent, role, day), tally in tallies.items():
            for target, key in ((builder.agents, (shop, agent, role)), (builder.days, day)):
                row_tally = target.get(key)  # type: ignore[call-overload]
                if row_tally is None:
                    target[key] = list(tally)  # type: ignore[index]
                else:
                    for index, value in enumerate(tally):
                        row_tally[index] += value
            totals["pass"] += tally[1]
            totals["warn"] += tally[2]
            totals["block"] += tally[3]
            totals["findings"] += tally[4]
        totals["records"] += records
        totals["scanned"] += scanned
        totals["skipped"] += skipped
        totals["rejected"] += rejected
        builder.files[label] = [records, scanned, skipped, rejected]
        builder.worst = top_worst(builder.worst)
        return builder.build()


# An agent turn a window may reach back to: (line, moment, text, its edges, whether the
# boundary with the conversation's turn before it is closed: None if not asked yet)
Said = tuple[int, datetime, str, "Edges | None", "bool | None"]


def _remember(histories: dict[tuple[str, str, str], list[Any]], row: Row,
              edges: Edges | None) -> None:
    history = histories.setdefault((row.shop, row.agent, row.conversation), [None, None])
    history[0] = history[1]
    history[1] = (row.line, row.moment, row.text, edges, None)


def _joined(closed: Callable[[Edges, Edges], bool], older: Said, last: Said) -> bool:
    """Whether the boundary between two remembered turns is closed (`Shortcut.closed`)."""
    known = last[4]
    return known if known is not None else closed(older[3], last[3])


def _masked_parts(split: SplitFinding) -> frozenset[int]:
    """Private positions of a joined text, each message masked as the agent line it is."""
    positions: set[int] = set()
    text = split.text
    bounds = (*split.offsets[1:], len(text) + 1)
    for start, end in zip(split.offsets, bounds, strict=True):
        part = text[start:end - 1]
        span = (max(split.finding.start, start) - start, min(split.finding.end, end - 1) - start)
        protected = (span,) if span[0] < span[1] else ()
        positions.update(start + p for p in private_positions(part, "agent", protected))
    return frozenset(positions)


class OwnEvidence(NamedTuple):
    """A message's own findings as evidence: they depend on its text and role alone.

    Chat repeats its canned lines, violating ones too: masking the buyer's
    data is done once per distinct (text, role), not once per message.
    """

    message: str  # the text, the buyer's data masked
    masked: str  # the verdict's masked text, the buyer's data masked too
    # (rule, category, severity, start, end, shown, reason) of each finding
    findings: tuple[tuple[str, str, str, int, int, str, str], ...]
    terms: tuple[tuple[str, str, str], ...]  # each finding's key in the top terms
    spans: tuple[tuple[int, int, str], ...]  # what the worst-message list highlights
    rules: tuple[str, ...]


def own_evidence(text: str, role: str, verdict: Verdict) -> OwnEvidence:
    """`OwnEvidence` of a message with this verdict (which has findings)."""
    findings = verdict.findings
    positions = private_positions(text, role, [(f.start, f.end) for f in findings])
    message = apply_mask(text, positions)
    shown_findings = []
    for f in findings:
        shown = message[f.start:f.end]
        shown_findings.append((f.rule, f.category, f.severity, f.start, f.end, shown,
                               safe_reason(f.reason, f.text, shown)))
    spans = {(f.start, min(f.end, len(message)), f.severity) for f in findings
             if f.start < min(f.end, len(message))}
    return OwnEvidence(
        message, apply_mask(verdict.masked, positions), tuple(shown_findings),
        tuple(_term_key(f[0], f[1], f[5]) for f in shown_findings), tuple(sorted(spans)),
        tuple(dict.fromkeys(f.rule for f in findings)))


def _term_key(rule: str, category: str, shown: str) -> tuple[str, str, str]:
    return rule, category, "" if category in RULE_TERMS else "".join(shown.split())


class ChunkEvidence:
    """The evidence of one chunk's messages, written into its report builder."""

    def __init__(self, builder: ReportBuilder, label: str,
                 evidence_of: Callable[[str, str], OwnEvidence]):
        self.builder = builder
        self.label = label
        self.evidence_of = evidence_of
        # (text, role) of the messages already in the worst list as themselves: a
        # later copy ranks below the first (same display, later line), so is not added
        self.listed: set[tuple[str, str]] = set()

    def add(self, row: Row, verdict: Verdict, splits: Sequence[SplitFinding],
            name: str) -> None:
        """Finding records, term and rule counts, and the worst-message entry of one message."""
        builder = self.builder
        place = _place(self.label, row)
        records: list[FindingRecord] = []
        terms: list[tuple[str, str, str]] = []
        own = None
        if verdict.findings:
            own = self.evidence_of(row.text, row.role)
            message, masked = own.message, own.masked
            for rule, category, severity, start, end, shown, reason in own.findings:
                records.append(FindingRecord(
                    *place, rule, category, severity, start, end, shown, reason, message, masked,
                    (row.line,)))
            terms.extend(own.terms)
        for split in splits:
            positions = _masked_parts(split)
            message = apply_mask(split.text, positions)
            f = split.finding
            shown = message[f.start:f.end]
            records.append(FindingRecord(
                *place, f.rule, f.category, f.severity, f.start, f.end, shown,
                safe_reason(f.reason, f.text, shown), message,
                apply_mask(split.masked, positions), tuple(turn.line for turn in split.turns)))
            terms.append(_term_key(f.rule, f.category, shown))
        for record, key in zip(records, terms, strict=True):
            builder.terms[key] = builder.terms.get(key, 0) + 1
            rule = builder.rules.get((record.rule, record.category))
            if rule is None:
                rule = builder.rules[(record.rule, record.category)] = [0, 0, 0]
            rule[0] += 1
            rule[1 if record.severity == "warn" else 2] += 1
        builder.findings.extend(records)
        if own is not None and not splits:
            key = (row.text, row.role)
            if key in self.listed:
                return
            self.listed.add(key)
            builder.worst.append(WorstMessage(
                *place, name, own.message, own.spans, own.rules, (row.line,)))
        else:
            builder.worst.append(_worst_entry(place, row, records, name))
        if len(builder.worst) > 4 * MAX_WORST:
            builder.worst = top_worst(builder.worst)


def _place(label: str, row: Row) -> tuple[str, int, str, str, str, str, str]:
    """The `MessagePlace` fields of a row of the file labelled `label`."""
    return label, row.line, row.shop, row.agent, row.conversation, row.time, row.role


def _worst_entry(place: tuple[str, int, str, str, str, str, str], row: Row,
                 records: list[FindingRecord], name: str) -> WorstMessage:
    """The message as one display: the widest joined window if any, spans shifted into it."""
    widest = max(records, key=lambda r: len(r.lines))
    display = widest.message
    # a joined display ends with (the start of) this message, as every joined text does
    own = len(display) - min(len(row.text), PART_LIMIT) if len(widest.lines) > 1 else 0
    spans: list[tuple[int, int, str]] = []
    for record in records:
        shift = len(display) - len(record.message) if len(record.lines) > 1 else own
        start, end = record.start + shift, min(record.end + shift, len(display))
        if start < end:
            spans.append((start, end, record.severity))
    rules = tuple(dict.fromkeys(r.rule for r in records))
    return WorstMessage(*place, name, display, tuple(sorted(set(spans))), rules, widest.lines)


# ---------------------------------------------------------------- processes

_AUDITOR: Auditor | None = None  # a worker process's own, set once by its initializer


def _no_cyclic_gc() -> None:
    """A worker process runs without the cyclic garbage collector.

    No record adds a reference cycle (a test audits logs good and bad with
    the collector off, once and twice over, and finds the same few objects
    to collect: the auditor's own, which lives as long as the worker), so
    reference counting frees everything; a collection after each chunk
    would only walk the caches (~10 ms a chunk, measured) and write to the
    pages shared with the parent.
    """
    gc.disable()


def _init_worker(config: AuditConfig) -> None:
    """spawn / forkserver: the worker builds its own Guard, once."""
    global _AUDITOR
    _no_cyclic_gc()
    _AUDITOR = Auditor(config)


def _adopt(auditor: Auditor) -> None:
    """fork: the worker takes the parent's auditor, its pages shared until written."""
    global _AUDITOR
    _no_cyclic_gc()
    _AUDITOR = auditor


def _audit_in_worker(chunk: Chunk) -> Report:
    assert _AUDITOR is not None, "worker not initialized"
    return _AUDITOR.audit_chunk(chunk)


def _audit_encoded_in_worker(chunk: Chunk) -> tuple[Report, bytes, int]:
    """The chunk's report without its findings, and the findings spool-encoded.

    The worker serializes its own evidence: the main process only appends
    bytes, and one bytes object crosses the pipe instead of thousands of records.
    """
    assert _AUDITOR is not None, "worker not initialized"
    report = _AUDITOR.audit_chunk(chunk)
    return report.without_findings(), encode(report.findings), len(report.findings)


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _pool(config: AuditConfig, workers: int, guard: Any) -> ProcessPoolExecutor:
    """Worker processes, each with a Guard built once.

    On Linux they are forked from this process after it built the Guard and
    loaded jieba (the ~100 MB every worker needs), with the garbage
    collector's view of those objects frozen, so the pages stay shared: the
    workers together take little more memory than one. Elsewhere (no safe
    fork) each worker builds its own.
    """
    if sys.platform == "linux":
        auditor = Auditor(config, guard=guard).warm()
        gc.collect()
        gc.freeze()  # the GC would otherwise write to every shared object's header
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_adopt, initargs=(auditor,))
    context = multiprocessing.get_context(
        "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                               initargs=(config,))


def audit_chunks(chunks: Iterable[Chunk], config: AuditConfig, workers: int = 1,
                 guard: Any = None,
                 encode_findings: bool = False) -> Iterator[tuple[Chunk, Report, bytes | None]]:
    """(chunk, its report, None) in input order; up to two chunks per worker in flight.

    One worker runs in this process (with `guard` if given); more run in
    worker processes. No thread may run in this process until the first
    chunk is handed out (the workers are forked then). `encode_findings`:
    a worker process sends its findings spool-encoded (`spool.encode`) as the
    third item, its report then without them (this process keeps its own).
    """
    if workers <= 1:
        auditor = Auditor(config, guard=guard)
        for chunk in chunks:
            yield chunk, auditor.audit_chunk(chunk), None
        return
    pool = _pool(config, workers, guard)
    pending: deque[tuple[Chunk, Future[Any]]] = deque()
    task = _audit_encoded_in_worker if encode_findings else _audit_in_worker

    def result(future: Future[Any]) -> tuple[Report, bytes | None]:
        if encode_findings:
            report, encoded, count = future.result()
            return report, encoded if count else b""
        return future.result(), None

    try:
        for chunk in chunks:
            pending.append((chunk, pool.submit(task, chunk)))
            gc.unfreeze()  # the workers exist after the first submit; collect as usual
            while len(pending) > 2 * workers:
                done, future = pending.popleft()
                yield done, *result(future)
        while pending:
            done, future = pending.popleft()
            yield done, *result(future)
    finally:
        gc.unfreeze()
        pool.shutdown(wait=True, cancel_futures=True)


def all_chunks(sources: Sequence[Source], chunk_bytes: int = CHUNK_BYTES,
               workers: int = 1) -> Iterator[Chunk]:
    """Every file's chunks, in order; with one worker (this process) they carry their bytes."""
    for source in sources:
        yield from read_chunks(source, chunk_bytes, ship=True if workers <= 1 else None)


def audit_to_report(paths: Sequence[str], *, workers: int = 1, role: str = "agent",
                    lexicon_dirs: Sequence[str] = (), chunk_bytes: int = CHUNK_BYTES,
                    guard: Any = None) -> Report:
    """The whole audit of `paths` as one in-memory report (see audit_files)."""
    from guard.audit.labels import labels_for

    sources = [open_source(p) for p in paths]
    config = AuditConfig(tuple(lexicon_dirs), Settings(role, WINDOW_MESSAGES, WINDOW_SECONDS))
    category_labels, rule_labels = labels_for(lexicon_dirs)
    builder = ReportBuilder(config.settings, category_labels, rule_labels)
    for source in sources:  # an empty file is listed too
        builder.files.setdefault(source.label, [0, 0, 0, 0])
    for _, report, _ in audit_chunks(all_chunks(sources, chunk_bytes, workers), config,
                                     workers, guard):
        builder.add(report)
    return builder.build()
