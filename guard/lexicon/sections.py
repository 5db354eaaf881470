"""Each section of a lexicon file read and validated into values (model.py).

One function per section: `[[group]]`, `[[allow]]`, `[context.*]`,
`[negation]`, `[normalize]`, `[disguise]`, `[messages]`, `[privacy]`
(`[numbers]` is numbers.py's). Each rejects what it does not know with
`file:line` (the schema helpers are guard/tomlfile.py's); merging a
merchant's file onto the built-in one is builder.py's. (`[[concept]]` and
`[[rule]]`, the rule language, are guard/rules.py's.)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from guard.lexicon.model import (
    GENERATED_KINDS,
    TERM_KINDS,
    ContextRule,
    Messages,
    PrivacyRules,
    TermGroup,
)
from guard.rules import spell_out
from guard.tomlfile import (
    LexiconError,
    TomlFile,
    key_line,
    nonempty_string,
    section,
    small_int,
    strings,
)
from guard.verdict import CATEGORIES

CONTEXT_LISTS = ("before", "after", "near_before", "near_after")
DISGUISE_LISTS = ("dot", "at", "bracketed", "swap_leads", "swap_verbs", "swap_targets",
                  "reverse_cues", "lookalike_dots")
# `[negation]`'s lists, by key (cues: the Lexicon's `negation`; the others `negation_<key>`)
NEGATION_LISTS = ("cues", "after", "anywhere", "soft", "excuses", "questions", "verbs",
                  "conditions", "list_joins", "list_fillers", "list_ends", "closings",
                  "place_words")
MESSAGE_KEYS = {"block_warning", "warn_reminder", "category_labels", "reasons"}
PRIVACY_LISTS = ("house_units", "street_words", "province_suffixes", "city_suffixes",
                 "district_suffixes", "recipient_cues", "self_cues")
PRIVACY_CHARS = ("surnames", "name_stops")
# `[privacy.buyer_number]`'s lists: PrivacyRules' `buyer_<key>`
BUYER_NUMBER_LISTS = ("owners", "links", "kinds", "names", "fillers")


def parse_group(src: TomlFile, index: int, table: Any,
                known: dict[str, TermGroup]) -> TermGroup:
    """The index-th `[[group]]`; where a group of its id is `known` (loaded before),
    that group with this one's terms added."""
    where = ("[[group]]", index)
    line = src.line_of("[[group]]", index)
    if not isinstance(table, dict):
        raise src.error(line, "a [[group]] must be a table")
    unknown = set(table) - {"id", "label", "category", "pinyin", "initials",
                            "whole_token", "refusable", "note", *TERM_KINDS}
    if unknown:
        bad = sorted(unknown)[0]
        raise src.error(src.line_of("[[group]]", index, bad), f"unknown key '{bad}'")
    group_id = nonempty_string(src, table, "id", where)
    lists = {kind: strings(src, table.get(kind, []), ("[[group]]", index, kind))
             for kind in TERM_KINDS}
    before = known.get(group_id)
    if before is not None:  # a merchant extends a built-in group
        return replace(before, **{kind: getattr(before, kind) + lists[kind]
                                  for kind in TERM_KINDS})
    category = nonempty_string(src, table, "category", where)
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
    return TermGroup(
        id=group_id,
        label=nonempty_string(src, table, "label", where),
        category=category,
        **flags,
        source=f"{src.path}:{line}",
        **lists,
        **generated,
    )


def parse_allow(src: TomlFile, index: int, table: Any) -> tuple[str, ...]:
    """The phrases of the index-th `[[allow]]`."""
    if not isinstance(table, dict):
        raise src.error(src.line_of("[[allow]]", index), "an [[allow]] must be a table")
    unknown = sorted(set(table) - {"phrases", "note"})
    if unknown:
        raise src.error(src.line_of("[[allow]]", index, unknown[0]),
                        f"unknown key '{unknown[0]}' in [[allow]] (known: note, phrases)")
    where = ("[[allow]]", index, "phrases")
    phrases = strings(src, table.get("phrases"), where)
    if not any("(" in phrase or ")" in phrase for phrase in phrases):
        return phrases
    # written like concept terms: "(a|b|)" spells out alternatives
    line = src.line_of(*where)
    return tuple(dict.fromkeys(spelling for phrase in phrases
                               for spelling in spell_out(src, line, phrase)))


