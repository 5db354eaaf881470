"""Matching the rule language's rules against one message's concept hits.

Runs on the slow path only, on the concept hits the single automaton pass
found. Each rule is matched in one sweep over the hits of its own concepts
(two pointers over a window of the normalized view), so the work grows with
the number of hits, never with their square.

A window counts characters of the normalized view, where a letter of a concept
word spelled in Latin letters is a third of one: a word in pinyin or English
(dianhua, fawo, phone number) is three or four letters a syllable, and must
reach as far as the characters it spells (电话, 发我). Other Latin text (an id,
an address) counts in full, and messages without such words measure as before.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate
from typing import NamedTuple

from guard.normalize import MASK_CHAR
from guard.rules import Rule


class ConceptHit(NamedTuple):
    """A concept term found in the dense view at [start, end)."""

    start: int
    end: int
    concept: str


class RuleMatch(NamedTuple):
    """Where a rule's concepts stand together: the dense span and the hits used."""

    rule: Rule
    start: int
    end: int
    parts: tuple[ConceptHit, ...]


# scope, dense position → the id of the clause / sentence it lies in
Segmenter = Callable[[str, int], int]


def by_concept(hits: Sequence[ConceptHit]) -> dict[str, list[ConceptHit]]:
    """The hits of each concept, in order of start."""
    grouped: dict[str, list[ConceptHit]] = {}
    for hit in sorted(hits):
        grouped.setdefault(hit.concept, []).append(hit)
    return grouped


class RuleIndex:
    """The rules by effect and by the concepts that can start them: finding the
    rules a message's concepts could satisfy looks only at rules that name one of them."""

    __slots__ = ("allow", "by_concept", "gate_needs", "needs", "rules", "starts", "wanted_by")

    def __init__(self, rules: Sequence[Rule], gated: frozenset[str] = frozenset()) -> None:
        """`gated`: the concepts whose presence the fast path can tell (`gate_open`)."""
        self.rules = tuple(rules)
        self.allow = tuple(rule for rule in self.rules if rule.effect == "allow")
        # effect → concept → the indexes of the rules of that effect it can start
        by_concept: dict[str, dict[str, list[int]]] = {}
        for index, rule in enumerate(self.rules):
            # a rule needs every `all` concept: one of them is enough to find it by
            keys = rule.all[:1] or (*rule.any, *rule.of)
            for name in keys:
                by_concept.setdefault(rule.effect, {}).setdefault(name, []).append(index)
        self.by_concept = {effect: {name: tuple(found) for name, found in names.items()}
                           for effect, names in by_concept.items()}
        # effect → every concept that can start one of its rules
        self.starts = {effect: frozenset(names) for effect, names in self.by_concept.items()}
        # what `Rule.satisfiable` asks, as sets: all, any, of, at_least
        self.needs = tuple((frozenset(rule.all), frozenset(rule.any), rule.of, rule.at_least)
                           for rule in self.rules)
        # a concept → every concept of the rules (of either effect) it can start
        wanted_by: dict[str, set[str]] = {}
        for names in self.by_concept.values():
            for name, found in names.items():
                for i in found:
                    rule = self.rules[i]
                    wanted_by.setdefault(name, set()).update(rule.concepts, rule.refused)
        self.wanted_by = {name: frozenset(names) for name, names in wanted_by.items()}
        # what `gate_open` asks of each rule, the ungated concepts taken as present:
        # the gated `all`, the gated `any` (None: one is ungated, so it holds), the
        # gated `of` and how many of them are still needed
        self.gate_needs = tuple(
            (frozenset(c for c in rule.all if c in gated),
             None if not rule.any or any(c not in gated for c in rule.any)
             else frozenset(rule.any),
             frozenset(c for c in rule.of if c in gated),
             rule.at_least - sum(c not in gated for c in rule.of))
            for rule in self.rules)

    def gate_open(self, present: set[str]) -> bool:
        """Whether a reporting rule started by a present concept could hold, where
        `present` holds the gated concepts found (the anchors and the gate's) and
        every ungated concept is taken to be there — a necessary condition of
        `present(...)` with every concept's words known."""
        index = self.by_concept.get("report")
        if not index:
            return False
        needs = self.gate_needs
        for name in present:
            for i in index.get(name, ()):
                need_all, need_any, need_of, at_least = needs[i]
                if (need_all <= present and (need_any is None or not need_any.isdisjoint(present))
                        and (at_least <= 0 or len(need_of & present) >= at_least)):
                    return True
        return False

    def wanted(self, present: set[str] | frozenset[str]) -> set[str]:
        """The concepts a rule the present concepts could start looks at: a rule needs
        one of the concepts that start it, so no other concept's words can matter
        (a cheap superset of the concepts of `present`'s rules, of both effects)."""
        wanted: set[str] = set()
        wanted_by = self.wanted_by
        for name in present:
            found = wanted_by.get(name)
            if found is not None:
                wanted |= found
        return wanted

    def present(self, present: set[str] | frozenset[str], effect: str) -> list[Rule]:
        """The rules of `effect` the present concepts could satisfy (positions not yet
        looked at), in the rule file's order (`Rule.satisfiable`, with sets)."""
        starts = self.starts.get(effect)
        if starts is None or starts.isdisjoint(present):
            return []
        index = self.by_concept[effect]
        candidates: set[int] = set()
        for name in starts.intersection(present):
            candidates.update(index[name])
        found = []
        for i in sorted(candidates):
            need_all, need_any, need_of, at_least = self.needs[i]
            if (need_all <= present and (not need_any or not need_any.isdisjoint(present))
                    and (not at_least or sum(c in present for c in need_of) >= at_least)):
                found.append(self.rules[i])
        return found


