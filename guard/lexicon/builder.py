"""Files' sections accumulated in order, then frozen into one `Lexicon`.

A merchant's folder adds to the built-in one: a `[[group]]` with a new id is a
new group, one with a known id extends that group's lists; a concept of a
known id gains terms; allow-list phrases, context words, negation cues,
symbols and disguise words are added; `[numbers]` and `[messages]` keys
replace the ones read before. Reading and validating each section is
sections.py's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from guard.lexicon import numbers, sections
from guard.lexicon.model import ContextRule, DisguiseRules, Lexicon, TermGroup
from guard.rules import Concept, Rule, check_references, parse_concept, parse_rule
from guard.tomlfile import TomlFile, key_line, section, table_list

KNOWN_SECTIONS = {"format", "group", "allow", "context", "negation", "normalize", "numbers",
                  "messages", "concept", "rule", "disguise", "privacy"}
# The lexicon file format this version reads (`format = 1` at the top of a file).
FORMAT = 1


class Builder:
    """Accumulates sections from several files, in order, then freezes."""

    def __init__(self) -> None:
        self.groups: dict[str, TermGroup] = {}
        self.allow: list[str] = []
        self.context: dict[str, ContextRule] = {}
        self.negation: dict[str, list[str]] = {key: [] for key in sections.NEGATION_LISTS}
        self.negation_window = 3
        self.negation_after_window = 6
        self.symbols: dict[str, str] = {}
        self.syllables: dict[str, str] = {}
        self.components: dict[str, tuple[str, ...]] = {}
        self.numeral_extras: dict[str, str] = {}
        self.boundaries = ""
        self.numbers: dict[str, Any] = {}
        self.disguise: dict[str, list[str]] = {key: [] for key in sections.DISGUISE_LISTS}
        self.disguise_symbols: dict[str, str] = {}
        self.messages: dict[str, Any] = {}
        self.privacy: dict[str, Any] = {}  # PrivacyRules' fields, lists and strings added
        self.digests: list[str] = []
        self.sources: dict[str, TomlFile] = {}
        self.concepts: dict[str, Concept] = {}
        self.rules: dict[str, Rule] = {}
        self.rule_sources: dict[str, TomlFile] = {}

    def add_file(self, path: Path) -> None:
        src = TomlFile(path)
        self.digests.append(file_digest(path, digest=src.digest))
        for key in src.data:
            if key not in KNOWN_SECTIONS:
                line = src.line_of(f"[{key}]") if f"[{key}]" in src.text else key_line(src, key)
                raise src.error(line, f"unknown section '{key}' "
                                f"(known: {', '.join(sorted(KNOWN_SECTIONS))})")
        version = src.data.get("format", FORMAT)
        if version != FORMAT:
            raise src.error(key_line(src, "format"),
                            f"format {version!r} is not one this guard reads (format = {FORMAT})")
        for index, table in enumerate(table_list(src, "group")):
            group = sections.parse_group(src, index, table, self.groups)
            self.groups[group.id] = group
        for index, table in enumerate(table_list(src, "concept")):
            concept = parse_concept(src, index, table)
            known_concept = self.concepts.get(concept.id)
            if known_concept is not None:  # a merchant extends a built-in concept
                concept = replace(known_concept, terms=tuple(dict.fromkeys(
                    known_concept.terms + concept.terms)))
            self.concepts[concept.id] = concept
        for index, table in enumerate(table_list(src, "rule")):
            rule = parse_rule(src, index, table)
            self.rules[rule.id] = rule
            self.rule_sources[rule.id] = src
        for index, table in enumerate(table_list(src, "allow")):
            self.allow.extend(sections.parse_allow(src, index, table))
        self.context.update(sections.parse_context(src, self.context))
        self._add_negation(src)
        self._add_normalize(src)
        self._add_disguise(src)
        self._add_privacy(src)
        for name, target, keys in (("numbers", self.numbers, numbers.NUMBER_KEYS),
                                   ("messages", self.messages, sections.MESSAGE_KEYS)):
            value = section(src, name, keys)
            if value is not None:
                target.update(value)
                self.sources[name] = src

    def _add_negation(self, src: TomlFile) -> None:
        negation = sections.parse_negation(src, self.negation_window, self.negation_after_window)
        if negation is None:
            return
        for key, words in negation.lists.items():
            self.negation[key].extend(words)
        self.negation_window = negation.window
        self.negation_after_window = negation.after_window

    def _add_normalize(self, src: TomlFile) -> None:
        normalize = sections.parse_normalize(src)
        if normalize is None:
            return
        for char, splits in normalize.components.items():
            known = self.components.get(char, ())
            self.components[char] = tuple(dict.fromkeys((*known, *splits)))
        self.symbols.update(normalize.symbols)
        self.syllables.update(normalize.syllables)
        self.numeral_extras.update(normalize.numerals)
        self.boundaries += normalize.boundaries

    def _add_disguise(self, src: TomlFile) -> None:
        """[disguise]: lists add to the built-in ones, [disguise.symbols] names too."""
        disguise = sections.parse_disguise(src, self.disguise)
        if disguise is None:
            return
        for key, words in disguise.lists.items():
            self.disguise[key].extend(words)
        self.disguise_symbols.update(disguise.symbols)

    def _add_privacy(self, src: TomlFile) -> None:
        """[privacy]: lists and strings add to the built-in ones; address_reach replaces."""
        privacy = sections.parse_privacy(src)
        if privacy is None:
            return
        self.sources["privacy"] = src
        for key, value in privacy.items():
            known = self.privacy.get(key)
            if isinstance(value, tuple):
                value = tuple(dict.fromkeys((*(known or ()), *value)))
            elif isinstance(value, str):
                value = "".join(dict.fromkeys((known or "") + value))
            self.privacy[key] = value

    def freeze(self, recognizer_rules: Iterable[str] = ()) -> Lexicon:
        check_references(self.rules, self.concepts, {*self.groups, *recognizer_rules},
                         self.rule_sources)

        def negation(key: str) -> tuple[str, ...]:
            return tuple(dict.fromkeys(self.negation[key]))

        disguise = DisguiseRules(
            **{key: tuple(dict.fromkeys(self.disguise[key])) for key in sections.DISGUISE_LISTS},
            symbols=tuple(self.disguise_symbols.items()))
        return Lexicon(
            groups=tuple(self.groups.values()),
            allow=tuple(dict.fromkeys(self.allow)),
            context=dict(self.context),
            negation=negation("cues"),
            negation_after=negation("after"),
            negation_anywhere=negation("anywhere"),
            negation_window=self.negation_window,
            negation_after_window=self.negation_after_window,
            symbols=dict(self.symbols),
            syllables=dict(self.syllables),
            components=dict(self.components),
            numeral_extras=dict(self.numeral_extras),
            boundaries=self.boundaries,
            numbers=numbers.number_rules(self.sources.get("numbers"), self.numbers, disguise),
            messages=sections.messages(self.sources.get("messages"), self.messages),
            negation_soft=negation("soft"),
            # an A-not-A question (方不方便, 能不能) asks, it refuses nothing: an excuse too
            negation_excuses=tuple(dict.fromkeys(negation("excuses") + negation("questions"))),
            negation_verbs=negation("verbs"),
            negation_conditions=negation("conditions"),
            negation_list_joins=negation("list_joins"),
            negation_list_fillers=negation("list_fillers"),
            negation_list_ends=negation("list_ends"),
            negation_closings=negation("closings"),
            negation_place_words=negation("place_words"),
            concepts=tuple(self.concepts.values()),
            rules=tuple(self.rules.values()),
            privacy=sections.privacy_rules(self.sources.get("privacy"), self.privacy),
            fingerprint=fingerprint_of(self.digests),
        )


def file_digest(path: Path, raw: bytes = b"", digest: str = "") -> str:
    """One file's part of a lexicon's fingerprint: its name and its bytes' hash."""
    return f"{path.name}:{digest or hashlib.sha256(raw).hexdigest()}"


def fingerprint_of(digests: list[str]) -> str:
    """A lexicon's fingerprint: its files' digests, in the order they are read."""
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()
