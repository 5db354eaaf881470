"""What the slow path knows about one message, and the lookups around a term.

`MessageState` holds a message's views, context words, concept words and
tokens, each made on first need; `find_context` and `negation` answer "which
context words stand around this term" and "does a refusal excuse it".
Never shared: one per message judged (decide.py).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from guard.compiled import CompiledLexicon
from guard.confirm import LazyTokenizer, is_whole_word, word_crosses
from guard.normalize import MASK_CHAR, OffsetMap, SpanMap, dense_spans, light_view
from guard.refusal_lists import LIST_REACH, condition_follows, list_refusal, refused_after_list
from guard.rulematch import ConceptHit
from guard.scan import NEAR_WINDOW, ContextHit, ContextScan, TermHit, scan_context

# NamedTuples built without their generated __new__ (a Python call each).
_new_tuple = tuple.__new__

# Characters of context on each side of a term that the tokenizer reads.
TOKEN_WINDOW = 16


@dataclass(slots=True)
class MessageState:
    """Per-message working state of the slow path (never shared)."""

    text: str
    dense: str
    compiled: CompiledLexicon
    tokenizer: LazyTokenizer
    _scan: ContextScan | None = None
    _light: tuple[str, OffsetMap] | None = None
    _tokens: list[tuple[int, int]] | None = None
    _offsets: SpanMap | None = None
    _concepts: dict[str, list[ConceptHit]] | None = None
    _negation_reach: tuple[int, int] | None = None
    # dense end → the earliest start of a term hit ending there (the items of a list)
    term_ends: dict[int, int] | None = None

    @property
    def scan(self) -> ContextScan:
        """The context pass (made on first need, or handed over by `drop_unsupported`)."""
        if self._scan is None:
            self._scan = scan_context(self.dense, self.compiled)
        return self._scan

    def concepts(self) -> dict[str, list[ConceptHit]]:
        """The concept words of the message by concept, each in order of start.

        A Latin concept word (hp, fx) counts only with a word edge on both sides.
        Only the concepts some rule the message could start looks at are kept
        (`RuleIndex.wanted`): a word of any other concept can match no rule.
        """
        if self._concepts is None:
            grouped: dict[str, list[ConceptHit]] = {}
            scan = self.scan
            wanted = self.compiled.rule_index.wanted(scan.names)
            for start, end, names, latin in scan.concept_words:
                if wanted.isdisjoint(names):
                    continue
                if latin and not latin_boundaries_ok(
                        self.text, self.offsets.span(start, end), self.compiled):
                    continue
                for name in names:
                    if name not in wanted:
                        continue
                    hit = _new_tuple(ConceptHit, (start, end, name))
                    found = grouped.get(name)
                    if found is None:
                        grouped[name] = [hit]
                    else:
                        found.append(hit)
            for found in grouped.values():
                if len(found) > 1:
                    found.sort()  # found in order of end: a longer word may start earlier
            self._concepts = grouped
        return self._concepts

    @property
    def context(self) -> list[ContextHit]:
        """Context words and cues of the message, in order of their end."""
        return self.scan.hits

    def context_ending(self, lo: int, hi: int) -> list[ContextHit]:
        """The context hits that end within [lo, hi] (a long message stays linear)."""
        scan = self.scan
        ends = scan.ends
        return scan.hits[bisect_left(ends, lo):bisect_right(ends, hi)]

    def may_be_negated(self, start: int, end: int) -> bool:
        """Whether a refusal cue could excuse a term at [start, end) (a cheap test first).

        A cue ends within the furthest reach `negation` looks, or the whole
        message warns about scams.
        """
        scan = self.scan
        if scan.anywhere is not None:
            return True
        ends = scan.cue_ends
        if not ends:
            return False
        if self._negation_reach is None:
            compiled = self.compiled
            lexicon = compiled.lexicon
            self._negation_reach = (
                max((rule.window for rule in lexicon.context.values()), default=0)
                + compiled.context_length + lexicon.negation_window,
                lexicon.negation_after_window + compiled.context_length)
        before, after = self._negation_reach
        # (a refusal after a list of terms reaches further: LIST_REACH)
        return bisect_left(ends, start - before) < bisect_right(ends, end + max(
            after, LIST_REACH + self.compiled.context_length))

    @property
    def offsets(self) -> SpanMap:
        """The dense view's offset map: built on the first span asked for (a
        tracking number that turns out harmless asks none)."""
        if self._offsets is None:
            self._offsets = dense_spans(self.text, self.compiled.tables)
        return self._offsets

    @property
    def anywhere_cue(self) -> ContextHit | None:
        """A cue that makes the whole message a warning about scams, if any."""
        return self.scan.anywhere

    @property
    def light(self) -> tuple[str, OffsetMap]:
        if self._light is None:
            self._light = light_view(self.text, self.compiled.tables)
        return self._light

    def whole_token(self, span: tuple[int, int], category: str) -> bool:
        """Whether the tokenizer sees the span as whole words.

        Where no dictionary word crosses either edge, it is (no tokenizer
        run). Otherwise a short message is tokenized once; of a long one, only
        a window around each span, so it costs no more than a short one.
        """
        light, light_offsets = self.light
        to_original = light_offsets.to_original
        first = bisect_left(to_original, span[0])
        last = bisect_left(to_original, span[1])
        crossings = self.compiled.crossings
        if not (word_crosses(light, first, crossings) or word_crosses(light, last, crossings)):
            return True
        if len(self.text) <= 4 * TOKEN_WINDOW:
            if self._tokens is None:
                self._tokens = self.tokenizer.tokens(*self.light)
            tokens = self._tokens
        else:
            lo = max(0, span[0] - TOKEN_WINDOW)
            hi = min(len(self.text), span[1] + TOKEN_WINDOW)
            light, offsets = light_view(self.text[lo:hi], self.compiled.tables)
            tokens = [(a + lo, b + lo) for a, b in self.tokenizer.tokens(light, offsets)]
        rule = self.compiled.lexicon.context.get(category)
        words = set(rule.before + rule.after) if rule else set()
        tables = self.compiled.tables

        def harmless(start: int, end: int) -> bool:
            return self.text[start:end].translate(tables.dense) in words

        return is_whole_word(span, tokens, harmless)

    def same_clause(self, a: int, b: int) -> bool:
        return self.offsets.same_clause(a, b)


def latin_boundaries_ok(text: str, span: tuple[int, int], compiled: CompiledLexicon,
                        digit_before_ok: bool = True) -> bool:
    """A Latin or numeric term needs a word edge: no letter before or after it.

    "wxyz" holds no "wx"; but "vx123" is vx + an id, and "138…qq联系" is a
    number and then QQ. A digit before only rules out ordinary words
    (needs_context: "1TB" is terabytes, not 淘宝's "tb"). A masked span
    counts as a letter, so masking a message never makes a new finding.
    """
    light = compiled.tables.light
    start, end = span
    if start > 0:
        before = light.get(ord(text[start - 1]), text[start - 1])[-1:]
        if before == MASK_CHAR or (before.isascii() and (
                before.isalpha() or (before.isdigit() and not digit_before_ok))):
            return False
    if end < len(text):
        after = light.get(ord(text[end]), text[end])[:1]
        if after == MASK_CHAR or (after.isascii() and after.isalpha()):
            return False
        if after == "-" and text[end + 1:end + 2].isdigit():
            return False  # a model code: WX-2301, QX-30
        if after.isdigit() and _product_word_before(text, start, compiled):
            return False  # a model code named so: 型号VX520, 货号QQ2023
        if text[start:end].isdigit() and (after.isdigit() or (
                _next_kept(text, end, light) in compiled.lexicon.numbers.units)):
            return False  # a number, not a name: 到手价1688元, 1688 元
    return not (start > 0 and text[start:end].isdigit() and text[start - 1].isdigit())


def _next_kept(text: str, position: int, light: dict[int, str]) -> str:
    """The first character from `position` on that the light view keeps (a space is
    dropped: "1688 上" is followed by 上, not by a unit), or NUL where none is near."""
    for char in text[position:position + 4]:
        kept = light.get(ord(char), char)[:1]
        if kept:
            return kept
    return "\0"


def _product_word_before(text: str, start: int, compiled: CompiledLexicon) -> bool:
    """Whether a word that makes a number an order or product number
    (`[numbers] not_contact_context`: 型号, 货号, 编号…) ends right before `start`
    (a space, colon or 是/为 between allowed), or before other codes of a list the
    word names (适配VX680、VX520)."""
    head = text[max(0, start - 24):start].translate(compiled.tables.dense)
    head = _CODES_BEFORE.sub("", head).rstrip("是为")
    return head.endswith(compiled.lexicon.numbers.not_contact_context)


# Codes of Latin letters and digits (VX680), any number of them, at the end of a text.
_CODES_BEFORE = re.compile(r"(?:[a-z]+[0-9]+)+$")


def find_context(message: MessageState, hit: TermHit, category: str,
                  near: bool) -> list[ContextHit]:
    """The context words for `category` around `hit`, in its clause, in text order."""
    found = context_around(message, hit, category, near)
    if len(found) < 2:
        return found
    found.sort(key=lambda c: (c.start, -c.end))
    # Words inside a longer one (加 in 添加) say nothing more. In this order a
    # word lies inside another iff one before it reaches as far (no two share a
    # span): one sweep, however many words a long clause holds.
    kept = []
    reach = -1  # the furthest end of the words before
    for c in found:
        if c.end > reach:
            kept.append(c)
            reach = c.end
    return kept


def context_around(message: MessageState, hit: TermHit, category: str,
                    near: bool) -> list[ContextHit]:
    """`find_context` unordered, words inside a longer one included.

    Enough where only the earliest start matters: it is `find_context`'s
    first (no two context hits share a span, so the earliest-starting,
    longest word lies inside no other).
    """
    rule = message.compiled.lexicon.context.get(category)
    if rule is None:
        return []
    window = min(NEAR_WINDOW, rule.window) if near else rule.window
    before, after = ((category, "near_before"), (category, "near_after")) if near else (
        (category, "before"), (category, "after"))
    found: list[ContextHit] = []
    start, end = hit.start, hit.end
    same_clause = message.offsets.same_clause
    reach = window + message.compiled.context_length
    for ctx in message.context_ending(start - window, end + reach):
        if ctx.end <= start:
            if start - ctx.end > window or before not in ctx.keys:
                continue
            if same_clause(ctx.end - 1, start):
                found.append(ctx)
        elif ctx.start >= end:
            if ctx.start - end > window or after not in ctx.keys:
                continue
            if same_clause(end - 1, ctx.start):
                found.append(ctx)
    return found


def negation(message: MessageState, first: int, start: int, end: int,
              touching: bool, guidance_first: bool = False) -> ContextHit | None:
    """A refusal around a term at [start, end) whose context word starts at `first`.

    不能加微信 / 我们不能私下交易 / 私下交易是不允许的 / …是骗子. `touching`: the
    cue must stand right next to the term or its context word (evasive spellings).
    A soft cue (不方便) negates only the guidance verb it stands right before
    (不方便加您微信), never the term itself (不方便vx详聊 is the classic excuse):
    it counts where it ends at `first` and a context word starts there, or
    `guidance_first` says the match itself starts with the guidance (a rule) —
    written right before it, no space between (不方便 加我vx is the excuse).
    A refused verb (不走, 不用) counts only right before the term (不走微信) or
    before the one word that leads to it (不用加微信), never further away
    (不用走平台微信转我 is guidance); right after the term, it refuses the hand-over
    word it stands before (您的微信不用给我, not 微信不用担心，加我).
    """
    lexicon = message.compiled.lexicon
    before_window = 0 if touching else lexicon.negation_window
    after_window = 0 if touching else lexicon.negation_after_window
    if message.anywhere_cue is not None:
        return message.anywhere_cue
    listed = list_refusal(message, start, end) or refused_after_list(message, end)
    if listed is not None:
        return listed
    reach = after_window + message.compiled.context_length
    for ctx in message.context_ending(first - before_window, end + reach):
        keys = ctx.keys
        if ("", "negation_soft") in keys and (
                (ctx.end == first and first < start)
                or (guidance_first and ctx.end in (first, start))) and \
                message.same_clause(ctx.end - 1, ctx.end) and _touches(message, ctx.end):
            return ctx  # (不方便加您微信; not 不方便，加我钉钉: the verb is another clause's)
        if ("", "negation_verb") in keys and (ctx.end == start or any(
                word.start == ctx.end for word in message.context_ending(start, start))
                ) and message.same_clause(ctx.end - 1, start) and \
                not condition_follows(message, end):
            return ctx  # 不走微信, 不用加微信: the verb refused is the guidance itself
        if (ctx.start == end and not _REFUSING.isdisjoint(keys)
                and message.same_clause(end - 1, ctx.start)
                and _hand_over_follows(message, ctx) and not condition_follows(message, ctx.end)):
            return ctx  # 您的微信不用给我: the hand-over after the term is refused
        near = ctx.end in (start, first) if touching else ctx.end >= first - before_window
        if (("", "negation") in keys and near and ctx.end <= start
                and message.same_clause(ctx.end - 1, start)):
            return ctx
        if (("", "negation_after") in keys and ctx.start >= end
                and ctx.start - end <= after_window
                and message.same_clause(end - 1, ctx.start)):
            return ctx
    return None


def _touches(message: MessageState, position: int) -> bool:
    """Whether dense `position` follows the character before it with nothing between
    in the original message: a soft cue refuses the verb written right after it
    (不方便加您微信), not one after a pause (不方便 加我vx: the excuse, then the move)."""
    if position <= 0 or position >= len(message.dense):
        return True
    offsets = message.offsets
    return offsets.span(position - 1, position)[1] == offsets.span(position, position + 1)[0]


_REFUSING = frozenset({("", "negation_verb"), ("", "negation")})
_AFTER_SIDES = frozenset({"after", "near_after"})


def _hand_over_follows(message: MessageState, cue: ContextHit) -> bool:
    """Whether a context word that follows a term (给我, 发我, 加我) starts right where
    the cue ends, in its clause: the cue between them refuses that hand-over."""
    reach = cue.end + message.compiled.context_length
    return any(word.start == cue.end and any(side in _AFTER_SIDES for _, side in word.keys)
               and message.same_clause(cue.end - 1, word.start)
               for word in message.context_ending(cue.end + 1, reach))
