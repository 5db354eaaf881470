"""What a report lists, each entry with where it stands in the logs.

`RejectedRecord`s (a record that could not be read, and why), `FindingRecord`s
(a finding with its masked, bounded evidence) and `WorstMessage`s (a message
for the worst-messages lists, with its spans), each with its one JSON form;
`top_worst` keeps the worst messages, a bounded top-N by a total order, so
partial lists merge to the same list (report.py merges everything else).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from guard.audit.baseline import finding_key
from guard.verdict import RANK

# Worst messages a report keeps (all are counted).
MAX_WORST = 50


@dataclass(frozen=True, slots=True)
class RejectedRecord:
    file: str
    line: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class MessagePlace:
    """Where a message stands in the logs: what every finding and listed message carries."""

    file: str
    line: int
    shop: str
    agent: str
    conversation: str
    time: str
    role: str

    def place_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "shop": self.shop, "agent": self.agent,
                "conversation": self.conversation, "time": self.time, "role": self.role}


def _place_of(data: Mapping[str, Any]) -> tuple[str, int, str, str, str, str, str]:
    """A `MessagePlace`'s fields, in order, from its JSON form."""
    return (data["file"], data["line"], data["shop"], data["agent"], data["conversation"],
            data["time"], data["role"])


@dataclass(frozen=True, slots=True)
class FindingRecord(MessagePlace):
    """One finding with its evidence: where it came from and the masked message, bounded.

    The evidence text is the message with the buyer's data masked (for a
    split finding, the joined messages, one per line); `message` is that
    text from CONTEXT characters before the span to CONTEXT after, "…"
    where cut (evidence.py), and `masked` the same part with every finding
    starred out. `start`/`end` index `message`: `text == message[start:end]`;
    `offset` is where `message` starts in the whole text (a leading "…"
    stands for the character there), so the span lies at
    `offset + start` of the whole text, `message_length` long. `lines` are
    all the messages involved.
    """

    rule: str
    category: str
    severity: str
    start: int
    end: int
    text: str
    reason: str
    message: str
    masked: str
    offset: int
    message_length: int
    lines: tuple[int, ...]
    # the conversation's messages just before it: (line, role, text), personal data masked
    context: tuple[tuple[int, str, str], ...] = ()

    @property
    def split(self) -> bool:
        """Whether the finding exists only across several messages."""
        return len(self.lines) > 1

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.place_dict(),
            "rule": self.rule, "category": self.category, "severity": self.severity,
            "start": self.start, "end": self.end, "text": self.text, "reason": self.reason,
            "message": self.message, "masked": self.masked, "offset": self.offset,
            "message_length": self.message_length, "lines": list(self.lines),
            "split": self.split, "key": finding_key(self.rule, self.text, self.shop),
            "context": [{"line": line, "role": role, "text": text}
                        for line, role, text in self.context],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FindingRecord:
        return cls(*_place_of(data), data["rule"], data["category"], data["severity"],
                   data["start"], data["end"], data["text"], data["reason"], data["message"],
                   data["masked"], data.get("offset", 0),
                   data.get("message_length", len(data["message"])), tuple(data["lines"]),
                   tuple((c["line"], c["role"], c["text"]) for c in data.get("context", ())))


@dataclass(frozen=True, slots=True)
class WorstMessage(MessagePlace):
    """A message for the "worst messages" lists, with every span to highlight.

    `message` is at most DISPLAY_LIMIT characters of the masked message
    from just before its first span ("…" where cut; `offset` and
    `message_length` as in `FindingRecord`), `spans` those inside it.
    """

    verdict: str
    message: str
    spans: tuple[tuple[int, int, str], ...]  # (start, end, severity) in `message`
    rules: tuple[str, ...]
    lines: tuple[int, ...]
    offset: int
    message_length: int
    reason: str = ""  # the reason of its worst finding, as the findings give it

    def rank(self) -> tuple:
        """Worst first: blocked before warned, more blocking spans, then input position.

        The message ends the key, so the order is total over distinct
        messages (what top_worst keeps) whatever the input says.
        """
        blocks = sum(1 for span in self.spans if span[2] == "block")
        return (-RANK[self.verdict], -blocks, -len(self.spans), -len(self.lines),
                self.file, self.line, self.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.place_dict(),
            "verdict": self.verdict, "message": self.message,
            "spans": [list(span) for span in self.spans], "rules": list(self.rules),
            "lines": list(self.lines), "offset": self.offset,
            "message_length": self.message_length, "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WorstMessage:
        return cls(*_place_of(data), data["verdict"], data["message"],
                   tuple((s[0], s[1], s[2]) for s in data["spans"]), tuple(data["rules"]),
                   tuple(data["lines"]), data.get("offset", 0),
                   data.get("message_length", len(data["message"])), data.get("reason", ""))


def top_worst(entries: Iterable[WorstMessage], limit: int | None = None) -> list[WorstMessage]:
    """The `limit` worst distinct messages (a repeated canned text counts once, at its worst).

    A bounded top-N by a total order over distinct keys: merging partial
    lists gives the same as one list of everything (associative).
    """
    best: dict[str, WorstMessage] = {}
    for entry in entries:
        known = best.get(entry.message)
        if known is None or entry.rank() < known.rank():
            best[entry.message] = entry
    return sorted(best.values(), key=WorstMessage.rank)[:MAX_WORST if limit is None else limit]


def reason_kind(reason: str) -> str:
    """A rejected record's reason without its particulars, for counting by kind."""
    for stop in (" (", ":", "（", "："):
        if stop in reason:
            reason = reason.split(stop, 1)[0]
    return reason
