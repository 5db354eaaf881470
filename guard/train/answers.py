"""Reading a trainee's answers: typed in a terminal, piped in, or from a file.

One rule everywhere: an answer may span several lines and ends with an empty
line (in a file: answers are separated by blank lines). In a terminal the
answer is read key by key, so that

* a paste arrives whole, blank lines included, however long (terminals mark
  pastes when asked to: "bracketed paste"), and is never cut at the 4 KiB a
  terminal's line editor holds;
* a long paste is not echoed back screen after screen: it shows as one line
  saying how much was pasted;
* Ctrl-C interrupts (KeyboardInterrupt, the caller prints the summary so far),
  Ctrl-D on an empty answer ends the session, Backspace and Ctrl-U edit the
  current line.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Iterator
from typing import IO

__all__ = ["ECHO_LIMIT", "TerminalAnswers", "split_answers", "stream_answers"]

ECHO_LIMIT = 2000
"""A paste longer than this (characters) is shown as a one-line note instead of echoed."""

_PASTE_START = "\x1b[200~"
_PASTE_END = "\x1b[201~"


def split_answers(text: str) -> list[str]:
    """Answers separated by blank lines (a line of only spaces is blank too)."""
    answers: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip():
            current.append(line.rstrip())
        elif current:
            answers.append("\n".join(current))
            current = []
    if current:
        answers.append("\n".join(current))
    return answers


def stream_answers(stream: IO[str]) -> Iterator[str]:
    """Answers from a non-terminal stream, one at a time: "" for an empty answer (a blank line
    where an answer should start), the stream's end stops."""
    current: list[str] = []
    for line in stream:
        if line.strip():
            current.append(line.rstrip("\r\n"))
            continue
        yield "\n".join(current)
        current = []
    if current:
        yield "\n".join(current)


class TerminalAnswers:
    """Reads answers key by key from a terminal (see the module's docstring)."""

    def __init__(self, fd: int | None = None, out: IO[str] | None = None) -> None:
        self.fd = sys.stdin.fileno() if fd is None else fd
        self.out = out or sys.stdout

    def read(self) -> str:
        """One answer ("" if the trainee pressed Enter on nothing). EOFError on Ctrl-D."""
        import termios

        saved = termios.tcgetattr(self.fd)
        raw = termios.tcgetattr(self.fd)
        raw[3] &= ~(termios.ICANON | termios.ECHO)  # lflag: key by key, we echo ourselves
        raw[6][termios.VMIN], raw[6][termios.VTIME] = 1, 0
        termios.tcsetattr(self.fd, termios.TCSANOW, raw)
        self._write("\x1b[?2004h")  # ask for bracketed paste
        try:
            return self._read_keys()
        finally:
            self._write("\x1b[?2004l")
            termios.tcsetattr(self.fd, termios.TCSANOW, saved)

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def _read_keys(self) -> str:
        from rich.cells import cell_len

        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        lines: list[str] = []
        line: list[str] = []
        pending = ""  # an escape sequence not complete yet
        paste: list[str] | None = None
        while True:
            data = os.read(self.fd, 65536)
            if not data:
                raise EOFError
            text = pending + decoder.decode(data)
            pending = ""
            index = 0
            while index < len(text):
                if paste is not None:
                    end = text.find(_PASTE_END, index)
                    if end < 0:
                        keep = _partial_suffix(text, _PASTE_END)
                        paste.append(text[index:len(text) - keep])
                        pending = text[len(text) - keep:]
                        break
                    paste.append(text[index:end])
                    index = end + len(_PASTE_END)
                    self._insert("".join(paste), lines, line)
                    paste = None
                    continue
                char = text[index]
                if char == "\x1b":
                    sequence = _escape(text, index)
                    if sequence is None:
                        pending = text[index:]
                        break
                    index += len(sequence)
                    if sequence == _PASTE_START:
                        paste = []
                    continue  # arrows and other keys: not handled
                index += 1
                if char in "\r\n":
                    if not line:
                        self._write("\r\n")
                        return "\n".join(lines)
                    lines.append("".join(line))
                    line.clear()
                    self._write("\r\n")
                elif char == "\x04":  # Ctrl-D
                    if not lines and not line:
                        raise EOFError
                    if line:
                        lines.append("".join(line))
                    self._write("\r\n")
                    return "\n".join(lines)
                elif char in "\x7f\b":
                    if line:
                        width = cell_len(line.pop())
                        self._write("\b" * width + " " * width + "\b" * width)
                elif char == "\x15":  # Ctrl-U
                    width = cell_len("".join(line))
                    line.clear()
                    self._write("\b" * width + " " * width + "\b" * width)
                elif char == "\t":
                    line.append(" ")
                    self._write(" ")
                elif char >= " ":
                    line.append(char)
                    self._write(char)

    def _insert(self, pasted: str, lines: list[str], line: list[str]) -> None:
        """A paste, whole: its line breaks are line breaks of the answer, never its end."""
        parts = pasted.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if len(pasted) > ECHO_LIMIT:
            self._write(f"［已粘贴 {len(pasted):,} 个字符，{len(parts)} 行］")
        else:
            self._write("\r\n".join(parts))
        line.extend(parts[0])
        for part in parts[1:]:
            lines.append("".join(line))
            line.clear()
            line.extend(part)


def _escape(text: str, index: int) -> str | None:
    """The escape sequence at `index` (ESC [ … final, ESC O x, or ESC x); None if cut off."""
    if index + 1 >= len(text):
        return None
    kind = text[index + 1]
    if kind == "[":
        for end in range(index + 2, len(text)):
            if "\x40" <= text[end] <= "\x7e":
                return text[index:end + 1]
        return None
    if kind == "O":
        return text[index:index + 3] if index + 2 < len(text) else None
    return text[index:index + 2]


def _partial_suffix(text: str, marker: str) -> int:
    """How many characters at the end of `text` could begin `marker` (kept for the next read)."""
    for size in range(min(len(marker) - 1, len(text)), 0, -1):
        if marker.startswith(text[-size:]):
            return size
    return 0
