"""The piecewise dictionary gives jieba's own tokens, loads fast, and stays read-only."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.compiled import tokenizer_words
from guard.lexicon import load_lexicon
from guard.wordfreq import FORMAT, WordFrequencies, cache_name, decode, encode, load_tokenizer
from tests.conftest import load_jsonl

WORDS = tokenizer_words(load_lexicon(()))
ALPHABET = "京东北路淘宝天猫微信号加我去买的了是不一中国人民大学生活vx12 ，。"


@pytest.fixture(scope="module")
def tokenizers(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """(the piecewise tokenizer, a fully loaded jieba with the same words)."""
    folder = tmp_path_factory.mktemp("cache")
    lazy = load_tokenizer(WORDS, folder)
    import jieba

    whole = jieba.Tokenizer()
    whole.tmp_dir = str(folder)
    whole.initialize()
    for word in WORDS:
        whole.add_word(word)
    assert isinstance(lazy.FREQ, WordFrequencies)
    return lazy, whole


def _sentences() -> list[str]:
    texts = []
    for name in ("check_violations", "check_clean", "holdout_violations", "holdout_clean"):
        texts += [record["text"] for record in load_jsonl(f"{name}.jsonl")]
    return texts


def test_tokens_equal_a_fully_loaded_jiebas_on_every_corpus_message(tokenizers: tuple) -> None:
    lazy, whole = tokenizers
    texts = _sentences()
    assert len(texts) > 800
    for text in texts:
        assert list(lazy.tokenize(text, HMM=False)) == list(whole.tokenize(text, HMM=False)), text
    assert lazy.total == whole.total
    # the words guard adds are in, with the frequency jieba gave them
    for word in WORDS:
        assert lazy.FREQ.get(word) == whole.FREQ.get(word), word


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=30))
def test_tokens_equal_jiebas_on_generated_text(tokenizers: tuple, text: str) -> None:
    lazy, whole = tokenizers
    assert list(lazy.tokenize(text, HMM=False)) == list(whole.tokenize(text, HMM=False))


def test_only_the_pieces_of_the_characters_seen_are_read(tmp_path: Path) -> None:
    tokenizer = load_tokenizer(WORDS, tmp_path)
    fresh = load_tokenizer(WORDS, tmp_path)  # from the file this time
    assert fresh.FREQ.pieces_loaded == 0
    list(fresh.tokenize("去京东买", HMM=False))
    assert 1 <= fresh.FREQ.pieces_loaded <= 4
    assert tokenizer.FREQ.total == fresh.FREQ.total


def test_building_the_table_writes_guards_file_and_nothing_else(tmp_path: Path) -> None:
    """Not jieba's own 9 MB cache of the whole table beside it, nor a temporary file."""
    load_tokenizer(WORDS, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [cache_name(WORDS)]


def test_the_table_is_read_only() -> None:
    table = decode(encode({"京": 5, "京东": 9}, 14))
    assert "京东" in table and table["京东"] == 9 and table.get("京东方") is None
    assert "" not in table and table.get("") is None
    with pytest.raises(TypeError, match="read-only"):
        table["淘宝"] = 1


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "stub"])
def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path, damage: str) -> None:
    path = tmp_path / cache_name(WORDS)
    good = load_tokenizer(WORDS, tmp_path)  # writes the file
    data = path.read_bytes()
    path.write_bytes({
        "garbage": FORMAT + b"\x00\x00\x00\x00\x00\x00\x00\x10garbage",
        "truncated": data[:len(data) // 2],
        "flipped": data[:-100] + bytes(b ^ 0xFF for b in data[-100:]),
        "stub": FORMAT + b"\x00\x00",
    }[damage])
    with pytest.raises(ValueError, match="damaged"):
        decode(path.read_bytes())
    tokenizer = load_tokenizer(WORDS, tmp_path)  # rebuilt, not failing mid-message
    assert isinstance(tokenizer.FREQ, WordFrequencies)
    assert next(tokenizer.tokenize("北京东路", HMM=False))[0] == "北京"
    assert decode(path.read_bytes()).total == tokenizer.total == good.total


def test_a_cache_folder_that_cannot_be_made_still_gives_a_tokenizer(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    tokenizer = load_tokenizer(WORDS, blocker / "cache")  # even root cannot make this folder
    assert isinstance(tokenizer.FREQ, dict)  # jieba's whole table, in memory
    assert next(tokenizer.tokenize("北京东路", HMM=False))[0] == "北京"


def test_jieba_imports_without_pkg_resources_and_leaves_no_trace() -> None:
    import subprocess
    import sys

    code = ("import sys; from guard.wordfreq import import_jieba; jieba = import_jieba(); "
            "print(jieba.__name__, 'pkg_resources' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["jieba", "False"]  # not imported, and no None left behind
