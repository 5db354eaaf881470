"""A violating message as evidence: its findings, masked, counted, and the worst listed.

What a report shows of a message is worked out here, in the worker, from
its verdict and the split findings of its window: the finding records (the
buyer's personal data masked, privacy.py), the counts by rule and matched
term, and its entry among the worst messages. A message's own findings
depend on its text and role alone and are worked out once per distinct pair.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NamedTuple

from guard.audit.conversation import PART_LIMIT, SplitFinding
from guard.audit.privacy import Privacy, apply_mask, digit_runs, private_positions, safe_reason
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


def _masked_parts(split: SplitFinding, privacy: Privacy) -> frozenset[int]:
    """Private positions of a joined text, each message masked as the agent line it is."""
    positions: set[int] = set()
    text = split.text
    bounds = (*split.offsets[1:], len(text) + 1)
    for start, end in zip(split.offsets, bounds, strict=True):
        part = text[start:end - 1]
        span = (max(split.finding.start, start) - start, min(split.finding.end, end - 1) - start)
        protected = (span,) if span[0] < span[1] else ()
        positions.update(start + p for p in private_positions(part, "agent", privacy,
                                                                  protected))
    return frozenset(positions)


# Characters of the message shown either side of a finding's span (… where cut).
CONTEXT = 60
# A message lists at most this many of its own findings (blocking ones first);
# all of them are counted.
MAX_LISTED_PER_MESSAGE = 20
# Characters of a message shown in the worst-messages list (… where cut).
DISPLAY_LIMIT = 3 * PART_LIMIT
ELLIPSIS = "…"


def excerpt_bounds(length: int, start: int, end: int, before: int = CONTEXT,
                   after: int = CONTEXT) -> tuple[int, int]:
    """[lo, hi): the part of a text of `length` shown around [start, end).

    Cutting a single character would only swap it for "…": the text is then kept.
    """
    lo, hi = start - before, end + after
    return (lo if lo >= 2 else 0), (hi if hi <= length - 2 else length)


def excerpt(text: str, lo: int, hi: int) -> str:
    """`text[lo:hi]`, with "…" standing for what is cut at either end."""
    if lo == 0 and hi >= len(text):
        return text
    return (ELLIPSIS if lo else "") + text[lo:hi] + (ELLIPSIS if hi < len(text) else "")


def excerpt_offset(lo: int) -> int:
    """Where an excerpt from `lo` starts in the whole text (its "…" stands for text[lo - 1])."""
    return lo - 1 if lo else 0


Place = tuple[str, int, str, str, str, str, str]  # a `MessagePlace`'s fields
# (rule, category, severity, start, end, text, reason, message, masked, offset, length):
# a `FindingRecord`'s fields after its place and before its lines
Listed = tuple[str, str, str, int, int, str, str, str, str, int, int]
# a split finding for the worst list: (whole joined text, start, end, severity, lines, rule)
Joined = tuple[str, int, int, str, tuple[int, ...], str]


def listed_finding(rule: str, category: str, severity: str, start: int, end: int,
                   reason: str, message: str, masked: str) -> Listed:
    """A finding as the report lists it: the span with CONTEXT characters either side.

    `message` and `masked` are the whole evidence texts (same length); the
    record keeps an excerpt of each, `start`/`end` index the excerpt and
    `offset` + `start` is the span's place in the whole text.
    """
    lo, hi = excerpt_bounds(len(message), start, end)
    offset = excerpt_offset(lo)
    shown = message[start:end]
    return (rule, category, severity, start - offset, end - offset, shown, reason,
            excerpt(message, lo, hi), excerpt(masked, lo, hi), offset, len(message))


class Display(NamedTuple):
    """A message as the worst-messages list shows it (bounded), with its spans."""

    message: str
    spans: tuple[tuple[int, int, str], ...]  # (start, end, severity) in `message`
    offset: int  # where `message` starts in the whole text
    length: int  # the whole text's length


def display(text: str, spans: Sequence[tuple[int, int, str]]) -> Display:
    """`text` with its spans, cut to DISPLAY_LIMIT characters from just before the first."""
    length = len(text)
    spans = sorted({(max(0, s), min(e, length), v) for s, e, v in spans if max(0, s) < min(e,
                                                                                         length)})
    if length <= DISPLAY_LIMIT:
        return Display(text, tuple(spans), 0, length)
    first = spans[0][0] if spans else 0
    lo, hi = excerpt_bounds(length, first, first, CONTEXT, DISPLAY_LIMIT - CONTEXT)
    offset = excerpt_offset(lo)
    shown = excerpt(text, lo, hi)
    inside = {(max(s, lo) - offset, min(e, hi) - offset, v) for s, e, v in spans
              if max(s, lo) < min(e, hi)}
    return Display(shown, tuple(sorted(inside)), offset, length)


class OwnEvidence(NamedTuple):
    """A message's own findings as evidence: they depend on its text and role alone.

    Chat repeats its canned lines, violating ones too: masking the buyer's
    data and cutting the excerpts is done once per distinct (text, role),
    not once per message.
    """

    message: str  # the whole text, the buyer's data masked
    # the findings listed (at most MAX_LISTED_PER_MESSAGE), in order of start
    listed: tuple[Listed, ...]
    # what all its findings add to the counts: (rule, category, term) → count, and
    # (rule, category) → (findings, warn, block)
    terms: tuple[tuple[tuple[str, str, str], int], ...]
    rules: tuple[tuple[tuple[str, str], tuple[int, int, int]], ...]
    spans: tuple[tuple[int, int, str], ...]  # every span, in the whole text
    shown: Display  # the worst-messages list's view of it
    rule_names: tuple[str, ...]


def own_evidence(text: str, role: str, verdict: Verdict, privacy: Privacy) -> OwnEvidence:
    """`OwnEvidence` of a message with this verdict (which has findings); `privacy`:
    the Guard's registry as privacy masking asks it (`Privacy`)."""
    findings = verdict.findings
    positions = private_positions(text, role, privacy, [(f.start, f.end) for f in findings])
    message = apply_mask(text, positions)
    masked = apply_mask(verdict.masked, positions)
    chosen = findings
    if len(findings) > MAX_LISTED_PER_MESSAGE:
        worst_first = sorted(range(len(findings)),
                             key=lambda i: (findings[i].severity != "block", i))
        chosen = tuple(findings[i] for i in sorted(worst_first[:MAX_LISTED_PER_MESSAGE]))
    listed = tuple(
        listed_finding(f.rule, f.category, f.severity, f.start, f.end,
                       safe_reason(f.reason, f.text, message[f.start:f.end]), message, masked)
        for f in chosen)
    terms: dict[tuple[str, str, str], int] = {}
    rules: dict[tuple[str, str], list[int]] = {}
    for f in findings:
        key = term_key(f.rule, f.category, message[f.start:f.end])
        terms[key] = terms.get(key, 0) + 1
        tally = rules.setdefault((f.rule, f.category), [0, 0, 0])
        tally[0] += 1
        tally[1 if f.severity == "warn" else 2] += 1
    spans = tuple((f.start, f.end, f.severity) for f in findings)
    return OwnEvidence(message, listed, tuple(terms.items()),
                       tuple((key, (t[0], t[1], t[2])) for key, t in rules.items()), spans,
                       display(message, spans), tuple(dict.fromkeys(f.rule for f in findings)))


