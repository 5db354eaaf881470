"""Reply templates as data: load and validate lexicons/replies/templates.toml.

Templates are written by people who know customer service, not Python, so the
file is TOML and every mistake (an unknown scenario, a `when` on a fact the
scenario does not have, a placeholder that does not exist, a missing title…)
fails loading with `file:line: what is wrong`, before any reply is sent.

A template is a list of parts; a part applies when every fact named in its
`when` has one of the listed values, and the reply is the applying parts
joined. The merchant note is built the same way, one part a line.
"""

from __future__ import annotations

import string
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from guard.lexicon import LexiconError, builtin_dir
from guard.replies.policy import PERIODS
from guard.replies.scenarios import SCENARIOS, ScenarioSpec
from guard.tomlfile import TomlFile

__all__ = ["Part", "ScenarioTemplate", "Templates", "When", "default_templates",
           "load_templates", "parse_when", "templates_path", "when_applies"]

_SCENARIO_KEYS = {"title", "policy", "requires", "reply", "note"}
_PART_KEYS = {"when", "text", "rewrite"}
_FORMATTER = string.Formatter()

When = tuple[tuple[str, tuple[str | bool, ...]], ...]
"""A `when = { fact = value | [values] }` condition: (fact, allowed values) pairs."""

POLICY_TEXTS: Mapping[str, str] = MappingProxyType({name: p.text for name, p in PERIODS.items()})
"""{refund_debit} → "2–6天": every template may quote the policy's periods by name, so a
period is written in policy.py only."""


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of text and the facts it applies to."""

    when: When
    text: str
    fields: tuple[str, ...]
    source: str
    """`file:line` of the part, for errors found when it is filled in."""
    rewrite: bool = False
    """Quoted by guard.rewrite in the suggestion for a blocked message."""

    def applies(self, facts: Mapping[str, Any]) -> bool:
        return when_applies(self.when, facts)

    def render(self, facts: Mapping[str, Any]) -> str:
        facts = ChainMap(dict(facts), POLICY_TEXTS)
        for name in self.fields:
            if facts[name] is None:
                raise LexiconError(
                    f"{self.source}: {{{name}}} is not known in this case; "
                    "guard the part with a `when` that implies it")
        return self.text.format_map(facts)


@dataclass(frozen=True, slots=True)
class ScenarioTemplate:
    """One scenario's reply to the buyer and note for the merchant."""

    id: str
    title: str
    policy: str
    requires: tuple[str, ...]
    reply: tuple[Part, ...]
    note: tuple[Part, ...]


@dataclass(frozen=True)
class Templates:
    """Every scenario's template (read-only), in SPEC's order."""

    scenarios: Mapping[str, ScenarioTemplate]
    path: Path


def templates_path() -> Path:
    """The built-in templates (works from the source tree and from an installed wheel)."""
    return builtin_dir() / "replies" / "templates.toml"


def load_templates(path: Path | None = None) -> Templates:
    """Load and validate a templates file; every scenario id must have one template."""
    source = TomlFile(path or templates_path())
    data = source.data
    for key in data:
        if key not in SCENARIOS:
            raise source.error(source.line_of(f"[{key}]"),
                               f"unknown scenario '{key}' (known: {', '.join(SCENARIOS)})")
    scenarios = {}
    for scenario_id, spec in SCENARIOS.items():
        if scenario_id not in data:
            raise source.error(1, f"no template for scenario '{scenario_id}'")
        scenarios[scenario_id] = _scenario(source, spec, data[scenario_id])
    return Templates(MappingProxyType(scenarios), source.path)


@cache
def default_templates() -> Templates:
    """The built-in templates, loaded once per process (they are immutable)."""
    return load_templates()


def _scenario(source: TomlFile, spec: ScenarioSpec, table: Any) -> ScenarioTemplate:
    header = f"[{spec.id}]"
    line = source.line_of(header)
    if not isinstance(table, dict):
        raise source.error(line, f"'{spec.id}' must be a table")
    unknown = sorted(set(table) - _SCENARIO_KEYS)
    if unknown:
        known = ", ".join(sorted(_SCENARIO_KEYS))
        raise source.error(source.line_of(header, 0, unknown[0]),
                           f"unknown key '{unknown[0]}' (known: {known})")
    texts = {}
    for key in ("title", "policy"):
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            raise source.error(source.line_of(header, 0, key),
                               f"'{key}' of '{spec.id}' must be a non-empty string")
        texts[key] = value
    requires = table.get("requires", [])
    readable = [p for p in spec.uses if p != "shipped"]
    if not isinstance(requires, list) or not all(p in readable for p in requires):
        known = ", ".join(readable) or "none"
        raise source.error(source.line_of(header, 0, "requires"),
                           f"'requires' of '{spec.id}' must list parameters it reads ({known})")
    parts = {kind: _parts(source, spec, kind, table.get(kind)) for kind in ("reply", "note")}
    return ScenarioTemplate(spec.id, texts["title"], texts["policy"], tuple(requires),
                            parts["reply"], parts["note"])


