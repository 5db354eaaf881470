"""Files guard writes: the cache folder, atomic writes, pruning.

Every file guard writes — a compiled lexicon, the tokenizer's table, an
audit report — is written to a temporary name in the target's own folder
and renamed into place once complete, so a reader (or a user after a crash,
a full disk or Ctrl-C) sees the old file or the new one, never half of one.
This module imports nothing of guard's: the compiler, the tokenizer table
and the audit all use it without importing each other.
"""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import IO


def cache_dir() -> Path:
    """Where guard (and the tokenizer) keep caches: $GUARD_CACHE_DIR or the user's cache."""
    configured = os.environ.get("GUARD_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "guard"


# What a run wants a person to know while it waits: a cache being built, a
# cache folder that cannot be written. The library only logs (a program using
# the API decides what to show); the command line prints each message once, as
# one line on stderr (guard/cli.py).
NOTICES = logging.getLogger("guard.notice")


_OS_REASONS = {
    errno.EROFS: "只读文件系统", errno.EACCES: "没有写权限", errno.EPERM: "不允许的操作",
    errno.ENOTDIR: "路径中有一段不是目录", errno.ENOSPC: "磁盘已满", errno.EDQUOT: "超出磁盘配额",
    errno.ENOENT: "没有这个文件或目录", errno.EISDIR: "是目录，不是文件",
    errno.EADDRINUSE: "端口已被占用", errno.EADDRNOTAVAIL: "本机没有这个地址",
    errno.EMFILE: "打开的文件太多", errno.EIO: "输入输出错误",
}


def os_reason(exc: OSError) -> str:
    """Why an OSError happened, in Chinese where it is a usual reason."""
    return _OS_REASONS.get(exc.errno or 0) or exc.strerror or str(exc)


def writable_error(folder: Path) -> OSError | None:
    """None if files can be written in `folder` (created if need be), else why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError as exc:
        return exc
    return None


def announce_build(folder: Path, what: str, seconds: str) -> bool:
    """Say that `what` is being built into the cache (one line); False, with a warning instead,
    when the cache folder cannot be written, so it will be built again on every run."""
    error = writable_error(folder)
    if error is not None:
        NOTICES.warning(
            "警告：缓存目录 %s 无法写入（%s），每次运行都要重新编译词库、完整加载分词词典"
            "（每次多花约 2 秒）。请让该目录可写，或把 GUARD_CACHE_DIR 设为可写的目录，"
            "例如 export GUARD_CACHE_DIR=$HOME/.cache/guard",
            folder, os_reason(error))
        return False
    NOTICES.info("正在%s（首次运行或词库、版本有变化时才需要，约 %s 秒），结果缓存在 %s",
                 what, seconds, folder)
    return True


_UMASK: list[int] = []


def _file_mode() -> int:
    """The mode `open()` would give a new file (mkstemp's 0600 would hide a report)."""
    if not _UMASK:
        mask = os.umask(0o022)
        os.umask(mask)
        _UMASK.append(mask)
    return 0o666 & ~_UMASK[0]


class AtomicFile:
    """A new version of `path`, written beside it and renamed onto it by `commit()`.

    Until then the target is untouched; `discard()` (or leaving the `with`
    block by an exception) removes the temporary file. A target that exists
    and is not a regular file (a device such as /dev/full or /dev/stdout, a
    FIFO) cannot be replaced: it is written directly. A symbolic link is
    followed, so the file it points to is what gets replaced.
    """

    def __init__(self, path: str | Path, prefix: str | None = None, text: bool = False,
                 encoding: str = "utf-8", newline: str | None = None):
        try:
            regular = stat.S_ISREG(os.stat(path).st_mode)
            exists = True
        except FileNotFoundError:
            regular = exists = False
        # a link to a file: the file is replaced, not the link
        target = Path(os.path.realpath(path)) if regular else Path(path)
        self.path = target
        self.temporary: Path | None = None
        if exists and not regular:
            raw: IO[bytes] = open(target, "wb")  # noqa: SIM115 - closed by close()
        else:
            handle, name = tempfile.mkstemp(dir=target.parent,
                                            prefix=prefix or f".{target.name}.", suffix=".tmp")
            self.temporary = Path(name)
            with contextlib.suppress(OSError):
                os.fchmod(handle, _file_mode())
            raw = os.fdopen(handle, "wb")
        self.file: IO = io.TextIOWrapper(raw, encoding=encoding, newline=newline) if text else raw
        self._closed = False

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is not None:
            self.discard()

    def close(self) -> None:
        """Flush everything to disk (a full disk shows here, as OSError)."""
        if self._closed:
            return
        self._closed = True
        try:
            self.file.flush()
            if self.temporary is not None:
                os.fsync(self.file.fileno())
        finally:
            with contextlib.suppress(OSError):
                self.file.close()

    def commit(self) -> None:
        """Close, then rename the complete file onto the target."""
        self.close()
        if self.temporary is not None:
            os.replace(self.temporary, self.path)
            self.temporary = None

    def discard(self) -> None:
        """Give up: the temporary file goes, the target stays as it was."""
        with contextlib.suppress(OSError):
            self.close()
        if self.temporary is not None:
            with contextlib.suppress(OSError):
                self.temporary.unlink()
            self.temporary = None


def write_atomically(path: Path, data: bytes, prefix: str) -> None:
    """Write a file so that a reader sees the whole file or none.

    The temporary file (`prefix`…, beside it) is removed if the write fails;
    one left by a killed process is pruned later (`prune_cache`).
    """
    with AtomicFile(path, prefix=prefix) as out:
        out.file.write(data)
        out.commit()


def prune_cache(folder: Path, pattern: str, keep: int) -> None:
    """Delete all but the `keep` most recently used files matching `pattern`.

    Every lexicon edit and every upgrade makes a new cache file (a few MB);
    without this the folder only grows. Leftovers of interrupted writes
    (`.lexicon-*`, `.jieba-freq-*`) older than an hour go too.
    """
    try:
        found = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        stale = [p for p in folder.glob(".*-*") if p.stat().st_mtime < time.time() - 3600]
    except OSError:
        return
    for old in found[keep:] + stale:
        with contextlib.suppress(OSError):
            old.unlink()


def installed_version(project: str, module: str) -> str:
    """The installed version of `project` (whose top-level module is `module`), as a
    cache key part, without importing either (importlib.metadata alone costs ≈ 30 ms
    of every start-up): the name of the `.dist-info` folder beside the module.
    Other layouts fall back on importlib.metadata; "?" if it is not installed."""
    import importlib.util
    import re

    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    def normalized(name: str) -> str:  # as packaging compares names: Some.Name = some_name
        return re.sub(r"[-_.]+", "_", name).lower()

    if spec is not None and spec.origin:
        origin = Path(spec.origin)
        folder = origin.parent.parent if spec.submodule_search_locations else origin.parent
        with contextlib.suppress(OSError):
            for name in os.listdir(folder):
                if name.endswith(".dist-info"):
                    installed, _, version = name.removesuffix(".dist-info").rpartition("-")
                    if normalized(installed) == normalized(project):
                        return version
    import importlib.metadata as md

    try:
        return md.version(project)
    except md.PackageNotFoundError:
        return "?"
