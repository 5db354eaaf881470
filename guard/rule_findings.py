"""Rules of the rule language applied to one message: matches → findings, allow rules.

Reporting rules make findings (a refusal around one makes it a warning);
allow rules lower the findings they excuse, never an evasive spelling.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from guard.message_state import MessageState, negation
from guard.rulematch import ConceptHit, RuleMatch, latin_counts, mask_counts, match_rule
from guard.scan import ContextHit
from guard.verdict import Finding, new_finding

# Marks that end a sentence, for a rule's scope = "sentence" (typography, not rule data).
_SENTENCE_END = re.compile(r"[。！？!?\n；;]")
# the kinds of refusal cue that may reach into a rule's word ("不提供QQ", "微信不用给我")
_REFUSALS = frozenset({("", "negation"), ("", "negation_verb")})


def match_rules(message: MessageState, effect: str) -> list[RuleMatch]:
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
                ends = _sentence_ends(message)
            return bisect_right(ends, position)
        return 0

    matches: list[RuleMatch] = []
    latin = latin_counts(message.dense, ((start, end) for start, end, _, is_latin
                                             in message.scan.concept_words if is_latin))
    # a reporting rule's excuse reaches across a masked span; an allow rule's `unless`
    # (what cancels the excuse) does not: masking never makes a message block anew
    masks = mask_counts(message.dense) if effect == "report" else None
    for rule in rules:
        matches.extend(match_rule(rule, grouped, segment, latin, masks))
    return matches


def _sentence_ends(message: MessageState) -> list[int]:
    """Where each sentence-ending mark stands, as the first dense position after it.

    A dense position p lies after the mark at original position e iff p's
    character comes from e or later; the original positions grow with p, so that
    first position is found by bisection, once per mark (not once per word)."""
    marks = [m.start() for m in _SENTENCE_END.finditer(message.text)]
    if not marks:
        return []
    span = message.offsets.span
    size = len(message.dense)
    ends = []
    for mark in marks:
        lo, hi = 0, size
        while lo < hi:
            mid = (lo + hi) // 2
            if span(mid, mid + 1)[0] >= mark:
                hi = mid
            else:
                lo = mid + 1
        ends.append(lo)
    return ends


def rule_findings(message: MessageState, matches: list[RuleMatch]) -> list[Finding]:
    """A finding for each match of a reporting rule (a refusal around it lowers it one
    step: a block to a warning, a warning to nothing)."""
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
        if rule.negatable and message.may_be_negated(match.start, match.end):
            cue = negation(message, match.start, match.start, match.end, touching=False,
                            guidance_first=True) or _cue_into(message, match)
            if cue is not None:
                if severity == "warn":
                    continue  # a refused request that only warns is nothing ("我们不需要您的电话")
                severity = "warn"
                reason = templates.get("negated", "{label}（{cue}）").format(
                    label=rule.label, term=words, context=words, category=category,
                    cue=message.dense[cue.start:cue.end])
        findings.append(new_finding(rule.id, rule.category, severity, start, end,
                                message.text[start:end], reason))
    return findings


def _cue_into(message: MessageState, match: RuleMatch) -> ContextHit | None:
    """A refusal cue, in its clause, that reaches into the match's first word ("我们不加您
    微信", "不提供QQ联系方式") or ends where, or inside, a word of a concept the rule
    names in `refused` starts ("您的微信不用给我": the request itself is refused)."""
    refused = match.rule.refused
    for part in match.parts:
        if part.start != match.start and part.concept not in refused:
            continue
        for ctx in message.context_ending(part.start, part.end):
            if (ctx.start < part.start and not _REFUSALS.isdisjoint(ctx.keys)
                    and message.same_clause(ctx.start, part.start)):
                return ctx
    return None


def apply_allow_rules(message: MessageState, matches: list[RuleMatch], findings: list[Finding],
                       evasive: set[int]) -> list[Finding]:
    """Findings the allow rules excuse, lowered to warnings (evasive spellings never are)."""
    spans: dict[str, list[tuple[int, int, str]]] = {}  # demoted rule → (start, end, label)
    reach = _AllowReach(message)
    for match in matches:
        rule = match.rule
        if rule.effect == "allow":
            found = reach.span(match)
            if found is None:
                continue
            for name in rule.demotes:
                spans.setdefault(name, []).append((*found, rule.label))
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


class _AllowReach:
    """How far an allow rule's match reaches: its window on either side, within its
    scope ("clause": a list joined by 、 is one clause here, "QQ语音、微信语音通话都清楚";
    "sentence"; "message"), and nowhere if an `unless` word stands in that reach —
    "加我微信，这款耳机音质好" excuses nothing, though the guidance is in another clause
    than the product word."""

    def __init__(self, message: MessageState) -> None:
        self.message = message
        self._ends: dict[str, list[int]] = {}

    def _marks(self, scope: str) -> list[int]:
        """Original positions of the marks that end a segment of `scope`."""
        marks = self._ends.get(scope)
        if marks is None:
            text = self.message.text
            if scope == "clause":
                ends = self.message.compiled.tables.clause_marks
                marks = [i for i, char in enumerate(text) if char in ends]
            else:
                marks = [m.start() for m in _SENTENCE_END.finditer(text)]
            self._ends[scope] = marks
        return marks

    def span(self, match: RuleMatch) -> tuple[int, int] | None:
        message = self.message
        rule = match.rule
        lo = max(0, match.start - rule.window)
        hi = min(len(message.dense), match.end + rule.window)
        start, end = message.offsets.span(lo, hi)
        if rule.scope != "message":
            marks = self._marks(rule.scope)
            first, last = message.offsets.span(match.start, match.end)
            index = bisect_right(marks, first - 1)
            if index > 0:
                start = max(start, marks[index - 1] + 1)
            index = bisect_left(marks, last)
            if index < len(marks):
                end = min(end, marks[index])
        reach = message.compiled.rule_reach  # longer than any concept word
        for name in rule.unless:
            hits = self._hits(name)
            for hit in hits[bisect_left(hits, (lo - reach,)):bisect_left(hits, (hi,))]:
                hit_start, hit_end = message.offsets.span(hit.start, hit.end)
                if hit_start < end and hit_end > start:
                    return None
        return start, end

    def _hits(self, name: str) -> list[ConceptHit]:
        """A concept's hits in the message, in order of start."""
        return self.message.concepts().get(name, [])
