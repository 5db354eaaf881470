"""When joining a conversation window cannot find anything new: skip the joined check.

Nine in ten agent messages are "quiet": the Guard's fast pass finds nothing
to judge in them (`Guard.inspect`: no term that could be supported, no
number shape, no link shape). Terms, number and link shapes and the context
that supports a term are local, so if every message of a window is quiet,
whatever the joined text holds new must lie at a boundary between two
messages. Two tests, cheapest first:

1. **Inert boundaries** (from facts kept per message, `Edges`): no term of
   the lexicon holds the pair of letters that meet at the boundary (in the
   normalized view, where the line break between messages disappears); no
   recognizer's shape can continue across it — each registered recognizer
   declares the characters that continue it (guard.recognizers: digits for
   a phone number, letters and URL punctuation for a link, the linking words
   of a number given in pieces, the disguised dot of an address…), and the
   boundary is open to it only if both messages' edges, in the view it
   reads, hold such characters; no term (even an unsupported one) stands
   within reach of context across the boundary. Then nothing can be new: skip.
2. Otherwise a **snippet** around each boundary — within the longest term
   plus the reach of context, never cutting through a run of characters
   some recognizer continues through — goes through the fast pass; if it
   stays quiet, skip.

A test cuts every violation of the corpora at every position and proves the
shortcut changes no result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from guard.audit.conversation import SEPARATOR
from guard.engine import Candidates, Guard
from guard.recognizers import continuations
from guard.scan import NEAR_WINDOW

CACHE_SIZE = 16384
# Characters of a message's ends read for what they may continue: a longer
# run of continuing characters counts as continuing (as if the whole message).
_EDGE = 64


class Edges(NamedTuple):
    """What a window needs to know of one message (computed once per distinct text)."""

    quiet: bool  # the fast path passes it
    first: str  # its first and last character in the normalized view ("" if none)
    last: str
    hit_at_start: bool  # a term (even one dropped as unsupported) within reach of its ends
    hit_at_end: bool
    # the recognizers (bits, registry order) its start / end could continue
    opens_first: int
    opens_last: int
    cue: bool  # it could complete a shape anywhere in a window (a swap instruction)


class Shortcut:
    """`window_is_quiet(texts)` for one Guard (built once per worker)."""

    def __init__(self, guard: Guard):
        self.enabled = False
        try:
            compiled = guard.compiled
            tables = compiled.tables
            keys = [key for key, (_, entries, _) in compiled.terms.items() if entries]
            longest = max(len(key) for key in keys if not key.isascii())
            lexicon = compiled.lexicon
            windows = [rule.window for rule in lexicon.context.values()]
            windows += [NEAR_WINDOW, lexicon.negation_window, lexicon.negation_after_window,
                        lexicon.numbers.context_window]
            # a rule's words may stand a window apart: its anchor that far from an end
            windows.append(compiled.rule_reach)
            reach = longest + max(windows) + compiled.context_length + 2
            self._support = max(NEAR_WINDOW + compiled.context_length + 1,
                                compiled.rule_reach + 1)
        except (AttributeError, TypeError, ValueError):  # a lexicon without the usual parts
            return
        self._inspect = guard.inspect
        self._pairs = frozenset(key[i:i + 2] for key in keys for i in range(len(key) - 1))
        self._continuations = continuations(lexicon)
        self._numerals = tables.digits
        self._dense = tables.dense
        self._light = tables.light
        self._reach = reach
        self.edges: Callable[[str], Edges] = lru_cache(maxsize=CACHE_SIZE)(
            lambda text: self.edges_of(guard.inspect(text)))
        self._snippets: dict[tuple[str, ...], bool] = {}  # texts → the snippet test's answer
        self.enabled = True

    def edges_of(self, candidates: Candidates) -> Edges:
        """What a window needs to know of an inspected message."""
        view, hits, support = candidates.dense, candidates.hits, self._support
        text, edge = candidates.text, self._continuations.edge
        return Edges(
            candidates.quiet, view[:1], view[-1:],
            any(hit.start < support for hit in hits),
            any(hit.end > len(view) - support for hit in hits),
            edge(view[:_EDGE].translate(self._numerals), self._light_end(text, False), False),
            edge(view[-_EDGE:].translate(self._numerals), self._light_end(text, True), True),
            self._continuations.cue(text))

    def _light_end(self, text: str, at_end: bool) -> str:
        """The light view of the message's start or end (at least one character if any)."""
        piece = (text[-_EDGE:] if at_end else text[:_EDGE]).translate(self._light)
        if piece or len(text) <= _EDGE:
            return piece
        return text.translate(self._light)

    def closed(self, left: Edges, right: Edges) -> bool:
        """Two quiet messages whose boundary is inert (test 1 for one pair)."""
        return left.quiet and right.quiet and bool(left.first and right.first) \
            and not (left.cue or right.cue) and self._inert(left, right)

    def _inert(self, left: Edges, right: Edges) -> bool:
        """Whether nothing can form across the boundary between these two messages."""
        return not (left.hit_at_end or right.hit_at_start
                    or left.last + right.first in self._pairs
                    or left.opens_last & right.opens_first)

    def _continues(self, char: str) -> bool:
        """Whether a run of some recognizer's shape may go on through this character.

        Noise the dense view drops (punctuation, emoji) joins what stands on
        either side of it, so it is part of a run too.
        """
        dense = char.translate(self._dense)
        return not dense or self._continuations.continues(
            dense.translate(self._numerals), char.translate(self._light))

    def _edge(self, text: str, at_end: bool) -> str:
        """The end (or start) of `text`: `reach` dense characters, whole runs at the cut."""
        size = 2 * self._reach
        while size < len(text):
            piece = text[-size:] if at_end else text[:size]
            if len(piece.translate(self._dense)) >= self._reach:
                cut = len(text) - size if at_end else size  # index of the first char left out
                outside = text[cut - 1] if at_end else text[cut]
                inside = piece[0] if at_end else piece[-1]
                if not (outside.isspace() or inside.isspace()) \
                        and not (self._continues(outside) and self._continues(inside)):
                    return piece
            size *= 2
        return text

    def window_is_quiet(self, texts: Sequence[str]) -> bool:
        """Whether joining these messages (oldest first) can find nothing new."""
        if not self.enabled:
            return False
        return self.quiet_with([self.edges(text) for text in texts], lambda: texts)

    def quiet_with(self, facts: Sequence[Edges], get_texts: Callable[[], Sequence[str]]) -> bool:
        """`window_is_quiet(get_texts())`, given each text's `edges` (computed already).

        The texts themselves are asked for only when the facts cannot decide.
        """
        for fact in facts:
            if not fact.quiet or fact.cue:
                return False
        if all(fact.first for fact in facts) and all(
                self._inert(left, right) for left, right in pairwise(facts)):
            return True
        texts = tuple(get_texts())
        known = self._snippets.get(texts)
        if known is None:
            if len(self._snippets) >= CACHE_SIZE:
                self._snippets.clear()
            known = self._snippets[texts] = self._snippet_quiet(texts)
        return known

    def _snippet_quiet(self, texts: Sequence[str]) -> bool:
        """The second test: the snippets around every boundary pass the fast path."""
        parts = [self._edge(texts[0], at_end=True)]
        for middle in texts[1:-1]:
            if len(middle) <= 4 * self._reach:
                parts.append(middle)
            else:
                parts.append(self._edge(middle, at_end=False) + SEPARATOR
                             + self._edge(middle, at_end=True))
        parts.append(self._edge(texts[-1], at_end=False))
        return self._inspect(SEPARATOR.join(parts)).quiet
