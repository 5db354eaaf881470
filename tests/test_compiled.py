"""compiled.py: the compiled lexicon's parts that load on first need, and the ints the term
automaton stores."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from guard import Guard
from guard.compiled import ALLOWED_BIT, INDEX_SHIFT, LENGTH_MASK, term_value
from guard.lexicon import LexiconError
from guard.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("length", "index", "allowed"), [
    (1, 0, False), (2, 0, True), (4095, 1, False), (7, 33_281, True), (12, 10**6, False)])
def test_a_term_value_gives_back_its_length_index_and_allow_bit(
        length: int, index: int, allowed: bool) -> None:
    value = term_value(length, index, allowed)  # read back as scan_terms reads it
    assert ((value >> 1) & LENGTH_MASK, value >> INDEX_SHIFT, bool(value & ALLOWED_BIT)) == (
        length, index, allowed)


def test_a_term_longer_than_the_value_holds_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="4096"):
        term_value(4096, 1, False)
    # in a merchant's lexicon: a clear error before anything is compiled wrong
    (tmp_path / "mine.toml").write_text(f'[[allow]]\nphrases = ["{"好" * 5000}"]\n',
                                        encoding="utf-8")
    with pytest.raises(LexiconError, match="5000 characters"):
        Guard([tmp_path], use_cache=False)


def test_every_automaton_value_points_at_its_keys_entries(guard: Guard) -> None:
    """The ints stored for the keys: the length is the key's, the index names entries
    whose spellings read as the key (a root-ordering key and an allow phrase alone have
    none), and the allow bit is set exactly for the allow phrases."""
    compiled = guard.compiled
    allowed = {normalize(phrase, compiled.tables) for phrase in compiled.lexicon.allow}
    entries = compiled.term_entries
    assert entries[0] == ()
    seen = 0
    for key, value in compiled.terms.items():
        assert (value >> 1) & LENGTH_MASK == len(key)
        assert bool(value & ALLOWED_BIT) == (key in allowed)
        if value >> INDEX_SHIFT:
            seen += 1
            assert entries[value >> INDEX_SHIFT], key
    assert seen == len(entries) - 1  # each entry tuple is one key's
    assert seen >= compiled.spellings


def test_a_hit_carries_the_entries_of_its_spelling(guard: Guard) -> None:
    verdict = guard.check("加我微信abc123")
    assert verdict.verdict == "block"
    assert {f.rule for f in verdict.findings} >= {"wechat"}


def test_a_used_compiled_lexicon_pickles_without_what_it_loaded(guard: Guard) -> None:
    """What loads on first need (the entries, the context words, the marks) is never
    pickled with the object: a copy made after use is as small as the cached form, and
    loads it again when asked."""
    compiled = guard.compiled
    guard.preload()
    assert compiled.context_deferred.loaded and compiled.term_entries_deferred.loaded
    copy = pickle.loads(pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL))
    assert not copy.context_deferred.loaded and not copy.term_entries_deferred.loaded
    assert not copy.tables.marks.loaded
    assert not {"term_entries", "context", "crossings"} & copy.__dict__.keys()
    assert "dense_marks" not in copy.tables.__dict__
    assert copy.term_entries == compiled.term_entries
    assert copy.tables.dense_marks == compiled.tables.dense_marks
    assert len(copy.context) == len(compiled.context)


def test_a_clean_message_loads_no_slow_path_part(tmp_path: Path) -> None:
    """A process that checks only clean messages never loads the terms' entries, the
    context words or the marks (cold start: they are most of the cache's load)."""
    code = ("from guard import Guard\n"
            "g = Guard()\n"
            "assert g.check('您好，已经发货了').verdict == 'pass'\n"
            "c = g.compiled\n"
            "print([d.loaded for d in (c.term_entries_deferred, c.context_deferred,"
            " c.crossings_deferred, c.tables.marks)])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    assert out.strip() == "[False, False, False, False]"


def test_a_deferred_value_is_made_once_and_its_bytes_dropped() -> None:
    from guard.deferred import Deferred

    deferred = Deferred.of({"a": (1, 2)})
    assert not deferred.loaded
    first = deferred.value
    assert first == {"a": (1, 2)} and deferred.loaded
    assert deferred.value is first  # made once
    assert deferred._pickled is None  # one copy kept, not the bytes beside it
    again = pickle.loads(pickle.dumps(deferred))
    assert not again.loaded and again.value == first
    assert Deferred.of(None).value is None  # None is a value like any other
