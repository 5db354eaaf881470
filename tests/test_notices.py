"""No silent waits: building the caches, and a cache folder that cannot be written, are said
once, in one line each, on stderr — never on stdout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# 南京 crosses 京东: the tokenizer has to read this message.
NEEDS_TOKENIZER = "去南京东路买"


def guard_with_cache(cache: Path | str, *args: str,
                     wrap: list[str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "GUARD_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "guard.cli", *args]
    return subprocess.run([*(wrap or []), *command], env=env, capture_output=True,
                          text=True, timeout=120)


def notice_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("guard: ")]


def test_first_run_says_it_builds_the_caches_once(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = guard_with_cache(cache, "check", "--json", NEEDS_TOKENIZER)
    assert first.returncode == 0, first.stderr
    json.loads(first.stdout)  # stdout holds the verdict and nothing else
    lines = notice_lines(first.stderr)
    assert len(lines) == 2 and first.stderr.count("\n") == 2, first.stderr
    assert "正在编译词库" in lines[0] and str(cache) in lines[0]
    assert "分词" in lines[1] and str(cache) in lines[1]
    assert "正在" not in first.stdout and "缓存" not in first.stdout

    second = guard_with_cache(cache, "check", "--json", NEEDS_TOKENIZER)
    assert second.returncode == 0 and second.stderr == ""  # built: nothing more to say
    assert json.loads(second.stdout) == json.loads(first.stdout)


def assert_warned_once(done: subprocess.CompletedProcess, folder: Path) -> None:
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr  # one line, though both caches failed to write
    assert lines[0].startswith(f"guard: 警告：缓存目录 {folder} 无法写入")
    assert "GUARD_CACHE_DIR" in lines[0]  # how to fix it
    assert json.loads(done.stdout)["verdict"] == "pass"


def test_a_cache_folder_that_cannot_be_created_warns_once(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    folder = blocker / "cache"
    done = guard_with_cache(folder, "check", "--json", NEEDS_TOKENIZER)
    assert_warned_once(done, folder)
    assert "路径中有一段不是目录" in done.stderr


def read_only_wrapper(folder: Path) -> list[str] | None:
    """How to run a command with `folder` read-only: chmod for a user; for root (whom
    permissions do not stop) a read-only bind mount in a user namespace; None if neither."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return []
    if shutil.which("unshare") is None:
        return None
    script = f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}"'
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", f"{script} && ! touch \"{folder}/x\""],
                           capture_output=True)
    if probe.returncode != 0:
        return None
    return ["unshare", "-rm", "sh", "-c", f'{script} && exec "$@"', "sh"]


def test_a_read_only_cache_folder_warns_once_and_still_answers(tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    wrap = read_only_wrapper(folder)
    if wrap is None:
        pytest.skip("cannot make a read-only folder here (root without user namespaces)")
    try:
        done = guard_with_cache(folder, "check", "--json", NEEDS_TOKENIZER, wrap=wrap)
        assert_warned_once(done, folder)
        assert "只读文件系统" in done.stderr or "没有写权限" in done.stderr
        assert list(folder.iterdir()) == []
        # the audit says it too, once, and its report on stdout stays clean JSON
        sample = Path(__file__).resolve().parent.parent / "samples" / "chat_log.jsonl"
        audit = guard_with_cache(folder, "audit", str(sample), "--json", "-", "--quiet",
                                 wrap=wrap)
        assert audit.returncode == 1
        assert len(audit.stderr.splitlines()) == 1 and "无法写入" in audit.stderr
        assert json.loads(audit.stdout)["totals"]["records"] > 0
    finally:
        folder.chmod(0o755)
