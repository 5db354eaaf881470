"""Allow-list, context, tokens, negation and severity → `Verdict`; masking.

Runs only on the slow path: when the keyword pass or a recognizer prefilter
found a candidate. Every decision is made here; renderers only read it.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from guard.compiled import CompiledLexicon, TermEntry
from guard.confirm import LazyTokenizer, is_whole_word, word_crosses
from guard.lexicon import TermGroup
from guard.normalize import (
    MASK_CHAR,
    OffsetMap,
    SpanMap,
    dense_spans,
    digit_view,
    light_view,
)
from guard.recognizers import (
    Detection,
    Recognizers,
    account_at,
    find_account,
    find_assembled,
    find_links,
    find_numbers,
    find_obfuscated,
)
from guard.rulematch import ConceptHit, RuleMatch, by_concept, match_rule, may_match
from guard.scan import NEAR_WINDOW, ContextHit, ContextScan, TermHit, scan_context
from guard.verdict import RANK, Finding, Verdict, new_finding, new_verdict, worst

# NamedTuples built without their generated __new__ (a Python call each).
_new_tuple = tuple.__new__

# Characters of context on each side of a term that the tokenizer reads.
TOKEN_WINDOW = 16


@dataclass(slots=True)
class _Message:
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

    @property
    def scan(self) -> ContextScan:
        """The context pass (made on first need, or handed over by `drop_unsupported`)."""
        if self._scan is None:
            self._scan = scan_context(self.dense, self.compiled)
        return self._scan

    def concepts(self) -> dict[str, list[ConceptHit]]:
        """The concept words of the message by concept, each in order of start.

        A Latin concept word (hp, fx) counts only with a word edge on both sides.
        """
        if self._concepts is None:
            grouped: dict[str, list[ConceptHit]] = {}
            for start, end, names, latin in self.scan.concept_words:
                if latin and not _latin_boundaries_ok(
                        self.text, self.offsets.span(start, end), self.compiled):
                    continue
                for name in names:
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

        A cue ends within the furthest reach `_negation` looks, or the whole
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
        return bisect_left(ends, start - before) < bisect_right(ends, end + after)

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


def _latin_boundaries_ok(text: str, span: tuple[int, int], compiled: CompiledLexicon,
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
        if text[start:end].isdigit() and (
                after.isdigit() or after in compiled.lexicon.numbers.units):
            return False  # a number, not a name: 到手价1688元
    return not (start > 0 and text[start:end].isdigit() and text[start - 1].isdigit())


def _find_context(message: _Message, hit: TermHit, category: str,
                  near: bool) -> list[ContextHit]:
    """The context words for `category` around `hit`, in its clause, in text order."""
    found = _context_around(message, hit, category, near)
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


def _context_around(message: _Message, hit: TermHit, category: str,
                    near: bool) -> list[ContextHit]:
    """`_find_context` unordered, words inside a longer one included.

    Enough where only the earliest start matters: it is `_find_context`'s
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


def _negation(message: _Message, first: int, start: int, end: int,
              touching: bool, guidance_first: bool = False) -> ContextHit | None:
    """A refusal around a term at [start, end) whose context word starts at `first`.

    不能加微信 / 我们不能私下交易 / 私下交易是不允许的 / …是骗子. `touching`: the
    cue must stand right next to the term or its context word (evasive spellings).
    A soft cue (不方便) negates only the guidance verb it stands right before
    (不方便加您微信), never the term itself (不方便vx详聊 is the classic excuse):
    it counts where it ends at `first` and a context word starts there, or
    `guidance_first` says the match itself starts with the guidance (a rule).
    """
    lexicon = message.compiled.lexicon
    before_window = 0 if touching else lexicon.negation_window
    after_window = 0 if touching else lexicon.negation_after_window
    if message.anywhere_cue is not None:
        return message.anywhere_cue
    reach = after_window + message.compiled.context_length
    for ctx in message.context_ending(first - before_window, end + reach):
        keys = ctx.keys
        if ("", "negation_soft") in keys and (
                (ctx.end == first and first < start)
                or (guidance_first and ctx.end in (first, start))):
            return ctx
        near = ctx.end in (start, first) if touching else ctx.end >= first - before_window
        if (("", "negation") in keys and near and ctx.end <= start
                and message.same_clause(ctx.end - 1, start)):
            return ctx
        if (("", "negation_after") in keys and ctx.start >= end
                and ctx.start - end <= after_window
                and message.same_clause(end - 1, ctx.start)):
            return ctx
    return None


