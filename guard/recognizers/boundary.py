"""What can continue a recognizer's shape across a message boundary — from the registry.

The audit joins consecutive agent messages to find evasions split over them
("138" then "1234 5678"). Whether anything could form where two messages
meet is asked of every registered recognizer: each declares the view it
reads and the characters that can continue its shape (`Recognizer.continues`,
plus its `[numbers]` data). A message's edge is described by the set of
recognizers it could continue (a bit each, in registry order); a boundary is
open to a recognizer when both sides' edges are. A recognizer may also name
a cue that reaches over a whole window (a swap instruction: "把#换成@").
No second model of what a phone number or a link is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guard.recognizers.patterns import Recognizers
    from guard.recognizers.unit import Recognizer


class Continuations:
    """The registry's continuation characters, per view, compiled for one lexicon.

    `recognizers`: the Guard's compiled recognizers (their `[numbers]` data, the
    words of their cues). `numerals`: the digit view's table (一 → 1): a numeral continues what its
    digit continues. `light`: the light view's table.
    """

    __slots__ = ("_anchored", "_chars", "_cues", "_dense_bits", "_light", "_light_bits",
                 "_recognizers", "dense_chars", "light_chars")

    def __init__(self, units: Sequence[Recognizer], recognizers: Recognizers,
                 numerals: dict[int, str], light: dict[int, str]):
        rules = recognizers.rules
        self._chars: dict[str, dict[str, int]] = {"dense": {}, "light": {}}
        # (bit, view, continuing characters, anchors) of the units with anchors
        self._anchored: list[tuple[int, str, frozenset[str], frozenset[str]]] = []
        as_digits = {chr(cp): digit for cp, digit in numerals.items() if len(digit) == 1}
        for index, unit in enumerate(units):
            bit = 1 << index
            chars = set(unit.continuation(rules))
            anchors = set(unit.anchors)
            if unit.view == "dense":  # the dense view reads numerals as their digits
                chars |= {char for char, digit in as_digits.items() if digit in chars}
                anchors |= {char for char, digit in as_digits.items() if digit in anchors}
            table = self._chars[unit.view]
            for char in chars:
                table[char] = table.get(char, 0) | bit
            if anchors:
                self._anchored.append((bit, unit.view, frozenset(chars), frozenset(anchors)))
        self._cues = tuple(unit.window_cue for unit in units if unit.window_cue is not None)
        self._recognizers = recognizers
        self._light = light
        self._dense_bits, self._light_bits = self._chars["dense"], self._chars["light"]
        # every character that continues some shape, per view
        self.dense_chars = frozenset(self._chars["dense"])
        self.light_chars = frozenset(self._chars["light"])

    def edge(self, dense: str, text: str, at_end: bool) -> int:
        """The recognizers (bits) a message's start or end could continue.

        `dense`: its dense view; `text`: the message. Each recognizer reads
        the edge of its own view.
        """
        bits = self._dense_bits.get(dense[-1] if at_end else dense[0], 0) if dense else 0
        table = self._light
        for char in (reversed(text) if at_end else text):  # the light view's edge
            light = table.get(ord(char), char)
            if light:
                bits |= self._light_bits.get(light[-1] if at_end else light[0], 0)
                break
        if bits:
            for bit, name, chars, anchors in self._anchored:
                if bits & bit and not _anchored_run(
                        dense if name == "dense" else self._light_view(text), chars, anchors,
                        at_end):
                    bits &= ~bit
        return bits

    def _light_view(self, text: str) -> str:
        return text.translate(self._light)

    def cue(self, text: str) -> bool:
        """Whether a message could complete some shape anywhere in a window, not
        only at its edges (`Recognizer.window_cue`): such a window is judged joined."""
        if not self._cues:
            return False
        light = self._light_view(text)  # folded: width, case, traditional forms
        return any(cue(text, self._recognizers) or cue(light, self._recognizers)
                   for cue in self._cues)

    def continues(self, dense: str, light: str) -> bool:
        """Whether a character, as the dense and light views read it, continues some shape."""
        return not (self.dense_chars.isdisjoint(dense) and self.light_chars.isdisjoint(light))


def _anchored_run(view: str, chars: frozenset[str], anchors: frozenset[str],
                  at_end: bool) -> bool:
    """Whether the run of `chars` reaching the edge holds an anchor, or is the whole view."""
    for char in (reversed(view) if at_end else view):
        if char in anchors:
            return True
        if char not in chars:
            return False
    return True
