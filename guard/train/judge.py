"""Judging one training answer: compliance (guard's own Verdict), facts covered, missed, wrong.

Compliance gates everything: a blocked answer scores 0 whatever it says. The
facts are found in the answer's light view (the normalization `guard check`
uses: width, case, traditional characters, spaces), so 2～6天, ２－６天 and
两到六天 read alike. Linear in the answer: one automaton pass for the phrases,
one regex pass for lengths of time.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from guard.engine import Guard
from guard.replies.policy import CHINA_TZ, PERIODS, PolicyPeriod
from guard.replies.render import render_reply
from guard.replies.scenarios import SCENARIOS
from guard.rewrite import with_suggestion
from guard.train.bank import Turn
from guard.train.facts import Fact, FactBook, default_facts
from guard.train.numerals import SaidPeriod, said_periods
from guard.verdict import Verdict

__all__ = ["RoundResult", "Trainer", "WrongFact"]

_SENTENCE_END = frozenset("。.!?！？;；\n")
_CLAUSE_END = _SENTENCE_END | frozenset(",，、:：")


@dataclass(frozen=True, slots=True)
class WrongFact:
    """A statement the policy contradicts: `said` is answer[start:end] of the original answer."""

    fact: Fact | None
    """None: a length of time the policy has nowhere in this scenario."""
    said: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"fact": self.fact.id if self.fact else None,
                "label": self.fact.shown if self.fact else "政策里没有这个时长",
                "said": self.said, "start": self.start, "end": self.end,
                "policy": (self.fact.period.text if self.fact and self.fact.period else None)}


@dataclass(frozen=True)
class RoundResult:
    """One round judged. `to_dict` is the SPEC's round form."""

    turn: Turn
    answer: str
    verdict: Verdict
    covered: tuple[Fact, ...]
    missed: tuple[Fact, ...]
    wrong: tuple[WrongFact, ...]
    score: int
    full: int
    model_reply: str
    suggestion: str | None
    seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """{"scenario", "buyer", "answer", "verdict", "findings", "covered", "missed", "wrong",
        "score"} — exactly the keys of SPEC's `guard train --json` rounds."""
        return {
            "scenario": self.turn.scenario,
            "buyer": self.turn.text,
            "answer": self.answer,
            "verdict": self.verdict.verdict,
            "findings": [f.to_dict() for f in self.verdict.findings],
            "covered": [_fact_dict(f) for f in self.covered],
            "missed": [_fact_dict(f) for f in self.missed],
            "wrong": [w.to_dict() for w in self.wrong],
            "score": self.score,
        }

    def to_report(self) -> dict[str, Any]:
        """The round for a saved report: the SPEC form plus what a trainer reviews later."""
        data = self.to_dict()
        data.update(situation=dict(self.turn.situation), model_reply=self.model_reply,
                    warning=self.verdict.warning, suggestion=self.suggestion,
                    seconds=None if self.seconds is None else round(self.seconds, 1))
        return data


def _fact_dict(fact: Fact) -> dict[str, str]:
    return {"fact": fact.id, "label": fact.shown}


