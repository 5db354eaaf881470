"""How the lexicons travel to Spark's executors, and the one Auditor of each executor process.

The driver reads the lexicon folders (the built-in one and each merchant
folder given with --lexicons) into a `LexiconBundle`: file name → bytes per
folder, a few hundred KB. Spark broadcasts it once per executor; each
executor's Python process writes it to a folder named by its digest (once:
the folder is renamed into place whole) and builds its `Guard` from that copy,
so the executors judge with exactly the driver's lexicons whatever guard
version they have installed, and nothing reads the driver's disk. The
compiled form is cached in the executor's GUARD_CACHE_DIR as anywhere else.

A Guard is never pickled: `auditor_for` keeps one `Auditor` per process
(Python workers are reused across tasks), keyed by the bundle's digest and
the settings.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from guard.audit.judge import AuditConfig, Auditor
from guard.audit.report import Settings
from guard.engine import Guard
from guard.lexicon import builtin_dir, lexicon_files


@dataclass(frozen=True)
class LexiconBundle:
    """The lexicon folders' files: the built-in folder first, then each merchant folder."""

    folders: tuple[tuple[tuple[str, bytes], ...], ...]
    digest: str

    @classmethod
    def pack(cls, lexicon_dirs: Sequence[str | Path] = ()) -> LexiconBundle:
        """Read the folders (validated beforehand: labels_for loads them)."""
        folders = tuple(
            tuple((path.name, path.read_bytes()) for path in lexicon_files(Path(folder)))
            for folder in (builtin_dir(), *lexicon_dirs))
        digest = hashlib.sha256()
        for files in folders:
            digest.update(b"\0folder")
            for name, data in files:
                digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        return cls(folders, digest.hexdigest()[:24])

    def unpack(self, parent: Path | None = None) -> list[Path]:
        """The folders written under `parent` (the temporary folder), once per machine."""
        root = (parent or Path(tempfile.gettempdir())) / f"guard-lexicons-{self.digest}"
        if not root.is_dir():
            root.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".guard-lexicons-", dir=root.parent))
            for index, files in enumerate(self.folders):
                folder = staging / str(index)
                folder.mkdir()
                for name, data in files:
                    (folder / name).write_bytes(data)
            try:
                os.rename(staging, root)
            except OSError:  # another process of this machine was first: use its copy
                shutil.rmtree(staging, ignore_errors=True)
        return [root / str(index) for index in range(len(self.folders))]


_AUDITORS: dict[tuple[str, Settings], Auditor] = {}  # this process's, built once


def auditor_for(bundle: LexiconBundle, settings: Settings) -> Auditor:
    """This process's Auditor for these lexicons and settings (built on first use)."""
    key = (bundle.digest, settings)
    auditor = _AUDITORS.get(key)
    if auditor is None:
        builtin, *extra = bundle.unpack()
        guard = Guard(extra, builtin=builtin)
        auditor = Auditor(AuditConfig(tuple(str(p) for p in extra), settings), guard=guard)
        _AUDITORS.clear()  # another run's auditor: one at a time per process
        _AUDITORS[key] = auditor
    return auditor
