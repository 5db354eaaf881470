"""A conversation's response times within a part of a file, merged part to part in file order.

A part of a file (a chunk, lines `start` to `end`) knows its conversations'
messages but not what came before its first line: whether a buyer's turn
was already open, whether the conversation already had a buyer. Its clock
(metrics.ResponseClock) reads no lines before the part; instead each
conversation the part cannot settle alone is left as a `Segment`:

* `prefix`: its first messages, as they would act on any state before the
  part — runs of agent messages (the first closes an open turn and is
  credited with it; the last is the conversation's last agent) and runs of
  buyer messages (the first opens a turn, the last that names an agent names
  the turn's agent) — up to the first agent message after a buyer message.
  From there on nothing depends on the part before: the turns that end later
  are counted at once. None: the segment starts the conversation (the part
  is the file's start, or no message of the conversation lies within
  GAP_LINES lines before it).
* `state`: the conversation's state at its last message (its open turn,
  the agent named, whether a buyer wrote, its last agent) — None while the
  prefix is all of the segment.

A conversation that falls silent for more than GAP_LINES lines ends there,
so a segment whose last message lies GAP_LINES lines before the part's end
is closed on that side. Two adjacent parts merge (`merge_parts`) by joining
each conversation's last segment of the first with its first segment of
the second (`join`), settling what became known, and counting a segment
that is known from its start and closed at its end (`close`). The figures
are therefore the same for any cut of the file into parts, in any grouping
of merges, and no part reads lines before its own for them.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from guard.audit.readers import LOOKBACK_LINES

# Two messages of one conversation further apart than this (in lines) are two conversations.
GAP_LINES = LOOKBACK_LINES
AGENT, BUYER = 0, 1
# An event of a prefix: (AGENT, first moment, first agent, last agent) for a run of
# agent messages; (BUYER, first moment, the last agent named or "", "") for a run of buyers'.
Event = tuple[int, datetime, str, str]
# (open turn's first message or None, its agent, whether it is the first turn,
#  whether a buyer wrote, the last agent)
State = tuple[datetime | None, str, bool, bool, str]
FRESH: State = (None, "", False, False, "")
Key = tuple[str, str]  # (shop, conversation)


@dataclass(frozen=True, slots=True)
class Segment:
    """One conversation's messages within a part, as far as they depend on the parts around."""

    first_line: int
    last_line: int
    prefix: tuple[Event, ...] | None  # None: it starts the conversation
    state: State | None  # at its last message; None while the prefix is all of it


@dataclass(frozen=True, slots=True)
class Part:
    """A part of a file (lines `start` to `end` - 1; `final`: the file ends there): its
    conversations not settled yet, one or two segments each (the first and the last)."""

    label: str
    start: int
    end: int
    final: bool
    segments: dict[Key, tuple[Segment, ...]]


def count_turn(agents: MutableMapping[Key, Any], shop: str, agent: str, seconds: int,
               first: bool) -> None:
    """An answered turn of `seconds`, credited to (shop, agent)."""
    from guard.audit.metrics import Responses

    if seconds < 0:
        seconds = 0
    responses = agents.get((shop, agent))
    if responses is None:
        responses = agents[(shop, agent)] = Responses()
    responses.turns[seconds] = responses.turns.get(seconds, 0) + 1
    if first:
        responses.first[seconds] = responses.first.get(seconds, 0) + 1
        responses.conversations += 1


def close(agents: MutableMapping[Key, Any], shop: str, state: State) -> None:
    """The conversation has ended: its open turn, if any, is unanswered."""
    from guard.audit.metrics import Responses

    pending, pending_agent, pending_first, _, last_agent = state
    if pending is None:
        return
    key = (shop, pending_agent or last_agent)
    responses = agents.get(key)
    if responses is None:
        responses = agents[key] = Responses()
    responses.unanswered_turns += 1
    responses.unanswered_conversations += 1
    if pending_first:
        responses.conversations += 1


def replay(state: State, events: Sequence[Event], agents: MutableMapping[Key, Any],
           shop: str) -> State:
    """The state after `events`, from `state`; the turns they close are counted."""
    pending, pending_agent, pending_first, buyers, last_agent = state
    for role, moment, name, last in events:
        if role == AGENT:
            if pending is not None:
                delta = moment - pending
                count_turn(agents, shop, name, delta.days * 86400 + delta.seconds,
                           pending_first)
                pending = None
            last_agent = last
        elif pending is None:
            pending, pending_agent, pending_first, buyers = moment, name, not buyers, True
        elif name:
            pending_agent = name
    return pending, pending_agent, pending_first, buyers, last_agent