def _reason(message: _Message, key: str, group: TermGroup, term: str, context: str = "",
            cue: str = "") -> str:
    messages = message.compiled.lexicon.messages
    template = messages.reasons.get(key, "{label}（{category}）")
    return template.format(label=group.label, term=term, context=context, cue=cue,
                           category=messages.category_labels.get(group.category, group.category))


def _judge_entry(message: _Message, hit: TermHit, entry: TermEntry,
                 span: tuple[int, int]) -> Finding | None:
    compiled = message.compiled
    group = compiled.lexicon.groups[entry.group]
    text = message.text
    if entry.latin and not _latin_boundaries_ok(text, span, compiled,
                                                 entry.kind != "needs_context"):
        return None
    matched = text[span[0]:span[1]]
    context: list[ContextHit] = []
    if entry.kind == "block":
        severity, reason = "block", _reason(message, "block_term", group, matched)
    else:
        context = _find_context(message, hit, group.category, entry.kind == "needs_context")
        if not context and entry.kind == "needs_context":
            return None
        if group.whole_token and not entry.latin and not message.whole_token(span, group.category):
            return None
        if not context:
            severity, reason = "warn", _reason(message, "mention_bare", group, matched)
        else:
            words = "」「".join(message.dense[c.start:c.end] for c in context)
            key = "mention_context" if entry.kind == "mention" else "needs_context"
            severity, reason = "block", _reason(message, key, group, matched, context=words)
    if severity == "block" and message.may_be_negated(hit.start, hit.end):
        evasive = entry.kind == "block" and not group.refusable
        if entry.kind == "block":
            around = _context_around(message, hit, group.category, near=False)
            first = min([hit.start, *(c.start for c in around)])
        else:
            first = min(hit.start, context[0].start)
        cue = _negation(message, first, hit.start, hit.end, touching=evasive,
                        guidance_first=group.refusable)
        if cue is not None:
            word = message.dense[cue.start:cue.end]
            severity, reason = "warn", _reason(message, "negated", group, matched, cue=word)
    return new_finding(group.id, group.category, severity, span[0], span[1], matched, reason)


def drop_unsupported(hits: list[TermHit], dense: str, compiled: CompiledLexicon,
                     recognizers: Recognizers) -> tuple[list[TermHit], ContextScan | None]:
    """Drop needs_context and concept hits that nothing could support (V8 Pro, 商品链接).

    Run on the fast path when no hit is a `block` or `mention` term: a
    needs_context hit stays if a near context word stands within reach
    (ignoring clauses) or, for a messaging app, an account may follow; a
    concept hit stays if the concepts present could satisfy a rule that uses
    it. All are necessary conditions of what decide() checks, so no verdict
    changes; the message just stays fast. (An allow rule only lowers other
    findings: it has no anchor and is looked at once something is found.)
    Also returns the context pass if it was made, for `decide` to reuse.
    """
    for hit in hits:
        for entry in hit.entries:
            if entry.kind == "block" or entry.kind == "mention":
                return hits, None
    holder: list[ContextScan] = []  # the context pass, once made

    def scan() -> ContextScan:
        if not holder:
            holder.append(scan_context(dense, compiled))
        return holder[0]

    kept = _supported_terms(hits, dense, compiled, recognizers, scan)
    if any(e.kind == "concept" for h in hits for e in h.entries) and _rule_possible(
            scan(), compiled):
        supported = {id(h) for h in kept}
        kept = [h for h in hits if id(h) in supported or any(
            e.kind == "concept" for e in h.entries)]
    return kept, holder[0] if holder else None


def _supported_terms(hits: list[TermHit], dense: str, compiled: CompiledLexicon,
                     recognizers: Recognizers, scan: Callable[[], ContextScan]
                     ) -> list[TermHit]:
    """The needs_context hits a context word or an account could support."""
    reach = NEAR_WINDOW + compiled.context_length
    digits: str | None = None
    groups = compiled.lexicon.groups
    kept = []
    for hit in hits:
        categories = {groups[e.group].category for e in hit.entries if e.kind != "concept"}
        if not categories:
            continue
        if "contact_im" in categories:
            digits = digits if digits is not None else digit_view(dense, compiled.tables)
            if account_at(digits, hit.end, recognizers) is not None:
                kept.append(hit)
                continue
        context = scan()
        ends = context.ends  # in order: the automaton reports by end
        # only the words ending within reach can stand near it
        for ctx in context.hits[bisect_left(ends, hit.start - NEAR_WINDOW):
                                bisect_right(ends, hit.end + reach)]:
            if ctx.end <= hit.start:
                side, distance = "near_before", hit.start - ctx.end
            elif ctx.start >= hit.end:
                side, distance = "near_after", ctx.start - hit.end
            else:
                continue
            if distance <= NEAR_WINDOW and any((c, side) in ctx.keys for c in categories):
                kept.append(hit)
                break
    return kept


