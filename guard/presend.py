"""The pre-send check: a message judged with the agent's earlier messages of the conversation.

Agents split evasions over messages ("用那个绿色软件", then "号是mm520"). The
audit finds such splits in logs afterwards (guard/audit/conversation.py); a
pre-send filter must stop the message that completes one. This is that same
rule, the same code (`split_findings` over the same window), with the
context given by the caller instead of read from a log: the earlier agent
messages, oldest first, all taken as sent within the window's time.

The result is one `Verdict`: the message's own findings plus the split ones
(each carrying `joined`, its span the part inside this message), the worse
verdict of the two, and, for a block, a suggestion that passes alone and
joined with the context.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from guard.audit.conversation import Turn, split_findings, window
from guard.engine import Guard
from guard.rewrite import Rewriter, rewriter_for, with_suggestion
from guard.settle import make_verdict, mask
from guard.verdict import Finding, Joined, Verdict

__all__ = ["Presend"]

_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)  # the caller's context is taken as recent


@dataclass(frozen=True)
class Presend:
    """Checks outgoing messages with their context for one Guard (immutable, thread-safe)."""

    guard: Guard
    rewriter: Rewriter
    check: Callable[[str], Verdict]  # the guard's check, perhaps cached

    @classmethod
    def for_guard(cls, guard: Guard, check: Callable[[str], Verdict] | None = None) -> Presend:
        return cls(guard, rewriter_for(guard), check or guard.check)

    def verdict(self, text: str, context: Sequence[str] = (), suggest: bool = True) -> Verdict:
        """The verdict on `text` sent after `context` (earlier agent messages, oldest first)."""
        own = self.check(text)
        splits = self._splits(text, context)
        if splits:
            own = make_verdict(text, (*own.findings, *splits), self.guard.compiled)
        if not suggest or own.verdict != "block":
            return own
        if not context:
            return with_suggestion(self.guard, own, self.rewriter)

        def passes(candidate: str) -> bool:
            return (self.check(candidate).verdict == "pass"
                    and not self._splits(candidate, context))

        return with_suggestion(self.guard, own, self.rewriter, passes)

    def _splits(self, text: str, context: Sequence[str]) -> list[Finding]:
        """The findings only the joined window holds, as findings of `text`."""
        if not context:
            return []
        history = [Turn(line, _MOMENT, earlier) for line, earlier in enumerate(context)]
        current = Turn(len(context), _MOMENT, text)
        previous = window(history, current)
        if not previous:
            return []
        # split_findings asks for each message's verdict once per joined finding:
        # remembered for this call, however long the message (the audit's cache does the same)
        verdicts: dict[str, Verdict] = {}

        def check(message: str) -> Verdict:
            verdict = verdicts.get(message)
            if verdict is None:
                verdict = verdicts[message] = self.check(message)
            return verdict

        def probe(message: str) -> str:
            verdict = check(message)
            if verdict.verdict != "block":
                return message
            return mask(message, tuple(f for f in verdict.findings if f.severity == "block"))

        found = []
        for split in split_findings(check, previous, current, self.check, probe):
            finding = split.finding
            here = split.offsets[-1]  # where this message starts in the joined text
            start = min(max(finding.start - here, 0), len(text))
            end = min(max(finding.end - here, start), len(text))
            earlier = tuple(turn.line for turn in split.turns[:-1])
            joined = Joined(earlier, split.text, finding.start, finding.end)
            found.append(replace(finding, start=start, end=end, text=text[start:end],
                                 joined=joined))
        return found
