"""The disk cache of compiled lexicons.

Compiling costs seconds; the result is pickled, keyed by the lexicon files'
contents, the library versions and the code whose output is pickled, so a cold
`guard check` loads it in a tenth of a second. A cache that cannot be read or
written is ignored: the cache saves time, it never changes a result.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import sys
import unicodedata
from pathlib import Path

from guard.cache import (
    announce_build,
    cache_dir,
    installed_version,
    prune_cache,
    write_atomically,
)
from guard.compiled import CompiledLexicon, compile_lexicon
from guard.lexicon import Lexicon

CACHE_FORMAT = 27
# Compiled lexicons kept in the cache folder (the most recently used ones).
KEEP_COMPILED = 8

_KEY_SOURCES = ("compiled.py", "compiled_cache.py", "normalize.py", "variants.py", "rules.py",
                "rulematch.py",
                "lexicon/model.py", "lexicon/sections.py", "lexicon/numbers.py",
                "lexicon/builder.py", "recognizers/assembled.py", "recognizers/numbers.py",
                "recognizers/digit_words.py", "automaton_parts.py", "deferred.py")


def _cache_key(fingerprint: str) -> str:
    versions = [installed_version(project, module) for project, module in (
        ("opencc", "opencc"), ("pypinyin", "pypinyin"), ("pyahocorasick", "ahocorasick"),
        ("jieba", "jieba"))]
    # the code whose output is pickled: a guard whose normalization changed (a new
    # folding, a kept character) must not read tables an older one built
    here = Path(__file__).parent
    sources = [(here / name).read_text("utf-8") for name in _KEY_SOURCES]
    material = "|".join([str(CACHE_FORMAT), fingerprint, unicodedata.unidata_version,
                         sys.version, *versions, *sources])
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def cached_compiled(fingerprint: str) -> CompiledLexicon | None:
    """The compiled lexicon of that fingerprint from the disk cache, or None.

    Looked up before the lexicon files are parsed (`lexicon_fingerprint` reads
    their bytes only): the cached form holds the `Lexicon` parsed from the same
    bytes by the same code (both are in the key), so a hit needs no parsing.
    """
    path = _cache_path(fingerprint)
    collecting = gc.isenabled()
    try:
        with path.open("rb") as handle:
            # ≈ 200,000 containers are made and none is garbage: the cyclic collector,
            # paused, would otherwise walk them again and again (a third of the load)
            gc.disable()
            cached = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError,
            ImportError, IndexError):
        return None
    finally:
        if collecting:
            gc.enable()
    if not isinstance(cached, CompiledLexicon) or cached.lexicon.fingerprint != fingerprint:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: pruning keeps it
    return cached


def compile_to_cache(lexicon: Lexicon) -> CompiledLexicon:
    """Compile `lexicon` and keep the result in the disk cache (for a lookup that
    missed: `Guard` asks `cached_compiled` before parsing the files at all)."""
    path = _cache_path(lexicon.fingerprint)
    announce_build(path.parent, "编译词库", "3")
    compiled = compile_lexicon(lexicon)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL),
                         ".lexicon-")
        prune_cache(path.parent, "lexicon-*.pickle", KEEP_COMPILED)
    except OSError:
        pass
    return compiled


def _cache_path(fingerprint: str) -> Path:
    return cache_dir() / f"lexicon-{_cache_key(fingerprint)}.pickle"
