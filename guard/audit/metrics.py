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
a message after that starts it anew. This keeps the clock's memory bounded
and lets each chunk of a file decide exactly the turns that end in it, from
the lines it sees before it (`Chunk`'s lookback): the figures are the same
whatever the chunks or the workers, and the same on Spark.

The figures are kept as counts of whole seconds (`Responses`), so partial
reports merge by adding and the median is exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from guard.audit.readers import LOOKBACK_LINES

# Two messages of one conversation further apart than this (in lines) are two conversations:
# the lines a chunk sees before its own (so it knows every conversation still open).
GAP_LINES = LOOKBACK_LINES
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
    """A conversation as far as seen: its last line and its open turn."""

    last_line: int
    last_agent: str = ""
    pending: datetime | None = None  # the open turn's first buyer message
    pending_agent: str = ""  # the agent the open turn's buyer lines name
    pending_first: bool = False
    buyers: bool = False  # a turn began in this conversation
    # the last three messages (rows), newest last: the lines a finding is shown among
    third: Any = None
    second: Any = None
    last: Any = None


class ResponseClock:
    """Turns of a file's records, fed in input order; the figures of the turns it owns.

    `start_line`: the first line of the records this part counts (the lines
    before it, fed first with `counting` False, only set the conversations'
    state); `end_line`: the line after them; `final`: whether they end the
    file. Without `start_line` the part is the whole file (or, on Spark,
    whole conversations in any order of conversations): it owns everything.
    A conversation that ends (silent for GAP_LINES lines) is owned by the part
    whose lines reach GAP_LINES past its last message; one still open at the
    file's end by the final part.
    """

    def __init__(self, start_line: int | None = None, end_line: int | None = None,
                 final: bool = True):
        self.start_line = start_line
        self.end_line = end_line
        self.final = final
        self.counting = start_line is None
        self.threads: dict[tuple[str, str], _Thread] = {}
        self.agents: dict[tuple[str, str], Responses] = {}

    def _of(self, shop: str, agent: str) -> Responses:
        responses = self.agents.get((shop, agent))
        if responses is None:
            responses = self.agents[(shop, agent)] = Responses()
        return responses

    def _close(self, key: tuple[str, str], thread: _Thread) -> None:
        """The conversation has ended: its open turn, if any, is unanswered."""
        del self.threads[key]
        if thread.pending is None:
            return
        decided = thread.last_line + GAP_LINES + 1
        if self.start_line is not None and decided <= self.start_line:
            return  # the part before this one decided it
        responses = self._of(key[0], thread.pending_agent or thread.last_agent)
        responses.unanswered_turns += 1
        responses.unanswered_conversations += 1
        if thread.pending_first:
            responses.conversations += 1

    def message(self, row: Any) -> None:
        """One buyer or agent message, a `Row` or `NonText` (other roles are ignored)."""
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
        threads, agents, counting = self.threads, self.agents, self.counting
        for row in rows:
            line, shop, agent, conversation, _, role, _, moment, _ = row
            key = (shop, conversation)
            thread = threads.get(key)
            if thread is None:
                thread = threads[key] = _Thread(line)
            elif line - thread.last_line > GAP_LINES:
                self._close(key, thread)
                thread = threads[key] = _Thread(line)
            if role == "agent":
                pending = thread.pending
                if pending is not None:
                    if counting:
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
            elif role == "buyer":
                if thread.pending is None:
                    thread.pending, thread.pending_first = moment, not thread.buyers
                    thread.buyers = True
                    thread.pending_agent = agent
                elif agent:
                    thread.pending_agent = agent
            else:
                continue
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

    def start_counting(self) -> None:
        """The lines before are fed: what follows is this part's own."""
        self.counting = True

    def finish(self) -> dict[tuple[str, str], Responses]:
        """The figures of the turns this part owns, by (shop, agent)."""
        end = self.end_line
        for key, thread in list(self.threads.items()):
            # ended: silent GAP_LINES lines before the end, or the file ends
            if self.final or (end is not None and thread.last_line + GAP_LINES < end):
                self._close(key, thread)
        return {key: value for key, value in self.agents.items()
                if value.turns or value.unanswered_turns}


def merge_into(target: dict[tuple[str, str], Responses],
               source: Iterable[tuple[tuple[str, str], Responses]]) -> None:
    for key, responses in source:
        mine = target.get(key)
        if mine is None:
            mine = target[key] = Responses()
        mine.add(responses)
