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
    from guard.lexicon import NumberRules
    from guard.recognizers.unit import Recognizer


class Continuations:
    """The registry's continuation characters, per view, compiled for one lexicon."""

    __slots__ = ("_anchored", "_chars", "_cues", "dense_chars", "light_chars")

    def __init__(self, units: Sequence[Recognizer], rules: NumberRules):
        self._chars: dict[str, dict[str, int]] = {"dense": {}, "light": {}}
        # (bit, view, continuing characters, anchors) of the units with anchors
        self._anchored: list[tuple[int, str, frozenset[str], frozenset[str]]] = []
        for index, unit in enumerate(units):
            bit = 1 << index
            chars = unit.continuation(rules)
            table = self._chars[unit.view]
            for char in chars:
                table[char] = table.get(char, 0) | bit
            if unit.anchors:
                self._anchored.append((bit, unit.view, chars, frozenset(unit.anchors)))
        self._cues = tuple(unit.window_cue for unit in units if unit.window_cue is not None)
        # every character that continues some shape, per view
        self.dense_chars = frozenset(self._chars["dense"])
        self.light_chars = frozenset(self._chars["light"])

    def edge(self, digits: str, light: str, at_end: bool) -> int:
        """The recognizers (bits) a message's start or end could continue.

        `digits`: its digit view (the dense view, Chinese numerals as digits);
        `light`: its light view. Each recognizer reads the edge of its own view.
        """
        views = {"dense": digits, "light": light}
        bits = 0
        for name, view in views.items():
            if view:
                bits |= self._chars[name].get(view[-1] if at_end else view[0], 0)
        for bit, name, chars, anchors in self._anchored:
            if bits & bit and not _anchored_run(views[name], chars, anchors, at_end):
                bits &= ~bit
        return bits

    def cue(self, text: str) -> bool:
        """Whether a message could complete some shape anywhere in a window, not
        only at its edges (`Recognizer.window_cue`): such a window is judged joined."""
        return any(cue(text) for cue in self._cues)

    def continues(self, dense: str, light: str) -> bool:
        """Whether a character, as the dense view (numerals as digits) and the light
        view read it, continues some shape."""
        return not (self.dense_chars.isdisjoint(dense) and self.light_chars.isdisjoint(light))


def _anchored_run(view: str, chars: frozenset[str], anchors: frozenset[str],
                  at_end: bool) -> bool:
    """Whether the run of `chars` reaching the edge holds an anchor, or is the whole view."""
    positions = range(len(view) - 1, -1, -1) if at_end else range(len(view))
    for position in positions:
        char = view[position]
        if char in anchors:
            return True
        if char not in chars:
            return False
    return True
