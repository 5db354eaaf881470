"""Service metrics beside compliance: how fast the agents answer the buyers.

Measured in the same pass as the judging (chunk.audit_rows feeds every
buyer and agent record to a `ResponseClock`), per agent and per shop:

* a **turn** is a buyer's message and the buyer messages after it before an
  agent answers (timed from its first message); it is answered by the
  conversation's next agent message, which it is attributed to;
* `first_response_median_s`: the median, over conversations, of the time from
  the buyer's first message to the agent's first reply (the first turn);
* `response_mean_s`: the mean time of all answered turns;
* `answered_3min_share`: the share of all turns — unanswered ones included —
  answered within 180 s;
* `unanswered_conversations`: conversations whose last turn got no agent reply
  (attributed to the agent the buyer's line names, else the conversation's last agent).

A conversation is one (shop, conversation) of one file, as far as its
messages follow each other within `GAP_LINES` lines of the log (the reach of
the split-message windows): a conversation silent for longer has ended, and
a message after that starts it anew. A chunk's clock reads no line before
the chunk: it counts the turns that depend on its own lines only, and leaves
each conversation that may continue one from before, or go on after, as a
segment (segments.py) joined with the chunks around when partial reports
merge. The figures are those of one pass over the whole file whatever the
chunks or the workers, and the same on Spark.

The figures are kept as counts of whole seconds (`Responses`), so partial
reports merge by adding and the median is exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from guard.audit.segments import (
    AGENT,
    BUYER,
    GAP_LINES,
    Event,
    Part,
    Segment,
    State,
    add_event,
    close,
    settle,
)

ANSWERED_WITHIN_S = 180
# The response-time distribution's bins (upper bounds in seconds) for the charts.
BINS = ((30, "30秒内"), (60, "1分钟内"), (180, "3分钟内"), (600, "10分钟内"),
        (1800, "30分钟内"), (None, "更久"))


@dataclass(slots=True)
class Responses:
    """One agent's (or shop's) response times: mergeable counts."""

    turns: dict[int, int] = field(default_factory=dict)  # seconds → answered turns
    first: dict[int, int] = field(default_factory=dict)  # seconds → first responses
    unanswered_turns: int = 0
    unanswered_conversations: int = 0
    conversations: int = 0  # with at least one buyer turn

    def add(self, other: Responses) -> None:
        for mine, theirs in ((self.turns, other.turns), (self.first, other.first)):
            for seconds, count in theirs.items():
                mine[seconds] = mine.get(seconds, 0) + count
        self.unanswered_turns += other.unanswered_turns
        self.unanswered_conversations += other.unanswered_conversations
        self.conversations += other.conversations

    # ------------------------------------------------------------ the figures

    def figures(self) -> dict[str, float | int | None]:
        """The four figures of the report (None where there is nothing to measure)."""
        answered = sum(self.turns.values())
        turns = answered + self.unanswered_turns
        within = sum(c for s, c in self.turns.items() if s <= ANSWERED_WITHIN_S)
        return {
            "first_response_median_s": median(self.first),
            "response_mean_s": (round(sum(s * c for s, c in self.turns.items()) / answered, 1)
                                if answered else None),
            "answered_3min_share": round(within / turns, 4) if turns else None,
            "unanswered_conversations": (self.unanswered_conversations if self.conversations
                                         else None),
        }

    def bins(self) -> list[int]:
        """Answered turns per `BINS`, then the unanswered turns."""
        counts = [0] * (len(BINS) + 1)
        for seconds, count in self.turns.items():
            for index, (bound, _) in enumerate(BINS):
                if bound is None or seconds <= bound:
                    counts[index] += count
                    break
        counts[-1] = self.unanswered_turns
        return counts

    # ------------------------------------------------------------ JSON form

    def to_dict(self) -> dict[str, Any]:
        return {"turns": {str(s): c for s, c in sorted(self.turns.items())},
                "first": {str(s): c for s, c in sorted(self.first.items())},
                "unanswered_turns": self.unanswered_turns,
                "unanswered_conversations": self.unanswered_conversations,
                "conversations": self.conversations}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Responses:
        return cls({int(s): c for s, c in data.get("turns", {}).items()},
                   {int(s): c for s, c in data.get("first", {}).items()},
                   data.get("unanswered_turns", 0), data.get("unanswered_conversations", 0),
                   data.get("conversations", 0))


def median(counts: Mapping[int, int]) -> float | None:
    """The median of values given as {value: count}; None if there are none."""
    total = sum(counts.values())
    if not total:
        return None
    ordered = sorted(counts.items())

    def nth(index: int) -> int:  # the index-th value (0-based) in order
        for value, count in ordered:
            if index < count:
                return value
            index -= count
        raise IndexError(index)  # pragma: no cover

    middle = total // 2
    if total % 2:
        return float(nth(middle))
    return (nth(middle - 1) + nth(middle)) / 2


def shop_totals(per_agent: Mapping[tuple[str, str], Responses]) -> dict[str, Responses]:
    """Per shop: its agents' responses added up (the unattributed ones too)."""
    shops: dict[str, Responses] = {}
    for (shop, _), responses in per_agent.items():
        shops.setdefault(shop, Responses()).add(responses)
    return shops


