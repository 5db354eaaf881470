"""Judging a chat log's texts, each distinct one once: the `Auditor` of one process.

Chat is full of canned replies, and a verdict depends on the text alone, so
an auditor keeps bounded caches: each text's verdict (with what a
conversation window needs to know of it), joined windows' verdicts, each
(text, role)'s evidence, and the windows found to hold nothing new. One
auditor per process, built once: in a worker it lives as long as the worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from guard.audit.conversation import SplitFinding, Turn, split_findings
from guard.audit.evidence import OwnEvidence, neighbour_line, own_evidence
from guard.audit.fastpath import Edges, Shortcut
from guard.audit.privacy import Privacy
from guard.audit.report import Settings
from guard.engine import Guard
from guard.settle import mask
from guard.verdict import Verdict

# Verdicts an auditor remembers (by text). Bounded: memory stays flat.
CACHE_SIZE = 16384


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

    def __init__(self, config: AuditConfig, use_shortcut: bool = True,
                 guard: Guard | None = None):
        """`guard`: an already built Guard for these lexicons (tests share one)."""
        self.config = config
        self.guard = guard if guard is not None else Guard(config.lexicon_dirs)
        shortcut = Shortcut(self.guard) if use_shortcut else None
        self.shortcut = shortcut if shortcut is not None and shortcut.enabled else None
        # the Guard's registry as privacy masking asks it (what is a phone, a digit …)
        self.privacy = Privacy(self.guard)
        self.judged: Callable[[str], Judged] = lru_cache(maxsize=CACHE_SIZE)(self._judge)
        self.check_joined: Callable[[str], Verdict] = lru_cache(maxsize=CACHE_SIZE // 4)(
            self.guard.check)
        self.evidence: Callable[[str, str], OwnEvidence] = lru_cache(maxsize=CACHE_SIZE // 4)(
            lambda text, role: own_evidence(text, role, self.check(text), self.privacy))
        # how a line beside a finding is shown (masked), by (text, role): across chunks
        self.neighbour_line: Callable[[str, str], str] = lru_cache(maxsize=CACHE_SIZE // 4)(
            lambda text, role: neighbour_line(text, role, self.privacy))
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

    def window_findings(self, turns: Sequence[Turn]) -> Sequence[SplitFinding]:
        """What joining a window's turns (oldest first) finds that no message alone holds.

        The last turn is the message the findings are reported on. A window
        found empty is remembered by its texts (the answer depends on the
        texts alone): the same quick replies in the same order are not
        joined again. The shortcut answers most other windows from what each
        message's edges allow, without joining them.
        """
        texts = tuple(turn.text for turn in turns)
        if texts in self.quiet_windows:
            return ()
        shortcut = self.shortcut
        if shortcut is not None and shortcut.quiet_with(
                [self.judged(t).edges for t in texts],  # type: ignore[misc]
                lambda: [self.probe(t) for t in texts]):
            splits: Sequence[SplitFinding] = ()
        else:
            splits = split_findings(self.check, turns[:-1], turns[-1], self.check_joined,
                                    self.probe)
        if not splits:
            if len(self.quiet_windows) >= 4 * CACHE_SIZE:
                self.quiet_windows.clear()
            self.quiet_windows.add(texts)
        return splits
