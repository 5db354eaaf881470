"""jieba's dictionary, stored by first character and read a piece at a time.

jieba keeps every word and every prefix of a word in one dict (FREQ: word →
frequency, 0 for a bare prefix). Loading it whole costs ~0.9 s and ~80 MB,
and a message of twenty characters consults a few dozen of its 500,000
entries. The tokenizer only ever looks up fragments that start at a
character of the sentence, so the table is cut by first character (~12,000
pieces), written once to guard's cache folder, and a piece is unmarshalled
the first time a sentence holds its character. jieba's own algorithm
(`get_DAG`, `calc`, `tokenize`) runs unchanged on top: the tokens are
jieba's, to the character (a test compares them with a fully loaded jieba).
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import struct
import sys
import threading
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from guard.cache import announce_build, prune_cache, write_atomically

FORMAT = b"guard-wordfreq-2\n"
_LENGTH = struct.Struct(">Q")


class WordFrequencies:
    """A read-only stand-in for jieba's FREQ dict, unmarshalled piece by piece.

    Only what jieba's tokenizer asks of FREQ is offered (`in`, `[]`, `get`).
    Pieces are memoized as they are read; the content never changes, so a
    piece read twice by two threads is the same piece.
    """

    __slots__ = ("_blob", "_index", "_pieces", "total")

    def __init__(self, blob: bytes | memoryview, index: dict[str, tuple[int, int]],
                 total: int) -> None:
        self._blob = blob
        self._index = index
        self._pieces: dict[str, dict[str, int]] = {}
        self.total = total

    def _piece(self, char: str) -> dict[str, int]:
        piece = self._pieces.get(char)
        if piece is None:
            where = self._index.get(char)
            piece = marshal.loads(self._blob[where[0]:where[1]]) if where else {}
            self._pieces[char] = piece
        return piece

    def __contains__(self, word: object) -> bool:
        return type(word) is str and word != "" and word in self._piece(word[0])

    def __getitem__(self, word: str) -> int:
        if not word:
            raise KeyError(word)
        return self._piece(word[0])[word]

    def get(self, word: str, default: Any = None) -> Any:
        if not word:
            return default
        return self._piece(word[0]).get(word, default)

    def __setitem__(self, word: str, frequency: int) -> None:
        raise TypeError("guard's tokenizer dictionary is read-only: build a new Guard to change it")

    @property
    def pieces_loaded(self) -> int:
        """How many first characters' pieces have been read (for tests and curiosity)."""
        return len(self._pieces)


def split_by_first_char(freq: dict[str, int]) -> tuple[bytes, dict[str, tuple[int, int]]]:
    """(blob, first character → its piece's byte range in the blob)."""
    pieces: dict[str, dict[str, int]] = {}
    for word, frequency in freq.items():
        if word:
            pieces.setdefault(word[0], {})[word] = frequency
    parts, index, position = [], {}, 0
    for char, piece in pieces.items():
        data = marshal.dumps(piece)
        index[char] = (position, position + len(data))
        parts.append(data)
        position += len(data)
    return b"".join(parts), index


def encode(freq: dict[str, int], total: int) -> bytes:
    blob, index = split_by_first_char(freq)
    header = marshal.dumps((total, index, len(blob), zlib.crc32(blob)))
    return FORMAT + _LENGTH.pack(len(header)) + header + blob


def decode(data: bytes) -> WordFrequencies:
    """The table from `encode`'s bytes; ValueError if they are not such bytes, whole.

    The pieces are unpacked later, in the middle of judging a message: the
    blob's length and checksum are verified now, so a damaged file is
    rebuilt rather than failing then.
    """
    if not data.startswith(FORMAT):
        raise ValueError("not a guard word-frequency file")
    at = len(FORMAT)
    try:
        (size,) = _LENGTH.unpack_from(data, at)
        at += _LENGTH.size
        total, index, length, checksum = marshal.loads(data[at:at + size])
    except (struct.error, EOFError, ValueError, TypeError) as exc:
        raise ValueError(f"damaged guard word-frequency file: {exc}") from None
    blob = memoryview(data)[at + size:]  # no copy
    if len(blob) != length or zlib.crc32(blob) != checksum:
        raise ValueError("damaged guard word-frequency file: its pieces do not add up")
    return WordFrequencies(blob, index, total)


def cache_name(words: Iterable[str]) -> str:
    """The cache file's name: jieba's version and dictionary, and the words guard adds."""
    from guard.cache import installed_version

    jieba = import_jieba()
    dictionary = Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME
    stat = dictionary.stat()
    version = installed_version("jieba", "jieba")
    material = "\n".join([FORMAT.decode(), version, str(dictionary), str(stat.st_size),
                          str(stat.st_mtime_ns), *words])
    return f"jieba-freq-{hashlib.sha256(material.encode()).hexdigest()[:24]}.bin"


_BUILDING = threading.Lock()


def import_jieba() -> Any:
    """`import jieba`, without the 0.4 s of pkg_resources it imports to open its own files.

    jieba falls back to opening them directly when pkg_resources cannot be
    imported (as in any environment without setuptools); it is hidden for
    the duration of the import only, and only if nothing imported it before.
    """
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    hide = "pkg_resources" not in sys.modules
    if hide:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import → ImportError
    try:
        import jieba
    finally:
        if hide and sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]
    return jieba


def _full_tokenizer(words: Iterable[str]) -> Any:
    """A fully loaded jieba tokenizer with guard's words added (the slow way).

    jieba's dictionary is read the way `Tokenizer.initialize` reads it, but
    without `initialize`, which would also write jieba's own 9 MB cache of the
    whole table: guard's pieces are that cache.
    """
    jieba = import_jieba()
    logging.getLogger("jieba").setLevel(logging.WARNING)  # after the import, which sets DEBUG
    tokenizer = jieba.Tokenizer()
    _on_table(tokenizer, *tokenizer.gen_pfdict(tokenizer.get_dict_file()))
    for word in words:
        tokenizer.add_word(word)
    return tokenizer


def load_tokenizer(words: tuple[str, ...], cache_folder: Path) -> Any:
    """A jieba tokenizer, its dictionary read piece by piece from the cache.

    The first time (per jieba version and word list) the whole dictionary is
    loaded once, `words` added, and the result written in pieces. Where the
    cache folder cannot be written, that fully loaded tokenizer is the answer.
    """
    jieba = import_jieba()
    path = cache_folder / cache_name(words)
    try:
        table = decode(path.read_bytes())
    except (OSError, ValueError):
        with _BUILDING:
            announce_build(cache_folder, "为分词器（jieba）建立词典缓存", "2")
            full = _full_tokenizer(words)
            data = encode(full.FREQ, full.total)
            try:
                cache_folder.mkdir(parents=True, exist_ok=True)
                write_atomically(path, data, ".jieba-freq-")
            except OSError:
                return full
            prune_cache(cache_folder, "jieba-freq-*.bin", 2)
            table = decode(data)
    return _on_table(jieba.Tokenizer(), table, table.total)


def _on_table(tokenizer: Any, freq: Any, total: int) -> Any:
    """`tokenizer` with `freq` as its table, marked loaded: its `initialize` never runs."""
    tokenizer.FREQ, tokenizer.total = freq, total
    tokenizer.initialized = True
    return tokenizer
