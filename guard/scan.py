"""One Aho-Corasick pass over the dense view for every term and allow phrase.

pyahocorasick reports every occurrence, overlapping and adjacent ones
included ("微信淘宝" gives both), unlike flashtext's longest-match walk.
"""

from __future__ import annotations

import sys
from bisect import bisect_left, bisect_right
from typing import NamedTuple

from guard.compiled import (
    ALLOWED_BIT,
    CONTEXT_ANYWHERE,
    CONTEXT_CUE,
    CONTEXT_EXCUSE,
    CONTEXT_LATIN,
    INDEX_SHIFT,
    LENGTH_MASK,
    CompiledLexicon,
    TermEntry,
)
from guard.normalize import dense_spans

# How far a context word may stand from a needs_context term (V 我, 加个卫星).
NEAR_WINDOW = 2


# Hits are NamedTuples: immutable like the frozen dataclasses elsewhere, and
# four times cheaper to build, which matters at ten or more per message (and
# built with tuple.__new__ itself, cheaper again than the generated __new__).
class TermHit(NamedTuple):
    """A term found in the dense view at [start, end)."""

    start: int
    end: int
    entries: tuple[TermEntry, ...]


class ContextHit(NamedTuple):
    """A context word or negation cue at [start, end), with what it is for."""

    start: int
    end: int
    keys: frozenset[tuple[str, str]]  # (category, side); ("", negation…) for cues
    flags: int = 0  # compiled.CONTEXT_* bits: what kind of cue it is


_new = tuple.__new__


def scan_terms(dense: str, compiled: CompiledLexicon, text: str | None = None
               ) -> list[TermHit]:
    """Term hits outside allow-listed phrases.

    A hit inside an allow-listed phrase (微信 in 微信付款的订单) is dropped here,
    so a message holding only such mentions stays on the fast path (concept
    words of the rule language stay: rules.toml has its own `unless`). Given
    the original `text`, a phrase read across a clause's end is none ("加我微信，
    钱包里转你" holds no 微信钱包; a list's 、 does not end one: 微信、支付宝支付).
    """
    hits: list[TermHit] = []
    allowed: list[tuple[int, int]] = []
    entries: tuple[tuple[TermEntry, ...], ...] | None = None  # loaded on the first hit
    for last, value in compiled.terms.iter(dense):  # (compiled.term_value)
        start = last + 1 - ((value >> 1) & LENGTH_MASK)
        index = value >> INDEX_SHIFT
        if index:
            if entries is None:
                entries = compiled.term_entries
            hits.append(_new(TermHit, (start, last + 1, entries[index])))
        if value & ALLOWED_BIT:
            allowed.append((start, last + 1))
    if allowed and hits:
        cut: list[tuple[int, int, tuple[int, ...]]] = []
        if text is not None:
            allowed, cut = _within_clauses(allowed, text, compiled)
        hits = _outside(hits, allowed)
        if cut:
            hits = _outside_cut(hits, cut)
    return hits


def _within_clauses(allowed: list[tuple[int, int]], text: str, compiled: CompiledLexicon
                    ) -> tuple[list[tuple[int, int]], list[tuple[int, int, tuple[int, ...]]]]:
    """The allowed spans no clause mark cuts in the original text (a list's 、 does
    not: it joins), and the others with the dense positions where a mark cuts them."""
    marks = compiled.tables.clause_marks
    if marks.isdisjoint(text):
        return allowed, []
    offsets = dense_spans(text, compiled.tables)
    kept: list[tuple[int, int]] = []
    cut: list[tuple[int, int, tuple[int, ...]]] = []
    for start, end in allowed:
        first, last = offsets.span(start, end)
        if marks.isdisjoint(text[first:last]):
            kept.append((start, end))
            continue
        where = tuple(k for k in range(start + 1, end)
                      if not marks.isdisjoint(text[offsets.span(k - 1, k)[1]:
                                                   offsets.span(k, k + 1)[0]]))
        cut.append((start, end, where))
    return kept, cut


def _outside_cut(hits: list[TermHit], cut: list[tuple[int, int, tuple[int, ...]]]
                 ) -> list[TermHit]:
    """The hits no allowed span cut by a clause mark excuses: such a span excuses
    only a hit read across the same mark ("垫付，我们": 付我 is no more a word than
    付我们), never one inside a clause ("加我微信，钱包转你": 微信 is guidance).
    Spans are short: a hit is compared with the few that start near it."""
    cut.sort()
    starts = [start for start, _, _ in cut]
    longest = max(end - start for start, end, _ in cut)
    kept: list[TermHit] = []
    for hit in hits:
        lo = bisect_left(starts, hit.end - longest)
        hi = bisect_right(starts, hit.start)
        if any(end >= hit.end and any(hit.start < m < hit.end for m in where)
               for _, end, where in cut[lo:hi]):
            concepts = tuple(e for e in hit.entries if e.kind == "concept")
            if concepts:
                kept.append(TermHit(hit.start, hit.end, concepts))
        else:
            kept.append(hit)
    return kept


