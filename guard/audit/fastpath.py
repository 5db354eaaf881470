"""When joining a conversation window cannot find anything new: skip the joined check.

Nine in ten agent messages are "quiet": the Guard's fast pass finds nothing
to judge in them (`Guard.inspect`: no term that could be supported, no
number shape, no link shape). Terms, number and link shapes and the context
that supports a term are local, so if every message of a window is quiet,
whatever the joined text holds new must lie at a boundary between two
messages.

So it is for a message that is not quiet (a warning: a read-back of the
buyer's address, a refusal naming an app) but holds nothing that could
combine with what stands across the boundary. Context words, refusals and
clause- or sentence-scoped rules stop at a message boundary (a line break
ends a clause); what crosses it is known from the compiled lexicon: a near
context word (NEAR_WINDOW, clauses ignored) next to a term at the edge; an
account after a messaging app's name whose filler words reach the edge; the
context words of a number within `[numbers] context_window` of it; the
concept words of a message-scoped rule within its window on both sides; a
word (term, context word or concept word) formed across the boundary; a
recognizer's shape continued across it.

Two tests, cheapest first:

1. **Inert boundaries** (from facts kept per message, `Edges`): no term of
   the lexicon holds the pair of letters that meet at the boundary (in the
   normalized view, where the line break between messages disappears); no
   recognizer's shape can continue across it — each registered recognizer
   declares the characters that continue it (guard.recognizers: digits for
   a phone number, letters and URL punctuation for a link, the linking words
   of a number given in pieces, the disguised dot of an address…), and the
   boundary is open to it only if both messages' edges, in the view it
   reads, hold such characters; nothing either message holds reaches across
   (above; for a quiet message: no term, even an unsupported one, within
   reach of context across the boundary). Then nothing can be new: skip.
2. Otherwise a **snippet** around each boundary — within the longest term
   plus the reach of context, never cutting through a run of characters
   some recognizer continues through — goes through the fast pass; if it
   stays quiet, skip. (Not where message-scoped rules' words stand near
   both sides of a boundary of a message that is not quiet: their matches,
   taken left to right, could shift further than a snippet reaches.)

A message that could complete a shape anywhere in the window (a swap
instruction, `Recognizer.window_cue`) is always joined.

A test cuts every violation of the corpora at every position and proves the
shortcut changes no result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any, NamedTuple

import ahocorasick

from guard.audit.conversation import SEPARATOR
from guard.engine import Candidates, Guard
from guard.normalize import digit_view
from guard.recognizers import continuations
from guard.scan import NEAR_WINDOW

CACHE_SIZE = 16384
# In the digit view: where a phone, landline or card number can stand (a whole run
# of ten digits or more, in some reading), and where any number can start.
_LONG_RUN = re.compile(r"[0-9]{10,}")
_NUMBER_START = re.compile(r"[0-9a-z]")


class Edges(NamedTuple):
    """What a window needs to know of one message (computed once per distinct text)."""

    quiet: bool  # the fast path passes it
    first: str  # its first and last character in the normalized view ("" if none)
    last: str
    # something it holds could combine with what stands before / after it (a
    # quiet message: a term, even an unsupported one, within reach of context)
    near_start: bool
    near_end: bool
    # the recognizers (bits, registry order) its start / end could continue
    opens_first: int
    opens_last: int
    cue: bool  # it could complete a shape anywhere in a window (a swap instruction)
    # Only for a window with a message that is not quiet: the message and its
    # normalized view (where its message-scoped rules' words are looked for, and
    # whether its first / last clause is a fragment: `Shortcut.fragments`)
    text: str
    view: str
    # a term hit within reach of every window of its start / end (where a
    # clause goes on across the boundary, context and rules reach across too)
    wide_start: bool
    wide_end: bool


class Shortcut:
    """`window_is_quiet(texts)` for one Guard (built once per worker)."""

    def __init__(self, guard: Guard):
        self.enabled = False
        try:
            compiled = guard.compiled
            tables = compiled.tables
            longest = compiled.longest_term
            if not longest:  # no Chinese term at all
                return
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
        self._pairs = compiled.term_pairs
        # words of the context pass (context words, cues, concept words) formed across
        self._context_pairs = compiled.context_pairs
        self._continuations = continuations(guard.recognizers, tables)
        self._tables = tables
        self._marks = tables.dense_marks
        self._numerals = tables.digits
        self._dense = tables.dense
        self._light = tables.light
        self._reach = reach
        self._number_reach = lexicon.numbers.context_window + 1
        self._fillers = guard.recognizers.fillers
        self._contact_groups = frozenset(
            index for index, group in enumerate(lexicon.groups) if group.category == "contact_im")
        self._scoped, self._windows, self._scoped_reach = _scoped_words(compiled)
        self.rule_words: Callable[[str], tuple[tuple[tuple[int, int], ...], ...]] = \
            lru_cache(maxsize=CACHE_SIZE)(self._rule_words)
        self.fragments: Callable[[str], tuple[bool, bool]] = lru_cache(maxsize=CACHE_SIZE)(
            self._fragments)
        self.edges: Callable[[str], Edges] = lru_cache(maxsize=CACHE_SIZE)(
            lambda text: self.edges_of(guard.inspect(text)))
        self._snippets: dict[tuple[str, ...], bool] = {}  # texts → the snippet test's answer
        self.enabled = True

    def edges_of(self, candidates: Candidates) -> Edges:
        """What a window needs to know of an inspected message."""
        view, hits, text, quiet = candidates.dense, candidates.hits, candidates.text, \
            candidates.quiet
        near_start = near_end = wide_start = wide_end = False
        if hits:
            size = len(view)
            reach = self._support if quiet else self._reach
            wide_start = any(hit.start < reach for hit in hits)
            wide_end = any(hit.end > size - reach for hit in hits)
        if quiet:
            near_start, near_end = wide_start, wide_end
        else:
            near_start, near_end = self._near(candidates)
        edge = self._continuations.edge
        return Edges(quiet, view[:1], view[-1:], near_start, near_end, edge(view, text, False),
                     edge(view, text, True), self._continuations.cue(text), text, view,
                     wide_start, wide_end)

    def _fragments(self, text: str) -> tuple[bool, bool]:
        """Whether a message's first / last clause is a fragment of one character
        ("新，…"): the line break between messages then ends no clause
        (normalize._clause_starts), and context reaches across it."""
        return _short(text, self._marks, False), _short(text, self._marks, True)

    def _near(self, candidates: Candidates) -> tuple[bool, bool]:
        """Whether what a message that is not quiet holds reaches over its start / end."""
        view = candidates.dense
        size = len(view)
        near_start = near_end = False
        digits: str | None = None
        for hit in candidates.hits:
            terms = [entry for entry in hit.entries if entry.kind != "concept"]
            if not terms:
                continue  # concept words: a formed word, or a message-scoped rule (rule_words)
            # a near context word (clauses ignored) across the boundary
            near_start = near_start or hit.start <= NEAR_WINDOW
            near_end = near_end or size - hit.end <= NEAR_WINDOW
            if not near_end and any(entry.group in self._contact_groups for entry in terms):
                digits = digits if digits is not None else digit_view(view, self._tables)
                # an account after the app's name: its filler words reach the end
                near_end = self._fillers.match(digits, hit.end).end() == size
        if candidates.numbers:
            digits = digits if digits is not None else digit_view(view, self._tables)
            reach = self._number_reach
            # a number's order, phone or bank words stand within the window before it
            first = _NUMBER_START.search(digits, 0, reach)
            near_start = near_start or first is not None
            # and a phone, landline or card number's also after it
            near_end = near_end or any(run.end() > size - reach
                                       for run in _LONG_RUN.finditer(digits))
        return near_start, near_end

    def _rule_words(self, view: str) -> tuple[tuple[tuple[int, int], ...], ...]:
        """The message-scoped rules whose concept words stand within the rule's
        window of the start / end of a dense view, with the nearest one's distance
        (from the start to where it begins, from where it ends to the end)."""
        if self._scoped is None:
            return (), ()
        reach, windows, size = self._scoped_reach, self._windows, len(view)
        at_start: dict[int, int] = {}
        for last, (length, bits) in self._scoped.iter(view[:reach]):
            distance = last + 1 - length
            for bit, window in windows.items():
                if bits & bit and distance <= window and distance < at_start.get(bit, window + 1):
                    at_start[bit] = distance
        at_end: dict[int, int] = {}
        offset = max(0, size - reach)
        for last, (_, bits) in self._scoped.iter(view[offset:]):
            distance = size - (offset + last + 1)
            for bit, window in windows.items():
                if bits & bit and distance <= window and distance < at_end.get(bit, window + 1):
                    at_end[bit] = distance
        return tuple(at_start.items()), tuple(at_end.items())

    def _rules_reach(self, facts: Sequence[Edges]) -> bool:
        """Whether a message-scoped rule's words stand in two messages of the window
        within its window of each other (a message that is not quiet among them):
        a match, or an `unless` that cancels an allow rule, may reach across."""
        if all(fact.quiet for fact in facts):
            return False
        words = [self.rule_words(fact.view) for fact in facts]
        if not any(at_end for _, at_end in words):
            return False
        windows = self._windows
        for i, (_, left) in enumerate(words):
            gap = 0
            for j in range(i + 1, len(facts)):
                for bit, before in left:
                    for other, after in words[j][0]:
                        if bit == other and before + gap + after <= windows[bit]:
                            return True
                gap += len(facts[j].view)
        return False

    def closed(self, left: Edges, right: Edges) -> bool:
        """Whether nothing can form across the boundary between these two messages
        (test 1 for one pair; a message-scoped rule's words near it, with a message
        that is not quiet, leave it to `quiet_with`, which sees the whole window)."""
        return bool(left.first and right.first) and not (left.cue or right.cue) \
            and self._inert(left, right) and ((left.quiet and right.quiet) or not (
                self.rule_words(left.view)[1] or self.rule_words(right.view)[0]))

    def _inert(self, left: Edges, right: Edges) -> bool:
        """Whether nothing can form across the boundary between these two messages."""
        if left.near_end or right.near_start or left.last + right.first in self._pairs \
                or left.opens_last & right.opens_first:
            return False
        if left.quiet and right.quiet:
            return True
        if left.last + right.first in self._context_pairs:
            return False
        # one clause across the boundary: context and clause-scoped rules reach over it
        return not ((left.wide_end or right.wide_start) and (
            self.fragments(left.text)[1] or self.fragments(right.text)[0]))

    def _continues(self, char: str) -> bool:
        """Whether a run of some recognizer's shape may go on through this character.

        Noise the dense view drops (punctuation, emoji) joins what stands on
        either side of it, so it is part of a run too.
        """
        dense = char.translate(self._dense)
        return not dense or self._continuations.continues(dense, char.translate(self._light))

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
        if any(fact.cue for fact in facts) or self._rules_reach(facts):
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


def _short(text: str, marks: dict[int, str], at_end: bool) -> bool:
    """Whether the first (last) clause of a message is a fragment of less than two
    characters of the dense view (`Tables.dense_marks`: clause punctuation is SOH)."""
    kept = 0
    for char in (reversed(text) if at_end else text):
        mark = marks.get(ord(char), char)
        if mark == "\x01":
            if kept:
                return kept < 2
            continue  # punctuation at the edge: no clause ends there
        kept += len(mark) - mark.count("\x00")
        if kept >= 2:
            return False
    return True


def _scoped_words(compiled: Any) -> tuple[Any, dict[int, int], int]:
    """The concept words of the message-scoped rules (a rule in message scope
    combines words across a message boundary): an automaton of word → (length,
    rules' bits), each rule's (bit, window), and how far from an edge to look."""
    scoped = [rule for rule in compiled.rule_index.rules if rule.scope == "message"]
    if not scoped:
        return None, {}, 0
    windows = {1 << index: rule.window + 1 for index, rule in enumerate(scoped)}
    # each concept's rules (`unless` too: it cancels an allow rule), as bits
    rule_bits: dict[str, int] = {}
    for index, rule in enumerate(scoped):
        for concept in rule.concepts:
            rule_bits[concept] = rule_bits.get(concept, 0) | 1 << index
    automaton = ahocorasick.Automaton()
    longest = 0
    for word, (length, _, _, concepts) in compiled.context.items():
        bits = 0
        for concept in concepts:  # the concepts the word belongs to (compiled.py)
            bits |= rule_bits.get(concept, 0)
        if bits:
            automaton.add_word(word, (length, bits))
            longest = max(longest, length)
    if not longest:
        return None, {}, 0
    automaton.make_automaton()
    return automaton, windows, max(windows.values()) + longest
