"""Refusals of lists: "不用加微信、QQ" (a refused verb before the items) and "红包、转账这些我们
都不收" (the items, then the refusal), and the condition words after a term ("…的话")
that make a refusal none. Asked by message_state.negation; one job, one module.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from guard.normalize import LIST_MARKS
from guard.scan import ContextHit

if TYPE_CHECKING:
    from guard.message_state import MessageState


# How many items before a term a refused verb may stand (不在抖音、快手、小红书卖).
LIST_ITEMS = 5


def list_refusal(message: MessageState, start: int, end: int) -> ContextHit | None:
    """A refused verb before a list the term is a later item of: 不在抖音、快手卖,
    没在淘宝和京东开店, 不用加微信或QQ (the items joined by 、 or `[negation]
    list_joins`, no other clause mark between; not a condition: 不走微信和支付宝的话…), or
    names side by side with nothing between where nothing is handed over after the term:
    不留微信QQ电话 (not 不用微信支付宝转我)."""
    ends = message.term_ends
    if not ends:
        return None
    lexicon = message.compiled.lexicon
    dense = message.dense
    position = start
    for _ in range(LIST_ITEMS):
        for join in lexicon.negation_list_joins:
            if dense.startswith(join, position - len(join)) and \
                    (position - len(join)) in ends:
                position -= len(join)
                break
        else:  # no join word: a list's 、 parts the items, or nothing at all does
            if position <= 0:
                return None
            between = message.text[message.offsets.span(position - 1, position)[1]:
                                   message.offsets.span(position, position + 1)[0]]
            if LIST_MARKS not in between and (between.strip() or _guided_after(message, position)
                                              or _guided_after(message, end)):
                return None  # (不走支付宝转我就行 is no list, nor 不用微信支付宝转我)
        item = ends.get(position)
        if item is None or item >= position:
            return None
        position = item
        for ctx in message.context_ending(position - 1, position):
            if ctx.end != position:
                continue
            verb = ctx if ("", "negation_verb") in ctx.keys else next(
                (c for c in message.context_ending(ctx.start, ctx.start)
                 if c.end == ctx.start and ("", "negation_verb") in c.keys), None)
            if verb is not None and _one_list(message, verb.end, start) and \
                    not condition_follows(message, end):
                return verb
    return None


def _guided_after(message: MessageState, end: int) -> bool:
    """Whether a context word follows the term at `end` in its clause, within the refusals'
    after-window (支付宝转我, 微信联系): a hand-over after a name is no item of a list."""
    window = message.compiled.lexicon.negation_after_window
    for ctx in message.context_ending(end + 1, end + window + message.compiled.context_length):
        if (end <= ctx.start <= end + window
                and any(side in _AFTER_SIDES for _, side in ctx.keys)
                and message.same_clause(end - 1, ctx.start)):
            return True
    return False


_AFTER_SIDES = frozenset({"after", "near_after"})

# How far a list after a term, and the words before its refusal, may reach (dense characters).
LIST_REACH = 24
# The longest term a list's item may be (an item covers the position the walk stands at).
ITEM_LENGTH = 12
_REFUSAL_AFTER = frozenset({("", "negation"), ("", "negation_verb"), ("", "negation_after")})


def refused_after_list(message: MessageState, end: int) -> ContextHit | None:
    """A refusal after a list the term at `end` is an item of: 红包、转账这些我们都不收,
    QQ和微信都不方便加, 淘宝和京东我们都没有开店 — the later items (terms, joined by 、, a
    join word or nothing), then only `[negation] list_fillers` (这些, 之类的, 我们, 都),
    then the cue; after the cue, only a context word (the verb refused: 加) and
    `closings` (的, 哦) up to the clause's end (…都不收手续费 refuses nothing; a soft cue,
    不方便, needs that verb), and no condition (…都不方便加的话)."""
    lexicon = message.compiled.lexicon
    dense = message.dense
    limit = min(len(dense), end + LIST_REACH)
    # a cue must end within reach (most terms have none after them: no walk)
    cue_ends = message.scan.cue_ends
    if bisect_right(cue_ends, limit + message.compiled.context_length) == bisect_right(
            cue_ends, end):
        return None
    ends = message.term_ends or {}
    position = end
    joined = False  # a join word (or an item's own verb) stands right before: an item must follow
    items = 2 if _item_before(message, ends.get(end, end)) else 1
    closed = -1  # where a list of two items or more was closed (这些), a clause mark may follow
    while position < limit:
        if not joined:
            cue = _cue_starting(message, position)
            if cue is not None:
                in_reach = _one_list(message, end, position) or (
                    end < closed <= position and _one_list(message, end, closed - 1)
                    and _one_list(message, closed + 1, position))
                if (in_reach and _closes_clause(message, cue)
                        and not condition_follows(message, cue.end)):
                    return cue
                # a cue that holds fillers (我们都不 in 这些我们都不收的) may not close
                # the clause where the shorter cue after them does: read on as fillers
                if not any(dense.startswith(word, position) for word in (
                        *lexicon.negation_list_fillers, *lexicon.negation_list_ends)):
                    return None
        # a later item: a term over this position
        step = max((e - position for e in range(position + 1, position + ITEM_LENGTH + 1)
                    if ends.get(e, e) <= position), default=0)
        if step:
            joined = False
            items += 1
        elif joined:
            return None
        elif (verb := _verb_before_item(message, position, ends)) > position:
            step, joined = verb - position, True  # 加微信、加QQ这些: the item's own verb
        else:
            step = max((len(word) for word in lexicon.negation_list_fillers
                        if dense.startswith(word, position)), default=0)
            closing = max((len(word) for word in lexicon.negation_list_ends
                           if dense.startswith(word, position)), default=0)
            if items >= 2 and closing >= step and closing:
                step, closed = closing, position + closing
            if not step:
                step = max((len(word) for word in lexicon.negation_list_joins
                            if dense.startswith(word, position)), default=0)
                joined = True
            if not step:
                return None
        position += step
    return None


def _item_before(message: MessageState, start: int) -> bool:
    """Whether another item of a list ends right before the term at dense `start` (or
    before its own verb: 加微信、加QQ), joined by 、, a join word or nothing."""
    ends = message.term_ends or {}
    marks = message.compiled.tables.clause_marks
    joins = message.compiled.lexicon.negation_list_joins
    dense = message.dense
    places = [start, *(ctx.start for ctx in message.context_ending(start, start)
                       if ctx.end == start and any(category for category, _ in ctx.keys))]
    for place in places:
        if place <= 0:
            continue
        span = message.offsets.span
        if place in ends and marks.isdisjoint(
                message.text[span(place - 1, place)[1]:span(place, place + 1)[0]]):
            return True
        if any(dense.startswith(join, place - len(join)) and (place - len(join)) in ends
               for join in joins):
            return True
    return False


def _verb_before_item(message: MessageState, position: int, ends: dict[int, int]) -> int:
    """Where a context word that starts at dense `position` ends, if a term starts right
    there (加 in 、加QQ: the item's own guidance verb); `position` otherwise."""
    reach = position + message.compiled.context_length
    return max((ctx.end for ctx in message.context_ending(position + 1, reach)
                if ctx.start == position and any(category for category, _ in ctx.keys)
                and any(ends.get(e) == ctx.end
                        for e in range(ctx.end + 1, ctx.end + ITEM_LENGTH + 1))),
               default=position)


def _cue_starting(message: MessageState, position: int) -> ContextHit | None:
    """The longest refusal cue (or soft cue) that starts at dense `position`."""
    found = None
    reach = position + message.compiled.context_length
    for ctx in message.context_ending(position + 1, reach):
        if ctx.start == position and (
                not _REFUSAL_AFTER.isdisjoint(ctx.keys) or ("", "negation_soft") in ctx.keys) \
                and (found is None or ctx.end > found.end):
            found = ctx
    return found


def _closes_clause(message: MessageState, cue: ContextHit) -> bool:
    """Whether only the verb refused (a context word) and closings follow the cue to
    its clause's end; a soft cue (不方便) must stand before such a verb."""
    dense = message.dense
    closings = message.compiled.lexicon.negation_closings
    soft = ("", "negation_soft") in cue.keys and _REFUSAL_AFTER.isdisjoint(cue.keys)
    position = cue.end
    verb = False
    for _ in range(LIST_ITEMS + 1):
        if position >= len(dense) or not message.same_clause(position - 1, position):
            return verb or not soft
        reach = position + message.compiled.context_length
        word = max((ctx.end for ctx in message.context_ending(position + 1, reach)
                    if ctx.start == position and any(category for category, _ in ctx.keys)),
                   default=0)
        if word and (verb or position == cue.end):
            verb = True
            position = word
            continue
        # a closing read within the clause (的亲 of "…不会做的。亲，…" is 的, then the next clause)
        step = max((len(c) for c in closings if dense.startswith(c, position)
                    and message.same_clause(position, position + len(c) - 1)), default=0)
        if not step:
            return False
        position += step
    return False


def _one_list(message: MessageState, first: int, last: int) -> bool:
    """Whether no clause mark but a list's 、 stands between dense positions first and last."""
    offsets = message.offsets
    text = message.text
    marks = message.compiled.tables.clause_marks
    lo = offsets.span(first - 1, first)[1] if first > 0 else 0
    hi = offsets.span(last, last + 1)[0]
    return marks.isdisjoint(text[lo:hi])


def condition_follows(message: MessageState, end: int) -> bool:
    """Whether a condition word follows the term at `end` in its clause: "不加微信的话
    没法发视频" sets a condition (`[negation] conditions`), it refuses nothing."""
    lexicon = message.compiled.lexicon
    tail = message.dense[end:end + lexicon.negation_after_window + 4]
    return any(word in tail and message.same_clause(end - 1, end + tail.index(word))
               for word in lexicon.negation_conditions)
