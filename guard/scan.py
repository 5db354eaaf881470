"""One Aho-Corasick pass over the dense view for every term and allow phrase.

pyahocorasick reports every occurrence, overlapping and adjacent ones
included ("微信淘宝" gives both), unlike flashtext's longest-match walk.
"""

from __future__ import annotations

import sys
from typing import NamedTuple

from guard.compiled import CompiledLexicon, TermEntry

# How far a context word may stand from a needs_context term (V 我, 加个卫星).
NEAR_WINDOW = 2


# Hits are NamedTuples: immutable like the frozen dataclasses elsewhere, and
# four times cheaper to build, which matters at ten or more per message.
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


def scan_terms(dense: str, compiled: CompiledLexicon) -> list[TermHit]:
    """Term hits outside allow-listed phrases.

    A hit inside an allow-listed phrase (微信 in 微信付款的订单) is dropped here,
    so a message holding only such mentions stays on the fast path (concept
    words of the rule language stay: rules.toml has its own `unless`).
    """
    hits: list[TermHit] = []
    allowed: list[tuple[int, int]] = []
    for last, (length, entries, is_allowed) in compiled.terms.iter(dense):
        start = last + 1 - length
        if entries:
            hits.append(TermHit(start, last + 1, entries))
        if is_allowed:
            allowed.append((start, last + 1))
    if allowed and hits:
        hits = _outside(hits, allowed)
    return hits


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


def scan_context(dense: str, compiled: CompiledLexicon) -> list[ContextHit]:
    """Context words and negation cues (only run when a term was found)."""
    return [
        ContextHit(last + 1 - length, last + 1, keys)
        for last, (length, keys) in compiled.context.iter(dense)
    ]