# ---------------------------------------------------------------- the clock


@dataclass(slots=True)
class _Thread:
    """A conversation as far as this part has seen it (segments.Segment while it is fed)."""

    first_line: int
    last_line: int
    # its prefix while its start is unknown (segments.Segment.prefix); None: it starts
    # the conversation, or its prefix is complete (`settled`)
    events: list[Event] | None = None
    settled: bool = True  # the state below is known
    pending: datetime | None = None  # the open turn's first buyer message
    pending_agent: str = ""  # the agent the open turn's buyer lines name
    pending_first: bool = False
    buyers: bool = False  # a turn began in this conversation (unsettled: a buyer wrote here)
    last_agent: str = ""
    # the last three messages (rows), newest last: the lines a finding is shown among
    third: Any = None
    second: Any = None
    last: Any = None

    def segment(self) -> Segment:
        state: State | None = (self.pending, self.pending_agent, self.pending_first,
                               self.buyers, self.last_agent) if self.settled else None
        prefix = None if self.events is None else tuple(self.events)
        return Segment(self.first_line, self.last_line, prefix, state)


class ResponseClock:
    """Turns of a part of a file's records, fed in input order, counted as far as they
    depend on this part only; the rest left as segments to join (segments.py).

    `start_line`: the part's first line, `end_line`: the line after its last,
    `final`: whether the file ends there. Without `start_line` the records
    are whole conversations (a whole file or, on Spark, whole conversations
    in any order of conversations): everything is counted. No line before
    the part is fed to the clock; `remember` gives it the lines before only
    as the neighbours shown beside a finding.
    """

    def __init__(self, start_line: int | None = None, end_line: int | None = None,
                 final: bool = True, label: str = ""):
        self.start_line = 1 if start_line is None else start_line
        self.end_line = end_line or 0
        self.final = final if start_line is not None else True
        self.label = label
        self.threads: dict[tuple[str, str], _Thread] = {}
        self.ended: dict[tuple[str, str], list[Segment]] = {}  # unknown starts, ended here
        self.agents: dict[tuple[str, str], Responses] = {}
        self.context: dict[tuple[str, str], tuple[Any, Any]] = {}  # the lines before: neighbours

    def remember(self, rows: Iterable[Any]) -> None:
        """The lines just before the part's (buyers' and agents'): only as neighbours."""
        context = self.context
        for row in rows:
            if row.role == "agent" or row.role == "buyer":
                key = (row.shop, row.conversation)
                earlier = context.get(key)
                context[key] = (earlier[1] if earlier is not None else None, row)

    def _open(self, key: tuple[str, str], line: int) -> _Thread:
        start = self.start_line
        if start <= 1 or line - start + 1 > GAP_LINES:  # nothing before reaches it
            thread = _Thread(line, line)
        else:
            thread = _Thread(line, line, [], False)
        earlier = self.context.get(key)
        if earlier is not None and line - earlier[1].line <= GAP_LINES:
            thread.second, thread.last = earlier
        self.threads[key] = thread
        return thread

    def _end(self, key: tuple[str, str], thread: _Thread) -> None:
        """The conversation fell silent for GAP_LINES lines: it ended."""
        del self.threads[key]
        if thread.events is None:
            close(self.agents, key[0], (thread.pending, thread.pending_agent,
                                        thread.pending_first, thread.buyers, thread.last_agent))
        else:
            self.ended.setdefault(key, []).append(thread.segment())

    def message(self, row: Any) -> None:
        """One record: a buyer's or agent's message (`Row` or `NonText`) is timed; any
        other (a system line, a `Rejected` record) is ignored."""
        self._feed((row,))

    def feed(self, rows: Sequence[Any],
             wanted: Iterable[tuple[int, str, str, int]] = ()) -> list[tuple[Any, ...]]:
        """The messages `rows`, in order, as `message` each; the neighbour lines asked for.

        `wanted`: (position, shop, conversation, line), positions ascending:
        what `before(shop, conversation, line)` gives once the first
        `position` rows are fed — the lines shown beside a finding, asked for
        after the finding's own row is fed. Fed in one loop, not one call
        per message: every buyer and agent line of the log comes through here.
        """
        shown = []
        done = 0
        for position, shop, conversation, line in wanted:
            if position > done:
                self._feed(rows[done:position])
                done = position
            shown.append(self.before(shop, conversation, line))
        self._feed(rows[done:] if done else rows)
        return shown

    def _feed(self, rows: Iterable[Any]) -> None:
        """The messages in order: kept lean (the fields unpacked at once, a turn's
        time taken only when answered, in whole seconds from the timedelta)."""
        threads, agents, gap = self.threads, self.agents, GAP_LINES
        for row in rows:
            try:
                line, shop, agent, conversation, _, role, _, moment, _ = row
            except ValueError:  # a rejected record (no cost unless raised)
                continue
            if role != "agent" and role != "buyer":
                continue
            key = (shop, conversation)
            thread = threads.get(key)
            if thread is None:
                thread = self._open(key, line)
            elif line - thread.last_line > gap:
                self._end(key, thread)
                thread = threads[key] = _Thread(line, line)
            if not thread.settled:  # the prefix: what this message does depends on before
                if role == "agent":
                    add_event(thread.events, (AGENT, moment, agent, agent))  # type: ignore[arg-type]
                    if thread.buyers:  # a buyer wrote, an agent answered: known from here
                        thread.settled = True
                        thread.pending = None
                        thread.last_agent = agent
                else:
                    add_event(thread.events, (BUYER, moment, agent, ""))  # type: ignore[arg-type]
                    thread.buyers = True
            elif role == "agent":
                pending = thread.pending
                if pending is not None:
                    delta = moment - pending
                    seconds = delta.days * 86400 + delta.seconds
                    if seconds < 0:
                        seconds = 0
                    responses = agents.get((shop, agent))
                    if responses is None:
                        responses = agents[(shop, agent)] = Responses()
                    turns = responses.turns
                    turns[seconds] = turns.get(seconds, 0) + 1
                    if thread.pending_first:
                        responses.first[seconds] = responses.first.get(seconds, 0) + 1
                        responses.conversations += 1
                    thread.pending = None
                thread.last_agent = agent
            elif thread.pending is None:
                thread.pending, thread.pending_first = moment, not thread.buyers
                thread.buyers = True
                thread.pending_agent = agent
            elif agent:
                thread.pending_agent = agent
            thread.last_line = line
            thread.third, thread.second, thread.last = thread.second, thread.last, row

    def before(self, shop: str, conversation: str, line: int) -> tuple[Any, ...]:
        """The (up to two) messages of the conversation just before the one on `line`."""
        thread = self.threads.get((shop, conversation))
        if thread is None:
            return ()
        rows = (thread.third, thread.second) if thread.last is not None and \
            thread.last.line == line else (thread.second, thread.last)
        return tuple(row for row in rows if row is not None)

    def finish(self) -> tuple[dict[tuple[str, str], Responses], Part | None]:
        """The figures of the turns this part decides alone, by (shop, agent); and the
        part's conversations left to join with the parts around (None: nothing left)."""
        chains: dict[tuple[str, str], tuple[Segment, ...]] = {
            key: tuple(ended) for key, ended in self.ended.items()}
        agents, final, end = self.agents, self.final, self.end_line - GAP_LINES
        for key, thread in self.threads.items():
            if thread.events is None and (final or thread.last_line < end) and key not in chains:
                # known from its start and ended: counted now (what `settle` would do)
                if thread.pending is not None:
                    close(agents, key[0], (thread.pending, thread.pending_agent,
                                           thread.pending_first, True, thread.last_agent))
                continue
            chains[key] = (*chains.get(key, ()), thread.segment())
        self.threads, self.ended = {}, {}
        part = settle(Part(self.label, self.start_line, self.end_line, self.final, chains),
                      self.agents)
        responses = {key: value for key, value in self.agents.items()
                     if value.turns or value.unanswered_turns}
        whole = part.start <= 1 and part.final
        return responses, None if whole else part


def merge_into(target: dict[tuple[str, str], Responses],
               source: Iterable[tuple[tuple[str, str], Responses]]) -> None:
    for key, responses in source:
        mine = target.get(key)
        if mine is None:
            mine = target[key] = Responses()
        mine.add(responses)
