"""Allow-list, context, tokens, negation and severity → `Verdict`.

Runs only on the slow path: when the keyword pass or a recognizer prefilter
found a candidate. Every decision is made here, in order: term hits judged
with their context (message_state.py), the recognizers run, the rules
matched (rule_findings.py), the findings settled into a verdict (settle.py);
renderers only read it.
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from collections.abc import Callable

from guard.compiled import CompiledLexicon, TermEntry
from guard.confirm import LazyTokenizer
from guard.lexicon import TermGroup
from guard.message_state import (
    MessageState,
    context_around,
    find_context,
    latin_boundaries_ok,
    negation,
)
from guard.normalize import digit_view
from guard.recognizers import (
    Recognizers,
    account_span,
    find_account,
    find_assembled,
    find_links,
    find_numbers,
    find_obfuscated,
)
from guard.rule_findings import apply_allow_rules, match_rules, rule_findings
from guard.rulematch import ConceptHit, RuleMatch, by_concept, latin_counts, may_match
from guard.scan import NEAR_WINDOW, ContextHit, ContextScan, TermHit, scan_context
from guard.settle import finding_of, make_verdict, settle
from guard.verdict import Finding, Verdict, new_finding


def _reason(message: MessageState, key: str, group: TermGroup, term: str, context: str = "",
            cue: str = "") -> str:
    messages = message.compiled.lexicon.messages
    template = messages.reasons.get(key, "{label}（{category}）")
    return template.format(label=group.label, term=term, context=context, cue=cue,
                           category=messages.category_labels.get(group.category, group.category))


def _judge_entry(message: MessageState, hit: TermHit, entry: TermEntry,
                 span: tuple[int, int]) -> tuple[Finding, ContextHit | None, bool] | None:
    """The finding of one spelling at `hit`, the refusal that excused it (if one did), and
    whether it blocks only by words that place the name (`[negation] place_words`: 抖音上,
    在淘宝) — such a mention is refused where the message refuses the same app."""
    compiled = message.compiled
    group = compiled.lexicon.groups[entry.group]
    text = message.text
    if entry.latin and not latin_boundaries_ok(text, span, compiled,
                                                 entry.kind != "needs_context"):
        return None
    matched = text[span[0]:span[1]]
    context: list[ContextHit] = []
    evasive = entry.kind == "block"
    picture = False
    syllables = compiled.lexicon.syllables
    if entry.infix is not None:
        # the syllable put inside the name stands for an emoji there, noise (微🐱信)
        start, end = message.offsets.span(hit.start + entry.infix[0], hit.start + entry.infix[1])
        if text[start:end].rstrip("\ufe0f") not in syllables:
            return None
        evasive = True
    elif syllables and not syllables.keys().isdisjoint(matched):
        # an emoji read as a syllable ([normalize.syllables]): inside a name (天🐱, 快🖐)
        # it is an evasive spelling; at the start of one it may be the picture (🐱店, a
        # cat shop): what follows it decides (🐱店也有 / 去🐱店下单 count, 我们家🐱超可爱
        # does not); a name the tokenizer does not see whole is none (今天🐱);
        # after the syllable it repeats (天猫🐱) it adorns a name written in full
        if entry.kind == "needs_context" or (
                group.whole_token and not message.whole_token(span, group.category)):
            return None
        picture = matched[0] in syllables
        evasive = not picture and (evasive or not entry.doubled)
    elif entry.doubled:
        return None
    if evasive:
        severity, reason = "block", _reason(message, "block_term", group, matched)
    else:
        context = find_context(message, hit, group.category, entry.kind == "needs_context")
        if picture:
            context = [c for c in context if c.start >= hit.end]
        if not context and (entry.kind == "needs_context" or picture):
            return None
        if group.whole_token and not entry.latin and not message.whole_token(span, group.category):
            return None
        if not context:
            severity, reason = "warn", _reason(message, "mention_bare", group, matched)
        else:
            words = "」「".join(message.dense[c.start:c.end] for c in context)
            key = "mention_context" if entry.kind == "mention" or picture else "needs_context"
            severity, reason = "block", _reason(message, key, group, matched, context=words)
    if severity == "block" and message.may_be_negated(hit.start, hit.end):
        touching = evasive and not group.refusable
        if evasive:
            around = context_around(message, hit, group.category, near=False)
            first = min([hit.start, *(c.start for c in around)])
        else:
            first = min(hit.start, context[0].start)
        cue = negation(message, first, hit.start, hit.end, touching=touching,
                        guidance_first=group.refusable)
        if cue is not None:
            word = message.dense[cue.start:cue.end]
            severity, reason = "warn", _reason(message, "negated", group, matched, cue=word)
            return new_finding(group.id, group.category, severity, span[0], span[1], matched,
                               reason), cue, False
    places = compiled.lexicon.negation_place_words
    placed = bool(context) and severity == "block" and all(
        message.dense[c.start:c.end] in places for c in context)
    return new_finding(group.id, group.category, severity, span[0], span[1], matched,
                       reason), None, placed


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
    if any(e.kind == "concept" for h in hits for e in h.entries) and (
            holder or _gate_open(hits, dense, compiled)) and _rule_possible(
                scan(), dense, compiled):
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
    near: list[tuple[int, int, frozenset[tuple[str, str]]]] | None = None
    kept = []
    for hit in hits:
        categories = {groups[e.group].category for e in hit.entries if e.kind != "concept"}
        if not categories:
            continue
        if "contact_im" in categories:
            digits = digits if digits is not None else digit_view(dense, compiled.tables)
            # an account after the app's name, or a number before its mailbox (482771903
            # 企鹅邮箱): where find_account finds one
            if account_span(digits, hit.end, recognizers, hit.start) is not None:
                kept.append(hit)
                continue
        if compiled.near is not None:
            # the words that can stand near a term, found by a small automaton: with none
            # in reach, the context pass (every context word) cannot find one either
            if near is None:
                near = [(last + 1 - length, last + 1, keys)
                        for last, (length, keys) in compiled.near.iter(dense)]
            if not any(_near(hit, categories, *word) for word in near):
                continue
        context = scan()
        ends = context.ends  # in order: the automaton reports by end
        # only the words ending within reach can stand near it
        for ctx in context.hits[bisect_left(ends, hit.start - NEAR_WINDOW):
                                bisect_right(ends, hit.end + reach)]:
            if _near(hit, categories, ctx.start, ctx.end, ctx.keys):
                kept.append(hit)
                break
    return kept


def _near(hit: TermHit, categories: set[str], start: int, end: int,
          keys: frozenset[tuple[str, str]]) -> bool:
    """Whether a context word at [start, end) with `keys` stands near `hit` on a side
    it supports one of `categories` from."""
    if end <= hit.start:
        side, distance = "near_before", hit.start - end
    elif start >= hit.end:
        side, distance = "near_after", start - hit.end
    else:
        return False
    return distance <= NEAR_WINDOW and any((c, side) in keys for c in categories)


def _gate_open(hits: list[TermHit], dense: str, compiled: CompiledLexicon) -> bool:
    """Whether a reporting rule's `all` concepts could all be in the message, told by
    the anchors found and one pass of the small gate automaton (`compiled.gate`),
    before the context pass: most anchors (电话, 微信 in 请保持电话畅通, 微信付款的订单)
    stand with none of their rules' other words, and the message stays fast."""
    ids = compiled.concept_ids
    present = {ids[e.group] for h in hits for e in h.entries if e.kind == "concept"}
    gate = compiled.gate
    if gate is not None:
        for _, names in gate.iter(dense):
            present.update(names)
    return compiled.rule_index.gate_open(present)


