"""Load and validate `lexicons/*.toml` (+ a merchant's folder) into a frozen `Lexicon`.

All rule data lives in TOML files a non-programmer can edit. A mistake in one
fails loading with `file:line: what is wrong`, never a traceback.

A merchant's folder adds to the built-in one: a `[[group]]` with a new id is a
new group, one with a known id extends that group's lists; allow-list phrases,
context words, negation cues and symbols are added.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from guard.rules import Concept, Rule, check_references, parse_concept, parse_rule
from guard.tomlfile import LexiconError, TomlFile
from guard.verdict import CATEGORIES

__all__ = ["Lexicon", "LexiconError", "TermGroup", "load_lexicon"]

TERM_KINDS = ("block", "mention", "needs_context")
GENERATED_KINDS = (*TERM_KINDS, "none")


@dataclass(frozen=True)
class TermGroup:
    """One platform, app or trading practice and every way of writing it.

    `block` terms block on sight (evasive spellings: 薇信, 绿泡泡, 某宝);
    `mention` terms warn when bare and block with a context word (微信, 淘宝);
    `needs_context` terms count only with a context word (卫星, 企鹅, 二维码).
    `pinyin` / `initials`: the kind given to generated pinyin spellings of the
    mention terms ("weixin", "wx"); `whole_token`: mention and needs_context
    terms in Chinese count only where the tokenizer sees a whole word;
    `refusable`: a refusal ("请勿私下交易") excuses even its `block` terms —
    set for practices, never for evasive spellings.
    """

    id: str
    label: str
    category: str
    block: tuple[str, ...] = ()
    mention: tuple[str, ...] = ()
    needs_context: tuple[str, ...] = ()
    pinyin: str = "none"
    initials: str = "none"
    whole_token: bool = False
    refusable: bool = False
    source: str = ""


@dataclass(frozen=True)
class ContextRule:
    """Words that turn a mention into guidance, before or after it, in one clause."""

    category: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    near_before: tuple[str, ...]
    near_after: tuple[str, ...]
    window: int


@dataclass(frozen=True)
class DisguiseRules:
    """`[disguise]`: how a web or e-mail address's dot or @ is disguised (obfuscated.py).

    `dot` / `at`: the words and symbols written for them (a word of Latin
    letters alone only between spaces, in capitals or in brackets);
    `bracketed`: those also read alone inside brackets; an instruction to swap
    a symbol back is `swap_leads` … symbol … `swap_verbs` … one of
    `swap_targets`; `symbols`: a symbol's name → the characters it stands for.
    """

    dot: tuple[str, ...] = ()
    at: tuple[str, ...] = ()
    bracketed: tuple[str, ...] = ()
    swap_leads: tuple[str, ...] = ()
    swap_verbs: tuple[str, ...] = ()
    swap_targets: tuple[str, ...] = ()
    symbols: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class NumberRules:
    """Settings of the contact-number recognizers (see guard/recognizers/)."""

    phone_context: tuple[str, ...]
    landline_context: tuple[str, ...]
    bank_context: tuple[str, ...]
    not_contact_context: tuple[str, ...]
    account_fillers: tuple[str, ...]
    bank_prefixes: tuple[str, ...]
    context_window: int
    url_tlds: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    code_symbols: str
    units: str
    courier_prefixes: tuple[str, ...] = ()
    part_links: tuple[str, ...] = ()  # words between the parts of a number given in pieces
    part_positions: tuple[str, ...] = ()  # words naming a piece's place (后面, 尾号, 剩下)
    numeral_words: tuple[str, ...] = ()  # words whose numerals are no digits (二维码, 一下)
    spoken_digits: tuple[tuple[str, str], ...] = ()  # ("yao", "1"): digits said in words
    disguise: DisguiseRules = DisguiseRules()  # `[disguise]`: a dot or @ written as a word


@dataclass(frozen=True)
class Messages:
    """Texts agents read: the penalty warning, the reminder, reasons."""

    block_warning: str
    warn_reminder: str
    category_labels: dict[str, str]
    reasons: dict[str, str]


@dataclass(frozen=True)
class Lexicon:
    groups: tuple[TermGroup, ...]
    allow: tuple[str, ...]
    context: dict[str, ContextRule]
    negation: tuple[str, ...]
    negation_after: tuple[str, ...]
    negation_anywhere: tuple[str, ...]
    negation_window: int
    negation_after_window: int
    symbols: dict[str, str]
    numeral_extras: dict[str, str]
    boundaries: str
    numbers: NumberRules
    messages: Messages
    # soft cues (不方便) negate only the guidance verb they stand right before;
    # excuses (说话不方便) are no refusal at all
    negation_soft: tuple[str, ...] = ()
    negation_excuses: tuple[str, ...] = ()
    # refusals of a verb (不走, 不用): only right before the term or its one guidance word
    negation_verbs: tuple[str, ...] = ()
    # words after such a refusal that make it a condition (不加微信的话…)
    negation_conditions: tuple[str, ...] = ()
    concepts: tuple[Concept, ...] = ()
    rules: tuple[Rule, ...] = ()
    # a character → the ways of writing it split into components (信 → 亻言)
    components: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # an emoji → the syllable it stands for inside an app's name (🐱 → 猫: 天🐱)
    syllables: dict[str, str] = field(default_factory=dict)
    fingerprint: str = field(default="", compare=False)


def builtin_dir() -> Path:
    """The built-in lexicons: inside the installed package, or the source tree."""
    packaged = resources.files("guard") / "lexicons"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "lexicons"


def _strings(src: TomlFile, value: Any, where: tuple[str, int, str]) -> tuple[str, ...]:
    header, index, key = where
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise src.error(src.line_of(header, index, key), f"'{key}' must be a list of strings")
    empty = [v for v in value if not v.strip()]
    if empty:
        raise src.error(src.line_of(header, index, key), f"'{key}' holds an empty string")
    return tuple(value)


def _str(src: TomlFile, table: dict[str, Any], key: str, where: tuple[str, int]) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        line = src.line_of(where[0], where[1], key if key in table else None)
        raise src.error(line, f"'{key}' must be a non-empty string")
    return value


def _int(src: TomlFile, table: dict[str, Any], key: str, where: tuple[str, int],
         default: int) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 50:
        raise src.error(src.line_of(where[0], where[1], key), f"'{key}' must be 1..50")
    return value


# --------------------------------------------------------------------------- sections

_CONTEXT_LISTS = ("before", "after", "near_before", "near_after")
_KNOWN_SECTIONS = {"format", "group", "allow", "context", "negation", "normalize", "numbers",
                   "messages", "concept", "rule", "disguise"}
_DISGUISE_LISTS = ("dot", "at", "bracketed", "swap_leads", "swap_verbs", "swap_targets")
_SECTION_KEYS = {
    "numbers": {"phone_context", "landline_context", "bank_context", "not_contact_context",
                "account_fillers", "bank_prefixes", "url_tlds", "allowed_domains",
                "courier_prefixes", "part_links", "part_positions", "numeral_words",
                "context_window", "code_symbols", "units", "spoken_digits"},
    "messages": {"block_warning", "warn_reminder", "category_labels", "reasons"},
}
# The lexicon file format this version reads (`format = 1` at the top of a file).
FORMAT = 1


class _Builder:
    """Accumulates sections from several files, in order, then freezes."""

    def __init__(self) -> None:
        self.groups: dict[str, TermGroup] = {}
        self.allow: list[str] = []
        self.context: dict[str, ContextRule] = {}
        self.negation: list[str] = []
        self.negation_after: list[str] = []
        self.negation_anywhere: list[str] = []
        self.negation_soft: list[str] = []
        self.negation_excuses: list[str] = []
        self.negation_verbs: list[str] = []
        self.negation_conditions: list[str] = []
        self.negation_window = 3
        self.negation_after_window = 6
        self.symbols: dict[str, str] = {}
        self.syllables: dict[str, str] = {}
        self.components: dict[str, tuple[str, ...]] = {}
        self.numeral_extras: dict[str, str] = {}
        self.boundaries = ""
        self.numbers: dict[str, Any] = {}
        self.disguise: dict[str, list[str]] = {key: [] for key in _DISGUISE_LISTS}
        self.disguise_symbols: dict[str, str] = {}
        self.messages: dict[str, Any] = {}
        self.digests: list[str] = []
        self.sources: dict[str, TomlFile] = {}
        self.concepts: dict[str, Concept] = {}
        self.rules: dict[str, Rule] = {}
        self.rule_sources: dict[str, TomlFile] = {}

    def add_file(self, path: Path) -> None:
        src = TomlFile(path)
        self.digests.append(f"{path.name}:{src.digest}")
        for key in src.data:
            if key not in _KNOWN_SECTIONS:
                line = src.line_of(f"[{key}]") if f"[{key}]" in src.text else _key_line(src, key)
                raise src.error(line, f"unknown section '{key}' "
                                f"(known: {', '.join(sorted(_KNOWN_SECTIONS))})")
        version = src.data.get("format", FORMAT)
        if version != FORMAT:
            raise src.error(_key_line(src, "format"),
                            f"format {version!r} is not one this guard reads (format = {FORMAT})")
        for index, table in enumerate(_table_list(src, "group")):
            self._add_group(src, index, table)
        for index, table in enumerate(_table_list(src, "concept")):
            concept = parse_concept(src, index, table)
            known_concept = self.concepts.get(concept.id)
            if known_concept is not None:  # a merchant extends a built-in concept
                concept = replace(known_concept, terms=tuple(dict.fromkeys(
                    known_concept.terms + concept.terms)))
            self.concepts[concept.id] = concept
        for index, table in enumerate(_table_list(src, "rule")):
            rule = parse_rule(src, index, table)
            self.rules[rule.id] = rule
            self.rule_sources[rule.id] = src
        for index, table in enumerate(_table_list(src, "allow")):
            where = ("[[allow]]", index, "phrases")
            if not isinstance(table, dict):
                raise src.error(src.line_of("[[allow]]", index), "an [[allow]] must be a table")
            unknown = sorted(set(table) - {"phrases", "note"})
            if unknown:
                raise src.error(src.line_of("[[allow]]", index, unknown[0]),
                                f"unknown key '{unknown[0]}' in [[allow]] (known: note, phrases)")
            self.allow.extend(_strings(src, table.get("phrases"), where))
        self._add_context(src)
        self._add_negation(src)
        self._add_normalize(src)
        self._add_disguise(src)
        for section, target in (("numbers", self.numbers), ("messages", self.messages)):
            value = _section(src, section, _SECTION_KEYS[section])
            if value is not None:
                target.update(value)
                self.sources[section] = src

    def _add_group(self, src: TomlFile, index: int, table: dict[str, Any]) -> None:
        where = ("[[group]]", index)
        line = src.line_of("[[group]]", index)
        if not isinstance(table, dict):
            raise src.error(line, "a [[group]] must be a table")
        unknown = set(table) - {"id", "label", "category", "pinyin", "initials",
                                "whole_token", "refusable", "note", *TERM_KINDS}
        if unknown:
            bad = sorted(unknown)[0]
            raise src.error(src.line_of("[[group]]", index, bad), f"unknown key '{bad}'")
        group_id = _str(src, table, "id", where)
        lists = {kind: _strings(src, table.get(kind, []), ("[[group]]", index, kind))
                 for kind in TERM_KINDS}
        known = self.groups.get(group_id)
        if known is not None:  # a merchant extends a built-in group
            self.groups[group_id] = replace(
                known, **{kind: getattr(known, kind) + lists[kind] for kind in TERM_KINDS})
            return
        category = _str(src, table, "category", where)
        if category not in CATEGORIES:
            raise src.error(src.line_of("[[group]]", index, "category"),
                            f"unknown category '{category}' (known: {', '.join(CATEGORIES)})")
        if not any(lists.values()):
            raise src.error(line, f"group '{group_id}' has no terms "
                            f"(give at least one of {', '.join(TERM_KINDS)})")
        generated = {}
        for key in ("pinyin", "initials"):
            value = table.get(key, "none")
            if value not in GENERATED_KINDS:
                raise src.error(src.line_of("[[group]]", index, key),
                                f"'{key}' must be one of {', '.join(GENERATED_KINDS)}")
            generated[key] = value
        flags = {}
        for key in ("whole_token", "refusable"):
            flags[key] = table.get(key, False)
            if not isinstance(flags[key], bool):
                raise src.error(src.line_of("[[group]]", index, key),
                                f"'{key}' must be true or false")
        self.groups[group_id] = TermGroup(
            id=group_id,
            label=_str(src, table, "label", where),
            category=category,
            **flags,
            source=f"{src.path}:{line}",
            **lists,
            **generated,
        )

    def _add_context(self, src: TomlFile) -> None:
        context = src.data.get("context", {})
        if not isinstance(context, dict):
            raise src.error(_key_line(src, "context"), "'context' must be a table")
        for category, table in context.items():
            header = f"[context.{category}]"
            line = src.line_of(header)
            if category not in CATEGORIES:
                raise src.error(line, f"unknown category '{category}' in {header}")
            if not isinstance(table, dict):
                raise src.error(line, f"{header} must be a table")
            unknown = set(table) - {"window", *_CONTEXT_LISTS}
            if unknown:
                bad = sorted(unknown)[0]
                raise src.error(src.line_of(header, 0, bad), f"unknown key '{bad}'")
            lists = {key: _strings(src, table.get(key, []), (header, 0, key))
                     for key in _CONTEXT_LISTS}
            known = self.context.get(category)
            window = _int(src, table, "window", (header, 0), known.window if known else 6)
            if known is not None:
                lists = {key: getattr(known, key) + lists[key] for key in _CONTEXT_LISTS}
            self.context[category] = ContextRule(category, window=window, **lists)

    def _add_negation(self, src: TomlFile) -> None:
        table = _section(src, "negation", {"cues", "after", "anywhere", "soft", "excuses",
                                           "verbs", "conditions", "window", "after_window"})
        if table is None:
            return
        self.negation.extend(_strings(src, table.get("cues", []), ("[negation]", 0, "cues")))
        self.negation_after.extend(
            _strings(src, table.get("after", []), ("[negation]", 0, "after")))
        self.negation_anywhere.extend(
            _strings(src, table.get("anywhere", []), ("[negation]", 0, "anywhere")))
        self.negation_soft.extend(
            _strings(src, table.get("soft", []), ("[negation]", 0, "soft")))
        self.negation_excuses.extend(
            _strings(src, table.get("excuses", []), ("[negation]", 0, "excuses")))
        self.negation_verbs.extend(
            _strings(src, table.get("verbs", []), ("[negation]", 0, "verbs")))
        self.negation_conditions.extend(
            _strings(src, table.get("conditions", []), ("[negation]", 0, "conditions")))
        self.negation_window = _int(src, table, "window", ("[negation]", 0),
                                    self.negation_window)
        self.negation_after_window = _int(src, table, "after_window", ("[negation]", 0),
                                          self.negation_after_window)

    def _add_normalize(self, src: TomlFile) -> None:
        table = _section(src, "normalize", {"symbols", "syllables", "numerals",
                                            "clause_boundaries", "components"})
        if table is None:
            return
        self._add_components(src, table.get("components", {}))
        for key in ("symbols", "syllables", "numerals"):
            mapping = table.get(key, {})
            line = src.line_of(f"[normalize.{key}]")
            if not isinstance(mapping, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and k for k, v in mapping.items()
            ):
                raise src.error(line, f"[normalize.{key}] must map strings to strings")
            if key == "numerals":
                bad = [k for k, v in mapping.items() if len(k) != 1 or not v.isdigit()]
                if bad:
                    raise src.error(line, f"numeral '{bad[0]}' must be one character → a digit")
                self.numeral_extras.update(mapping)
            else:
                bad = [k for k in mapping if len(k) != 1]
                if bad:
                    raise src.error(line, f"symbol '{bad[0]}' must be a single character")
                (self.symbols if key == "symbols" else self.syllables).update(mapping)
        boundaries = table.get("clause_boundaries")
        if boundaries is not None:
            if not isinstance(boundaries, str):
                raise src.error(src.line_of("[normalize]", 0, "clause_boundaries"),
                                "'clause_boundaries' must be a string")
            self.boundaries += boundaries

    def _add_disguise(self, src: TomlFile) -> None:
        """[disguise]: lists add to the built-in ones, [disguise.symbols] names too."""
        table = _section(src, "disguise", {*_DISGUISE_LISTS, "symbols"})
        if table is None:
            return
        for key in _DISGUISE_LISTS:
            self.disguise[key].extend(
                _strings(src, table.get(key, []), ("[disguise]", 0, key)))
        symbols = table.get("symbols", {})
        if not isinstance(symbols, dict) or not all(
                isinstance(name, str) and name.strip() and isinstance(chars, str) and chars
                for name, chars in symbols.items()):
            raise src.error(src.line_of("[disguise.symbols]", default=_key_line(src, "symbols")),
                            "[disguise.symbols] must map a symbol's name to its characters")
        self.disguise_symbols.update((name.casefold(), chars) for name, chars in symbols.items())
        # what is read in brackets or swapped to must be a dot or an @ (a word of the lists)
        words = {word.casefold() for word in (*self.disguise["dot"], *self.disguise["at"])}
        for key, allowed in (("bracketed", words), ("swap_targets", words | {".", "@"})):
            stray = [w for w in table.get(key, []) if w.casefold() not in allowed]
            if stray:
                raise src.error(src.line_of("[disguise]", 0, key),
                                f"[disguise] {key}: '{stray[0]}' is no word of 'dot' or 'at'"
                                + (" (nor '.' or '@')" if key == "swap_targets" else ""))

    def _add_components(self, src: TomlFile, mapping: Any) -> None:
        """[normalize.components]: 信 = ["亻言"] — a character written as its parts."""
        line = src.line_of("[normalize.components]")
        if not isinstance(mapping, dict):
            raise src.error(line, "[normalize.components] must map characters to lists of strings")
        for char, splits in mapping.items():
            if isinstance(splits, str):
                splits = [splits]
            if (len(char) != 1 or not isinstance(splits, list)
                    or not all(isinstance(s, str) and len(s) >= 2 for s in splits)):
                raise src.error(line, f"component '{char}' must be one character → a list of "
                                "spellings of two characters or more")
            known = self.components.get(char, ())
            self.components[char] = tuple(dict.fromkeys((*known, *splits)))

    def freeze(self, recognizer_rules: Iterable[str] = ()) -> Lexicon:
        check_references(self.rules, self.concepts, {*self.groups, *recognizer_rules},
                         self.rule_sources)
        return Lexicon(
            groups=tuple(self.groups.values()),
            allow=tuple(dict.fromkeys(self.allow)),
            context=dict(self.context),
            negation=tuple(dict.fromkeys(self.negation)),
            negation_after=tuple(dict.fromkeys(self.negation_after)),
            negation_anywhere=tuple(dict.fromkeys(self.negation_anywhere)),
            negation_window=self.negation_window,
            negation_after_window=self.negation_after_window,
            symbols=dict(self.symbols),
            syllables=dict(self.syllables),
            components=dict(self.components),
            numeral_extras=dict(self.numeral_extras),
            boundaries=self.boundaries,
            numbers=self._numbers(),
            messages=self._messages(),
            negation_soft=tuple(dict.fromkeys(self.negation_soft)),
            negation_excuses=tuple(dict.fromkeys(self.negation_excuses)),
            negation_verbs=tuple(dict.fromkeys(self.negation_verbs)),
            negation_conditions=tuple(dict.fromkeys(self.negation_conditions)),
            concepts=tuple(self.concepts.values()),
            rules=tuple(self.rules.values()),
            fingerprint=hashlib.sha256("\n".join(self.digests).encode()).hexdigest(),
        )

    def _numbers(self) -> NumberRules:
        src = self.sources.get("numbers")
        if src is None:
            raise LexiconError("lexicons: no [numbers] section in any file")
        data = self.numbers
        lists = {}
        for key in ("phone_context", "landline_context", "bank_context", "not_contact_context",
                    "account_fillers", "bank_prefixes", "url_tlds", "allowed_domains",
                    "courier_prefixes", "part_links", "part_positions", "numeral_words"):
            lists[key] = _strings(src, data.get(key, []), ("[numbers]", 0, key))
        return NumberRules(
            context_window=_int(src, data, "context_window", ("[numbers]", 0), 8),
            spoken_digits=_spoken_digits(src, data.get("spoken_digits", {})),
            disguise=DisguiseRules(
                **{key: tuple(dict.fromkeys(self.disguise[key])) for key in _DISGUISE_LISTS},
                symbols=tuple(self.disguise_symbols.items())),
            code_symbols=_str(src, data, "code_symbols", ("[numbers]", 0)),
            units=_str(src, data, "units", ("[numbers]", 0)),
            **lists,
        )

    def _messages(self) -> Messages:
        src = self.sources.get("messages")
        if src is None:
            raise LexiconError("lexicons: no [messages] section in any file")
        data = self.messages
        labels = data.get("category_labels", {})
        reasons = data.get("reasons", {})
        for name, mapping in (("category_labels", labels), ("reasons", reasons)):
            if not isinstance(mapping, dict) or not all(
                isinstance(v, str) for v in mapping.values()
            ):
                raise src.error(src.line_of(f"[messages.{name}]"),
                                f"[messages.{name}] must map names to strings")
        missing = [c for c in CATEGORIES if c not in labels]
        if missing:
            raise src.error(src.line_of("[messages.category_labels]"),
                            f"no label for category '{missing[0]}'")
        return Messages(
            block_warning=_str(src, data, "block_warning", ("[messages]", 0)),
            warn_reminder=_str(src, data, "warn_reminder", ("[messages]", 0)),
            category_labels=dict(labels),
            reasons=dict(reasons),
        )


def _section(src: TomlFile, name: str, known: set[str]) -> dict[str, Any] | None:
    """The table `[name]` of a file (None where it has none), its keys checked: a key
    this guard does not know (a typo) fails with the file and line."""
    table = src.data.get(name)
    if table is None:
        return None
    if not isinstance(table, dict):
        raise src.error(_key_line(src, name), f"'{name}' must be a table")
    unknown = sorted(set(table) - known)
    if unknown:
        raise src.error(src.line_of(f"[{name}]", 0, unknown[0],
                                    default=_key_line(src, unknown[0])),
                        f"unknown key '{unknown[0]}' in [{name}] "
                        f"(known: {', '.join(sorted(known))})")
    return table


def _table_list(src: TomlFile, key: str) -> list[Any]:
    value = src.data.get(key, [])
    if not isinstance(value, list):
        raise src.error(_key_line(src, key), f"'{key}' must be written as [[{key}]] tables")
    return value


_SPOKEN_WORD = re.compile(r"[a-z]{2,}")


def _spoken_digits(src: TomlFile, table: Any) -> tuple[tuple[str, str], ...]:
    """[numbers.spoken_digits]: yao = "1" — a word of two Latin letters or more → a digit."""
    line = src.line_of("[numbers.spoken_digits]")
    if not isinstance(table, dict):
        raise src.error(line, "[numbers.spoken_digits] must map words to digits")
    for word, digit in table.items():
        if not _SPOKEN_WORD.fullmatch(word) or not (
                isinstance(digit, str) and len(digit) == 1 and digit in "0123456789"):
            raise src.error(src.line_of("[numbers.spoken_digits]", 0, word),
                            f"[numbers.spoken_digits] {word!r}: a lower-case Latin word of "
                            "two letters or more must map to one digit (\"0\"..\"9\")")
    return tuple(table.items())


def _key_line(src: TomlFile, key: str) -> int:
    pattern = re.compile(r"^\s*\[*\s*" + re.escape(key) + r"\b")
    for number, line in enumerate(src.lines, 1):
        if pattern.match(line):
            return number
    return 1


def lexicon_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise LexiconError(f"{directory}: lexicon folder not found")
    return sorted(p for p in directory.glob("*.toml") if p.is_file())


def load_lexicon(extra_dirs: Iterable[str | Path] = (),
                 builtin: str | Path | None = None) -> Lexicon:
    """The built-in lexicon plus each merchant folder, in order.

    `builtin`: a copy of the built-in folder to read instead (a Spark
    executor reads the driver's copy, shipped to it: guard/spark/ship.py).
    """
    builder = _Builder()
    for path in lexicon_files(builtin_dir() if builtin is None else Path(builtin)):
        builder.add_file(path)
    for directory in extra_dirs:
        files = lexicon_files(Path(directory))
        if not files:
            raise LexiconError(f"{directory}: no .toml lexicon files in this folder "
                               "(a lexicon is a .toml file; see lexicons/ for examples)")
        for path in files:
            builder.add_file(path)
    from guard.recognizers import RULE_NAMES

    return builder.freeze(RULE_NAMES)
