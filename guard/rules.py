"""The rule language: named concepts combined by proximity, with negation and allow rules.

A **concept** is a set of terms (`[[concept]]`: id, terms). A term may hold
alternatives in parentheses, an empty one making the part optional:
"(您|你)(的|)电话" is 您的电话, 您电话, 你的电话 and 你电话. Concept terms are
matched by the same single automaton pass as every other term, on the same
normalized view (width, case, traditional characters, noise folded away).

A **rule** (`[[rule]]`) fires where its concepts stand near each other:

* `all`   — every one of these concepts;
* `any`   — at least one of these;
* `of` + `at_least` — at least N different concepts of this list;
* `unless` — none of these may stand within the window around the match;
* `window` — the match spans at most this many normalized characters;
* `scope` — "clause" (no ，between), "sentence" (no 。！？ or line break
  between; the default) or "message";
* `negatable` — a refusal cue right before or after the match ("我们不做…",
  "…是不允许的"), or reaching into its first word ("不提供QQ"), turns a block into
  a warning and drops a warning;
* `refused` — concepts whose words a refusal right before them refuses the whole
  match, wherever they stand in it ("您的微信不用给我": 给我 is the request);
* `effect` — "report" (the default: a finding of `category` at `severity`)
  or "allow": every finding of the rules or groups named in `demotes` that
  stands in the window of the match is lowered to a warning (a product
  feature naming an app, the brand's own service line, reading back the
  buyer's own details).

Every rule carries `examples` (messages it must find, with its category) and
`not_examples` (messages it must leave alone); a generated test runs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product
from typing import Any

from guard.tomlfile import TomlFile
from guard.verdict import CATEGORIES

SCOPES = ("clause", "sentence", "message")
EFFECTS = ("report", "allow")
SEVERITIES = ("warn", "block")
# A term's alternatives may not multiply past this (a typo must not flood the automaton).
MAX_EXPANSION = 2000
_ALTERNATIVES = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class Concept:
    """A named set of terms (already expanded)."""

    id: str
    terms: tuple[str, ...]
    pinyin: bool = False  # also match the terms' pinyin spellings (haoping, hao评)
    source: str = ""


@dataclass(frozen=True)
class Rule:
    """Concepts near concepts → a finding (or, `effect = "allow"`, a demotion)."""

    id: str
    label: str
    category: str
    severity: str
    all: tuple[str, ...]
    any: tuple[str, ...]
    of: tuple[str, ...]
    at_least: int
    unless: tuple[str, ...]
    window: int
    scope: str
    negatable: bool
    effect: str
    demotes: tuple[str, ...]
    examples: tuple[str, ...]
    not_examples: tuple[str, ...]
    source: str = ""
    refused: tuple[str, ...] = ()

    @property
    def concepts(self) -> tuple[str, ...]:
        """Every concept the rule looks at (unless included), each once."""
        return tuple(dict.fromkeys((*self.all, *self.any, *self.of, *self.unless)))

    def satisfiable(self, present: set[str] | frozenset[str]) -> bool:
        """Whether these concepts, wherever they stand, could make the rule match.

        A necessary condition of a match (positions and scope come after):
        the fast path drops the concept hits no rule could use.
        """
        return (all(c in present for c in self.all)
                and (not self.any or any(c in present for c in self.any))
                and sum(c in present for c in self.of) >= self.at_least)


def spell_out(src: TomlFile, line: int, term: str) -> list[str]:
    """A term written with "(a|b|)" alternatives as the spellings it stands for (blank
    ones left out), or the mistake at `file:line`: unbalanced parentheses, or more
    than MAX_EXPANSION spellings. Concept terms and allow phrases are written so."""
    if term.count("(") != term.count(")"):
        raise src.error(line, f"term '{term}': unbalanced parentheses")
    spelled = expand(term)
    if len(spelled) > MAX_EXPANSION:
        raise src.error(line, f"term '{term}' spells out to {len(spelled)} terms "
                        f"(at most {MAX_EXPANSION})")
    return [spelling for spelling in spelled if spelling.strip()]


def expand(term: str) -> list[str]:
    """A term with its "(a|b|)" alternatives spelled out, in order."""
    parts: list[list[str]] = []
    position = 0
    for match in _ALTERNATIVES.finditer(term):
        parts.append([term[position:match.start()]])
        parts.append(match.group(1).split("|"))
        position = match.end()
    parts.append([term[position:]])
    return ["".join(p) for p in product(*parts)]


_CONCEPT_KEYS = {"id", "terms", "pinyin", "note"}
_RULE_KEYS = {"id", "label", "category", "severity", "all", "any", "of", "at_least", "unless",
              "window", "scope", "negatable", "refused", "effect", "demotes", "examples",
              "not_examples", "note"}


def _strings(src: TomlFile, table: dict[str, Any], key: str, line: int) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise src.error(line, f"'{key}' must be a list of non-empty strings")
    return tuple(value)


def parse_concept(src: TomlFile, index: int, table: Any) -> Concept:
    line = src.line_of("[[concept]]", index)
    if not isinstance(table, dict):
        raise src.error(line, "a [[concept]] must be a table")
    unknown = sorted(set(table) - _CONCEPT_KEYS)
    if unknown:
        raise src.error(src.line_of("[[concept]]", index, unknown[0]),
                        f"unknown key '{unknown[0]}' in [[concept]] "
                        f"(known: {', '.join(sorted(_CONCEPT_KEYS))})")
    concept_id = table.get("id")
    if not isinstance(concept_id, str) or not re.fullmatch(r"[a-z0-9_]+", concept_id):
        raise src.error(src.line_of("[[concept]]", index, "id"),
                        "'id' must be a name of lowercase letters, digits and _")
    terms_line = src.line_of("[[concept]]", index, "terms")
    terms = [spelling for term in _strings(src, table, "terms", terms_line)
             for spelling in spell_out(src, terms_line, term)]
    if not terms:
        raise src.error(line, f"concept '{concept_id}' has no terms")
    pinyin = table.get("pinyin", False)
    if not isinstance(pinyin, bool):
        raise src.error(src.line_of("[[concept]]", index, "pinyin"),
                        "'pinyin' must be true or false")
    return Concept(concept_id, tuple(dict.fromkeys(terms)), pinyin, f"{src.path}:{line}")


def _choice(src: TomlFile, table: dict[str, Any], key: str, line: int, choices: tuple[str, ...],
            default: str) -> str:
    value = table.get(key, default)
    if value not in choices:
        raise src.error(line, f"'{key}' must be one of {', '.join(choices)}")
    return value


def parse_rule(src: TomlFile, index: int, table: Any) -> Rule:
    line = src.line_of("[[rule]]", index)
    if not isinstance(table, dict):
        raise src.error(line, "a [[rule]] must be a table")

    def at(key: str) -> int:
        return src.line_of("[[rule]]", index, key)

    unknown = sorted(set(table) - _RULE_KEYS)
    if unknown:
        raise src.error(at(unknown[0]), f"unknown key '{unknown[0]}' in [[rule]] "
                        f"(known: {', '.join(sorted(_RULE_KEYS))})")
    rule_id = table.get("id")
    if not isinstance(rule_id, str) or not re.fullmatch(r"[a-z0-9_]+", rule_id):
        raise src.error(at("id"), "'id' must be a name of lowercase letters, digits and _")
    effect = _choice(src, table, "effect", at("effect"), EFFECTS, "report")
    category = table.get("category", "")
    if effect == "report" and category not in CATEGORIES:
        raise src.error(at("category"), f"'category' must be one of {', '.join(CATEGORIES)}")
    label = table.get("label", rule_id)
    if not isinstance(label, str) or not label.strip():
        raise src.error(at("label"), "'label' must be a non-empty string")
    lists = {key: _strings(src, table, key, at(key))
             for key in ("all", "any", "of", "unless", "refused", "demotes", "examples",
                         "not_examples")}
    if not (lists["all"] or lists["any"] or lists["of"]):
        raise src.error(line, f"rule '{rule_id}' names no concept (give all, any or of)")
    at_least = table.get("at_least", 1 if lists["of"] else 0)
    if (not isinstance(at_least, int) or isinstance(at_least, bool)
            or not 0 <= at_least <= len(lists["of"]) or (lists["of"] and at_least < 1)):
        raise src.error(at("at_least"), f"'at_least' must be 1..{len(lists['of'])} "
                        "(the number of concepts in 'of')")
    window = table.get("window", 20)
    if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 200:
        raise src.error(at("window"), "'window' must be 1..200")
    negatable = table.get("negatable", False)
    if not isinstance(negatable, bool):
        raise src.error(at("negatable"), "'negatable' must be true or false")
    if effect == "allow" and not lists["demotes"]:
        raise src.error(line, f"allow rule '{rule_id}' demotes nothing (give 'demotes')")
    if effect == "report" and not lists["examples"]:
        raise src.error(line, f"rule '{rule_id}' has no examples (give 'examples': "
                        "messages it must find)")
    return Rule(
        id=rule_id, label=label, category=category,
        severity=_choice(src, table, "severity", at("severity"), SEVERITIES, "block"),
        at_least=at_least, window=window,
        scope=_choice(src, table, "scope", at("scope"), SCOPES, "sentence"),
        negatable=negatable, effect=effect, source=f"{src.path}:{line}", **lists)


def check_references(rules: dict[str, Rule], concepts: dict[str, Concept],
                     targets: set[str], sources: dict[str, TomlFile]) -> None:
    """Every concept a rule names exists; every demoted rule or group exists."""
    for rule in rules.values():
        src = sources[rule.id]
        index = _index_of(src, rule.id)
        for key in ("all", "any", "of", "unless", "refused"):
            for name in getattr(rule, key):
                if name not in concepts:
                    raise src.error(src.line_of("[[rule]]", index, key),
                                    f"rule '{rule.id}': unknown concept '{name}' in '{key}'")
        for name in rule.demotes:
            if name not in targets and name not in rules:
                raise src.error(src.line_of("[[rule]]", index, "demotes"),
                                f"rule '{rule.id}': '{name}' in 'demotes' is no rule, "
                                "group or recognizer")


def _index_of(src: TomlFile, rule_id: str) -> int:
    rules = src.data.get("rule", [])
    for index, table in enumerate(rules):
        if isinstance(table, dict) and table.get("id") == rule_id:
            return index
    return 0
