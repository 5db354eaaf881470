"""routing.toml read and validated: the cue words of each after-sales scenario, as data.

A mistake in the file fails with `file:line: what is wrong`; the router
(guard/replies/routing.py) only ever sees rules that passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from guard.lexicon import builtin_dir
from guard.replies.scenarios import PAYMENT_METHODS, SCENARIOS
from guard.tomlfile import TomlFile
from guard.verdict import CATEGORIES

__all__ = ["Cue", "RoutingRules", "load_routing", "routing_path"]

_SETTINGS = {
    # name: (default, low, high)
    "threshold": (0.8, 0.0, 10.0),
    "high_confidence": (0.6, 0.0, 1.0),
    "homophone_factor": (0.75, 0.0, 1.0),
    "saturation": (1.0, 0.01, 10.0),
    "runner_up_factor": (0.5, 0.0, 1.0),
    "guard_warn_factor": (0.5, 0.0, 1.0),
}
_INFER = {
    "payment": PAYMENT_METHODS,
    "quality": ("yes", "no"),
    "wrong_item": ("yes", "no"),
    "platform_intervened": ("yes", "no"),
}
_MAX_WEIGHT = 5.0
@dataclass(frozen=True, slots=True)
class Cue:
    """One cue: `target` is a scenario id, or "fact=value" for inference."""

    text: str
    target: str
    weight: float
    whole_token: bool


@dataclass(frozen=True)
class RoutingRules:
    """routing.toml, validated."""

    settings: Mapping[str, float]
    negators: tuple[str, ...]
    negation_bridges: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...]
    thresholds: Mapping[str, float]
    guard_weights: Mapping[str, Mapping[str, float]]
    cues: tuple[Cue, ...]
    infer: tuple[Cue, ...]
    path: Path

    @property
    def high_confidence(self) -> float:
        """Confidence at or above which a suggestion may be sent without a second look."""
        return self.settings["high_confidence"]


def routing_path() -> Path:
    """The built-in routing cues (source tree or installed wheel)."""
    return builtin_dir() / "replies" / "routing.toml"


def load_routing(path: Path | None = None) -> RoutingRules:
    """Load and validate routing cues; a mistake fails with `file:line: what is wrong`."""
    src = TomlFile(path or routing_path())
    data = src.data
    unknown = sorted(set(data) - {"settings", "aliases", "scenario", "infer"})
    if unknown:
        raise src.error(src.line_of(f"[{unknown[0]}]"), f"unknown section '{unknown[0]}' "
                        "(known: settings, aliases, scenario, infer)")
    settings, negators, bridges = _settings(src, data.get("settings", {}))
    aliases = _aliases(src, data.get("aliases", {}))
    scenarios = _table(src, data.get("scenario"), "[scenario]", 1)
    thresholds: dict[str, float] = {}
    guard_weights: dict[str, Mapping[str, float]] = {}
    cues: list[Cue] = []
    for scenario_id, table in scenarios.items():
        header = f"[scenario.{scenario_id}]"
        line = src.line_of(header, default=src.line_of(f"[scenario.{scenario_id}.cues]"))
        if scenario_id not in SCENARIOS:
            raise src.error(line, f"unknown scenario '{scenario_id}' "
                            f"(known: {', '.join(SCENARIOS)})")
        table = _table(src, table, header, line)
        extra = sorted(set(table) - {"threshold", "cues", "words", "guard"})
        if extra:
            raise src.error(src.line_of(header, 0, extra[0], default=line),
                            f"unknown key '{extra[0]}' (known: threshold, cues, words, guard)")
        if "threshold" in table:
            thresholds[scenario_id] = _number(src, table["threshold"], header, "threshold",
                                              line, 0.0, 10.0)
        for kind in ("cues", "words"):
            sub = f"[scenario.{scenario_id}.{kind}]"
            for text, weight in _weights(src, table.get(kind, {}), sub, line).items():
                cues.append(Cue(text, scenario_id, weight, kind == "words"))
        sub = f"[scenario.{scenario_id}.guard]"
        weights = _weights(src, table.get("guard", {}), sub, line)
        for category in weights:
            if category not in CATEGORIES:
                raise src.error(src.line_of(sub, 0, category, default=line),
                                f"unknown category '{category}' (known: {', '.join(CATEGORIES)})")
        if weights:
            guard_weights[scenario_id] = MappingProxyType(weights)
    missing = [s for s in SCENARIOS if not any(c.target == s for c in cues)]
    if missing:
        raise src.error(1, f"no cues for scenario '{missing[0]}'")
    return RoutingRules(
        settings=MappingProxyType(settings), negators=negators, negation_bridges=bridges,
        aliases=aliases, thresholds=MappingProxyType(thresholds),
        guard_weights=MappingProxyType(guard_weights), cues=tuple(cues),
        infer=_infer(src, data.get("infer", {})), path=src.path,
    )


def _table(src: TomlFile, value: Any, header: str, line: int) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise src.error(line, f"{header} must be a table")
    return value


def _number(src: TomlFile, value: Any, header: str, key: str, line: int,
            low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise src.error(src.line_of(header, 0, key, default=line),
                        f"'{key}' must be a number from {low:g} to {high:g}")
    return float(value)


def _strings(src: TomlFile, value: Any, header: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise src.error(src.line_of(header, 0, key), f"'{key}' must be a list of non-empty strings")
    return tuple(value)


def _settings(src: TomlFile, table: Any) -> tuple[dict[str, float], tuple[str, ...],
                                                   tuple[str, ...]]:
    table = _table(src, table, "[settings]", src.line_of("[settings]"))
    extra = sorted(set(table) - {*_SETTINGS, "negators", "negation_bridges"})
    if extra:
        raise src.error(src.line_of("[settings]", 0, extra[0]), f"unknown setting '{extra[0]}'")
    settings = {
        name: _number(src, table.get(name, default), "[settings]", name, 1, low, high)
        for name, (default, low, high) in _SETTINGS.items()
    }
    return (settings, _strings(src, table.get("negators", []), "[settings]", "negators"),
            _strings(src, table.get("negation_bridges", []), "[settings]", "negation_bridges"))


def _aliases(src: TomlFile, table: Any) -> tuple[tuple[str, str], ...]:
    table = _table(src, table, "[aliases]", src.line_of("[aliases]"))
    for key, value in table.items():
        if not key.strip() or not isinstance(value, str) or not value.strip():
            raise src.error(src.line_of("[aliases]", 0, key),
                            f"alias '{key}' must map to a non-empty string")
    return tuple(table.items())


def _weights(src: TomlFile, table: Any, header: str, line: int) -> dict[str, float]:
    table = _table(src, table, header, src.line_of(header, default=line))
    weights = {}
    for key, value in table.items():
        at = src.line_of(header, 0, key, default=line)
        if not key.strip():
            raise src.error(at, f"empty cue in {header}")
        if (isinstance(value, bool) or not isinstance(value, int | float) or value == 0
                or abs(value) > _MAX_WEIGHT):
            raise src.error(at, f"weight of '{key}' must be a non-zero number "
                            f"from -{_MAX_WEIGHT:g} to {_MAX_WEIGHT:g}")
        weights[key] = float(value)
    return weights


def _infer(src: TomlFile, table: Any) -> tuple[Cue, ...]:
    table = _table(src, table, "[infer]", src.line_of("[infer]"))
    cues = []
    for fact, values in table.items():
        header = f"[infer.{fact}]"
        if fact not in _INFER:
            raise src.error(src.line_of(header), f"unknown fact '{fact}' "
                            f"(known: {', '.join(_INFER)})")
        values = _table(src, values, header, src.line_of(header))
        for value, texts in values.items():
            if value not in _INFER[fact]:
                raise src.error(src.line_of(header, 0, value), f"'{fact}' cannot be '{value}' "
                                f"(one of: {', '.join(_INFER[fact])})")
            cues.extend(Cue(text, f"{fact}={value}", 1.0, False)
                        for text in _strings(src, texts, header, value))
    return tuple(cues)
