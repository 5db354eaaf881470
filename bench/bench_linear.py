"""Time of `Guard.check` on one violation-dense message, doubled up to 1 MB.

    python bench/bench_linear.py [--max-bytes 1048576]

Every step of the slow path must be linear (or n log n) in the text: a
pasted megabyte must never stall a pre-send server. For each message kind
the text is doubled from 16 KB to 1 MB (UTF-8 bytes); the time of each
doubling should grow by about 2× (target ≤ 2.5×), and 1 MB of nothing but
violations should take under 2 s. Each size is timed best of `--rounds`, as
wall-clock time and as the CPU time of this process (on a shared machine the
wall clock also counts the other processes' turns; the CPU time is the work).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time

from guard import Guard

# Messages made of nothing but violations (the first is the issue's).
UNITS = {
    "im + account": "加我微信abc123 ",
    "phone numbers": "电话13812345678，",
    "link phrases": "扫码加我，复制这条口令打开手淘。",
    "mixed": "加我vx：abc_123，去某宝拍，转账给我，好评返现5元，www.abc.cn ",
}


def best_time(guard: Guard, text: str, rounds: int) -> tuple[float, float, int]:
    """The best wall-clock and CPU seconds of checking `text`, and its findings."""
    best_wall = best_cpu = float("inf")
    findings = 0
    for _ in range(rounds):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        verdict = guard.check(text)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
        findings = len(verdict.findings)
    return best_wall, best_cpu, findings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-bytes", type=int, default=1 << 20)
    parser.add_argument("--min-bytes", type=int, default=16 << 10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    guard = Guard()
    guard.check("去南京东路买")  # the tokenizer loaded before timing
    worst = {"wall": 0.0, "cpu": 0.0}  # the largest growth per doubling
    megabyte = {"wall": 0.0, "cpu": 0.0}  # the slowest kind, scaled to --max-bytes
    print(f"{'message':<16}{'bytes':>10}{'findings':>10}{'wall s':>9}{'× last':>8}"
          f"{'CPU s':>9}{'× last':>8}")
    for name, unit in UNITS.items():
        size = len(unit.encode())
        count = max(1, args.min_bytes // size)
        last: dict[str, float] = {}
        while True:
            text = unit * count
            wall, cpu, findings = best_time(guard, text, args.rounds)
            now = {"wall": wall, "cpu": cpu}
            ratios = {k: now[k] / last[k] if last.get(k) else None for k in now}
            for key, ratio in ratios.items():
                if ratio is not None:
                    worst[key] = max(worst[key], ratio)
            shown = {k: "" if r is None else f"{r:.2f}" for k, r in ratios.items()}
            print(f"{name:<16}{len(text.encode()):>10,}{findings:>10,}{wall:>9.3f}"
                  f"{shown['wall']:>8}{cpu:>9.3f}{shown['cpu']:>8}")
            last = now
            if count * 2 * size > args.max_bytes:
                for key in megabyte:
                    megabyte[key] = max(megabyte[key],
                                        now[key] * args.max_bytes / (count * size))
                break
            count *= 2
    mb = args.max_bytes / (1 << 20)
    print(f"worst growth per doubling: {worst['cpu']:.2f}× CPU time, {worst['wall']:.2f}× "
          "wall clock (target ≤ 2.5×)")
    print(f"slowest kind, scaled to {mb:g} MB: {megabyte['cpu']:.2f} s CPU time, "
          f"{megabyte['wall']:.2f} s wall clock (target < 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
