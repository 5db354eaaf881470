"""Features that plug into a surface by module name, skipped while they do not exist yet.

The command line imports each subcommand's module (`register(subparsers)`), the
server each page's module (`mount(app)`); a name whose module is missing is a
feature not built yet, while an import error inside an existing module is a bug
and is raised.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from types import ModuleType


def present(names: Iterable[str]) -> Iterator[ModuleType]:
    """The modules of `names` that exist, imported, in order."""
    for name in names:
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not exc.name or not name.startswith(exc.name):
                raise