def parse_context(src: TomlFile, known: dict[str, ContextRule]) -> dict[str, ContextRule]:
    """The file's `[context.<category>]` tables, each added to the `known` one of its
    category (a window given again replaces it)."""
    context = src.data.get("context", {})
    if not isinstance(context, dict):
        raise src.error(key_line(src, "context"), "'context' must be a table")
    found: dict[str, ContextRule] = {}
    for category, table in context.items():
        header = f"[context.{category}]"
        line = src.line_of(header)
        if category not in CATEGORIES:
            raise src.error(line, f"unknown category '{category}' in {header}")
        if not isinstance(table, dict):
            raise src.error(line, f"{header} must be a table")
        unknown = set(table) - {"window", *CONTEXT_LISTS}
        if unknown:
            bad = sorted(unknown)[0]
            raise src.error(src.line_of(header, 0, bad), f"unknown key '{bad}'")
        lists = {key: strings(src, table.get(key, []), (header, 0, key))
                 for key in CONTEXT_LISTS}
        before = known.get(category)
        window = small_int(src, table, "window", (header, 0), before.window if before else 6)
        if before is not None:
            lists = {key: getattr(before, key) + lists[key] for key in CONTEXT_LISTS}
        found[category] = ContextRule(category, window=window, **lists)
    return found


@dataclass(frozen=True)
class Negation:
    """A file's `[negation]`: its lists (by key, NEGATION_LISTS) and the two windows."""

    lists: dict[str, tuple[str, ...]]
    window: int
    after_window: int


def parse_negation(src: TomlFile, window: int, after_window: int) -> Negation | None:
    """The file's `[negation]` (None where it has none); the windows default to the
    ones loaded before."""
    table = section(src, "negation", {*NEGATION_LISTS, "window", "after_window"})
    if table is None:
        return None
    lists = {key: strings(src, table.get(key, []), ("[negation]", 0, key))
             for key in NEGATION_LISTS}
    return Negation(lists, small_int(src, table, "window", ("[negation]", 0), window),
                    small_int(src, table, "after_window", ("[negation]", 0), after_window))


@dataclass(frozen=True)
class Normalize:
    """A file's `[normalize]`: one-character mappings, components, clause boundaries."""

    symbols: dict[str, str]
    syllables: dict[str, str]
    numerals: dict[str, str]
    components: dict[str, tuple[str, ...]]
    boundaries: str


def parse_normalize(src: TomlFile) -> Normalize | None:
    """The file's `[normalize]` (None where it has none)."""
    table = section(src, "normalize", {"symbols", "syllables", "numerals",
                                       "clause_boundaries", "components"})
    if table is None:
        return None
    components = _components(src, table.get("components", {}))
    mappings: dict[str, dict[str, str]] = {}
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
        else:
            bad = [k for k in mapping if len(k) != 1]
            if bad:
                raise src.error(line, f"symbol '{bad[0]}' must be a single character")
        mappings[key] = mapping
    boundaries = table.get("clause_boundaries", "")
    if not isinstance(boundaries, str):
        raise src.error(src.line_of("[normalize]", 0, "clause_boundaries"),
                        "'clause_boundaries' must be a string")
    return Normalize(**mappings, components=components, boundaries=boundaries)


def _components(src: TomlFile, mapping: Any) -> dict[str, tuple[str, ...]]:
    """[normalize.components]: 信 = ["亻言"] — a character written as its parts."""
    line = src.line_of("[normalize.components]")
    if not isinstance(mapping, dict):
        raise src.error(line, "[normalize.components] must map characters to lists of strings")
    found: dict[str, tuple[str, ...]] = {}
    for char, splits in mapping.items():
        if isinstance(splits, str):
            splits = [splits]
        if (len(char) != 1 or not isinstance(splits, list)
                or not all(isinstance(s, str) and len(s) >= 2 for s in splits)):
            raise src.error(line, f"component '{char}' must be one character → a list of "
                            "spellings of two characters or more")
        found[char] = tuple(splits)
    return found


