"""Numbers assembled from parts: a mobile number given in pieces or in disguise.

* pieces with positional or linking words between them: "前三位138，中间四位
  1234，最后四位5678", "136再加上0000再加上1111", "前3位177，后8位…";
* digits spoken in pinyin or English, or Latin letters standing for digits
  inside a number (l38l2345678): read as digits by digit_words.py, whose
  `DigitView` this recognizer reads.

The pieces are read on the digit view (Chinese numerals as digits, so "后八位"
is "后8位"); the linking words are data (`[numbers] part_links`), and so are
the places of pieces (`[numbers.positions]`, positions.py). A result
counts only if it is a whole mobile number; order and tracking words right
before it rule it out, as for a number written plainly.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from typing import TYPE_CHECKING

from guard.normalize import SpanMap
from guard.recognizers.card import CARD, luhn_valid
from guard.recognizers.context import (
    contact_distance,
    order_distance,
    order_word_before,
    order_word_wins,
    phone_word_before,
)
from guard.recognizers.digit_words import DigitView
from guard.recognizers.landline import LANDLINE
from guard.recognizers.phone import MOBILE as _MOBILE
from guard.recognizers.piece_patterns import may_hold_assembled
from guard.recognizers.unit import DIGITS, LATIN, Detection, Recognizer, Spans

if TYPE_CHECKING:
    from guard.recognizers.patterns import Recognizers

RULE = "assembled_number"
CATEGORY = "contact_number"


# a whole mobile number: the phone unit's shape (no second model of one)
_MOBILE_IN = re.compile(rf"(?<![0-9]){_MOBILE.pattern}(?![0-9])")
# a whole bank card number: the card unit's shape
_CARD_IN = re.compile(rf"(?<![0-9]){CARD.pattern}(?![0-9])")


def find_assembled(dense: str, digits: str, offsets: SpanMap,
                   recognizers: Recognizers) -> list[Detection]:
    """Mobile numbers given in pieces, spoken, or with letters for digits."""
    view = DigitView(digits, recognizers, offsets, dense)
    found: list[Detection] = []
    reason = recognizers.reasons.get(RULE, recognizers.reasons["phone"])
    pattern = recognizers.part_links
    tail_cue = recognizers.places.tail_first
    seen = Spans()

    def add(start: int, end: int, tail_first: bool = False) -> None:
        add_dense(*view.dense_span(start, end, len(dense)), tail_first)

    def add_dense(dense_start: int, dense_end: int, tail_first: bool = False,
                  phone_said: bool = False) -> None:
        # "手机尾号5521，前面是…": 尾号 is an order word too, but here a phone word leads;
        # groups joined by a cue with a phone word near ("…连起来就是我电话") are a phone's
        if not phone_said and not (tail_first and phone_word_before(
                dense, dense_start, recognizers)) and \
                order_word_before(dense, dense_start, recognizers):
            return
        if not seen.add(dense_start, dense_end):
            return
        original = offsets.span(dense_start, dense_end)
        found.append(Detection(RULE, CATEGORY, original[0], original[1], reason))

    def other(start: int, end: int, number: str) -> None:
        """Pieces that join into a landline or a bank card number instead: each counts
        with its own context word near, as written whole (landline.py, card.py)."""
        if LANDLINE.fullmatch(number):
            words = recognizers.landline_words
        elif CARD.fullmatch(number) and luhn_valid(number):
            words = recognizers.bank_words
        else:
            return
        dense_start, dense_end = view.dense_span(start, end, len(dense))
        near = contact_distance(dense, dense_start, dense_end, words, recognizers)
        if near is None or order_word_wins(order_distance(dense, dense_start, recognizers),
                                           near):
            return
        if seen.add(dense_start, dense_end):
            original = offsets.span(dense_start, dense_end)
            found.append(Detection(RULE, CATEGORY, original[0], original[1], reason))

    for match in pattern.finditer(view.text):
        # the groups: runs of digits, a link word's digit left out (下1条, 后8位)
        chain_start = match.end("one") if match.group("one") else match.start()
        chain = view.text[chain_start:match.end()]
        groups = _PIECE.findall(_strip_links(chain, recognizers))
        if any(len(group) == 1 for group in groups) and \
                recognizers.part_positions.search(chain) is None and \
                not phone_word_before(dense, view.dense_span(chain_start, chain_start + 1,
                                                             len(dense))[0], recognizers):
            # a piece of one digit only where a place or a phone word says it is one
            # ("开头是13，后面是9…", "电话：153 加 0 加…"; 13号，9号，15号… are dates)
            groups = [group for group in groups if len(group) > 1]
        if match.group("one") and _MOBILE.fullmatch("1" + "".join(groups)):
            add(*match.span())  # a lone 1 first: "1 加上 39 再加…"
        elif _MOBILE.fullmatch("".join(groups)):
            add(chain_start, match.end())
        elif len(groups) > 2 and len(groups[0]) == 1 and _MOBILE.fullmatch("".join(groups[1:])):
            # a chain may start at a place's count (前3位 138…: "3位" is no piece)
            second = _PIECE.search(view.text, chain_start + 1, match.end())
            add(second.start() if second else chain_start, match.end())
        elif tail_cue.search(view.text, max(0, chain_start - 8), chain_start) and \
                _MOBILE.fullmatch("".join(groups[1:] + groups[:1])):
            add(chain_start, match.end(), tail_first=True)  # the tail first: 尾号5521，前面是…
        else:
            other(chain_start, match.end(), "".join(groups))
    units = recognizers.rules.units
    for starts, end, number, tail_given_first in _pieces_apart(
            view.text, recognizers.part_positions, units, tail_cue):
        # an order word before any piece makes them an order number's parts
        if any(order_word_before(dense, view.dense_span(s, s + 1, len(dense))[0],
                                 recognizers) for s in starts[1:]):
            continue
        if number is None:
            add(starts[0], end, tail_given_first)
        else:
            other(starts[0], end, number)  # a landline's or a bank card's pieces
    if view.changed:
        for match in _MOBILE_IN.finditer(view.text):
            dense_start, dense_end = view.dense_span(*match.span(), len(dense))
            if digits[dense_start:dense_end] != match.group():
                add(*match.span())  # something was read as digits: no plain number
        for match in _CARD_IN.finditer(view.text):  # a bank card's, with its own context
            dense_start, dense_end = view.dense_span(*match.span(), len(dense))
            if digits[dense_start:dense_end] != match.group():
                other(*match.span(), match.group())  # 62I7 OO61…: letters read as digits
    cue = recognizers.join_cue
    if cue is not None and cue.search(dense) is not None:
        reverse = recognizers.reverse_cue
        backwards = reverse is not None and reverse.search(dense) is not None
        # the groups as written (ASCII digits: 一号款138 counts no 1; "5531 0826" is two
        # groups, though the dense view dropped the space), then as read
        written = [piece for m in _PIECE.finditer(dense)
                   for piece in _written_groups(m.start(), m.end(), offsets)]
        read = [view.dense_span(*m.span(), len(dense)) for m in _PIECE.finditer(view.text)]
        for runs in (written, read):
            for start, end in _joined(runs, dense, backwards):
                add_dense(start, end, phone_said=contact_distance(
                    dense, start, end, recognizers.phone_words, recognizers) is not None)
    return found


def _written_groups(start: int, end: int, offsets: SpanMap) -> list[tuple[int, int]]:
    """A dense run of digits cut where the message had something between two of them
    (a space, a comma: the dense view dropped it)."""
    groups = []
    for position in range(start + 1, end):
        if offsets.span(position - 1, position)[1] < offsets.span(position, position + 1)[0]:
            groups.append((start, position))
            start = position
    groups.append((start, end))
    return groups


def _joined(runs: list[tuple[int, int]], dense: str, backwards: bool
            ) -> Iterator[tuple[int, int]]:
    """The dense spans of runs side by side (at most `_PIECES_GAP` apart) whose digits
    together make a mobile number — read back to front too, where `backwards` (the
    whole, or the groups in reverse order). Each run starts at most eleven tries."""
    for first in range(len(runs)):
        pieces: list[str] = []
        length = 0
        for last in range(first, len(runs)):
            if last > first and runs[last][0] - runs[last - 1][1] > _PIECES_GAP:
                break
            piece = "".join(c for c in dense[runs[last][0]:runs[last][1]] if c in DIGITS)
            pieces.append(piece)
            length += len(piece)
            if length > 11:
                break
            if length < 11:
                continue
            number = "".join(pieces)
            if _MOBILE.fullmatch(number) or (backwards and (
                    _MOBILE.fullmatch(number[::-1]) or _MOBILE.fullmatch("".join(pieces[::-1])))):
                yield runs[first][0], runs[last][1]
            break


# How far apart (view characters) the pieces of a number told among other words may be.
_PIECES_GAP = 20
_PIECE = re.compile(r"[0-9]+")


def _pieces_apart(view: str, positions: re.Pattern[str], units: str,
                  tail_first: re.Pattern[str]
                  ) -> Iterator[tuple[tuple[int, ...], int, str | None, bool]]:
    """Two or three digit groups that make a mobile number with other words between
    them ("号码前三位是138，我先发这个。后八位是12345678"), or two to five that make
    a landline or a Luhn-valid bank card number ("卡号前十位…，你先记着。后九位…"),
    where a word naming a piece's place stands among them or right before the
    first. Yields the pieces' starts, the last one's end, the number where it is
    no mobile one (its context is the caller's to judge), and whether the tail was
    given first.

    Each group is tried with the four before it at most: linear in the view.
    """
    places = [match.span() for match in positions.finditer(view)]
    if not places:
        return
    place_starts = [start for start, _ in places]
    # the count of a place (前12位) is no piece
    parts: list[str] = []
    done = 0
    for start, end in places:
        if any(c.isdigit() for c in view[start:end]):
            parts += (view[done:start], "_" * (end - start))
            done = end
    parts.append(view[done:])
    masked = "".join(parts)
    pieces = [m.span() for m in _PIECE.finditer(masked)
              if 2 <= m.end() - m.start() <= 17
              and (m.end() == len(masked) or masked[m.end()] not in units)]
    for last in range(1, len(pieces)):
        for first in range(last - 1, max(-1, last - 5), -1):
            chosen = pieces[first:last + 1]
            if chosen[1][0] - chosen[0][1] > _PIECES_GAP:
                break  # each gap was checked as the window grew: only the new one
            length = sum(end - start for start, end in chosen)
            if not (10 <= length <= 12 or 16 <= length <= 19):
                continue
            # a place word between the pieces, or ending right before the first
            k = bisect_left(place_starts, chosen[0][0] - 8)
            if k == len(places) or places[k][1] > chosen[-1][0]:
                continue
            digits = [view[start:end] for start, end in chosen]
            starts = tuple(start for start, _ in chosen)
            number = "".join(digits)
            if _MOBILE.fullmatch(number) and len(chosen) <= 3:
                yield starts, chosen[-1][1], None, False
            elif len(chosen) == 2 and _MOBILE.fullmatch(digits[1] + digits[0]) and \
                    tail_first.search(view, max(0, chosen[0][0] - 8), chosen[0][0]):
                yield starts, chosen[-1][1], None, True
            elif LANDLINE.fullmatch(number) or (CARD.fullmatch(number) and luhn_valid(number)):
                yield starts, chosen[-1][1], number, False


def _strip_links(chain: str, recognizers: Recognizers) -> str:
    """A chain without its positional words ("后8位" holds no digit of the number) and
    its linking words that hold a digit (下一条: 下1条 on the digit view)."""
    chain = recognizers.places.link.sub("", chain)
    for word in recognizers.digit_links:
        chain = chain.replace(word, "")
    return chain


_ANY_DIGIT = re.compile(r"[0-9]")


def pieces_cue(text: str, recognizers: Recognizers) -> bool:
    """A word naming a piece's place beside a digit: the other pieces of a number told
    among other words may stand anywhere in a window of messages, not only where two
    meet ("号码前三位是138，我先发这个" | "后八位是12345678")."""
    view = text.translate(recognizers.numeral_marks).replace("\x03", "0")
    if recognizers.part_positions.search(view) is None:
        # or the place word cut by the boundary: "手机号138，剩" | "下的…1234 5678"
        ends, starts = recognizers.place_edges
        if ends.search(view) is None and starts.match(view) is None:
            return False
    spoken = recognizers.spoken_run
    return _ANY_DIGIT.search(view) is not None or (
        spoken is not None and spoken.search(view) is not None)


# A chain continues across a message boundary through digits, letters (spoken
# digits, letters for digits) and its linking and positional words — but a
# message edge of linking words alone ("好的" | "是…") starts no chain: the
# side of a boundary a chain crosses holds one of its digits or letters.
UNIT = Recognizer(RULE, CATEGORY, "dense", may_hold_assembled, find_assembled,
                  "the pieces join into a whole mobile number", DIGITS + LATIN, personal=True,
                  continues_in=lambda rules: "".join((*rules.part_links,
                                                      *rules.positions.words())),
                  anchors=DIGITS + LATIN, window_cue=pieces_cue)