# How many Latin letters count as one character of a rule's window.
LETTERS_A_CHARACTER = 3


def latin_counts(dense: str, words: Iterable[tuple[int, int]]) -> list[int] | None:
    """How many Latin letters of concept words (`words`: their spans in `dense`, which
    may overlap) stand before each position of the dense view — a window counts them
    as a third of a character each; None where there are none."""
    edges = [0] * (len(dense) + 1)
    any_word = False
    for start, end in words:
        edges[start] += 1
        edges[end] -= 1
        any_word = True
    if not any_word:
        return None
    counts = [0]
    inside = seen = 0
    for position, char in enumerate(dense):
        inside += edges[position]
        if inside and "a" <= char <= "z":
            seen += 1
        counts.append(seen)
    return counts


def _widths(window: int, latin: list[int] | None) -> Callable[[int, int], bool]:
    """Whether [start, end) fits in `window`, its Latin letters counted as a third."""
    if latin is None:
        return lambda start, end: end - start <= window
    wide = window * LETTERS_A_CHARACTER
    keep = LETTERS_A_CHARACTER - 1  # what a letter gives back of a character's width

    def fits(start: int, end: int) -> bool:
        if end - start <= window:
            return True
        return (end - start) * LETTERS_A_CHARACTER - keep * (latin[end] - latin[start]) <= wide
    return fits


def mask_counts(dense: str) -> list[int] | None:
    """How many mask characters stand before each position of the dense view (None
    where there are none): an `unless` word's distance does not count them.

    A masked span is as wide in the dense view as the widest character's form (so
    that no word forms across it), which would push the word that excused a rule
    out of its window: "扫二维码教程" is a tutorial, and once 二维码 is masked,
    "扫███教程" must be one still (a masked message never blocks anew)."""
    if MASK_CHAR not in dense:
        return None
    return list(accumulate((char == MASK_CHAR for char in dense), initial=0))