def _rule_possible(scan: ContextScan, dense: str, compiled: CompiledLexicon) -> bool:
    """Whether the concept words present (the words the context pass finds) could
    satisfy a reporting rule within its window (scope, `unless`, refusals and
    the Latin-boundary test not looked at: a necessary condition of a match)."""
    rules = compiled.rule_index.present(scan.names, "report")
    if not rules:
        return False
    found = [ConceptHit(start, end, name) for start, end, names, _ in scan.concept_words
             for name in names]
    grouped = by_concept(found)
    latin = latin_counts(dense, ((start, end) for start, end, _, is_latin
                                      in scan.concept_words if is_latin))
    return any(may_match(rule, grouped, latin) for rule in rules)


def _judge_hits(message: MessageState, hits: list[TermHit], evasive: set[int]) -> list[Finding]:
    """The findings of the term hits, longest hits first.

    A hit inside a span that already blocks would only be pruned, so it is
    not judged (微 inside a blocking 微信 costs no tokenizer); nor is one inside
    a spelling a refusal excused (the Q群 of 不用加QQ群: the refusal is of the
    whole word). The ids of the
    findings made by evasive spellings (`block` terms, but not the names of a
    practice in a `refusable` group) are added to `evasive`: an allow rule
    never lowers those.
    """
    findings: list[Finding] = []
    refused: dict[str, ContextHit] = {}  # group → a refusal of one of its mentions
    placed: list[tuple[int, TermGroup]] = []  # findings that block only by a place word
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
            judged = _judge_entry(message, hit, entry, span)
            if judged is not None:
                finding, cue, by_place = judged
                if cue is not None:
                    refused.setdefault(finding.rule, cue)
                if by_place:
                    placed.append((len(findings), message.compiled.lexicon.groups[entry.group]))
                findings.append(finding)
                if entry.kind == "block" and not (
                        message.compiled.lexicon.groups[entry.group].refusable):
                    evasive.add(id(finding))
                if finding.severity == "block" or cue is not None:
                    for position in range(hit.start, hit.end):
                        if blocked_to.get(position, -1) < hit.end:
                            blocked_to[position] = hit.end
    for index, group in placed:  # 抖音上那个视频不是我们发的…我们没有在抖音卖货: 抖音 refused
        finding = findings[index]
        cue = refused.get(finding.rule)
        if cue is not None:
            findings[index] = new_finding(
                finding.rule, finding.category, "warn", finding.start, finding.end, finding.text,
                _reason(message, "negated", group, finding.text,
                        cue=message.dense[cue.start:cue.end]))
    return findings