def _parts(source: TomlFile, spec: ScenarioSpec, kind: str, value: Any) -> tuple[Part, ...]:
    header = f"[[{spec.id}.{kind}]]"
    table_line = source.line_of(f"[{spec.id}]")
    if not isinstance(value, list) or not value:
        raise source.error(table_line, f"'{spec.id}' needs at least one {header} part")
    parts = []
    for index, part in enumerate(value):
        line = source.line_of(header, index, default=table_line)

        def at(key: str, line: int = line, index: int = index) -> int:
            return source.line_of(header, index, key, default=line)

        if not isinstance(part, dict):
            raise source.error(line, f"each {header} must be a table")
        unknown = sorted(set(part) - _PART_KEYS)
        if unknown:
            raise source.error(at(unknown[0]),
                               f"unknown key '{unknown[0]}' (known: text, when, rewrite)")
        text = part.get("text")
        if not isinstance(text, str) or not text.strip():
            raise source.error(at("text"), "'text' must be a non-empty string")
        fields = _fields(source, spec, text, at("text"))
        when = parse_when(source, spec, part.get("when", {}), at("when"))
        rewrite = part.get("rewrite", False)
        if not isinstance(rewrite, bool):
            raise source.error(at("rewrite"), "'rewrite' must be true or false")
        parts.append(Part(when, text.strip(), fields, f"{source.path}:{line}", rewrite))
    return tuple(parts)


def _fields(source: TomlFile, spec: ScenarioSpec, text: str, line: int) -> tuple[str, ...]:
    try:
        parsed = list(_FORMATTER.parse(text))
    except ValueError as exc:
        raise source.error(line, f"bad placeholder in text: {exc} "
                           "(write {{ and }} for literal braces)") from None
    clash = set(POLICY_TEXTS) & {*spec.texts, *spec.conditions}
    if clash:  # a programming error: a scenario fact would hide a policy period
        raise AssertionError(f"{spec.id}: facts named like policy periods: {sorted(clash)}")
    known = (*spec.texts, *spec.conditions, *POLICY_TEXTS)
    names = []
    for _, name, spec_text, conversion in parsed:
        if name is None:
            continue
        if name not in known:
            listed = ", ".join("{" + n + "}" for n in (*spec.texts, *POLICY_TEXTS))
            raise source.error(line, f"unknown placeholder {{{name}}} for '{spec.id}' "
                               f"(known: {listed})")
        if spec_text or conversion:
            raise source.error(line, f"placeholder {{{name}}} takes no format or conversion")
        names.append(name)
    return tuple(dict.fromkeys(names))


def when_applies(when: When, facts: Mapping[str, Any]) -> bool:
    """Whether every fact named in `when` has one of its listed values."""
    # `is`-safe comparison: True must not match a string, nor 1 match True.
    return all(any(type(v) is type(facts[key]) and v == facts[key] for v in values)
               for key, values in when)


def parse_when(source: TomlFile, spec: ScenarioSpec, when: Any, line: int) -> When:
    """A `when` table checked against the scenario's conditions (templates, training facts)."""
    if not isinstance(when, dict):
        raise source.error(line, "'when' must be a table, e.g. when = { payment = \"debit\" }")
    conditions = []
    for key, wanted in when.items():
        allowed = spec.conditions.get(key)
        if allowed is None:
            known = ", ".join(spec.conditions) or "none"
            raise source.error(line, f"'{spec.id}' has no fact '{key}' to test (known: {known})")
        values = tuple(wanted) if isinstance(wanted, list) else (wanted,)
        for value in values:
            if not any(type(value) is type(a) and value == a for a in allowed):
                listed = ", ".join(_toml_value(a) for a in allowed)
                raise source.error(line, f"'{key}' cannot be {_toml_value(value)} "
                                   f"(one of: {listed})")
        if not values:
            raise source.error(line, f"'{key}' lists no values")
        conditions.append((key, values))
    return tuple(conditions)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else repr(value)
