"""A data file's syntax error names the line to look at; a folder's error names no line."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.lexicon import LexiconError, load_lexicon
from guard.tomlfile import TomlFile

GROUP = '[[group]]\nid = "x"\nlabel = "x"\ncategory = "link"\n'


@pytest.mark.parametrize(("content", "line", "what"), [
    # the array opened on line 5 takes in the rest of the file
    (GROUP + 'block = ["淘口令",\n  "复制口令",\n\n', 5, "Invalid value"),
    (GROUP + 'block = ["淘口令",\n  "复制口令"\n', 5, "Unclosed array"),
    # ... or fails at the next table header: still its line, not the header's
    (GROUP + 'block = [\n  "淘口令",\n\n[[allow]]\nphrases = ["ok"]\n', 5, "Invalid value"),
    (GROUP + 'block = ["a"]\n\n# notes\nreason = """why\nand more\n\n', 8, "Unterminated"),
    ('x = 1\n\n[[group]\nid = "x"\n', 3, "Expected"),  # where tomllib says: the right line
])
def test_a_syntax_error_names_the_line_it_starts_on(tmp_path: Path, content: str, line: int,
                                                   what: str) -> None:
    path = tmp_path / "a.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError) as caught:
        TomlFile(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: {what}"), message
    if line != 3:
        assert "opened on this line is never closed" in message


def test_folders_are_named_without_a_line(tmp_path: Path) -> None:
    with pytest.raises(LexiconError) as caught:
        load_lexicon([tmp_path])
    assert str(caught.value).startswith(f"{tmp_path}: no .toml lexicon files in this folder")
    with pytest.raises(LexiconError) as caught:
        load_lexicon([tmp_path / "nope"])
    assert str(caught.value) == f"{tmp_path / 'nope'}: lexicon folder not found"


def test_line_of_finds_every_table_of_a_long_file(tmp_path: Path) -> None:
    """Each header's lines are found once, so asking for every table stays linear."""
    path = tmp_path / "many.toml"
    path.write_text("".join(f'[[rule]]\nid = "r{i}"\n\n' for i in range(3000)), encoding="utf-8")
    src = TomlFile(path)
    assert [src.line_of("[[rule]]", i) for i in (0, 1, 2999)] == [1, 4, 8998]
    assert src.line_of("[[rule]]", 1234, "id") == 3 * 1234 + 2
    assert src.line_of("[[rule]]", 3000, default=7) == 7
    assert src.line_of("[[concept]]", 0, default=5) == 5
