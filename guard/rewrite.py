"""The compliant suggestion for a blocked message.

A blocked message is mostly ordinary talk around one bad clause
("您好，这个问题比较复杂，方便加个微信详细说吗"). The suggestion keeps what may stay,
drops every clause that holds a finding, and adds the sentence of the
`off-platform-request` reply that says why everything stays on Pinduoduo (the
reply part marked `rewrite = true` in lexicons/replies/templates.toml: data,
not code) — every block guides the buyer off the platform:

    您好，这个问题比较复杂。按照平台规定，我们只能在拼多多平台内为您服务，交易也都在拼多多上完成～

A candidate is suggested only if it passes (`passes`, by default a clean
`Guard.check`: no finding at all); otherwise the next one is tried, down to
the sentence alone, and, should a merchant's lexicon object even to that,
the empty message. Runs only for blocks: linear in the text, a few checks.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from guard.verdict import Verdict

if TYPE_CHECKING:
    from guard.engine import Guard

__all__ = ["Rewriter", "rewriter_for", "with_suggestion"]

WHY_SCENARIO = "off-platform-request"
# Typography, not rule data: the marks that end a sentence (the rest of the
# lexicon's clause punctuation — ，、；： — only ends a clause).
SENTENCE_ENDS = frozenset("。！？!?～~…")
# A piece with fewer visible characters than this is not a clause of its own:
# it stays with the piece after it. Between punctuation, as in the engine's
# clauses, one character is no clause ("加，我，微，信"); between spaces, a
# piece needs three ("加我 ｖ 信 详聊" is one piece, "亲 加我微信吧 …" two).
MIN_CLAUSE = 2
MIN_LOOSE = 3
# Between spaces, a short piece next to a removed one was part of what it
# said ("联系我 138…", "ＴＢ上有 去那边拍"): it goes too.
SHORT_NEIGHBOUR = 5
# Rounds of "remove what the candidate still holds" before falling back.
ROUNDS = 3

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class _Piece:
    start: int
    end: int  # the piece's words end here …
    stop: int  # … and its separator (punctuation, spaces) here


def _pieces(text: str, separator: Callable[[str], bool], least: int) -> list[_Piece]:
    """The text cut after each run of separators; a piece shorter than `least` joins the next."""
    raw: list[_Piece] = []
    start = index = 0
    length = len(text)
    while index < length:
        if not separator(text[index]):
            index += 1
            continue
        end = index
        while index < length and separator(text[index]):
            index += 1
        raw.append(_Piece(start, end, index))
        start = index
    if start < length:
        raw.append(_Piece(start, length, length))
    merged: list[_Piece] = []
    first: int | None = None
    for piece in raw:
        first = piece.start if first is None else first
        if _visible(text[first:piece.end]) >= least:
            merged.append(_Piece(first, piece.end, piece.stop))
            first = None
    if first is not None:  # a short tail stays with the piece before it
        tail = raw[-1]
        merged.append(_Piece(merged.pop().start if merged else first, tail.end, tail.stop))
    return merged


def _visible(text: str) -> int:
    return sum(1 for char in text if char.isalnum())


def _remove(text: str, pieces: Sequence[_Piece], spans: Iterable[Span],
            neighbours: bool = False) -> str | None:
    """The text without the pieces a span touches; None if no piece is touched.

    `neighbours`: short pieces next to a touched one go too.
    """
    starts = [p.start for p in pieces]
    touched: set[int] = set()
    for a, b in spans:
        if a >= b:
            continue  # an empty span (a split finding lying in earlier messages)
        index = max(0, bisect_right(starts, a) - 1)
        while index < len(pieces) and pieces[index].start < b:
            if pieces[index].stop > a:
                touched.add(index)
            index += 1
    if not touched:
        return None
    if neighbours:
        touched |= {i for t in touched for i in (t - 1, t + 1) if 0 <= i < len(pieces)
                    and _visible(text[pieces[i].start:pieces[i].end]) <= SHORT_NEIGHBOUR}
    return _join(text, [p for i, p in enumerate(pieces) if i not in touched])


def _join(text: str, kept: Sequence[_Piece]) -> str:
    """The kept pieces as one message: no dangling comma, the message's own ending kept."""
    if not kept:
        return ""
    parts = [text[p.start:p.stop] for p in kept[:-1]]
    last = kept[-1]
    parts.append(text[last.start:last.end])
    ending = text[last.end:last.stop].strip()
    body = "".join(parts).strip()
    if ending and ending[-1] in SENTENCE_ENDS:
        return body + ending
    final = text.rstrip()[-1:]
    return body + final if final in SENTENCE_ENDS else body


