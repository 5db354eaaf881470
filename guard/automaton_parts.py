"""Parts of the compiled automatons: the order of their root's children (the commonest
characters first) and the gate (the rules' other `all` concepts, asked before the context
pass). compiled.py assembles them; the results are pickled with it.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from typing import Any

import ahocorasick

from guard.lexicon import Lexicon, builtin_dir
from guard.normalize import PLACEHOLDER, Tables, normalize, normalize_term
from guard.variants import concept_spellings

# A character the dense view never holds (with_alphabet makes it the placeholder):
# a word ending in it is never found (see compiled.compile_lexicon).
NEVER = "\x03"


def gate_automaton(lexicon: Lexicon, tables: Tables, anchors: set[str],
                    shared: Any, letters: list[str]) -> tuple[Any, frozenset[str]]:
    """The words of the concepts a reporting rule needs besides its anchor (`all`'s
    others), in an automaton of their own: with the anchors (keyword pass) they say
    which rules' `all` concepts a message holds, before any context pass.

    A concept with a one-character word (款, 付) would be found in most messages:
    it is left out, and taken to be present (it gates nothing). Returns the
    automaton and the concepts whose presence it and the anchors tell."""
    needed = {name for rule in lexicon.rules if rule.effect == "report"
              for name in rule.all[1:]} - anchors
    words: dict[str, set[str]] = {}
    for concept in lexicon.concepts:
        if concept.id not in needed:
            continue
        keys = [key for key in (normalize_term(term, tables)
                                for term in concept_spellings(concept)) if key]
        if min(map(len, keys), default=1) < 2:
            needed.discard(concept.id)
            continue
        for key in keys:
            words.setdefault(key, set()).add(concept.id)
    gate = ahocorasick.Automaton()
    for letter in letters:  # the root's children, commonest first (see compile_lexicon)
        gate.add_word(letter + NEVER, ())
    for key in sorted(words):
        gate.add_word(key, shared(tuple(sorted(words[key]))))
    gate.make_automaton()
    return gate, frozenset(anchors | needed)


def near_automaton(context_words: dict[str, set[tuple[str, str]]], shared: Any) -> Any:
    """The context words that can support a needs_context term (a `near_before` or
    `near_after` side), in an automaton of their own, each with those keys: one cheap
    pass tells whether such a word stands in reach of a term before the context pass
    is made (decide._supported_terms). Few words, few first characters: no root order."""
    near = ahocorasick.Automaton()
    for key in sorted(context_words):
        keys = frozenset((category, side) for category, side in context_words[key]
                         if side in NEAR_SIDES)
        if keys:
            near.add_word(key, shared((len(key), shared(keys))))
    if len(near) == 0:
        return None  # (an empty automaton cannot be searched): no gate, the pass decides
    near.make_automaton()
    return near


NEAR_SIDES = frozenset({"near_before", "near_after"})


def letters_by_use(tables: Tables, lexicon: Lexicon) -> list[str]:
    """Every character the dense view can hold, the commonest in agents' messages first.

    How common is told by the texts agents write that guard holds: the canned
    replies, the allow-listed phrases and the rules' examples (so the
    placeholder and digits lead, then 您, 的, 退…). It only orders the
    automatons' children: no result depends on it.
    """
    counts = Counter(normalize("".join(_agent_texts(lexicon)), tables))
    letters = set("".join(tables.dense.values())) | {PLACEHOLDER}
    return sorted(letters, key=lambda c: (c != PLACEHOLDER, not (c.isascii() and c.isdigit()),
                                          -counts[c], c))


def _agent_texts(lexicon: Lexicon) -> list[str]:
    texts = [*lexicon.allow, *(e for rule in lexicon.rules for e in rule.examples),
             *(e for rule in lexicon.rules for e in rule.not_examples)]
    try:
        with (builtin_dir() / "replies" / "templates.toml").open("rb") as handle:
            replies = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return texts

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "text" and isinstance(item, str):
                    texts.append(item)
                else:
                    collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(replies)
    return texts
