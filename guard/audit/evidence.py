"""A violating message as evidence: its findings, masked, counted, and the worst listed.

What a report shows of a message is worked out here, in the worker, from
its verdict and the split findings of its window: the finding records (the
buyer's personal data masked, privacy.py), the counts by rule and matched
term, and its entry among the worst messages. A message's own findings
depend on its text and role alone and are worked out once per distinct pair.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from guard.audit.conversation import PART_LIMIT, SplitFinding
from guard.audit.privacy import apply_mask, private_positions, safe_reason
from guard.audit.readers import Row
from guard.audit.report import (
    MAX_WORST,
    RULE_TERMS,
    FindingRecord,
    ReportBuilder,
    WorstMessage,
    top_worst,
)
from guard.verdict import Verdict


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


class Evidence:
    """The evidence of one chunk's (or partition's) messages, written into its report builder."""

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