def term_key(rule: str, category: str, shown: str) -> tuple[str, str, str]:
    """A finding's key among the top terms: numbers and links by rule, others by text."""
    return rule, category, "" if category in RULE_TERMS else "".join(shown.split())


class Evidence:
    """The evidence of one chunk's (or partition's) messages, written into its report builder."""

    def __init__(self, builder: ReportBuilder, label: str,
                 evidence_of: Callable[[str, str], OwnEvidence], privacy: Privacy,
                 shown_line: Callable[[str, str], str] | None = None):
        """`privacy`: the Guard's registry as privacy masking asks it (`Privacy`);
        `shown_line`: how a neighbour line is shown (`neighbour_line`), by (text, role);
        an auditor's bounded cache of it serves every chunk (chat repeats itself)."""
        self.builder = builder
        self.label = label
        self.evidence_of = evidence_of
        self.privacy = privacy
        self.shown_line = shown_line if shown_line is not None else partial(
            neighbour_line, privacy=privacy)
        # (text, role) of the messages already in the worst list as themselves: a
        # later copy ranks below the first (same display, later line), so is not added
        self.listed: set[tuple[str, str]] = set()

    def add(self, row: Row, verdict: Verdict, splits: Sequence[SplitFinding],
            name: str, before: Sequence[Any] = ()) -> None:
        """Finding records, term and rule counts, and the worst-message entry of one message.

        `before`: the conversation's messages just before it (Row or NonText),
        shown beside each finding as neighbour lines (`neighbours`).
        """
        builder = self.builder
        place: Place = (self.label, row.line, row.shop, row.agent, row.conversation, row.time,
                        row.role)
        records: list[FindingRecord] = []
        context = neighbours(before, self.shown_line)
        own = None
        if verdict.findings:
            own = self.evidence_of(row.text, row.role)
            lines = (row.line,)
            records.extend(FindingRecord(*place, *listed, lines, context)
                           for listed in own.listed)
            for key, count in own.terms:
                builder.terms[key] = builder.terms.get(key, 0) + count
            for key, tally in own.rules:
                builder.count_rule(key, *tally)
        joined: list[Joined] = []
        for split in splits:
            positions = _masked_parts(split, self.privacy)
            message = apply_mask(split.text, positions)
            f = split.finding
            shown = message[f.start:f.end]
            lines = tuple(turn.line for turn in split.turns)
            records.append(FindingRecord(*place, *listed_finding(
                f.rule, f.category, f.severity, f.start, f.end,
                safe_reason(f.reason, f.text, shown), message,
                apply_mask(split.masked, positions)), lines, context))
            joined.append((message, f.start, f.end, f.severity, lines, f.rule))
            key = term_key(f.rule, f.category, shown)
            builder.terms[key] = builder.terms.get(key, 0) + 1
            warn = 1 if f.severity == "warn" else 0
            builder.count_rule((f.rule, f.category), 1, warn, 1 - warn)
        builder.findings.extend(records)
        builder.totals["findings_listed"] += len(records)
        reason = next((r.reason for r in records if r.severity == "block"),
                      records[0].reason if records else "")
        if own is not None and not splits:
            key = (row.text, row.role)
            if key in self.listed:
                return
            self.listed.add(key)
            shown = own.shown
            builder.worst.append(WorstMessage(
                *place, name, shown.message, shown.spans, own.rule_names, (row.line,),
                shown.offset, shown.length, reason))
        else:
            builder.worst.append(_worst_entry(place, row, own, joined, name, reason))
        if len(builder.worst) > 4 * MAX_WORST:
            builder.worst = top_worst(builder.worst)