class Trainer:
    """Judges answers. Built once (the Guard, the phrase automaton); immutable afterwards."""

    def __init__(self, guard: Guard | None = None, facts: FactBook | None = None) -> None:
        import ahocorasick

        from guard.normalize import light_view
        from guard.rewrite import rewriter_for

        self.guard = guard or Guard()
        self.facts = facts or default_facts()
        self._rewriter = rewriter_for(self.guard)
        tables = self.guard.compiled.tables

        def light(text: str) -> tuple[str, tuple[int, ...]]:
            view, offsets = light_view(text, tables)
            return view, offsets.to_original

        self._light = light
        self._automaton = ahocorasick.Automaton()
        self._phrase_of: dict[str, str] = {}
        for fact in self.facts.facts:
            for phrase in fact.phrases():
                normal = light(phrase)[0]
                if normal:
                    self._phrase_of[phrase] = normal
                    self._automaton.add_word(normal, normal)
        self._automaton.make_automaton()
        self._negators = tuple(light(n)[0] for n in self.facts.negators)

    # ----------------------------------------------------------------- per turn

    def conditions(self, turn: Turn) -> dict[str, Any]:
        """The scenario's conditions for the turn's case (payment, cause, platform…): the
        ones the reply templates choose their parts by. Turns carry no dates, so "now" only
        fills the signature."""
        facts, _ = SCENARIOS[turn.scenario].facts(turn.params(), dt.datetime.now(CHINA_TZ))
        return facts

    def model_reply(self, turn: Turn) -> str:
        """The canned reply for the turn's case: what a trainee is compared with."""
        return render_reply(turn.scenario, turn.params(), strict=False).reply

    # ------------------------------------------------------------------ judging

    def judge(self, turn: Turn, answer: str, seconds: float | None = None) -> RoundResult:
        verdict = with_suggestion(self.guard, self.guard.check(answer), self._rewriter)
        conditions = self.conditions(turn)
        scenario_facts = self.facts.of(turn.scenario)
        required = [f for f in scenario_facts if f.required_in(conditions)]
        reading = _Reading(answer, *self._light(answer), self._automaton, self._negators,
                           self._phrase_of)
        covered = {f.id for f in required if f.said and reading.states(f.said)}
        wrong: list[WrongFact] = []
        for fact in scenario_facts:
            if fact.wrong_counts_in(conditions):
                found = reading.states(fact.wrong, unless=fact.wrong_unless)
                if found:
                    wrong.append(WrongFact(fact, *reading.original(*found)))
        self._judge_periods(reading, turn.scenario, required, covered, wrong)
        wrong_ids = {w.fact.id for w in wrong if w.fact}
        covered_facts = tuple(f for f in required if f.id in covered and f.id not in wrong_ids)
        missed = tuple(f for f in required if f.id not in covered and f.id not in wrong_ids)
        scoring = self.facts.scoring
        if verdict.blocked:
            score = 0
        else:
            base = scoring.full * len(covered_facts) / len(required) if required else scoring.full
            penalty = scoring.wrong_penalty * len(wrong)
            penalty += scoring.warn_penalty if verdict.verdict == "warn" else 0
            score = max(0, round(base - penalty))
        return RoundResult(turn, answer, verdict, covered_facts, missed, tuple(wrong), score,
                           scoring.full, self.model_reply(turn), verdict.suggestion, seconds)

    def _judge_periods(self, reading: _Reading, scenario: str, required: Sequence[Fact],
                       covered: set[str], wrong: list[WrongFact]) -> None:
        """Lengths of time in the answer: each is the period of the fact its words name
        (储蓄卡 … 2–6天), or else of the one period fact the case requires; a number that
        matches neither is wrong."""
        period_facts = [f for f in self.facts.facts if f.period is not None]
        own = [f for f in period_facts if scenario in f.scenarios]
        others = [f for f in period_facts if scenario not in f.scenarios]
        required_periods = [f for f in required if f.period is not None]
        no_time = [f for f in self.facts.of(scenario) if f.no_time]
        for said in said_periods(reading.light):
            span = reading.original(said.start, said.end)
            if no_time:
                wrong.extend(WrongFact(f, *span) for f in no_time)
                continue
            named = reading.named_by(said, own) or reading.named_by(said, others)
            if named:
                matching = [f for f in named if _matches(said, f.period)]  # type: ignore[arg-type]
                if matching:
                    covered.update(f.id for f in matching)
                else:
                    wrong.append(WrongFact(named[0], *span))
                continue
            matching = [f for f in required_periods if _matches(said, f.period)]  # type: ignore[arg-type]
            if matching:
                covered.update(f.id for f in matching)
            elif len(required_periods) == 1:
                wrong.append(WrongFact(required_periods[0], *span))
            elif any(_matches(said, p) for p in PERIODS.values()) or not own:
                continue  # a period of the policy said in passing, or a scenario with none
            else:
                wrong.append(WrongFact(None, *span))


