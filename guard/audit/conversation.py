"""Evasions split over consecutive agent messages ("微" then "信 abc123").

Each agent message is checked alone, and then joined (one per line) with the
previous agent messages of the same shop, agent and conversation inside the
window — at most WINDOW_MESSAGES messages in all, each sent within
WINDOW_SECONDS of it, found within the lookback of the same file. A finding
of the joined text counts only if it is new:

* overlapping a finding of a single message (same category, as severe) →
  already reported, not again;
* reproducible without the current message → it belonged to an earlier
  window, where it was reported;
* otherwise it is the current message's, and names the fewest consecutive
  messages that still produce it (joined again, only in this rare case).

Buyers' messages in between do not break the window; they are never joined.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import NamedTuple

from guard.audit.readers import LOOKBACK_LINES
from guard.verdict import Finding, Verdict

SEPARATOR = "\n"  # a message boundary: a clause break for context, noise inside a word
WINDOW_MESSAGES = 3
WINDOW_SECONDS = 300
# Characters of each message the joined text keeps (the end of an earlier
# message, the start of the current one): far more than any term or context
# reaches, and it keeps a runaway message from being judged three times over.
PART_LIMIT = 200

_WINDOW = timedelta(seconds=WINDOW_SECONDS)
Check = Callable[[str], Verdict]
_RANK = {"warn": 0, "block": 1}


class Turn(NamedTuple):
    """An agent message remembered for the window."""

    line: int
    moment: datetime  # aware
    text: str


@dataclass(frozen=True, slots=True)
class SplitFinding:
    """A finding that exists only across messages.

    `finding` indexes `text`, the joined text of `turns` (oldest first; the
    last is the message it is reported on); `masked` is that text masked.
    """

    finding: Finding
    text: str
    masked: str
    turns: tuple[Turn, ...]
    offsets: tuple[int, ...]  # where each turn's part starts in `text`


def window(history: Sequence[Turn], current: Turn) -> tuple[Turn, ...]:
    """The previous turns that share the current one's window, oldest first."""
    taken: list[Turn] = []
    for turn in reversed(history[-(WINDOW_MESSAGES - 1):]):
        if (current.line - turn.line > LOOKBACK_LINES
                or abs(current.moment - turn.moment) > _WINDOW):
            break
        taken.append(turn)
    taken.reverse()
    return tuple(taken)


def _join(parts: Sequence[str]) -> tuple[str, list[int]]:
    starts, position = [], 0
    for part in parts:
        starts.append(position)
        position += len(part) + len(SEPARATOR)
    return SEPARATOR.join(parts), starts


def _cut(previous: Sequence[str], current: str) -> tuple[list[str], list[int]]:
    """The texts joined, and where each begins in its message (they may be cut)."""
    texts, trims = [], []
    for text in previous:
        cut = max(0, len(text) - PART_LIMIT)
        texts.append(text[cut:])
        trims.append(cut)
    texts.append(current[:PART_LIMIT])
    trims.append(0)
    return texts, trims


def _same(a: Finding, b: Finding, shift: int) -> bool:
    return (a.rule == b.rule and a.category == b.category and a.severity == b.severity
            and a.start - shift == b.start and a.end - shift == b.end)


def split_findings(check: Check, previous: Sequence[Turn], current: Turn,
                   check_joined: Check | None = None,
                   view: Callable[[str], str] | None = None) -> list[SplitFinding]:
    """The findings that only the joined window holds, reported on `current`.

    `check` judges single messages, `check_joined` joined texts (two caches).
    `view` is what the join reads of a message (same length): the audit masks
    the spans a message was already blocked for, so a violation reported on
    its own message is not judged again in every window it falls in.
    """
    if not previous:
        return []
    joint = check_joined or check
    see = view or (lambda text: text)
    texts, trims = _cut([see(t.text) for t in previous], see(current.text))
    originals, _ = _cut([t.text for t in previous], current.text)
    joined, starts = _join(texts)
    verdict = joint(joined)
    if not verdict.findings:
        return []
    turns = (*previous, current)
    last = len(texts) - 1
    found: list[SplitFinding] = []
    for finding in verdict.findings:
        touched = [i for i, start in enumerate(starts)
                   if finding.start < start + len(texts[i]) and finding.end > start]
        if not touched:
            continue  # only separators
        lo, hi = touched[0], touched[-1]
        if any(_known(check, turns[i], finding, starts[i] - trims[i]) for i in touched):
            continue  # found already (perhaps here reaching over a boundary: the same one)
        if hi < last and _reproduced(joint, texts[:last], 0, finding):
            continue  # an earlier window's finding
        if lo == hi == last and len(current.text) > PART_LIMIT \
                and _reproduced(joint, texts[last:], starts[last], finding):
            continue  # cutting the message made it, not joining
        first = next((a for a in range(min(lo, last - 1), 0, -1)
                      if _reproduced(joint, texts[a:], starts[a], finding)), 0)
        if first == 0:
            masked, shift = verdict.masked, 0
        else:
            masked, shift = joint(_join(texts[first:])[0]).masked, starts[first]
        text, _ = _join(originals[first:])
        start, end = finding.start - shift, finding.end - shift
        moved = replace(finding, start=start, end=end, text=text[start:end])
        found.append(SplitFinding(moved, text, masked, turns[first:],
                                  tuple(s - shift for s in starts[first:])))
    return found


def _known(check: Check, turn: Turn, finding: Finding, shift: int) -> bool:
    """Whether the turn's own check already found it (same category, overlapping, as severe)."""
    start, end = finding.start - shift, finding.end - shift
    return any(
        f.category == finding.category and f.start < end and f.end > start
        and _RANK[f.severity] >= _RANK[finding.severity]
        for f in check(turn.text).findings
    )


def _reproduced(check: Check, texts: Sequence[str], shift: int, finding: Finding) -> bool:
    joined, _ = _join(texts)
    return any(_same(finding, f, shift) for f in check(joined).findings)