class Rewriter:
    """Suggestions for one lexicon's clause punctuation, quoting the reply's sentence."""

    def __init__(self, sentence: str, boundaries: Iterable[str]) -> None:
        self.sentence = sentence
        clause = frozenset(boundaries)
        self._clause = clause.__contains__
        self._loose = lambda char: char in clause or char.isspace()

    def suggest(self, text: str, spans: Iterable[Span],
                passes: Callable[[str], bool], still: Callable[[str], Iterable[Span]]) -> str:
        """A rewrite of `text` without the clauses holding `spans` that `passes`.

        `still(candidate)` gives the spans a candidate still holds, so a
        second round can remove them too (a removal that brought two halves
        of an evasion together, say).
        """
        for cut, least in ((self._clause, MIN_CLAUSE), (self._loose, MIN_LOOSE)):
            remainder = self._without(text, list(spans), cut, least, still)
            if remainder is None:
                continue
            if remainder.strip():
                for candidate in (self._with_sentence(remainder), remainder):
                    if passes(candidate):
                        return candidate
        for candidate in (self.sentence, ""):
            if passes(candidate):
                return candidate
        return ""

    def _without(self, text: str, spans: list[Span], cut: Callable[[str], bool], least: int,
                 still: Callable[[str], Iterable[Span]]) -> str | None:
        """The text with the touched pieces removed, again while the rest still holds spans.

        None when this way of cutting removes nothing, or cannot make it clean.
        """
        current = text
        for _ in range(ROUNDS):
            remainder = _remove(current, _pieces(current, cut, least), spans,
                                neighbours=least == MIN_LOOSE)
            if remainder is None:
                return current if current is not text else None
            if not remainder.strip():
                return ""
            spans = list(still(remainder))
            current = remainder
            if not spans:
                return current
        return None

    def _with_sentence(self, remainder: str) -> str:
        if not self.sentence:
            return remainder
        if remainder[-1] in SENTENCE_ENDS:
            return remainder + self.sentence
        if self._clause(remainder[-1]):
            remainder = remainder[:-1]
        joint = "，" if _visible(remainder) <= MIN_LOOSE else "。"
        return remainder + joint + self.sentence


def why_sentence() -> str:
    """The `rewrite = true` parts of the off-platform-request reply (built-in templates)."""
    from guard.replies.templates import default_templates

    template = default_templates().scenarios[WHY_SCENARIO]
    return "".join(part.text for part in template.reply if part.rewrite and not part.fields)


def rewriter_for(guard: Guard) -> Rewriter:
    """The rewriter for this Guard's lexicon."""
    return Rewriter(why_sentence(), guard.compiled.tables.boundaries)


def _clean(guard: Guard) -> Callable[[str], bool]:
    return lambda candidate: guard.check(candidate).verdict == "pass"


def _spans(guard: Guard) -> Callable[[str], list[Span]]:
    return lambda candidate: [(f.start, f.end) for f in guard.check(candidate).findings]


def with_suggestion(guard: Guard, verdict: Verdict, rewriter: Rewriter | None = None,
                    passes: Callable[[str], bool] | None = None) -> Verdict:
    """The verdict with its `suggestion` when it is a block (unchanged otherwise).

    `passes` (default: the candidate alone checks clean) lets a caller ask
    more, e.g. that it also passes joined with the agent's earlier messages.
    """
    if verdict.verdict != "block":
        return verdict
    rewriter = rewriter or rewriter_for(guard)
    spans = [(f.start, f.end) for f in verdict.findings]
    suggestion = rewriter.suggest(verdict.text, spans, passes or _clean(guard), _spans(guard))
    return dataclasses.replace(verdict, suggestion=suggestion)