@dataclass(frozen=True)
class Disguise:
    """A file's `[disguise]`: its lists (by key, DISGUISE_LISTS) and symbols' names."""

    lists: dict[str, tuple[str, ...]]
    symbols: dict[str, str]  # a symbol's name (case-folded) → its characters


def parse_disguise(src: TomlFile, known: dict[str, list[str]]) -> Disguise | None:
    """The file's `[disguise]` (None where it has none). `known`: the lists loaded
    before: what is read in brackets or swapped to must be a word of theirs or this
    file's `dot` or `at`."""
    table = section(src, "disguise", {*DISGUISE_LISTS, "symbols"})
    if table is None:
        return None
    lists = {key: strings(src, table.get(key, []), ("[disguise]", 0, key))
             for key in DISGUISE_LISTS}
    symbols = table.get("symbols", {})
    if not isinstance(symbols, dict) or not all(
            isinstance(name, str) and name.strip() and isinstance(chars, str) and chars
            for name, chars in symbols.items()):
        raise src.error(src.line_of("[disguise.symbols]", default=key_line(src, "symbols")),
                        "[disguise.symbols] must map a symbol's name to its characters")
    words = {word.casefold() for key in ("dot", "at") for word in (*known[key], *lists[key])}
    for key in ("bracketed", "swap_targets"):
        stray = [w for w in lists[key] if w.casefold() not in words | {".", "@"}]
        if stray:
            raise src.error(src.line_of("[disguise]", 0, key),
                            f"[disguise] {key}: '{stray[0]}' is no word of 'dot' or 'at'"
                            " (nor '.' or '@')")
    return Disguise(lists, {name.casefold(): chars for name, chars in symbols.items()})


def messages(src: TomlFile | None, data: dict[str, Any]) -> Messages:
    """`[messages]` as merged from every file (`src`: the last file that had one)."""
    if src is None:
        raise LexiconError("lexicons: no [messages] section in any file")
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
        block_warning=nonempty_string(src, data, "block_warning", ("[messages]", 0)),
        warn_reminder=nonempty_string(src, data, "warn_reminder", ("[messages]", 0)),
        category_labels=dict(labels),
        reasons=dict(reasons),
    )


def parse_privacy(src: TomlFile) -> dict[str, Any] | None:
    """The file's `[privacy]` (None where it has none): each list and string by its
    PrivacyRules name, `address_reach` if given."""
    table = section(src, "privacy", {*PRIVACY_LISTS, *PRIVACY_CHARS, "address_reach",
                                     "buyer_number"})
    if table is None:
        return None
    found: dict[str, Any] = {key: strings(src, table.get(key, []), ("[privacy]", 0, key))
                             for key in PRIVACY_LISTS}
    for key in PRIVACY_CHARS:
        value = table.get(key, "")
        if not isinstance(value, str) or any(char.isspace() for char in value):
            raise src.error(src.line_of("[privacy]", 0, key),
                            f"'{key}' must be a string of characters (no spaces)")
        found[key] = value
    if "address_reach" in table:
        found["address_reach"] = small_int(src, table, "address_reach", ("[privacy]", 0), 24)
    buyer = table.get("buyer_number", {})
    header = "[privacy.buyer_number]"
    if not isinstance(buyer, dict):
        raise src.error(src.line_of(header, default=key_line(src, "buyer_number")),
                        f"{header} must be a table")
    unknown = sorted(set(buyer) - set(BUYER_NUMBER_LISTS))
    if unknown:
        raise src.error(src.line_of(header, 0, unknown[0]),
                        f"unknown key '{unknown[0]}' in {header} "
                        f"(known: {', '.join(sorted(BUYER_NUMBER_LISTS))})")
    for key in BUYER_NUMBER_LISTS:
        found[f"buyer_{key}"] = strings(src, buyer.get(key, []), (header, 0, key))
    return found


def privacy_rules(src: TomlFile | None, data: dict[str, Any]) -> PrivacyRules:
    """`[privacy]` as merged from every file (`src`: the last file that had one)."""
    if src is None:
        raise LexiconError("lexicons: no [privacy] section in any file")
    return PrivacyRules(**data)
