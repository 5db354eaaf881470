"""Errors a user can make, how a run can fail, and the exit codes the command line reports."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator

from guard.cache import os_reason

EXIT_OK = 0
EXIT_BLOCKED = 1  # check: a message was blocked; audit: the --fail-on level was reached
EXIT_USAGE = 2  # a usage error, a broken lexicon, a rejected input record, a failed run


class UsageError(Exception):
    """A mistake of the user's: reported in one line (no traceback), exit status 2."""


class RunError(Exception):
    """The run could not finish (a lost worker, a full disk): one line, exit status 2."""


class Interrupted(BaseException):
    """A stop signal (SIGINT, SIGTERM, SIGHUP) arrived: the run ends, exit status 128 + signal.

    A BaseException, like KeyboardInterrupt, so that no `except Exception`
    on the way swallows it.
    """

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def status(self) -> int:
        return 128 + self.signum


def write_stdout(write: Callable[[], object], what: str = "标准输出") -> bool:
    """Call `write` (it writes to standard output): False if the reader closed the pipe.

    A closed pipe (`… | head`) is not an error: standard output is silenced,
    so nothing complains at exit, and the caller ends as it would have.
    Any other failure (a full disk: `> /dev/full`) is a `RunError`.
    """
    try:
        write()
        return True
    except BrokenPipeError:
        silence_stdout()
        return False
    except OSError as exc:
        silence_stdout()
        raise RunError(f"写入{what}失败：{os_reason(exc)}") from None


def silence_stdout() -> None:
    """Point standard output at /dev/null: what is still buffered goes nowhere, quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """While inside, SIGINT, SIGTERM and SIGHUP raise `Interrupted` in the main thread.

    What runs inside cleans up on the way out (worker processes stopped,
    temporary files removed) as for any exception; the command line then
    says what was done and exits with 128 + the signal's number.
    """
    def stop(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    previous = {number: signal.signal(number, stop) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
