"""Required facts: what a correct answer must state in each scenario and situation, as data.

lexicons/train/facts.toml lists them; periods are named (`period =
"refund_debit"`), never written as numbers, and come from
guard.replies.policy.PERIODS, the module the reply templates quote too, so
the policy changes in one place. `when` conditions are the reply templates'
own (payment, cause, platform…), checked against the same scenario facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from guard.lexicon import builtin_dir
from guard.replies.policy import PERIODS, PolicyPeriod
from guard.replies.scenarios import SCENARIOS
from guard.replies.templates import When, parse_when, when_applies
from guard.tomlfile import TomlFile

__all__ = ["Fact", "FactBook", "Scoring", "default_facts", "facts_path", "load_facts"]

_FACT_KEYS = {"id", "scenario", "label", "when", "period", "context", "said", "wrong",
              "wrong_when", "wrong_unless", "no_time", "required"}
_SCORING = {"full": 100, "wrong_penalty": 25, "warn_penalty": 10}


@dataclass(frozen=True)
class Fact:
    """One thing a correct answer states (or, with `no_time`, must not state)."""

    id: str
    scenarios: tuple[str, ...]
    label: str
    when: When
    period: PolicyPeriod | None
    period_name: str | None
    context: tuple[str, ...]
    said: tuple[tuple[str, ...], ...]
    wrong: tuple[tuple[str, ...], ...]
    wrong_when: When
    wrong_unless: tuple[str, ...]
    no_time: bool
    required: bool
    source: str

    @property
    def shown(self) -> str:
        """The label with the policy's period: "退回储蓄卡：审核通过后到账时间（2–6天）"."""
        return f"{self.label}（{self.period.text}）" if self.period else self.label

    def required_in(self, conditions: Mapping[str, Any]) -> bool:
        return self.required and when_applies(self.when, conditions)

    def wrong_counts_in(self, conditions: Mapping[str, Any]) -> bool:
        return bool(self.wrong) and when_applies(self.wrong_when, conditions)

    def phrases(self) -> set[str]:
        """Every phrase the judge must find: said, wrong, context, unless words."""
        return {p for group in (*self.said, *self.wrong) for p in group} | {
            *self.context, *self.wrong_unless}


@dataclass(frozen=True)
class Scoring:
    full: int
    wrong_penalty: int
    warn_penalty: int


@dataclass(frozen=True)
class FactBook:
    facts: tuple[Fact, ...]
    negators: tuple[str, ...]
    scoring: Scoring
    path: Path

    def of(self, scenario: str) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if scenario in f.scenarios)

    def by_id(self) -> Mapping[str, Fact]:
        return MappingProxyType({f.id: f for f in self.facts})


def facts_path() -> Path:
    return builtin_dir() / "train" / "facts.toml"


@cache
def default_facts() -> FactBook:
    """The built-in facts, loaded once per process (immutable)."""
    return load_facts()


def load_facts(path: Path | None = None) -> FactBook:
    """Load and validate the required facts; a mistake fails with `file:line: what is wrong`."""
    src = TomlFile(path or facts_path())
    data = src.data
    unknown = sorted(set(data) - {"settings", "scoring", "fact"})
    if unknown:
        raise src.error(src.line_of(f"[{unknown[0]}]"), f"unknown section '{unknown[0]}' "
                        "(known: settings, scoring, fact)")
    settings = data.get("settings", {})
    negators = _phrases(src, settings.get("negators", []), src.line_of("[settings]", 0,
                                                                      "negators"), "negators")
    scoring = data.get("scoring", {})
    values = {}
    for key, default in _SCORING.items():
        value = scoring.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
            raise src.error(src.line_of("[scoring]", 0, key),
                            f"'{key}' must be a whole number from 0 to 1000")
        values[key] = value
    extra = sorted(set(scoring) - set(_SCORING))
    if extra:
        raise src.error(src.line_of("[scoring]", 0, extra[0]), f"unknown setting '{extra[0]}'")
    raw = data.get("fact")
    if not isinstance(raw, list) or not raw:
        raise src.error(1, "no [[fact]] in the facts file")
    facts = tuple(_fact(src, index, table) for index, table in enumerate(raw))
    seen: set[str] = set()
    for index, fact in enumerate(facts):
        if fact.id in seen:
            raise src.error(src.line_of("[[fact]]", index, "id"), f"duplicate fact id '{fact.id}'")
        seen.add(fact.id)
    return FactBook(facts, negators, Scoring(**values), src.path)