def add_event(events: list[Event], event: Event) -> None:
    """`event` after `events`, a run joined to the run of the same role before it."""
    if events and events[-1][0] == event[0]:
        role, moment, name, _ = events[-1]
        if role == AGENT:
            events[-1] = (role, moment, name, event[3])
        else:
            events[-1] = (role, moment, event[2] or name, "")
    else:
        events.append(event)


def _settled_at(events: Sequence[Event]) -> int | None:
    """Where the prefix ends: the index of the first agent run after a buyer run."""
    for index in range(1, len(events)):
        if events[index][0] == AGENT and events[index - 1][0] == BUYER:
            return index
    return None


def join(left: Segment, right: Segment, agents: MutableMapping[Key, Any], shop: str) -> Segment:
    """One segment of `left` then `right` (the same conversation, within GAP_LINES)."""
    assert right.prefix is not None
    if left.state is not None:  # known from here on: the right's prefix acts on it
        state = replay(left.state, right.prefix, agents, shop)
        return Segment(left.first_line, right.last_line, left.prefix,
                       right.state if right.state is not None else state)
    events = list(left.prefix or ())
    for event in right.prefix:
        add_event(events, event)
    index = _settled_at(events)
    if index is None:
        return Segment(left.first_line, right.last_line, tuple(events), None)
    state = replay((None, "", False, True, events[index][3]), events[index + 1:], agents, shop)
    return Segment(left.first_line, right.last_line, tuple(events[:index + 1]),
                   right.state if right.state is not None else state)


def known(segment: Segment, agents: MutableMapping[Key, Any], shop: str) -> Segment:
    """The segment as the conversation's start (nothing before it)."""
    if segment.prefix is None:
        return segment
    state = replay(FRESH, segment.prefix, agents, shop)
    return Segment(segment.first_line, segment.last_line, None,
                   segment.state if segment.state is not None else state)


def settle(part: Part, agents: MutableMapping[Key, Any]) -> Part:
    """The part with what its own extent decides counted: a segment is known from its
    start when nothing before the part can reach it, and closed when nothing after can."""
    segments: dict[Key, tuple[Segment, ...]] = {}
    start, end, final = part.start, part.end, part.final
    for key, chain in part.segments.items():
        shop = key[0]
        kept: list[Segment] = []
        last = len(chain) - 1
        for index, segment in enumerate(chain):
            if segment.prefix is not None and (
                    index or start <= 1 or segment.first_line - start + 1 > GAP_LINES):
                segment = known(segment, agents, shop)
            if segment.prefix is None and (
                    index < last or final or end - segment.last_line > GAP_LINES):
                close(agents, shop, segment.state or FRESH)
                continue
            kept.append(segment)
        if kept:
            segments[key] = tuple(kept)
    return Part(part.label, start, end, final, segments)


def merge_parts(left: Part, right: Part, agents: MutableMapping[Key, Any]) -> Part:
    """Two adjacent parts of one file (`left.end == right.start`) as one, settled."""
    segments = dict(left.segments)
    for key, chain in right.segments.items():
        before = segments.get(key)
        if before is None:
            segments[key] = chain
            continue
        last, first = before[-1], chain[0]
        if first.prefix is not None and first.first_line - last.last_line <= GAP_LINES:
            segments[key] = (*before[:-1], join(last, first, agents, key[0]), *chain[1:])
        else:
            segments[key] = (*before, *chain)
    return settle(Part(left.label, left.start, right.end, right.final, segments), agents)


def add_part(parts: list[Part], part: Part, agents: MutableMapping[Key, Any]) -> None:
    """`part` among a file's unmerged `parts` (sorted by start), merged with its neighbours."""
    index = 0
    while index < len(parts) and parts[index].start < part.start:
        index += 1
    if index and parts[index - 1].end == part.start:
        part = merge_parts(parts.pop(index - 1), part, agents)
        index -= 1
    if index < len(parts) and parts[index].start == part.end:
        part = merge_parts(part, parts.pop(index), agents)
    if not (part.start <= 1 and part.final):  # a whole file: nothing left to join
        parts.insert(index, part)