def _rule_possible(scan: ContextScan, compiled: CompiledLexicon) -> bool:
    """Whether the concept words present (the words the context pass finds) could
    satisfy a reporting rule within its window (scope, `unless`, refusals and
    the Latin-boundary test not looked at: a necessary condition of a match)."""
    rules = compiled.rule_index.present(scan.names, "report")
    if not rules:
        return False
    found = [ConceptHit(start, end, name) for start, end, names, _ in scan.concept_words
             for name in names]
    grouped = by_concept(found)
    return any(may_match(rule, grouped) for rule in rules)


def _finding(text: str, detection: Detection) -> Finding:
    return new_finding(detection.rule, detection.category, "block", detection.start, detection.end,
                   text[detection.start:detection.end], detection.reason)


def _settle(text: str, findings: list[Finding]) -> tuple[Finding, ...]:
    """The findings a verdict reports, in order of start.

    In one sweep in order of start (longest, most severe first): a finding
    inside another at least as severe is dropped (vx inside vx号), and
    findings of one category that overlap become one finding with their
    union span (扫码加 + 码加我 → 扫码加我), so reports count violations, not
    n-grams. One sort and one sweep: n log n however many there are.
    """
    if len(findings) < 2:
        return tuple(findings)  # nothing to cover, be covered or merge
    rank = RANK
    # a total order (the rule breaks ties): the result never depends on the
    # order the findings were made in
    ordered = sorted(findings, key=lambda f: (f.start, -f.end, -rank[f.severity], f.rule))
    reach_any = reach_block = -1  # furthest end of a kept finding / of a kept block
    # per merged group: [start, end, the first of its most severe parts (its rule and
    # reason are kept), number of parts]; in order of start
    merged: list[list] = []  # type: ignore[type-arg]
    open_by_category: dict[str, list] = {}  # type: ignore[type-arg]
    for finding in ordered:
        end = finding.end
        block = finding.severity == "block"
        if (reach_block if block else reach_any) >= end:
            continue
        if end > reach_any:
            reach_any = end
        if block and end > reach_block:
            reach_block = end
        group = open_by_category.get(finding.category)
        if group is not None and finding.start < group[1]:
            if end > group[1]:
                group[1] = end
            group[3] += 1
            if block and group[2].severity != "block":
                group[2] = finding
        else:
            group = open_by_category[finding.category] = [finding.start, end, finding, 1]
            merged.append(group)
    return tuple(
        first if parts == 1 else new_finding(first.rule, first.category, first.severity,
                                             start, end, text[start:end], first.reason)
        for start, end, first, parts in merged)


# What masking stars out: everything but whitespace (\s is str.isspace()).
_VISIBLE = re.compile(r"\S")


def mask(text: str, findings: tuple[Finding, ...]) -> str:
    """The message with every finding's span starred out (same length).

    Built in one pass over the spans in order, so a message with many
    findings costs its length, not its length per finding.
    """
    if not findings:
        return text
    pieces: list[str] = []
    done = 0  # text[:done] is in pieces
    spans = [(f.start, f.end) for f in findings]
    if len(spans) > 1:
        spans.sort()
    for start, end in spans:
        if start < done:
            start = done
        if end > start:
            pieces.append(text[done:start])
            piece = text[start:end]
            # no whitespace in it (the usual case): a run of mask characters
            pieces.append(MASK_CHAR * len(piece) if piece.split() == [piece]
                          else _VISIBLE.sub(MASK_CHAR, piece))
            done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _judge_hits(message: _Message, hits: list[TermHit], evasive: set[int]) -> list[Finding]:
    """The findings of the term hits, longest hits first.

    A hit inside a span that already blocks would only be pruned, so it is
    not judged (微 inside a blocking 微信 costs no tokenizer). The ids of the
    findings made by evasive spellings (`block` terms, but not the names of a
    practice in a `refusable` group) are added to `evasive`: an allow rule
    never lowers those.
    """
    findings: list[Finding] = []
    # dense position → the furthest end of a blocking hit over it: a hit lies
    # inside one iff its start's entry reaches its end (one lookup per hit;
    # filling costs a hit's length, and terms are short).
    blocked_to: dict[int, int] = {}
    for hit in sorted(hits, key=lambda h: (h.start - h.end, h.start)):
        if blocked_to.get(hit.start, -1) >= hit.end:
            continue
        for entry in hit.entries:
            if entry.kind != "concept":
                break
        else:
            continue  # concept words only: the rules judge them
        span = message.offsets.span(hit.start, hit.end)
        for entry in hit.entries:
            if entry.kind == "concept":
                continue
            finding = _judge_entry(message, hit, entry, span)
            if finding is not None:
                findings.append(finding)
                if entry.kind == "block" and not (
                        message.compiled.lexicon.groups[entry.group].refusable):
                    evasive.add(id(finding))
                if finding.severity == "block":
                    for position in range(hit.start, hit.end):
                        if blocked_to.get(position, -1) < hit.end:
                            blocked_to[position] = hit.end
    return findings


