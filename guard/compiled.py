"""A `Lexicon` compiled for matching: tables, automatons and patterns.

Compiling costs seconds (pinyin spellings, the Unicode tables, the tokenizer's
crossing words); guard/compiled_cache.py keeps the result on disk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import ahocorasick

from guard.automaton_parts import NEVER, gate_automaton, letters_by_use, near_automaton
from guard.deferred import Deferred, fields_state
from guard.lexicon import Lexicon, LexiconError
from guard.normalize import (
    Tables,
    build_tables,
    normalize_term,
    with_alphabet,
)
from guard.recognizers.numbers import numeral_words
from guard.rulematch import RuleIndex
from guard.variants import (
    LENIENCY,
    concept_spellings,
    doubled_spellings,
    group_spellings,
    infixed_spellings,
)

# What a context word is, as bits of its automaton value (see CompiledLexicon.context).
CONTEXT_EXCUSE = 1  # ("", "excuse"): a phrase whose refusal cue refuses nothing (说话不方便)
CONTEXT_ANYWHERE = 2  # ("", "negation_anywhere"): the whole message warns about scams
CONTEXT_CUE = 4  # ("", "negation" | "negation_after" | "negation_soft" | "negation_verb")
CONTEXT_LATIN = 8  # ASCII letters or digits only: as a concept word, it needs word edges
_CONTEXT_FLAGS = {"excuse": CONTEXT_EXCUSE, "negation_anywhere": CONTEXT_ANYWHERE,
                  "negation": CONTEXT_CUE, "negation_after": CONTEXT_CUE,
                  "negation_soft": CONTEXT_CUE, "negation_verb": CONTEXT_CUE}


class TermEntry(NamedTuple):
    """What one matched spelling means (a named tuple: ~26,000 of them are read from
    the cache at every cold start, and a tuple loads in half the time of a frozen
    dataclass)."""

    group: int  # index into Lexicon.groups (Lexicon.concepts for a concept)
    kind: str  # block | mention | needs_context | concept
    term: str  # the spelling as written (or generated)
    latin: bool  # ASCII letters: needs a word boundary on both sides
    # a name with a syllable twice (天猫猫): found only as a name followed by the
    # emoji of that syllable (天猫🐱), `[normalize.syllables]`
    doubled: bool = False
    # a name with a syllable put inside it (微猫信): found only where an emoji stands
    # there (微🐱信, the emoji as noise); the inserted part's [start, end) in the key
    infix: tuple[int, int] | None = None


@dataclass(frozen=True)
class CompiledLexicon:
    lexicon: Lexicon
    tables: Tables
    # ahocorasick.Automaton storing ints (`term_value`): dense key → its length, whether
    # it is an allow phrase, and where its entries are in `term_entries` (0: none). Ints
    # load from the cache in a tenth of the time of Python values, and a message
    # without a term hit never needs the entries at all.
    terms: Any
    # `term_entries`, made into ~33,000 TermEntry tuples only on the first hit
    term_entries_deferred: Deferred[tuple[tuple[TermEntry, ...], ...]]
    # `context`: only a message with a term hit (or a number) is scanned for context
    # words, so a start-up and a run of clean messages need not load it
    context_deferred: Deferred[Any]
    spellings: int  # number of distinct matched spellings (for reports)
    context_length: int  # the longest context word or cue
    # `crossings`: only the slow path asks it, so a start-up (and a run of clean
    # messages) does not pay the ≈ 25 ms of making its 80,000 objects
    crossings_deferred: Deferred[dict[str, tuple[tuple[str, int], ...]]]
    rule_index: RuleIndex  # the rule language's rules by the concepts that start them
    concept_ids: tuple[str, ...]  # TermEntry.group of a concept entry → the concept's id
    # how far a rule's words may stand from one another (the longest window plus
    # the longest concept word): the audit's shortcut reaches this far across messages
    rule_reach: int
    # the words whose numerals are no digits, as a pattern's source
    # (recognizers.numbers.numeral_words: ~30,000 terms looked through, made once here)
    numeral_words: str | None = None
    # ahocorasick.Automaton: dense key → the concept ids of the gate concepts (the
    # other `all` concepts of reporting rules, anchors apart) whose word it is; run
    # only where a message's hits are anchors alone (see decide.drop_unsupported)
    gate: Any = None
    # the concepts whose presence the keyword pass and the gate tell for sure (the
    # anchors and the gate's): every `all` concept of a reporting rule
    gated: frozenset[str] = frozenset()
    # ahocorasick.Automaton: dense key → (length, its near keys) of the context words
    # that can stand near a needs_context term (a hundred of the 27,000): asked before
    # the context pass, which a term with none of them in reach cannot need
    near: Any = None

    __getstate__ = fields_state

    @cached_property
    def term_entries(self) -> tuple[tuple[TermEntry, ...], ...]:
        """What each term spelling means, by the index its automaton value holds
        (`term_index`); index 0 is no entry (an allow phrase alone, a root-ordering key)."""
        return self.term_entries_deferred.value

    @cached_property
    def context(self) -> Any:
        """ahocorasick.Automaton: dense key → (length, keys, flags, concepts): keys a
        frozenset of (category, side), side being before | after | near_before |
        near_after, or, with category "", negation | negation_after |
        negation_anywhere | negation_soft | excuse; flags the CONTEXT_* bits those
        keys (and the key's own letters) set, so the slow path tests one int; concepts
        the ids of the rule language's concepts the word belongs to. Loaded on first need."""
        return self.context_deferred.value

    def preload(self) -> None:
        """Load what is otherwise loaded on first need (before worker processes fork,
        so that its pages are shared)."""
        _ = self.term_entries, self.context, self.crossings, self.tables.dense_marks

    @cached_property
    def crossings(self) -> dict[str, tuple[tuple[str, int], ...]]:
        """Tokenizer dictionary words that could cross the edge of a whole-token
        term, by the two characters they hold across it: bigram → ((word, k), …)
        with word[k-1:k+1] == bigram (confirm.word_crosses). Loaded on first need."""
        return self.crossings_deferred.value

    # Facts of the keys that only the audit's window shortcut asks (audit/fastpath.py),
    # made on first need and kept with this object: every Auditor of one Guard shares them.
    @cached_property
    def term_pairs(self) -> frozenset[str]:
        """Every two adjacent characters of a term's spelling."""
        return char_pairs(self._term_keys)

    @cached_property
    def longest_term(self) -> int:
        """The length of the longest term spelling that is not plain ASCII."""
        return max((len(key) for key in self._term_keys if not key.isascii()), default=0)

    @cached_property
    def context_pairs(self) -> frozenset[str]:
        """Every two adjacent characters of a context word, cue or concept word."""
        return char_pairs(self.context.keys())

    @cached_property
    def _term_keys(self) -> tuple[str, ...]:
        return tuple(key for key, value in self.terms.items() if value >> INDEX_SHIFT)


# A term automaton value, bit by bit: whether the key is an allow phrase (ALLOWED_BIT), its
# length (`(value >> 1) & LENGTH_MASK`), the index of its entries (`value >> INDEX_SHIFT`).
# scan_terms reads these with the operators themselves (no call per hit).
ALLOWED_BIT = 1
LENGTH_MASK = (1 << 12) - 1
INDEX_SHIFT = 13
MAX_TERM_LENGTH = LENGTH_MASK


def term_value(length: int, index: int, allowed: bool) -> int:
    """The int a term automaton stores for a key."""
    if length > LENGTH_MASK:
        raise ValueError(f"a term of {length} characters is longer than {LENGTH_MASK}")
    return (index << INDEX_SHIFT) | (length << 1) | (ALLOWED_BIT if allowed else 0)


def char_pairs(words: Iterable[str]) -> frozenset[str]:
    """Every pair of adjacent characters of the words."""
    return frozenset(word[i:i + 2] for word in words for i in range(len(word) - 1))


def _is_latin(key: str) -> bool:
    """ASCII letters or digits (vx, tb, 1688): such a term needs word edges."""
    return key.isascii() and key.isalnum()


def compile_lexicon(lexicon: Lexicon) -> CompiledLexicon:
    # an emoji read as a syllable is read so in every view; decide.py judges where it counts
    tables = build_tables({**lexicon.syllables, **lexicon.symbols}, lexicon.numeral_extras,
                          lexicon.boundaries)
    by_key: dict[str, list[TermEntry]] = {}
    syllables = frozenset(lexicon.syllables.values())
    infixes: list[tuple[str, TermEntry]] = []
    for index, group in enumerate(lexicon.groups):
        for term, (kind, written, is_written) in group_spellings(
                group, lexicon.components).items():
            key = normalize_term(term, tables)
            if not key:
                raise LexiconError(f"{group.source}: term '{term}' of group '{group.id}' "
                                   "is only spaces, punctuation or symbols")
            plain = TermEntry(index, kind, written, _is_latin(key))
            doubled = TermEntry(index, kind, written, False, doubled=True)
            doubles = doubled_spellings(key, syllables) if kind != "needs_context" else []
            if is_written and kind != "needs_context":
                infixes.extend((spelling, TermEntry(index, kind, written, False, infix=where))
                               for spelling, where in infixed_spellings(key, syllables))
            for spelling in (key, *doubles):
                entry = plain if spelling == key else doubled
                entries = by_key.setdefault(spelling, [])
                same_group = [e for e in entries if e.group == index]
                if same_group:
                    # e.g. 支付寶號 and 支付宝号: one spelling after normalization.
                    if LENIENCY[same_group[0].kind] <= LENIENCY[kind]:
                        continue
                    entries.remove(same_group[0])
                entries.append(entry)
    for spelling, entry in infixes:  # where no name or other spelling reads so already
        entries = by_key.setdefault(spelling, [])
        if all(e.infix is not None and e.group != entry.group for e in entries):
            entries.append(entry)
    # The rule language rides the two passes that exist: a reporting rule's
    # anchor (the first concept of `all`, or each of `any` / `of`) is a term of
    # the keyword automaton; every concept's words are in the context
    # automaton, scanned only once an anchor (or another term) was found. An
    # allow rule only lowers other findings: it needs no anchor.
    anchors = {name for rule in lexicon.rules if rule.effect == "report"
               for name in (rule.all[:1] or (*rule.any, *rule.of))}
    concept_words: dict[str, set[tuple[str, str]]] = {}
    concept_length = 1
    for index, concept in enumerate(lexicon.concepts):
        for term in concept_spellings(concept):
            key = normalize_term(term, tables)
            if not key:
                raise LexiconError(f"{concept.source}: term '{term}' of concept '{concept.id}' "
                                   "is only spaces, punctuation or symbols")
            concept_words.setdefault(key, set()).add(("concept", concept.id))
            concept_length = max(concept_length, len(key))
            if concept.id not in anchors:
                continue
            entries = by_key.setdefault(key, [])
            if not any(e.kind == "concept" and e.group == index for e in entries):
                entries.append(TermEntry(index, "concept", term, _is_latin(key)))
    allowed = {normalize_term(phrase, tables) for phrase in lexicon.allow} - {""}

    context_words: dict[str, set[tuple[str, str]]] = {}
    for category, rule in lexicon.context.items():
        for side in ("before", "after", "near_before", "near_after"):
            for word in getattr(rule, side):
                key = normalize_term(word, tables)
                if key:
                    context_words.setdefault(key, set()).add((category, side))
    for side, cues in (("negation", lexicon.negation), ("negation_after", lexicon.negation_after),
                       ("negation_anywhere", lexicon.negation_anywhere),
                       ("negation_soft", lexicon.negation_soft),
                       ("negation_verb", lexicon.negation_verbs),
                       ("excuse", lexicon.negation_excuses)):
        for cue in cues:
            key = normalize_term(cue, tables)
            if key:
                context_words.setdefault(key, set()).add(("", side))
    number_words = [normalize_term(w, tables) for w in _number_words(lexicon)]
    context_length = max(map(len, context_words), default=1)
    # the words read straight off the dense view (a list's joins and fillers, closings, conditions)
    read_words = [normalize_term(w, tables) for w in (
        *lexicon.negation_list_joins, *lexicon.negation_list_fillers, *lexicon.negation_list_ends,
        *lexicon.negation_closings,
        *lexicon.negation_conditions)]
    alphabet = set().union(*by_key, *allowed, *context_words, *concept_words, *number_words,
                           *read_words)
    tables = with_alphabet(tables, alphabet)
    letters = letters_by_use(tables, lexicon)

    values: dict = {}

    def _shared(value: Any) -> Any:
        """One object for equal values (~26,000 context words hold ~850 values): the
        cache's pickle and its load shrink, the memory too."""
        return values.setdefault(value, value)

    terms = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    # pyahocorasick looks a character up among a node's children one by one, in
    # the order they were added, and the root has hundreds: every character the
    # dense view can hold is made a child of the root first (as a word that can
    # never be found: the view never holds NEVER), the commonest first, so the
    # usual character is found in a few steps — the placeholder in one.
    for letter in letters:
        terms.add_word(letter + NEVER, term_value(2, 0, False))
    term_entries: list[tuple[TermEntry, ...]] = [()]
    for key in sorted(by_key.keys() | allowed):
        if len(key) > MAX_TERM_LENGTH:
            raise LexiconError(f"「{key[:20]}…」: a term or allow phrase of {len(key)} characters "
                               f"is longer than the {MAX_TERM_LENGTH} a lexicon may hold")
        index = 0
        if by_key.get(key):
            index = len(term_entries)
            term_entries.append(tuple(by_key[key]))
        terms.add_word(key, term_value(len(key), index, key in allowed))
    terms.make_automaton()
    context = ahocorasick.Automaton()
    for letter in letters:
        context.add_word(letter + NEVER, (2, frozenset(), 0, ()))
    for key in sorted(context_words.keys() | concept_words.keys()):
        keys = context_words.get(key, set())
        flags = CONTEXT_LATIN if _is_latin(key) else 0
        for category, side in keys:
            if not category:
                flags |= _CONTEXT_FLAGS[side]
        concepts = tuple(sorted(name for _, name in concept_words.get(key, ())))
        context.add_word(key, _shared((len(key), _shared(frozenset(keys)), flags,
                                       _shared(concepts))))
    context.make_automaton()
    gate, gated = gate_automaton(lexicon, tables, anchors, _shared, letters)
    near = near_automaton(context_words, _shared)
    return CompiledLexicon(lexicon, tables, terms, Deferred.of(tuple(term_entries)),
                           Deferred.of(context), len(by_key), context_length,
                           Deferred.of(_crossing_index(lexicon, tables)),
                           RuleIndex(lexicon.rules, gated),
                           tuple(c.id for c in lexicon.concepts),
                           max((r.window for r in lexicon.rules), default=0) + concept_length,
                           numeral_words(lexicon, tables.digits), gate, gated, near)


def tokenizer_words(lexicon: Lexicon) -> tuple[str, ...]:
    """Chinese names of whole-token groups: the tokenizer must know them as words."""
    words = []
    for group in lexicon.groups:
        if group.whole_token:
            words.extend(t for t in group.mention + group.needs_context
                         if all("\u3400" <= c <= "\u9fff" for c in t))
    return tuple(dict.fromkeys(words))


def _crossing_index(lexicon: Lexicon, tables: Tables) -> dict[str, tuple[tuple[str, int], ...]]:
    """The dictionary words that may hold a whole-token term's edge inside them.

    Read from jieba's own dictionary file (and the words guard adds to it),
    so telling that no word crosses an edge needs no tokenizer loaded.
    """
    from guard.wordfreq import import_jieba

    jieba = import_jieba()

    terms = [normalize_term(t, tables) for t in tokenizer_words(lexicon)]
    firsts = {t[0] for t in terms if t}
    lasts = {t[-1] for t in terms if t}
    words = set(terms)
    with (Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME).open(encoding="utf-8") as f:
        for line in f:
            word, _, rest = line.partition(" ")
            frequency = rest.split(" ", 1)[0].strip()
            if len(word) > 1 and frequency.isdigit() and int(frequency) > 0 and (
                    not firsts.isdisjoint(word[1:]) or not lasts.isdisjoint(word[:-1])):
                words.add(word)
    index: dict[str, list[tuple[str, int]]] = {}
    for word in words:
        for k in range(1, len(word)):
            if word[k] in firsts or word[k - 1] in lasts:
                index.setdefault(word[k - 1:k + 1], []).append((word, k))
    return {bigram: tuple(sorted(pairs)) for bigram, pairs in index.items()}


def _number_words(lexicon: Lexicon) -> list[str]:
    rules = lexicon.numbers

    return [*rules.phone_context, *rules.landline_context, *rules.bank_context,
            *rules.not_contact_context, *rules.account_fillers, rules.units,
            *rules.part_links, *rules.part_positions, *rules.courier_prefixes,
            *rules.positions.words(), *rules.join_cues, *rules.disguise.reverse_cues]