def _outside(hits: list[TermHit], allowed: list[tuple[int, int]]) -> list[TermHit]:
    """The hits inside no allowed span; both lists come in order of their end.

    One sweep from the end: a hit lies inside an allowed span iff, of the
    spans ending at or after it, the earliest-starting one starts at or
    before it. Linear in the hits and spans, however many there are.
    """
    kept: list[TermHit] = []
    earliest = sys.maxsize  # the earliest start of the spans seen so far
    index = len(allowed) - 1
    for hit in reversed(hits):
        while index >= 0 and allowed[index][1] >= hit.end:
            earliest = min(earliest, allowed[index][0])
            index -= 1
        if earliest > hit.start:
            kept.append(hit)
        else:
            # the rule language's concepts are not terms: an allowed phrase (官方客服)
            # excuses a term inside it, never a concept word a rule looks for
            concepts = tuple(e for e in hit.entries if e.kind == "concept")
            if concepts:
                kept.append(TermHit(hit.start, hit.end, concepts))
    kept.reverse()
    return kept


def scan_context(dense: str, compiled: CompiledLexicon) -> ContextScan:
    """Context words, negation cues and concept words (only run when a term was found)."""
    return ContextScan(dense, compiled)


_NONE: frozenset[str] = frozenset()
_NEGATING = CONTEXT_CUE | CONTEXT_ANYWHERE


class ContextScan:
    """The context pass over one message: context words, refusal cues, concept words.

    One loop over the context automaton's hits sorts them by what they are
    (each automaton value carries `CONTEXT_*` bits), so the slow path asks
    each question of a list made for it:

    * `hits` — context words and cues, in order of their end (a cue inside an
      excuse phrase, 说话不方便, dropped: it refuses nothing); `ends` their ends;
    * `cue_ends` — the ends of the refusal cues; `anywhere` the first cue that
      makes the whole message a warning about scams (or None);
    * `concept_words` — (start, end, concept ids, Latin?) of the rule
      language's concept words, in order of their end; `names` the concepts present.

    Made once per message and shared by `drop_unsupported` and `decide`.
    """

    __slots__ = ("anywhere", "concept_words", "cue_ends", "ends", "hits", "names")

    def __init__(self, dense: str, compiled: CompiledLexicon) -> None:
        hits: list[ContextHit] = []
        concept_words: list[tuple[int, int, tuple[str, ...], int]] = []
        marked = 0  # every hit's flags, or'ed
        for last, (length, keys, flags, concepts) in compiled.context.iter(dense):
            end = last + 1
            if keys:
                hits.append(_new(ContextHit, (end - length, end, keys, flags)))
                marked |= flags
            if concepts:
                concept_words.append((end - length, end, concepts, flags & CONTEXT_LATIN))
        if marked & CONTEXT_EXCUSE:  # rare: a cue inside an excuse is no refusal
            hits = _outside_excuses(hits)
        self.hits = hits
        self.ends = [hit.end for hit in hits]
        self.concept_words = concept_words
        self.names = frozenset(
            [name for word in concept_words for name in word[2]]) if concept_words else _NONE
        self.anywhere: ContextHit | None = None
        self.cue_ends: list[int] = []
        if marked & _NEGATING:
            self.cue_ends = [hit.end for hit in hits if hit.flags & CONTEXT_CUE]
            self.anywhere = next((hit for hit in hits if hit.flags & CONTEXT_ANYWHERE), None)


def _outside_excuses(hits: list[ContextHit]) -> list[ContextHit]:
    """The hits but the refusal cues that start inside an excuse phrase (another hit).

    A cue starting inside an excuse is part of it, whether it ends inside
    (不方便 in 说话不方便, 不能 in the question 能不能) or reaches past it
    (不要加 in 要不要加微信). One sweep over the cues from the last start back:
    a cue starts inside an excuse iff, of the excuses ending after its start,
    the earliest-starting one (other than the cue itself) starts at or
    before it. n log n however many there are.
    """
    excuses = [hit for hit in hits if hit.flags & CONTEXT_EXCUSE]  # in order of end
    cues = sorted((hit for hit in hits if hit.flags & _NEGATING), key=lambda h: -h.start)
    inside: set[int] = set()
    # the two earliest-starting excuses ending after the cue's start (a cue may be one)
    first: ContextHit | None = None
    second: ContextHit | None = None
    index = len(excuses) - 1
    for cue in cues:
        while index >= 0 and excuses[index].end > cue.start:
            excuse = excuses[index]
            if first is None or excuse.start < first.start:
                first, second = excuse, first
            elif second is None or excuse.start < second.start:
                second = excuse
            index -= 1
        other = second if first is cue else first
        if other is not None and other.start <= cue.start:
            inside.add(id(cue))
    return [hit for hit in hits if id(hit) not in inside] if inside else hits
