"""Lexicons: data a merchant can extend; a broken file fails with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard import Guard, LexiconError
from guard.lexicon import builtin_dir, load_lexicon


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_lexicon_loads_every_category() -> None:
    lexicon = load_lexicon()
    assert {g.category for g in lexicon.groups} == {
        "contact_im", "contact_number", "link", "other_platform", "offplatform_trade"}
    assert "10 万元以上的保证金" in lexicon.messages.block_warning
    assert (builtin_dir() / "platforms.toml").is_file()


def test_merchant_folder_adds_a_group_and_extends_one(tmp_path: Path) -> None:
    write(tmp_path, "mine.toml", '''
[[group]]
id = "rival"
label = "某竞品"
category = "other_platform"
block = ["竞品商城"]

[[group]]
id = "wechat"
block = ["围信"]

[[allow]]
phrases = ["卫星天线"]
''')
    guard = Guard([tmp_path], use_cache=False)
    assert guard.check("去竞品商城看看").verdict == "block"
    assert guard.check("围信").verdict == "block"
    assert Guard(use_cache=False).check("围信").verdict == "pass"


@pytest.mark.parametrize(("content", "line", "what"), [
    ('[[group]]\nid = "x"\nlabel = "x"\ncategory = "contact_xx"\nblock = ["a"]\n', 4,
     "unknown category 'contact_xx'"),
    ('[[group]]\nid = "x"\nlabel = "x"\ncategory = "link"\nblock = "abc"\n', 5,
     "'block' must be a list of strings"),
    ('[[group]]\nid = "x"\nlabel = "x"\ncategory = "link"\n', 1, "has no terms"),
    ('\n\n[[group]]\nid = "x"\nlabel = "x"\ncategory = "link"\nblok = ["a"]\n', 7,
     "unknown key 'blok'"),
    ('[[group]\nid = "x"\n', 1, "Expected"),
    ('[[allow]]\nphrases = ["ok", ""]\n', 2, "empty string"),
    ('[surprise]\nx = 1\n', 1, "unknown section 'surprise'"),
    ('[[group]]\nid = "x"\nlabel = "x"\ncategory = "link"\nblock = ["。。"]\n', 1,
     "only spaces, punctuation or symbols"),
    # every section rejects an unknown key (a typo never loads silently)
    ('format = 1\n[numbers]\ncontext_windw = 5\n', 3, "unknown key 'context_windw' in [numbers]"),
    ('[messages]\nblock_warnin = "x"\n', 2, "unknown key 'block_warnin' in [messages]"),
    ('[normalize]\nclause_boundary = "，"\n', 2, "unknown key 'clause_boundary'"),
    ('[[allow]]\nphrase = ["a"]\n', 2, "unknown key 'phrase' in [[allow]]"),
    ('[normalize.components]\n"信" = ["亻"]\n', 1, "component '信'"),
    ('[negation]\ncue = ["a"]\n', 2, "unknown key 'cue'"),
    ('[context.link]\nbefor = ["a"]\n', 2, "unknown key 'befor'"),
    ('format = 2\n', 1, "format 2"),
    ('[numbers.spoken_digits]\nyao = "1"\nx = "1"\n', 3, "[numbers.spoken_digits] 'x'"),
    ('[numbers.spoken_digits]\nyao = "12"\n', 2, "one digit"),
    ('[numbers.spoken_repeats]\ndouble = 2\nx = 2\n', 3, "[numbers.spoken_repeats] 'x'"),
    ('[numbers.spoken_repeats]\ntriple = 9\n', 2, "a count from 2 to 4"),
    # [disguise] (numbers.toml): words of a disguised dot or @, a swap instruction's
    ('format = 1\n\n[disguise]\ndot = ["逗点"]\ndots = ["x"]\n', 5,
     "unknown key 'dots' in [disguise]"),
    ('[disguise]\nat = "艾特"\n', 2, "'at' must be a list of strings"),
    ('[disguise]\nbracketed = ["逗点"]\n', 2, "bracketed: '逗点' is no word of 'dot' or 'at'"),
    ('[disguise]\nswap_targets = ["#"]\n', 2, "swap_targets: '#' is no word"),
    ('[disguise.symbols]\n"波浪号" = ""\n', 1, "[disguise.symbols] must map"),
    ('[negation]\nwindow = 3\ncues = ["不"]\nafter_windw = 2\n', 4,
     "unknown key 'after_windw' in [negation]"),
    # [privacy] (privacy.toml): what the audit's masking knows of addresses and names
    ('format = 1\n\n[privacy]\nstreet_word = ["路"]\n', 4,
     "unknown key 'street_word' in [privacy]"),
    ('[privacy]\nself_cues = "我叫"\n', 2, "'self_cues' must be a list of strings"),
    ('[privacy]\nsurnames = ["王"]\n', 2, "'surnames' must be a string of characters"),
    ('[privacy]\nname_stops = "的 了"\n', 2, "'name_stops' must be a string of characters"),
    ('[privacy]\naddress_reach = 0\n', 2, "'address_reach' must be 1..50"),
    ('[privacy]\nhouse_units = ["号", ""]\n', 2, "'house_units' holds an empty string"),
    ('[privacy]\nself_cues = ["我叫"]\n\n[privacy.buyer_number]\nowner = ["您"]\n', 5,
     "unknown key 'owner' in [privacy.buyer_number]"),
    ('[privacy.buyer_number]\nnames = "电话"\n', 2, "'names' must be a list of strings"),
    # [numbers.positions] (numbers.toml): a piece's place in a number told in pieces
    ('[numbers.positions]\nheads = ["前"]\nunit = ["位"]\n', 3,
     "unknown key 'unit' in [numbers.positions]"),
    ('[numbers.positions]\nheads = "前"\n', 2, "'heads' must be a list of strings"),
    ('[numbers.letter_digits]\nl = "1"\nzz = "2"\n', 3, "[numbers.letter_digits] 'zz'"),
    ('[numbers.letter_digits]\no = "00"\n', 2, "one digit"),
])
def test_broken_file_names_file_and_line(tmp_path: Path, content: str, line: int,
                                         what: str) -> None:
    path = write(tmp_path, "broken.toml", content)
    with pytest.raises(LexiconError) as caught:
        Guard([tmp_path], use_cache=False)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}:"), message
    assert what in message


def test_components_split_every_term_of_a_group(tmp_path: Path) -> None:
    """[normalize.components]: a character written as its parts is matched in any term,
    as strongly as an evasive spelling; a merchant's table adds to the built-in one."""
    write(tmp_path, "mine.toml", '[normalize.components]\n"商" = ["亠冏"]\n'
          '[[group]]\nid = "rival"\nlabel = "x"\ncategory = "other_platform"\n'
          'mention = ["竞品商城"]\n')
    guard = Guard([tmp_path], use_cache=False)
    assert guard.check("竞品亠冏城").verdict == "block"
    assert guard.check("加我微亻言").verdict == "block"  # built in: 信 = 亻言
    assert guard.check("竞品商城").verdict == "warn"  # the term itself keeps its kind
    finding = guard.check("好的，加我薇 亻 言。").findings[0]
    assert finding.text == "薇 亻 言"