def _matches(said: SaidPeriod, period: PolicyPeriod) -> bool:
    """2–6天 is 2–6天 (also 两到六天, 48–144小时); a "within" period (24小时内) is also its bound
    said alone (24小时, 一天); a single period (48小时) is that length, however written."""
    if said.high != period.high:
        return False
    return said.low == period.low or (not period.low and said.low == said.high)


class _Reading:
    """An answer read once: its light view, sentences, clauses and the phrases found."""

    def __init__(self, original: str, light: str, to_original: tuple[int, ...],
                 automaton: Any, negators: tuple[str, ...], normal: dict[str, str]) -> None:
        self.text = original
        self._normal = normal
        self.light = light
        self.to_original = to_original
        sentence_starts, clause_starts = [0], [0]
        for index in range(1, len(light)):
            gap = original[to_original[index - 1] + 1:to_original[index]]
            previous = light[index - 1]
            if previous in _SENTENCE_END or "\n" in gap:
                sentence_starts.append(index)
                clause_starts.append(index)
            elif previous in _CLAUSE_END:
                clause_starts.append(index)
        self.sentence_starts = sentence_starts
        self.clause_starts = clause_starts
        # phrase → [(start, end)], negated mentions left out
        found: dict[str, list[tuple[int, int]]] = {}
        if light:
            for end, phrase in automaton.iter(light):
                start = end + 1 - len(phrase)
                before = light[max(0, start - 2):start]
                if any(before.endswith(n) for n in negators):
                    continue
                found.setdefault(phrase, []).append((start, end + 1))
        self.found = found

    def sentence(self, position: int) -> int:
        return bisect_right(self.sentence_starts, position) - 1

    def clause(self, position: int) -> int:
        return bisect_right(self.clause_starts, position) - 1

    def original(self, start: int, end: int) -> tuple[str, int, int]:
        """(text, start, end) of a light-view span in the original answer."""
        first, last = self.to_original[start], self.to_original[end - 1] + 1
        return self.text[first:last], first, last

    def _spans(self, phrases: Sequence[str]) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for phrase in phrases:
            spans.extend(self.found.get(self._normal.get(phrase, phrase), ()))
        return spans

    def states(self, groups: Sequence[Sequence[str]],
               unless: Sequence[str] = ()) -> tuple[int, int] | None:
        """A span stating the fact: one phrase of every group in one sentence (none of the
        `unless` words in that sentence). The span is the last group's phrase."""
        by_sentence: list[dict[int, tuple[int, int]]] = []
        for group in groups:
            seen: dict[int, tuple[int, int]] = {}
            for span in self._spans(group):
                seen.setdefault(self.sentence(span[0]), span)
            by_sentence.append(seen)
        blocked = {self.sentence(s) for s, _ in self._spans(unless)}
        common = set(by_sentence[0]).intersection(*by_sentence[1:]) - blocked
        if not common:
            return None
        return by_sentence[-1][min(common)]

    def named_by(self, said: SaidPeriod, facts: Sequence[Fact]) -> list[Fact]:
        """Facts whose context words name this length of time: in its clause, else the nearest
        before it in its sentence."""
        clause, sentence = self.clause(said.start), self.sentence(said.start)
        in_clause: list[Fact] = []
        nearest: tuple[int, list[Fact]] = (-1, [])
        for fact in facts:
            for start, _ in self._spans(fact.context):
                if self.clause(start) == clause:
                    in_clause.append(fact)
                    break
                if self.sentence(start) == sentence and start < said.start:
                    if start > nearest[0]:
                        nearest = (start, [fact])
                    elif start == nearest[0]:
                        nearest[1].append(fact)
        return list(dict.fromkeys(in_clause)) or nearest[1]

