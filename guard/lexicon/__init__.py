"""Load and validate `lexicons/*.toml` (+ a merchant's folder) into a frozen `Lexicon`.

All rule data lives in TOML files a non-programmer can edit. A mistake in one
fails loading with `file:line: what is wrong`, never a traceback.

The package, one job a module: model.py (what a Lexicon is), sections.py
(each section read and validated), builder.py (files merged in order and
frozen); the schema helpers are guard/tomlfile.py's. Here: where the files
are and the order they are read in.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from guard.lexicon.builder import FORMAT, Builder, file_digest, fingerprint_of
from guard.lexicon.model import (
    GENERATED_KINDS,
    TERM_KINDS,
    ContextRule,
    DisguiseRules,
    Lexicon,
    Messages,
    NumberRules,
    PositionRules,
    PrivacyRules,
    TermGroup,
)
from guard.tomlfile import LexiconError

__all__ = ["FORMAT", "GENERATED_KINDS", "TERM_KINDS", "ContextRule", "DisguiseRules",
           "Lexicon", "LexiconError", "Messages", "NumberRules", "PositionRules", "PrivacyRules",
           "TermGroup", "builtin_dir", "lexicon_files", "lexicon_fingerprint", "lexicon_sources",
           "load_lexicon"]


def builtin_dir() -> Path:
    """The built-in lexicons: inside the installed package, or the source tree."""
    packaged = resources.files("guard") / "lexicons"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent.parent / "lexicons"


def lexicon_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise LexiconError(f"{directory}: lexicon folder not found")
    return sorted(p for p in directory.glob("*.toml") if p.is_file())


def lexicon_sources(extra_dirs: Iterable[str | Path] = (),
                    builtin: str | Path | None = None) -> list[Path]:
    """The files a lexicon is read from, in the order they are read: the built-in
    folder (or `builtin`, a copy of it) first, then each merchant folder."""
    paths = lexicon_files(builtin_dir() if builtin is None else Path(builtin))
    for directory in extra_dirs:
        files = lexicon_files(Path(directory))
        if not files:
            raise LexiconError(f"{directory}: no .toml lexicon files in this folder "
                               "(a lexicon is a .toml file; see lexicons/ for examples)")
        paths.extend(files)
    return paths


def lexicon_fingerprint(paths: Iterable[Path]) -> str:
    """`Lexicon.fingerprint` of the lexicon these files make, from their bytes alone
    (no parsing): what the compiled cache is looked up by at start-up."""
    digests = []
    for path in paths:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise LexiconError(f"{path}:0: cannot read: {exc.strerror}") from None
        digests.append(file_digest(path, raw))
    return fingerprint_of(digests)


def load_lexicon(extra_dirs: Iterable[str | Path] = (),
                 builtin: str | Path | None = None) -> Lexicon:
    """The built-in lexicon plus each merchant folder, in order.

    `builtin`: a copy of the built-in folder to read instead (a Spark
    executor reads the driver's copy, shipped to it: guard/spark/ship.py).
    """
    builder = Builder()
    for path in lexicon_sources(extra_dirs, builtin):
        builder.add_file(path)
    from guard.recognizers import RULE_NAMES

    return builder.freeze(RULE_NAMES)
