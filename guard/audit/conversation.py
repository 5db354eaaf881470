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

`Conversations` keeps the last turns of each conversation and says which of
them a new agent message's window takes in; `split_findings` judges a window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from guard.audit.readers import LOOKBACK_LINES
from guard.verdict import RANK, Finding, Verdict

SEPARATOR = "\n"  # a message boundary: a clause break for context, noise inside a word
WINDOW_MESSAGES = 3
WINDOW_SECONDS = 300
# Characters of each message the joined text keeps (the end of an earlier
# message, the start of the current one): far more than any term or context
# reaches, and it keeps a runaway message from being judged three times over.
PART_LIMIT = 200

_WINDOW = timedelta(seconds=WINDOW_SECONDS)
Check = Callable[[str], Verdict]
# Whether nothing can form across the boundary between two messages, from facts
# kept for each (the audit's shortcut, fastpath.Shortcut.closed)
Closed = Callable[[Any, Any], bool]


class Turn(NamedTuple):
    """An agent message remembered for the window."""

    line: int
    moment: datetime  # aware
    text: str
    facts: Any = None  # what `Closed` reads of the message (None: nothing known)
    # whether its boundary with the conversation's turn before it is closed
    # (None: not asked, that turn being out of reach or no `Closed` given)
    closed: bool | None = None


_turn = tuple.__new__  # Turn(...) without its Python-level __new__


class Conversations:
    """The last agent turns of each conversation: what a new turn's window takes in.

    A conversation is a key (shop, agent, conversation). Each agent message
    is offered in input order (`window`); the window it is joined in is the
    previous turns of its conversation that are in reach — at most
    WINDOW_MESSAGES turns in all, each within WINDOW_SECONDS of it and
    within the lookback of the same file — ending with itself. `closed`
    (optional) says from two messages' facts that nothing can form across
    their boundary: a window whose every boundary is closed is not offered.
    """

    def __init__(self, closed: Closed | None = None, lookback: int = LOOKBACK_LINES):
        self._closed = closed
        self._lookback = lookback
        # per conversation, its last turns (oldest first) as plain tuples in Turn's order:
        # a window is made of Turns only when it is offered (one message in many)
        self._turns: dict[Any, list[tuple[Any, ...]]] = {}

    def remember(self, key: Any, line: int, moment: datetime, text: str,
                 facts: Any = None) -> None:
        """A turn of the lines before the ones audited: context for their windows only."""
        earlier = self._turns.setdefault(key, [])
        earlier.append((line, moment, text, facts, None))
        if len(earlier) >= WINDOW_MESSAGES:
            del earlier[0]

    def window(self, key: Any, line: int, moment: datetime, text: str,
               facts: Any = None) -> tuple[Turn, ...]:
        """The window to judge this turn in (oldest first, ending with it), or ().

        () when no earlier turn is in reach, or when every boundary of the
        window is closed. The turn is remembered either way.
        """
        earlier = self._turns.get(key)
        if earlier is None:
            self._turns[key] = [(line, moment, text, facts, None)]
            return ()
        lookback = self._lookback
        last = earlier[-1]
        if line - last[0] > lookback or abs(moment - last[1]) > _WINDOW:
            earlier.append((line, moment, text, facts, None))
            if len(earlier) >= WINDOW_MESSAGES:
                del earlier[0]
            return ()
        test = self._closed
        closed = test is not None and test(last[3], facts)
        current = (line, moment, text, facts, closed)
        start = len(earlier) - 1  # the earliest turn in reach
        while start:
            before = earlier[start - 1]
            if line - before[0] > lookback or abs(moment - before[1]) > _WINDOW:
                break
            start -= 1
        offer = True
        if closed:  # nothing can be new if the window's other boundaries are closed too
            offer = False
            for index in range(start + 1, len(earlier)):
                known = earlier[index][4]
                if known is None:
                    known = test(earlier[index - 1][3], earlier[index][3])  # type: ignore[misc]
                if not known:
                    offer = True
                    break
        offered = (*(_turn(Turn, turn) for turn in earlier[start:]),
                   _turn(Turn, current)) if offer else ()
        earlier.append(current)
        if len(earlier) >= WINDOW_MESSAGES:
            del earlier[0]
        return offered


def window(history: Sequence[Turn], current: Turn) -> tuple[Turn, ...]:
    """The previous turns (of one conversation, oldest first) in the current one's window."""
    conversations = Conversations()
    for turn in history[-(WINDOW_MESSAGES - 1):]:
        conversations.remember(None, turn.line, turn.moment, turn.text)
    return conversations.window(None, current.line, current.moment, current.text)[:-1]


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
        and RANK[f.severity] >= RANK[finding.severity]
        for f in check(turn.text).findings
    )


def _reproduced(check: Check, texts: Sequence[str], shift: int, finding: Finding) -> bool:
    joined, _ = _join(texts)
    return any(_same(finding, f, shift) for f in check(joined).findings)
