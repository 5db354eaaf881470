"""A training session's results: the summary (per scenario, most-missed facts, time per answer),
its JSON form (SPEC: `{"rounds": [...], "total": {...}}`) and the saved report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guard.train.judge import RoundResult

__all__ = ["Summary", "summarize", "write_report"]


@dataclass(frozen=True)
class Summary:
    rounds: tuple[RoundResult, ...]
    interrupted: bool = False

    @property
    def score(self) -> float:
        """Mean round score (0 with no rounds)."""
        return sum(r.score for r in self.rounds) / len(self.rounds) if self.rounds else 0.0

    def scenarios(self) -> dict[str, dict[str, float | int]]:
        """Per scenario: rounds and mean score, in the order first met."""
        table: dict[str, list[int]] = {}
        for result in self.rounds:
            table.setdefault(result.turn.scenario, []).append(result.score)
        return {s: {"rounds": len(v), "score": round(sum(v) / len(v), 1)}
                for s, v in table.items()}

    def most_missed(self, top: int = 5) -> list[dict[str, Any]]:
        """Facts most often missed or stated wrong, most frequent first."""
        counts: Counter[str] = Counter()
        labels: dict[str, str] = {}
        for result in self.rounds:
            for fact in (*result.missed, *(w.fact for w in result.wrong if w.fact)):
                counts[fact.id] += 1
                labels[fact.id] = fact.shown
        return [{"fact": fact, "label": labels[fact], "times": n}
                for fact, n in counts.most_common(top)]

    def seconds(self) -> list[float]:
        return [r.seconds for r in self.rounds if r.seconds is not None]

    def total(self) -> dict[str, Any]:
        times = self.seconds()
        return {
            "rounds": len(self.rounds),
            "score": round(self.score, 1),
            "full": self.rounds[0].full if self.rounds else None,
            "blocked": sum(r.verdict.blocked for r in self.rounds),
            "warned": sum(r.verdict.verdict == "warn" for r in self.rounds),
            "wrong_facts": sum(len(r.wrong) for r in self.rounds),
            "scenarios": self.scenarios(),
            "most_missed": self.most_missed(),
            "seconds_per_answer": round(sum(times) / len(times), 1) if times else None,
            "interrupted": self.interrupted,
        }

    def to_dict(self) -> dict[str, Any]:
        """SPEC's `guard train --json` form."""
        return {"rounds": [r.to_dict() for r in self.rounds], "total": self.total()}

    def to_report(self) -> dict[str, Any]:
        """The saved report: the same shape, each round with the model reply, case and time."""
        return {"rounds": [r.to_report() for r in self.rounds], "total": self.total()}


def summarize(rounds: Sequence[RoundResult], interrupted: bool = False) -> Summary:
    return Summary(tuple(rounds), interrupted)


def write_report(summary: Summary, path: Path) -> None:
    """Save the report whole or not at all (a temporary file renamed into place)."""
    import orjson

    from guard.cache import write_atomically

    data = orjson.dumps(summary.to_report(), option=orjson.OPT_INDENT_2) + b"\n"
    write_atomically(path, data, prefix=f".{path.name}-")
