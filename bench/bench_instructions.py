"""Instructions per message of `Guard.check` beside the flashtext baseline: a figure the
machine's noise does not move (callgrind counts instructions, not time).

    apt-get install valgrind && pip install '.[bench]' && python bench/bench_instructions.py

Each loop runs under `valgrind --tool=callgrind` with collection switched on only inside
the loop (the loop is driven by `collections.deque`, whose constructor is the toggle), so
start-up, the lexicon's load and the messages' generation count for nothing. The same
generated messages as bench_check.py (samples/generate.py, seed 7, 5 % violations), after
a warm-up that loads what the slow path loads. Slow (valgrind runs ~50× slower): use a few
thousand messages. Instructions are not time (flashtext's dictionary steps run faster per
instruction than guard's regex and automaton steps): bench_check.py's ratio is the target's
measure; this one shows, deterministically, whether a change made guard do more or less.

`--cold` counts a whole `guard check 你好` process instead (start-up, the lexicon cache's
load, one check, exit), with the modules' bytecode written as `pip install` leaves it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _loop(which: str, count: int) -> None:
    """The measured loop (run inside valgrind)."""
    sys.path.insert(0, str(ROOT / "samples"))
    from collections import deque

    from generate import messages

    from guard import Guard
    from guard.compiled import NEVER

    texts = [text for text, _ in messages(count, seed=7, violation_rate=0.05)]
    guard = Guard()
    for text in texts:  # warm-up: the tokenizer and every lazily compiled pattern
        guard.check(text)
    if which == "guard":
        deque(map(guard.check, texts), maxlen=0)
        return
    from flashtext import KeywordProcessor

    keywords = KeywordProcessor(case_sensitive=False)
    keys = guard.compiled.terms.keys()  # an Automaton's keys (bench_check.guard_terms)
    for key in keys:
        if not key.endswith(NEVER):
            keywords.add_keyword(key)
    extract = keywords.extract_keywords
    deque((extract(text, span_info=True) for text in texts), maxlen=0)


def _instructions(which: str, count: int) -> int:
    command = ["valgrind", "--tool=callgrind", "--collect-atstart=no",
               "--toggle-collect=deque_init", "--callgrind-out-file=/dev/null",
               sys.executable, __file__, "--loop", which, "--count", str(count)]
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"valgrind failed ({which}):\n{done.stderr[-2000:]}")
    return int(found.group(1))


def _cold_start() -> int:
    """Instructions of one `guard check 你好` process, the lexicon cache warm and the
    modules' bytecode written (as `pip install` leaves them), from start to exit."""
    env = {key: value for key, value in os.environ.items()
           if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONHASHSEED="0", PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "guard.cli", "check", "你好"]
    # run once outside valgrind: the lexicon cache and the bytecode are written
    subprocess.run(command, capture_output=True, env=env, check=False, cwd=ROOT)
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           *command], capture_output=True, text=True, env=env, check=False,
                          cwd=ROOT)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"valgrind failed (cold start):\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--loop", choices=("guard", "flashtext"), help=argparse.SUPPRESS)
    parser.add_argument("--cold", action="store_true",
                        help="instructions of a whole `guard check 你好` process instead")
    args = parser.parse_args()
    if args.loop:
        _loop(args.loop, args.count)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    if args.cold:
        print(f"a whole `guard check 你好` process: {_cold_start():,} instructions")
        return 0
    guard = _instructions("guard", args.count) / args.count
    flash = _instructions("flashtext", args.count) / args.count
    print(f"instructions per message over {args.count:,} generated messages:")
    print(f"  Guard.check                  {guard:>10,.0f}")
    print(f"  flashtext (same terms)       {flash:>10,.0f}")
    print(f"  Guard.check / flashtext      {guard / flash:>10.2f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