def _contact_labels(message: MessageState, hits: list[TermHit]) -> dict[int, str]:
    """Where an account may follow a messaging-app term: hit end → the app's label."""
    compiled = message.compiled
    labels: dict[int, str] = {}
    for hit in hits:
        for entry in hit.entries:
            if entry.kind == "concept":
                continue
            group = compiled.lexicon.groups[entry.group]
            if group.category == "contact_im" and (not entry.latin or latin_boundaries_ok(
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
    message = MessageState(text, dense, compiled, tokenizer, context)
    term_ends: dict[int, int] = {}
    for hit in hits:
        if any(e.kind != "concept" for e in hit.entries):
            term_ends[hit.end] = min(hit.start, term_ends.get(hit.end, hit.start))
    message.term_ends = term_ends
    findings: list[Finding] = []
    evasive: set[int] = set()
    contact_labels: dict[int, str] = {}
    matches: list[RuleMatch] = []
    if hits:
        findings.extend(_judge_hits(message, hits, evasive))
        contact_labels = _contact_labels(message, hits)
        if any(e.kind == "concept" for hit in hits for e in hit.entries):
            matches = match_rules(message, "report")
            findings.extend(rule_findings(message, matches))
    digits = digit_view(dense, compiled.tables) if contact_labels or numbers else dense
    for end, label in contact_labels.items():
        account = find_account(digits, end, message.offsets, label, recognizers,
                               term_ends.get(end))
        if account is not None:
            findings.append(finding_of(text, account))
    if numbers:
        findings.extend(finding_of(text, d) for d in find_numbers(
            dense, digits, message.offsets, recognizers))
        findings.extend(finding_of(text, d) for d in find_assembled(
            dense, digits, message.offsets, recognizers))
    if links:
        light, light_offsets = message.light
        findings.extend(finding_of(text, d) for d in find_links(light, light_offsets, recognizers))
        findings.extend(finding_of(text, d) for d in find_obfuscated(
            text, compiled.tables, message.offsets, recognizers))
    if compiled.rule_index.allow and any(
            f.severity == "block" and id(f) not in evasive for f in findings):
        allowing = match_rules(message, "allow")
        if allowing:
            findings = apply_allow_rules(message, allowing, findings, evasive)
    return make_verdict(text, settle(text, findings), compiled)
