"""Errors a user can make, and the exit codes the command line reports them with."""

from __future__ import annotations

EXIT_OK = 0
EXIT_BLOCKED = 1  # check: a message was blocked; audit: the --fail-on level was reached
EXIT_USAGE = 2  # a usage error, a broken lexicon, or a rejected input record


class UsageError(Exception):
    """A mistake of the user's: reported in one line (no traceback), exit status 2."""