def _contact_labels(message: _Message, hits: list[TermHit]) -> dict[int, str]:
    """Where an account may follow a messaging-app term: hit end → the app's label."""
    compiled = message.compiled
    labels: dict[int, str] = {}
    for hit in hits:
        for entry in hit.entries:
            if entry.kind == "concept":
                continue
            group = compiled.lexicon.groups[entry.group]
            if group.category == "contact_im" and (not entry.latin or _latin_boundaries_ok(
                    message.text, message.offsets.span(hit.start, hit.end), compiled)):
                labels.setdefault(hit.end, group.label)
    return labels


# From this length on, a message can make tens of thousands of hits, context words
# and findings at once, and the cyclic garbage collector would walk them again and
# again while they are made (≈ 40 % of the time of a megabyte of violations). The
# slow path makes no reference cycles, so for such a message it is paused — only if
# it was running, and started again at the end (tests/test_linear.py).
PAUSE_COLLECTOR_FROM = 10_000


def decide(text: str, dense: str, hits: list[TermHit], numbers: bool, links: bool,
           compiled: CompiledLexicon, recognizers: Recognizers,
           tokenizer: LazyTokenizer, context: ContextScan | None = None) -> Verdict:
    """The slow path: every candidate judged, one verdict.

    `hits` are the term hits outside allow-listed phrases; `numbers` / `links`
    say whether the fast path saw something a recognizer could match;
    `context` the context pass, if the fast path made it (`drop_unsupported`).
    """
    if len(text) < PAUSE_COLLECTOR_FROM or not gc.isenabled():
        return _decide(text, dense, hits, numbers, links, compiled, recognizers, tokenizer,
                       context)
    gc.disable()
    try:
        return _decide(text, dense, hits, numbers, links, compiled, recognizers, tokenizer,
                       context)
    finally:
        gc.enable()


def _decide(text: str, dense: str, hits: list[TermHit], numbers: bool, links: bool,
            compiled: CompiledLexicon, recognizers: Recognizers,
            tokenizer: LazyTokenizer, context: ContextScan | None) -> Verdict:
    message = _Message(text, dense, compiled, tokenizer, context)
    findings: list[Finding] = []
    evasive: set[int] = set()
    contact_labels: dict[int, str] = {}
    matches: list[RuleMatch] = []
    if hits:
        findings.extend(_judge_hits(message, hits, evasive))
        contact_labels = _contact_labels(message, hits)
        if any(e.kind == "concept" for hit in hits for e in hit.entries):
            matches = _match_rules(message, "report")
            findings.extend(_rule_findings(message, matches))
    digits = digit_view(dense, compiled.tables) if contact_labels or numbers else dense
    for end, label in contact_labels.items():
        account = find_account(digits, end, message.offsets, label, recognizers)
        if account is not None:
            findings.append(_finding(text, account))
    if numbers:
        findings.extend(_finding(text, d) for d in find_numbers(
            dense, digits, message.offsets, recognizers))
        findings.extend(_finding(text, d) for d in find_assembled(
            dense, digits, message.offsets, recognizers))
    if links:
        light, light_offsets = message.light
        findings.extend(_finding(text, d) for d in find_links(light, light_offsets, recognizers))
        findings.extend(_finding(text, d) for d in find_obfuscated(
            text, compiled.tables, message.offsets, recognizers))
    if compiled.rule_index.allow and any(
            f.severity == "block" and id(f) not in evasive for f in findings):
        allowing = _match_rules(message, "allow")
        if allowing:
            findings = _apply_allow_rules(message, allowing, findings, evasive)
    return make_verdict(text, _settle(text, findings), compiled)


# --------------------------------------------------------------------------- rules

# Marks that end a sentence, for a rule's scope = "sentence" (typography, not rule data).
_SENTENCE_END = re.compile(r"[。！？!?\n；;]")