def match_rule(rule: Rule, grouped: dict[str, list[ConceptHit]],
               segment: Segmenter, latin: list[int] | None = None,
               masks: list[int] | None = None) -> list[RuleMatch]:
    """Every place `rule` matches, left to right, none overlapping (`latin`: the
    message's `latin_counts`, for a window over pinyin or English words; `masks`:
    its `mask_counts`, for the reach of a reporting rule's `unless` word across a masked
    span)."""
    wanted = {*rule.all, *rule.any, *rule.of}
    hits = sorted(h for name in wanted for h in grouped.get(name, ()))
    if not hits:
        return []
    segments = [segment(rule.scope, h.start) for h in hits]
    unless = sorted(h for name in rule.unless for h in grouped.get(name, ()))
    unless_starts = [h.start - masks[h.start] if masks else h.start for h in unless]
    matches: list[RuleMatch] = []
    counts: dict[str, int] = {}
    fits = _widths(rule.window, latin)
    j = 0  # hits[i:j] are in the window
    i = 0
    n = len(hits)
    while i < n:
        if j < i:
            j, counts = i, {}
        found = _satisfied(rule, counts)
        while not found and j < n and segments[j] == segments[i] \
                and fits(hits[i].start, hits[j].end):
            counts[hits[j].concept] = counts.get(hits[j].concept, 0) + 1
            j += 1
            found = _satisfied(rule, counts)
        if found:
            parts = tuple(hits[i:j])
            start, end = hits[i].start, max(h.end for h in parts)
            if not _cancelled(rule, unless, unless_starts, start, end, segments[i], segment,
                              masks):
                matches.append(tuple.__new__(RuleMatch, (rule, start, end, parts)))
                i, j, counts = j, j, {}  # the next match starts after this one
                continue
        # slide: drop hits[i]
        if j > i:
            concept = hits[i].concept
            counts[concept] -= 1
            if not counts[concept]:
                del counts[concept]
        i += 1
    return matches


def may_match(rule: Rule, grouped: dict[str, list[ConceptHit]],
              latin: list[int] | None = None) -> bool:
    """Whether the rule's concepts stand within its window somewhere (a necessary
    condition of `match_rule`: scope and `unless` are not looked at, so this
    holds whenever a match exists). One sweep over the rule's hits."""
    hits = sorted(h for name in {*rule.all, *rule.any, *rule.of}
                  for h in grouped.get(name, ()))
    fits = _widths(rule.window, latin)
    counts: dict[str, int] = {}
    j = 0
    n = len(hits)
    for i in range(n):
        if j < i:
            j, counts = i, {}
        while j < n and fits(hits[i].start, hits[j].end):
            counts[hits[j].concept] = counts.get(hits[j].concept, 0) + 1
            j += 1
        if _satisfied(rule, counts):
            return True
        if j > i:
            concept = hits[i].concept
            counts[concept] -= 1
            if not counts[concept]:
                del counts[concept]
    return False


def _satisfied(rule: Rule, counts: dict[str, int]) -> bool:
    """Whether the concepts counted satisfy the rule (`Rule.satisfiable`, asked at
    every step of a sweep: plain loops, no generator per call)."""
    if not counts:
        return False
    for name in rule.all:
        if name not in counts:
            return False
    if rule.any:
        for name in rule.any:
            if name in counts:
                break
        else:
            return False
    if rule.at_least:
        found = 0
        for name in rule.of:
            if name in counts:
                found += 1
        return found >= rule.at_least
    return True


def _cancelled(rule: Rule, unless: list[ConceptHit], starts: list[int], start: int, end: int,
               segment_id: int, segment: Segmenter, masks: list[int] | None = None) -> bool:
    """Whether an `unless` concept stands within the window around the match, in scope
    (`starts`: the unless words' starts, less the mask characters before them)."""
    if not unless:
        return False
    if masks:
        start, end = start - masks[start], end - masks[end]
    lo = bisect_left(starts, start - rule.window)
    hi = bisect_right(starts, end + rule.window)
    return any(segment(rule.scope, hit.start) == segment_id for hit in unless[lo:hi])
