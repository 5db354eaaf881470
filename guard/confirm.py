"""Token-boundary check for ambiguous terms: 京东 in 去京东买, not in 北京东路.

jieba is loaded on the first message that has an ambiguous candidate, never
at start-up, and never mutated after it is built (a new `Guard` builds a new
tokenizer). Its dictionary is read piece by piece from guard's cache folder
(`wordfreq`: milliseconds and ~10 MB instead of ~0.9 s and ~80 MB); if that
folder is not writable, jieba loads its whole dictionary in memory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from guard.cache import cache_dir
from guard.normalize import OffsetMap
from guard.wordfreq import load_tokenizer


class LazyTokenizer:
    """A private jieba tokenizer, built on first use (thread-safe)."""

    def __init__(self, words: tuple[str, ...] = ()) -> None:
        """`words`: platform names to teach the tokenizer before its first use."""
        self._lock = threading.Lock()
        self._tokenizer = None
        self._words = words

    @property
    def loaded(self) -> bool:
        return self._tokenizer is not None

    def load(self) -> None:
        """Build the tokenizer now rather than on first use."""
        self._get()

    def _get(self):  # type: ignore[no-untyped-def]
        tokenizer = self._tokenizer
        if tokenizer is None:
            with self._lock:
                tokenizer = self._tokenizer
                if tokenizer is None:
                    tokenizer = load_tokenizer(self._words, cache_dir())
                    self._tokenizer = tokenizer
        return tokenizer

    def tokens(self, light: str, offsets: OffsetMap) -> list[tuple[int, int]]:
        """Token spans, as positions in the ORIGINAL message.

        jieba reads the light view (simplified, folded, punctuation kept); the
        offset map takes its token edges back to the original.
        """
        to_original = offsets.to_original
        return [
            (to_original[start], to_original[end - 1] + 1)
            for _, start, end in self._get().tokenize(light, HMM=False)
            if end > start
        ]


def is_whole_word(span: tuple[int, int], tokens: list[tuple[int, int]],
                  harmless_affix: Callable[[int, int], bool]) -> bool:
    """Whether a term's span is made of whole tokens.

    京东 in 去/京东/买 is; in 北京/东路 or 京东方 it is not. A token that is the
    term plus a context word (jieba's 加微信) also counts, and so does an edge
    token that is the term's last (or first) character plus one (去/快/手上/找我:
    手上 is 手 and 上): `harmless_affix` judges the extra part, given as an
    original-message span.
    """
    start, end = span
    covering = [t for t in tokens if t[0] < end and t[1] > start]
    if not covering:
        return False
    first, last = covering[0], covering[-1]
    return ((first[0] == start or harmless_affix(first[0], start))
            and (last[1] == end or harmless_affix(end, last[1])))


def word_crosses(text: str, edge: int,
                 crossings: dict[str, tuple[tuple[str, int], ...]]) -> bool:
    """Whether a dictionary word spans `edge` of `text` (starts before, ends after).

    jieba without its HMM only ever cuts dictionary words or single
    characters, so where no word crosses a term's edges, no token can and the
    tokenizer need not run (nor load). `crossings` (compiled.py) holds the
    words that could, by the two characters they hold across the edge.
    """
    for word, k in crossings.get(text[edge - 1:edge + 1], ()):
        start = edge - k
        if start >= 0 and text.startswith(word, start):
            return True
    return False
