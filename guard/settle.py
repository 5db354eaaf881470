"""Findings → the verdict: overlaps settled, the message masked, the warning chosen.

One sort and one sweep over the findings, one pass over the text to mask:
linear (n log n) however many findings a message makes.
"""

from __future__ import annotations

import re

from guard.compiled import CompiledLexicon
from guard.normalize import MASK_CHAR
from guard.recognizers import Detection
from guard.verdict import RANK, Finding, Verdict, new_finding, new_verdict, worst


def finding_of(text: str, detection: Detection) -> Finding:
    return new_finding(detection.rule, detection.category, "block", detection.start, detection.end,
                   text[detection.start:detection.end], detection.reason)


def settle(text: str, findings: list[Finding]) -> tuple[Finding, ...]:
    """The findings a verdict reports, in order of start.

    In one sweep in order of start (longest, most severe first): a warning
    inside another finding, a block inside a block of its category, is
    dropped (vx inside vx号), and findings of one category that overlap
    become one finding with their union span (扫码加 + 码加我 → 扫码加我), so
    reports count violations, not n-grams. One sort and one sweep: n log n however many there are.
    """
    if len(findings) < 2:
        return tuple(findings)  # nothing to cover, be covered or merge
    rank = RANK
    # a total order (the rule breaks ties): the result never depends on the
    # order the findings were made in
    ordered = sorted(findings, key=lambda f: (f.start, -f.end, -rank[f.severity], f.rule))
    # the furthest end of a kept finding / of a kept block, over all categories and per
    # category. A warning inside any kept finding is dropped; a block only inside a
    # block of its own category: inside one of another category it is a second
    # violation with its own reason (加我微信 inside 不用在这下单…找我拿货; a number
    # pointed to that is also a contact), and it is kept.
    reach_any = -1
    reach_block: dict[str, int] = {}
    # per merged group: [start, end, the first of its most severe parts (its rule and
    # reason are kept), number of parts]; in order of start
    merged: list[list] = []  # type: ignore[type-arg]
    open_by_category: dict[str, list] = {}  # type: ignore[type-arg]
    for finding in ordered:
        end = finding.end
        category = finding.category
        block = finding.severity == "block"
        if block:
            if reach_block.get(category, -1) >= end:
                continue
            reach_block[category] = end
        elif reach_any >= end:
            continue
        if end > reach_any:
            reach_any = end
        group = open_by_category.get(category)
        if group is not None and finding.start < group[1]:
            if end > group[1]:
                group[1] = end
            group[3] += 1
            if block and group[2].severity != "block":
                group[2] = finding
        else:
            group = open_by_category[category] = [finding.start, end, finding, 1]
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



def make_verdict(text: str, findings: tuple[Finding, ...], compiled: CompiledLexicon) -> Verdict:
    name = worst([f.severity for f in findings])
    messages = compiled.lexicon.messages
    warning = (messages.block_warning if name == "block"
               else messages.warn_reminder if name == "warn" else None)
    return new_verdict(name, findings, mask(text, findings), warning, text)
