"""A parsed TOML data file that can point at its own lines.

Lexicons, reply templates and routing cues are edited by hand; a mistake must
come back as `file:line: what is wrong`, never as a traceback, so every error
is raised through `TomlFile.error`. (tomllib gives no positions for values,
so lines are found by looking for the table header and the key.)
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any


class LexiconError(ValueError):
    """A data file is malformed; the message starts with `file:line:`."""


# Parses tried to find where an unclosed construct was opened (each reads the file
# once); a file that needs more is reported at the line tomllib names.
_TRIES = 400


def error_line(lines: list[str], error: str) -> tuple[int, bool]:
    """(the line to report for a TOML syntax error, whether it opened an unclosed construct).

    tomllib names where parsing failed: a line and column, or "end of
    document". An array, inline table or multi-line string left open takes
    in what follows, so the failure shows up later — at the next table
    header, or at the end. The line that matters is where it was opened:
    the first line after the longest beginning of the file that parses.
    """
    match = re.search(r"line (\d+)", error)
    failed = int(match.group(1)) if match else len(lines)
    tries = [0]

    def parses(count: int) -> bool:
        tries[0] += 1
        try:
            tomllib.loads("\n".join(lines[:count]))
        except tomllib.TOMLDecodeError:
            return False
        return True

    before = failed - 1 if match else len(lines)  # the lines before the failure
    if before <= 0 or parses(before):
        return max(failed, 1), False
    # something before the failure was left open: find the last beginning that parses,
    # stepping back twice as far each time, then line by line from the last step
    step, bad, good = 1, before, -1
    while good < 0:
        probe = max(before - step, 0)
        if parses(probe):
            good = probe
        else:
            bad, step = probe, 2 * step
    for count in range(bad - 1, good, -1):
        if tries[0] >= _TRIES:
            return max(failed, 1), False
        if parses(count):
            good = count
            break
    opened = good + 1
    while opened < before and (not lines[opened - 1].strip()
                               or lines[opened - 1].lstrip().startswith("#")):
        opened += 1
    return opened, True


class TomlFile:
    """One TOML file: its data and a way to find the line of a table or key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise LexiconError(f"{path}:0: cannot read: {exc.strerror}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise LexiconError(f"{path}:{line}: not valid UTF-8") from None
        self.text = text
        self.lines = text.splitlines()
        self._headers: dict[str, list[int]] = {}
        self.digest = hashlib.sha256(raw).hexdigest()
        try:
            self.data: dict[str, Any] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line, opened = error_line(self.lines, str(exc))
            what = (f"{exc}; an array, inline table or string opened on this line is never "
                    "closed") if opened else str(exc)
            raise LexiconError(f"{path}:{line}: {what}") from None

    def line_of(self, header: str, index: int = 0, key: str | None = None,
                default: int = 1) -> int:
        """Line of the index-th table `header` (e.g. "[[return.reply]]"), or of `key` in it.

        Falls back to the table's line when the key is not written there, and
        to `default` when the table is not found (an inline or dotted table).
        """
        found = self._headers.get(header)
        if found is None:  # each header's lines found once: a file of n tables costs O(n)
            pattern = re.compile(r"^\s*" + re.escape(header) + r"\s*(#.*)?$")
            found = [number for number, line in enumerate(self.lines, 1) if pattern.match(line)]
            self._headers[header] = found
        if not 0 <= index < len(found):
            return default
        start = found[index]
        if key is None:
            return start
        quoted = re.escape(key) if re.fullmatch(r"[A-Za-z0-9_-]+", key) else None
        keys = [re.escape(f'"{key}"'), re.escape(f"'{key}'")]
        if quoted:
            keys.append(quoted)
        key_pattern = re.compile(r"^\s*(?:" + "|".join(keys) + r")\s*=")
        for number in range(start, len(self.lines)):
            line = self.lines[number]
            if line.lstrip().startswith("["):
                break
            if key_pattern.match(line):
                return number + 1
        return start

    def error(self, line: int, what: str) -> LexiconError:
        return LexiconError(f"{self.path}:{line}: {what}")


# --------------------------------------------------------------------------- schema helpers
# Each checks one value of a parsed file and fails with `file:line: what is wrong`.
# `where` is (table header, index of that table, key): the line to report.


def strings(src: TomlFile, value: Any, where: tuple[str, int, str]) -> tuple[str, ...]:
    """A list of non-empty strings."""
    header, index, key = where
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise src.error(src.line_of(header, index, key), f"'{key}' must be a list of strings")
    empty = [v for v in value if not v.strip()]
    if empty:
        raise src.error(src.line_of(header, index, key), f"'{key}' holds an empty string")
    return tuple(value)


def nonempty_string(src: TomlFile, table: dict[str, Any], key: str,
                    where: tuple[str, int]) -> str:
    """A non-empty string `table[key]` (of the index-th table `where[0]`)."""
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        line = src.line_of(where[0], where[1], key if key in table else None)
        raise src.error(line, f"'{key}' must be a non-empty string")
    return value


def small_int(src: TomlFile, table: dict[str, Any], key: str, where: tuple[str, int],
              default: int) -> int:
    """A whole number 1..50 `table[key]`, `default` where it is not given."""
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 50:
        raise src.error(src.line_of(where[0], where[1], key), f"'{key}' must be 1..50")
    return value


def section(src: TomlFile, name: str, known: set[str]) -> dict[str, Any] | None:
    """The table `[name]` of a file (None where it has none), its keys checked: a key
    this guard does not know (a typo) fails with the file and line."""
    table = src.data.get(name)
    if table is None:
        return None
    if not isinstance(table, dict):
        raise src.error(key_line(src, name), f"'{name}' must be a table")
    unknown = sorted(set(table) - known)
    if unknown:
        raise src.error(src.line_of(f"[{name}]", 0, unknown[0],
                                    default=key_line(src, unknown[0])),
                        f"unknown key '{unknown[0]}' in [{name}] "
                        f"(known: {', '.join(sorted(known))})")
    return table


def table_list(src: TomlFile, key: str) -> list[Any]:
    """The `[[key]]` tables of a file (an empty list where it has none)."""
    value = src.data.get(key, [])
    if not isinstance(value, list):
        raise src.error(key_line(src, key), f"'{key}' must be written as [[{key}]] tables")
    return value


def key_line(src: TomlFile, key: str) -> int:
    """The first line that starts with `key` (as a key or a table header), else 1."""
    pattern = re.compile(r"^\s*\[*\s*" + re.escape(key) + r"\b")
    for number, line in enumerate(src.lines, 1):
        if pattern.match(line):
            return number
    return 1