# A neighbour line is shown up to this many characters (its end: what leads to the finding).
NEIGHBOUR_CHARS = 60


# A privacy rule broader than any recognizer, on purpose: in a buyer's line shown
# beside a finding (not judged), any run of this many digits or more, however
# written (every spelling the registry reads as a digit), with separators, is hidden.
NEIGHBOUR_DIGITS = 4


def neighbours(rows: Sequence[Any], shown_line: Callable[[str, str], str]
               ) -> tuple[tuple[int, str, str], ...]:
    """(line, role, text) of the messages before a finding: personal data masked, bounded.

    Each text line as `shown_line` shows it (`neighbour_line`, cached);
    a message that is not text shows its type.
    """
    show = shown_line
    shown = []
    for row in rows:
        text = getattr(row, "text", None)
        shown.append((row.line, row.role, show(text, row.role) if text is not None
                      else f"[{getattr(row, 'kind', '非文字消息')}]"))
    return tuple(shown)


def neighbour_line(text: str, role: str, privacy: Privacy) -> str:
    """A line shown beside a finding: its end, personal data masked.

    A buyer's line is masked as any buyer's evidence (privacy.py) and, as it
    is not judged, every run of four or more digits in it, however written;
    an agent's line as an agent's.
    """
    text = text[-4 * NEIGHBOUR_CHARS:]  # bounded before masking: linear
    positions = set(private_positions(text, role, privacy))
    if role != "agent":
        for start, end in digit_runs(text, privacy.digits(text), NEIGHBOUR_DIGITS):
            positions.update(range(start, end))
    text = apply_mask(text, positions)
    if len(text) > NEIGHBOUR_CHARS:
        text = "…" + text[-NEIGHBOUR_CHARS:]
    return text


def _worst_entry(place: Place, row: Row, own: OwnEvidence | None, joined: list[Joined],
                 name: str, reason: str = "") -> WorstMessage:
    """The message as one display: the widest joined window, every span shifted into it.

    A joined text ends with (the start of) this message, as every joined
    text does: each joined text's spans shift by the difference in length,
    the message's own spans to where it starts (cut where the join cuts it).
    """
    widest, _, _, _, lines, _ = max(joined, key=lambda j: len(j[4]))
    spans: list[tuple[int, int, str]] = []
    rules = list(own.rule_names) if own is not None else []
    if own is not None:
        here = len(widest) - min(len(row.text), PART_LIMIT)
        spans.extend((start + here, end + here, severity) for start, end, severity in own.spans)
    for text, start, end, severity, _, rule in joined:
        shift = len(widest) - len(text)
        spans.append((start + shift, end + shift, severity))
        rules.append(rule)
    shown = display(widest, spans)
    return WorstMessage(*place, name, shown.message, shown.spans, tuple(dict.fromkeys(rules)),
                        lines, shown.offset, shown.length, reason)
