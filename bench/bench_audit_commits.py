"""CPU time of `guard audit --workers 1` at several commits, side by side on one log.

    python bench/bench_audit_commits.py c08744b 43fe21e HEAD [--lines 200000] [--rounds 2]

Each commit is checked out in a temporary git worktree and run as a whole
process (`python -m guard.cli audit LOG --workers 1 --quiet`, its own cache
folder, built first), the commits interleaved round by round; the best CPU
time (user + system, from `os.wait4`) of each is printed with its ratio to the
first. CPU time moves less than wall time on a shared machine. The log is the
first `--lines` lines of bench_audit.py's generated log (made if missing).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _log(lines: int) -> Path:
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "samples")]
    from bench_audit import generate  # type: ignore[import-not-found]

    full = generate(1_000_000, 11)  # bench_audit.py's log (its default seed)
    part = Path(tempfile.gettempdir()) / f"guard-bench-head-{lines}.jsonl"
    if not part.exists():
        with full.open("rb") as source, part.open("wb") as out:
            for number, line in enumerate(source):
                if number >= lines:
                    break
                out.write(line)
    return part


def _cpu(tree: Path, log: Path, cache: Path) -> float:
    process = subprocess.Popen(
        [sys.executable, "-m", "guard.cli", "audit", str(log), "--workers", "1", "--quiet"],
        cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "GUARD_CACHE_DIR": str(cache)})
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commits", nargs="+")
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    log = _log(args.lines)
    with tempfile.TemporaryDirectory(prefix="guard-commits-") as temp:
        trees = []
        for commit in args.commits:
            tree = Path(temp) / commit.replace("/", "_")
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach",
                            str(tree), commit], check=True)
            trees.append(tree)
        try:
            for tree in trees:  # the compiled lexicon built before timing
                _cpu(tree, ROOT / "samples" / "chat_log.jsonl", tree / ".cache")
            best = [float("inf")] * len(trees)
            for _ in range(args.rounds):
                for index, tree in enumerate(trees):
                    best[index] = min(best[index], _cpu(tree, log, tree / ".cache"))
            print(f"guard audit --workers 1, {args.lines:,} lines, best CPU of {args.rounds}:")
            for commit, seconds in zip(args.commits, best, strict=True):
                print(f"  {commit:<12} {seconds:6.2f} s  {seconds / best[0]:.2f}×")
        finally:
            for tree in trees:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(tree)], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
