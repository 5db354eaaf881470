"""Time of `Guard.check` on one violation-dense message, doubled up to 1 MB.

    python bench/bench_linear.py [--max-bytes 1048576]

Every step of the slow path must be linear (or n log n) in the text: a
pasted megabyte must never stall a pre-send server. For each message kind
the text is doubled from 16 KB to 1 MB (UTF-8 bytes); the time of each
doubling should grow by about 2× (target ≤ 2.5×), and 1 MB of nothing but
violations should take under 2 s. Each size is timed best of `--rounds`.
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


def best_time(guard: Guard, text: str, rounds: int) -> tuple[float, int]:
    best = float("inf")
    findings = 0
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        verdict = guard.check(text)
        best = min(best, time.perf_counter() - start)
        findings = len(verdict.findings)
    return best, findings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-bytes", type=int, default=1 << 20)
    parser.add_argument("--min-bytes", type=int, default=16 << 10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    guard = Guard()
    guard.check("去南京东路买")  # the tokenizer loaded before timing
    worst_ratio = 0.0
    worst_mb = 0.0
    print(f"{'message':<16}{'bytes':>10}{'findings':>10}{'seconds':>10}{'× last':>8}")
    for name, unit in UNITS.items():
        size = len(unit.encode())
        count = max(1, args.min_bytes // size)
        last = None
        while True:
            text = unit * count
            seconds, findings = best_time(guard, text, args.rounds)
            ratio = seconds / last if last else None
            if ratio is not None:
                worst_ratio = max(worst_ratio, ratio)
            print(f"{name:<16}{len(text.encode()):>10,}{findings:>10,}{seconds:>10.3f}"
                  f"{'' if ratio is None else f'{ratio:.2f}':>8}")
            last = seconds
            if count * 2 * size > args.max_bytes:
                worst_mb = max(worst_mb, seconds * args.max_bytes / (count * size))
                break
            count *= 2
    print(f"worst growth per doubling: {worst_ratio:.2f}× (target ≤ 2.5×)")
    print(f"slowest kind, scaled to {args.max_bytes / (1 << 20):g} MB: {worst_mb:.2f} s "
          "(target < 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