def test_component_spellings_split_one_character_or_all() -> None:
    from guard.variants import component_spellings

    split = {"信": ("亻言",), "扣": ("扌口",)}
    assert component_spellings("微信", split) == ["微亻言"]
    assert component_spellings("扣扣号", split) == ["扌口扣号", "扣扌口号", "扌口扌口号"]
    assert component_spellings("淘宝", split) == []


def test_invalid_utf8_lexicon(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(b'[[allow]]\nphrases = ["\xff"]\n')
    with pytest.raises(LexiconError, match=rf"^{path}:2: not valid UTF-8"):
        load_lexicon([tmp_path])


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="not found"):
        load_lexicon([tmp_path / "nope"])


def test_cache_gives_the_same_result_as_a_fresh_compile(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUARD_CACHE_DIR", str(tmp_path))
    first = Guard()  # compiles and writes the cache
    assert list(tmp_path.glob("lexicon-*.pickle"))
    second = Guard()  # loads it
    uncached = Guard(use_cache=False)
    for text in ["加我薇信", "去京东买", "北京东路", "taobao搜店名"]:
        assert first.check(text) == second.check(text) == uncached.check(text)


def test_the_cache_folder_keeps_only_recently_used_files(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import time

    from guard.compiled_cache import KEEP_COMPILED

    monkeypatch.setenv("GUARD_CACHE_DIR", str(tmp_path))
    old = time.time() - 7200
    for index in range(KEEP_COMPILED + 3):  # older compiled lexicons, oldest first
        stale = tmp_path / f"lexicon-{index:032d}.pickle"
        stale.write_bytes(b"x")
        os.utime(stale, (old + index, old + index))
    leftover = tmp_path / ".lexicon-interrupted"
    leftover.write_bytes(b"x")
    os.utime(leftover, (old, old))
    Guard()  # compiles (no file of its key) and writes its own, then prunes
    kept = sorted(p.name for p in tmp_path.glob("lexicon-*.pickle"))
    assert len(kept) == KEEP_COMPILED
    assert f"lexicon-{KEEP_COMPILED + 2:032d}.pickle" in kept  # the newest old ones stay
    assert f"lexicon-{0:032d}.pickle" not in kept
    assert not leftover.exists()


def test_every_builtin_lexicon_file_declares_its_format() -> None:
    import tomllib

    from guard.lexicon import FORMAT

    for path in sorted(builtin_dir().glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert data.get("format") == FORMAT, path


@pytest.mark.parametrize("module", ["normalize.py", "compiled.py", "compiled_cache.py",
                                    "rulematch.py",
                                    "recognizers/assembled.py",
                                    "recognizers/digit_words.py"])
def test_compiled_cache_key_follows_the_code_it_pickles(module: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A guard whose normalization changed must not read tables an older one cached."""
    from guard import compiled_cache

    lexicon = load_lexicon([])
    before = compiled_cache._cache_key(lexicon.fingerprint)
    assert compiled_cache._cache_key(lexicon.fingerprint) == before  # the same code, the same key
    real = Path.read_text

    def edited(self: Path, *args: object, **kwargs: object) -> str:
        text = real(self, *args, **kwargs)  # type: ignore[arg-type]
        return text + "\n# edited" if self.as_posix().endswith("guard/" + module) else text

    monkeypatch.setattr(Path, "read_text", edited)
    assert compiled_cache._cache_key(lexicon.fingerprint) != before


def test_allow_rule_lowers_a_practice_never_an_evasive_spelling(tmp_path: Path) -> None:
    """An allow rule may lower the name of a practice (a `refusable` group's block term,
    私下交易) near its match; an evasive spelling (薇信) always blocks."""
    write(tmp_path, "mine.toml", '''
[[concept]]
id = "demo_cue"
terms = ["培训示例"]

[[rule]]
id = "demo_allow"
effect = "allow"
any = ["demo_cue"]
window = 20
demotes = ["private_trade", "wechat"]
''')
    guard = Guard([tmp_path], use_cache=False)
    assert guard.check("培训示例：私下交易").verdict == "warn"
    assert guard.check("培训示例：加薇信").verdict == "block"
    assert guard.check("私下交易").verdict == "block"


def test_the_fingerprint_read_from_bytes_is_the_parsed_lexicons(tmp_path: Path) -> None:
    """Start-up looks the compiled cache up by the files' bytes alone, before parsing:
    that is only right if it gives the parsed lexicon's own fingerprint."""
    from guard.lexicon import lexicon_fingerprint, lexicon_sources

    write(tmp_path, "mine.toml", 'format = 1\n[[allow]]\nphrases = ["官方直播间"]\n')
    for dirs in ([], [tmp_path]):
        assert lexicon_fingerprint(lexicon_sources(dirs)) == load_lexicon(dirs).fingerprint
    before = lexicon_fingerprint(lexicon_sources([tmp_path]))
    write(tmp_path, "mine.toml", 'format = 1\n[[allow]]\nphrases = ["官方旗舰店"]\n')
    assert lexicon_fingerprint(lexicon_sources([tmp_path])) != before


def test_a_cached_lexicon_is_used_only_for_the_same_files(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """On a cache hit the files are not parsed; once one changes, it is parsed and
    checked again (a mistake is reported, not hidden behind the old cache)."""
    monkeypatch.setenv("GUARD_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "mine"
    folder.mkdir()
    write(folder, "mine.toml", 'format = 1\n[[allow]]\nphrases = ["官方直播间"]\n')
    first = Guard([folder])
    second = Guard([folder])  # from the cache
    assert second.lexicon.fingerprint == first.lexicon.fingerprint
    assert "官方直播间" in second.lexicon.allow
    write(folder, "mine.toml", 'format = 1\n[[allow]]\nphrases = "not a list"\n')
    with pytest.raises(LexiconError, match=r"mine.toml:\d+"):
        Guard([folder])


def test_allow_phrases_spell_out_alternatives(tmp_path: Path) -> None:
    """An allow phrase is written like a concept term: "(a|b|)" spells out alternatives."""
    write(tmp_path / "mine", "allow.toml",
          'format = 1\n[[allow]]\nphrases = ["(网站|网页)加(个|)收藏", "扣扣鞋"]\n')
    phrases = set(load_lexicon([tmp_path / "mine"]).allow)
    assert {"网站加个收藏", "网站加收藏", "网页加个收藏", "网页加收藏", "扣扣鞋"} <= phrases
    assert not any("(" in phrase or "|" in phrase for phrase in phrases)


def test_an_allow_phrase_with_unbalanced_parentheses_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "mine", "allow.toml",
                 'format = 1\n\n[[allow]]\nnote = "x"\nphrases = ["(网站|网页加收藏"]\n')
    with pytest.raises(LexiconError, match=rf"^{path}:5: term '\(网站\|网页加收藏': unbalanced"):
        load_lexicon([tmp_path / "mine"])