def _phrases(src: TomlFile, value: Any, line: int, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise src.error(line, f"'{key}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _groups(src: TomlFile, value: Any, line: int, key: str) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list) or not value or not all(isinstance(g, list) and g
                                                           for g in value):
        raise src.error(line, f"'{key}' must be a list of lists of phrases, "
                        f'e.g. {key} = [["运费", "邮费"], ["我们承担"]]')
    return tuple(_phrases(src, group, line, key) for group in value)


def _fact(src: TomlFile, index: int, table: Any) -> Fact:
    line = src.line_of("[[fact]]", index)

    def at(key: str) -> int:
        return src.line_of("[[fact]]", index, key, default=line)

    if not isinstance(table, dict):
        raise src.error(line, "each [[fact]] must be a table")
    extra = sorted(set(table) - _FACT_KEYS)
    if extra:
        raise src.error(at(extra[0]), f"unknown key '{extra[0]}' "
                        f"(known: {', '.join(sorted(_FACT_KEYS))})")
    fact_id = table.get("id")
    if not isinstance(fact_id, str) or not fact_id.strip():
        raise src.error(at("id"), "'id' must be a non-empty string")
    label = table.get("label")
    if not isinstance(label, str) or not label.strip():
        raise src.error(at("label"), "'label' must be a non-empty string")
    scenarios = table.get("scenario")
    scenarios = [scenarios] if isinstance(scenarios, str) else scenarios
    if (not isinstance(scenarios, list) or not scenarios
            or not all(s in SCENARIOS for s in scenarios)):
        raise src.error(at("scenario"), f"'scenario' must be a scenario id or a list of them "
                        f"(known: {', '.join(SCENARIOS)})")
    when: When = ()
    wrong_when: When = ()
    for scenario in scenarios:  # a condition must exist in every scenario the fact is for
        when = parse_when(src, SCENARIOS[scenario], table.get("when", {}), at("when"))
        wrong_when = parse_when(src, SCENARIOS[scenario], table.get("wrong_when",
                                                                    table.get("when", {})),
                                at("wrong_when"))
    period_name = table.get("period")
    period = None
    if period_name is not None:
        period = PERIODS.get(period_name)
        if period is None:
            raise src.error(at("period"), f"unknown period {period_name!r} "
                            f"(known: {', '.join(PERIODS)})")
    no_time = table.get("no_time", False)
    required = table.get("required", True)
    for key, value in (("no_time", no_time), ("required", required)):
        if not isinstance(value, bool):
            raise src.error(at(key), f"'{key}' must be true or false")
    said = _groups(src, table["said"], at("said"), "said") if "said" in table else ()
    kinds = sum((bool(said), period is not None, no_time))
    if kinds != 1:
        raise src.error(line, f"fact '{fact_id}' needs exactly one of: said, period, no_time")
    if no_time and required:
        raise src.error(at("no_time"), "a no_time fact is a 'must not': give required = false")
    return Fact(
        id=fact_id.strip(), scenarios=tuple(scenarios), label=label.strip(), when=when,
        period=period, period_name=period_name,
        context=_phrases(src, table.get("context", []), at("context"), "context"),
        said=said,
        wrong=_groups(src, table["wrong"], at("wrong"), "wrong") if "wrong" in table else (),
        wrong_when=wrong_when,
        wrong_unless=_phrases(src, table.get("wrong_unless", []), at("wrong_unless"),
                              "wrong_unless"),
        no_time=no_time, required=required, source=f"{src.path}:{line}",
    )