def _match_rules(message: _Message, effect: str) -> list[RuleMatch]:
    """The rules of one effect matched against the message's concept words.

    Reporting rules only where an anchor (a concept term of the keyword pass)
    was found, allow rules only where a finding could be lowered: the
    concepts' words come from the context pass, which that triggers.
    """
    index = message.compiled.rule_index
    # the concepts the context pass saw first (a cheap superset of those that count)
    if not index.present(message.scan.names, effect):
        return []
    grouped = message.concepts()
    rules = index.present(grouped.keys(), effect)  # type: ignore[arg-type]
    if not rules:
        return []
    ends: list[int] | None = None

    def segment(scope: str, position: int) -> int:
        nonlocal ends
        if scope == "clause":
            return bisect_right(message.offsets.clause_starts, position)  # type: ignore[attr-defined]
        if scope == "sentence":
            if ends is None:
                ends = [m.start() for m in _SENTENCE_END.finditer(message.text)]
            return bisect_right(ends, message.offsets.span(position, position + 1)[0])
        return 0

    matches: list[RuleMatch] = []
    for rule in rules:
        matches.extend(match_rule(rule, grouped, segment))
    return matches


def _rule_findings(message: _Message, matches: list[RuleMatch]) -> list[Finding]:
    """A finding for each match of a reporting rule (a refusal around it: a warning)."""
    lexicon = message.compiled.lexicon
    labels = lexicon.messages.category_labels
    templates = lexicon.messages.reasons
    findings = []
    for match in matches:
        rule = match.rule
        if rule.effect != "report":
            continue
        start, end = message.offsets.span(match.start, match.end)
        words = "」「".join(dict.fromkeys(message.dense[h.start:h.end] for h in match.parts))
        category = labels.get(rule.category, rule.category)
        severity = rule.severity
        reason = templates.get("rule", "「{context}」：{label}（{category}）").format(
            context=words, label=rule.label, category=category)
        if severity == "block" and rule.negatable and message.may_be_negated(match.start,
                                                                              match.end):
            cue = _negation(message, match.start, match.start, match.end, touching=False,
                            guidance_first=True)
            if cue is not None:
                severity = "warn"
                reason = templates.get("negated", "{label}（{cue}）").format(
                    label=rule.label, term=words, context=words, category=category,
                    cue=message.dense[cue.start:cue.end])
        findings.append(new_finding(rule.id, rule.category, severity, start, end,
                                message.text[start:end], reason))
    return findings


def _apply_allow_rules(message: _Message, matches: list[RuleMatch], findings: list[Finding],
                       evasive: set[int]) -> list[Finding]:
    """Findings the allow rules excuse, lowered to warnings (evasive spellings never are)."""
    spans: dict[str, list[tuple[int, int, str]]] = {}  # demoted rule → (start, end, label)
    for match in matches:
        rule = match.rule
        if rule.effect == "allow":
            lo = max(0, match.start - rule.window)
            hi = min(len(message.dense), match.end + rule.window)
            start, end = message.offsets.span(lo, hi)
            for name in rule.demotes:
                spans.setdefault(name, []).append((start, end, rule.label))
    if not spans:
        return findings
    merged: dict[str, tuple[list[int], list[tuple[int, int, str]]]] = {}
    for name, found in spans.items():
        union: list[tuple[int, int, str]] = []
        for start, end, label in sorted(found):
            if union and start <= union[-1][1]:
                union[-1] = (union[-1][0], max(end, union[-1][1]), union[-1][2])
            else:
                union.append((start, end, label))
        merged[name] = ([u[0] for u in union], union)
    template = message.compiled.lexicon.messages.reasons.get("allowed", "{label}")
    result = []
    for finding in findings:
        known = merged.get(finding.rule)
        if known is not None and finding.severity == "block" and id(finding) not in evasive:
            starts, union = known
            index = bisect_right(starts, finding.start) - 1
            if index >= 0 and finding.end <= union[index][1]:
                finding = new_finding(finding.rule, finding.category, "warn", finding.start,
                                  finding.end, finding.text,
                                  template.format(label=union[index][2], term=finding.text))
        result.append(finding)
    return result


def make_verdict(text: str, findings: tuple[Finding, ...], compiled: CompiledLexicon) -> Verdict:
    name = worst([f.severity for f in findings])
    messages = compiled.lexicon.messages
    warning = (messages.block_warning if name == "block"
               else messages.warn_reminder if name == "warn" else None)
    return new_verdict(name, findings, mask(text, findings), warning, text)
