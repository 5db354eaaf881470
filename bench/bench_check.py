"""Benchmark `Guard.check` side by side with its baselines, in one run.

    pip install '.[bench]' && python bench/bench_check.py [--count 100000]

On the same generated messages (≈5% violations, samples/generate.py):
  * Guard.check — throughput, p50 / p99 latency per message;
  * a bare flashtext keyword scan with the same terms (no normalization);
  * a pipeline that runs jieba on every message and looks the tokens up;
  * `guard check --jsonl` over the same file, as a whole process;
  * cold start of `guard check` on one clean message, next to what loading
    jieba's dictionary costs.
Machines here are noisy: the ratios are the figures to compare.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))

from generate import messages  # noqa: E402

from guard import Guard  # noqa: E402


def best_of(rounds: int, run) -> float:  # type: ignore[no-untyped-def]
    """The fastest of several rounds, in seconds (least disturbed by noise)."""
    times = []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def guard_terms(guard: Guard) -> list[str]:
    """Every spelling in guard's keyword automaton (not the words that order its root)."""
    from guard.compiled import NEVER

    keys = guard.compiled.terms.keys()  # an Automaton's keys: no `in` test behind them
    return [key for key in keys if not key.endswith(NEVER)]


# A process is timed as an installed guard runs: `pip install` writes the modules'
# bytecode, so the first run here writes it too (an environment that forbids it,
# PYTHONDONTWRITEBYTECODE, would have every run compile guard's sources again), and
# guard is imported from this tree whatever the working folder.
_PROCESS_ENV = {**{key: value for key, value in os.environ.items()
                   if key != "PYTHONDONTWRITEBYTECODE"},
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                            os.environ.get("PYTHONPATH")]))}


def timed_process(args: list[str], stdin_path: Path | None = None) -> float:
    stdin = stdin_path.open("rb") if stdin_path else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        subprocess.run(args, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False, env=_PROCESS_ENV, cwd=ROOT)
        return time.perf_counter() - start
    finally:
        if stdin_path:
            stdin.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    pairs = list(messages(args.count, seed=7, violation_rate=0.05))
    texts = [text for text, _ in pairs]
    violations = sum(v for _, v in pairs)
    guard = Guard()
    for text in texts[:2000]:  # warm up, jieba included
        guard.check(text)

    from flashtext import KeywordProcessor

    keywords = KeywordProcessor(case_sensitive=False)
    terms = guard_terms(guard)
    for term in terms:
        keywords.add_keyword(term)

    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    term_set = set(terms)

    def run_guard() -> None:
        check = guard.check
        for text in texts:
            check(text)

    def run_flashtext() -> None:
        extract = keywords.extract_keywords
        for text in texts:
            extract(text, span_info=True)

    def run_jieba() -> None:
        cut = jieba.lcut
        for text in texts:
            [token for token in cut(text) if token.lower() in term_set]

    # Interleaved rounds, best of each: noise on a shared machine hits all alike.
    t_guard = t_flash = t_jieba = float("inf")
    for round_number in range(args.rounds):
        t_guard = min(t_guard, best_of(1, run_guard))
        t_flash = min(t_flash, best_of(1, run_flashtext))
        if round_number < 2:
            t_jieba = min(t_jieba, best_of(1, run_jieba))

    latencies = []
    clock = time.perf_counter_ns
    check = guard.check
    for text in texts:
        start = clock()
        check(text)
        latencies.append(clock() - start)
    latencies.sort()
    p50 = latencies[len(latencies) // 2] / 1e6
    p99 = latencies[int(len(latencies) * 0.99)] / 1e6
    p999 = latencies[int(len(latencies) * 0.999)] / 1e6
    verdicts = [guard.check(text).verdict for text in texts]
    blocked = sum(v == "block" for v in verdicts)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "messages.jsonl"
        path.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                                for i, t in enumerate(texts)), encoding="utf-8")
        guard_cmd = [sys.executable, "-m", "guard.cli"]
        t_process = min(timed_process([*guard_cmd, "check", "--jsonl", str(path)])
                        for _ in range(2))
    timed_process([*guard_cmd, "check", "您好"])  # the lexicon cache is warm from here on
    cold = statistics.median(timed_process([*guard_cmd, "check", "您好，已经发货了"])
                             for _ in range(5))
    cold_block = statistics.median(timed_process([*guard_cmd, "check", "亲，加我微信聊"])
                                   for _ in range(5))
    # 南京 crosses 京东: the tokenizer is loaded (guard's piecewise jieba dictionary)
    cold_tokenizer = statistics.median(timed_process([*guard_cmd, "check", "去南京东路买"])
                                       for _ in range(5))
    python_only = statistics.median(timed_process([sys.executable, "-c", "pass"])
                                    for _ in range(5))
    jieba_load = statistics.median(timed_process(
        [sys.executable, "-c", "import jieba; jieba.setLogLevel(60); jieba.initialize()"])
        for _ in range(3))

    n = len(texts)
    figures = {
        "messages": n,
        "violations_generated": violations,
        "blocked": blocked,
        "terms": len(terms),
        "guard_msgs_per_s": round(n / t_guard),
        "flashtext_msgs_per_s": round(n / t_flash),
        "jieba_msgs_per_s": round(n / t_jieba),
        "guard_vs_flashtext": round(t_flash / t_guard, 2),
        "guard_vs_jieba": round(t_jieba / t_guard, 1),
        "p50_ms": round(p50, 4),
        "p99_ms": round(p99, 4),
        "p999_ms": round(p999, 4),
        "jsonl_process_s": round(t_process, 2),
        "jsonl_process_msgs_per_s": round(n / t_process),
        "cold_start_s": round(cold, 3),
        "cold_start_blocked_s": round(cold_block, 3),
        "cold_start_tokenizer_s": round(cold_tokenizer, 3),
        "python_startup_s": round(python_only, 3),
        "jieba_load_s": round(jieba_load, 3),
        "cpu_count": os.cpu_count(),
    }
    print(f"{n:,} messages ({violations:,} generated violations, {blocked:,} blocked), "
          f"{len(terms):,} terms")
    print(f"{'pipeline':<34}{'msgs/s':>12}{'vs guard':>10}")
    for name, key in (("Guard.check", "guard_msgs_per_s"),
                      ("flashtext scan (same terms)", "flashtext_msgs_per_s"),
                      ("jieba on every message", "jieba_msgs_per_s")):
        rate = figures[key]
        print(f"{name:<34}{rate:>12,}{rate / figures['guard_msgs_per_s']:>10.2f}")
    print(f"Guard.check / flashtext throughput: {figures['guard_vs_flashtext']}× "
          "(target ≥ 0.5)")
    print(f"Guard.check / jieba-every-message: {figures['guard_vs_jieba']}× (target ≥ 7)")
    print(f"latency per message: p50 {p50 * 1000:.1f} µs, p99 {p99 * 1000:.1f} µs, "
          f"p99.9 {p999 * 1000:.1f} µs (target p99 < 200 µs)")
    print(f"guard check --jsonl, whole process: {t_process:.2f} s "
          f"({figures['jsonl_process_msgs_per_s']:,} msgs/s)")
    print(f"cold start, guard check on a clean message: {cold:.3f} s, on a blocked one "
          f"({figures['cold_start_blocked_s']:.3f} s), on one the tokenizer must read "
          f"({cold_tokenizer:.3f} s) (python alone {python_only:.3f} s; jieba's own whole "
          f"dictionary load {jieba_load:.3f} s)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
