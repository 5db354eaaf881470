"""Benchmark `guard audit` side by side with a bare read-and-parse of the same log, in one run.

    python bench/bench_audit.py [--count 1000000] [--workers 2] [--repeat 3]
    python bench/bench_audit.py --metrics [--count 200000] [--repeat 5]

  (--metrics: only what the response times and the neighbour lines beside
  findings cost, each measured apart — the audit against itself with that
  feature taken out, bench/audit_variants.py — at 1 and N workers)

  * generates a seeded chat log (samples/generate.py: whole conversations,
    ≈5% violations, split evasions, buyers' personal data) — kept in the
    temp folder and reused by later runs;
  * times, as whole processes, in interleaved rounds (--repeat, default 3;
    each command's best run is reported, and its slowest), then once more
    with its memory sampled: a script that only reads the file and
    JSON-parses every line (orjson), then `guard audit --workers 1` and
    `guard audit --workers N` (the terminal summary rendered, to /dev/null);
  * CPU time of each whole process tree (user + system, workers included);
  * memory: the peak of the summed PSS and RSS of the audit's whole process
    tree (main process and workers), sampled from /proc every 20 ms; PSS
    splits shared pages between the processes that share them, so its sum
    is what the tree really occupies (the RSS sum counts the shared Guard
    and jieba once per process). Also the largest single process's RSS;
  * for scale: what starting costs (import, build a Guard, load jieba);
  * where the time goes: the least any pure-Python audit must do on N
    processes (read, JSON-parse, check the six fields, count; no guard
    code), and guard's own reader alone on N processes (chunks and their
    lookback parsed, nothing judged). The audit's time above the reader's
    is judging, conversation windows and evidence.
Machines here are noisy (other jobs share the cores): the ratios are the
figures to compare; the script prints the load average it started under.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))

BARE_PARSE = """
import sys, orjson
loads = orjson.loads
count = 0
with open(sys.argv[1], "rb") as log:
    for line in log:
        if line.strip():
            loads(line)
            count += 1
print(count)
"""
STARTUP = "from guard import Guard; Guard().check('去京东买')"
# The least any pure-Python audit must do, on N processes (no guard code): each
# reads its share of the file, JSON-parses every line, checks the six fields
# (strings, a known role, an ISO 8601 time), counts per shop, agent and day and
# looks each agent text up in a dict. What is left above it is judging. Both
# scripts run their processes without the cyclic GC, as the audit's workers do.
FLOOR = """
import gc, os, sys, orjson
from datetime import datetime
from multiprocessing import get_context
from operator import itemgetter
ROLES = {"agent": 0, "buyer": 1, "system": 1}
FIELDS = itemgetter("shop", "agent", "conversation", "time", "role", "text")
def work(span):
    start, end = span
    with open(sys.argv[1], "rb") as log:
        log.seek(start)
        data = log.read(end - start)
    loads, parse, seen, tallies = orjson.loads, datetime.fromisoformat, {}, {}
    for raw in data.split(b"\\n"):
        if not raw.strip():
            continue
        try:
            shop, agent, conversation, time, role, text = FIELDS(loads(raw))
            skipped = ROLES[role]
            if not (type(shop) is str and shop and type(agent) is str
                    and type(conversation) is str and conversation and type(time) is str
                    and type(text) is str):
                raise ValueError
            parse(time)
        except (ValueError, KeyError, TypeError):
            continue
        if not skipped:
            seen[text] = seen.get(text, 0) + 1
            key = (shop, agent, time[:10])
            tallies[key] = tallies.get(key, 0) + 1
    return sum(tallies.values())
def spans(size, step=8 << 20):
    start = 0
    with open(sys.argv[1], "rb") as log:
        while start < size:
            log.seek(min(start + step, size))
            log.readline()
            end = min(log.tell(), size)
            yield start, end
            start = end
with get_context("fork").Pool(int(sys.argv[2]), initializer=gc.disable) as pool:
    print(sum(pool.imap(work, spans(os.path.getsize(sys.argv[1])))))
"""
# guard's own reader alone, on N processes: the audit's chunks and their
# lookback parsed as the workers parse them, nothing judged.
READER = """
import gc, sys
from multiprocessing import get_context
from guard.audit.readers import open_source, parse_records, read_chunks
SKIP = frozenset({"buyer", "system"})
def work(chunk):
    contents = chunk.contents()
    parse_records(chunk, lookback=True, contents=contents, skip=SKIP)
    rows, skipped = parse_records(chunk, contents=contents, skip=SKIP)
    return len(rows) + skipped
with get_context("fork").Pool(int(sys.argv[2]), initializer=gc.disable) as pool:
    print(sum(pool.imap(work, read_chunks(open_source(sys.argv[1])))))
"""


def generate(count: int, seed: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"guard-bench-log-{count}-{seed}.jsonl"
    if path.exists():
        return path
    import orjson
    from generate import chat_log

    partial = path.with_suffix(".part")
    with partial.open("wb") as out:
        for record in chat_log(count, seed=seed, shops=20, agents_per_shop=5, days=30):
            out.write(orjson.dumps(record) + b"\n")
    partial.rename(path)
    return path


def _tree(root: int) -> list[int]:
    """The process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in kB; (0, 0) once it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            values = {}
            for line in rollup:
                parts = line.split()
                if parts and parts[0] in ("Rss:", "Pss:"):
                    values[parts[0]] = int(parts[1])
        return values.get("Pss:", 0), values.get("Rss:", 0)
    except OSError:
        return 0, 0


def run_rounds(commands: list[list[str]], repeat: int) -> list[dict[str, float]]:
    """Each command's best wall time (and that run's CPU time) over `repeat` rounds, the
    slowest too, and the peak summed memory of its process tree (one more run: reading
    /proc every 20 ms takes CPU a timed run must not lose on a 2-core machine).

    The rounds interleave the commands, so a busy spell on the machine falls on all of
    them alike rather than on one.
    """
    timed: list[list[dict[str, float]]] = [[] for _ in commands]
    for _ in range(repeat):
        for runs, command in zip(timed, commands, strict=True):
            runs.append(_run(command, sample_memory=False))
    results = []
    for runs, command in zip(timed, commands, strict=True):
        best = min(runs, key=lambda r: r["seconds"])
        sampled = _run(command, sample_memory=True)
        results.append({**sampled, "seconds": best["seconds"], "cpu": best["cpu"],
                        "slowest": max(r["seconds"] for r in runs)})
    return results


def _run(args: list[str], sample_memory: bool) -> dict[str, float]:
    peak = {"pss": 0, "rss": 0, "processes": 0, "largest": 0}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            pids = _tree(process.pid)
            pss = rss = 0
            for pid in pids:
                p, r = _memory_kb(pid)
                pss, rss = pss + p, rss + r
                peak["largest"] = max(peak["largest"], r)
            if pss > peak["pss"]:
                peak.update(pss=pss, rss=max(peak["rss"], rss), processes=len(pids))
            peak["rss"] = max(peak["rss"], rss)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_memory:
        sampler.start()
    _, err = process.communicate()
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the whole tree, once reaped
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    done.set()
    if sample_memory:
        sampler.join()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{args} failed ({process.returncode}): {err.decode()[-2000:]}")
    return {"seconds": elapsed, "cpu": cpu, "pss_mb": peak["pss"] / 1024,
            "rss_mb": peak["rss"] / 1024, "processes": peak["processes"],
            "largest_mb": peak["largest"] / 1024}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed rounds; each command's best is reported (default 3)")
    parser.add_argument("--metrics", action="store_true",
                        help="only what the response times and the neighbour lines cost: "
                             "the audit against itself without each (audit_variants.py)")
    args = parser.parse_args()

    print(f"cores: {os.cpu_count()}, load average at start: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    started = time.perf_counter()
    log = generate(args.count, args.seed)
    size_mb = log.stat().st_size / 1e6
    print(f"log: {log} ({args.count:,} messages, {size_mb:,.0f} MB; "
          f"ready in {time.perf_counter() - started:.1f} s)")
    python = sys.executable
    audit = [python, "-m", "guard.cli", "audit", str(log)]
    if args.metrics:
        return _metrics_cost(args, log)
    runs = [
        ("bare read + orjson parse", [python, "-c", BARE_PARSE, str(log)]),
        ("start: import, Guard, jieba", [python, "-c", STARTUP]),
        ("guard audit --workers 1", [*audit, "--workers", "1"]),
        (f"guard audit --workers {args.workers}", [*audit, "--workers", str(args.workers)]),
        (f"floor: parse+check+count ×{args.workers}",
         [python, "-c", FLOOR, str(log), str(args.workers)]),
        (f"guard's reader alone ×{args.workers}",
         [python, "-c", READER, str(log), str(args.workers)]),
    ]
    results = {}
    print(f"best of {args.repeat} interleaved rounds (slowest in brackets):")
    for (name, _), result in zip(runs, run_rounds([c for _, c in runs], args.repeat),
                                 strict=True):
        results[name] = result
        rate = f"{args.count / result['seconds']:>11,.0f} msg/s" if "start" not in name \
            else " " * 17
        print(f"  {name:<31} {result['seconds']:7.2f} s [{result['slowest']:5.2f}] "
              f"({result['cpu']:5.2f} s CPU)  {rate}  "
              f"peak PSS {result['pss_mb']:6.0f} MB  RSS {result['rss_mb']:6.0f} MB "
              f"({result['processes']} processes; largest {result['largest_mb']:.0f} MB)")
    bare = results[runs[0][0]]["seconds"]
    one = results[runs[2][0]]["seconds"]
    many = results[runs[3][0]]
    print(f"audit --workers {args.workers} / bare parse: {many['seconds'] / bare:.2f}× "
          f"(target ≤ 3×)")
    floor, reader = (results[runs[i][0]]["seconds"] for i in (4, 5))
    print(f"  of which: a bare pure-Python audit on {args.workers} processes (parse, check "
          f"fields, count; nothing judged) {floor / bare:.2f}×, guard's reader alone "
          f"{reader / bare:.2f}×, judging and evidence the other "
          f"{(many['seconds'] - reader) / bare:.2f}×")
    print(f"speed-up, {args.workers} workers over 1: {one / many['seconds']:.2f}×")
    print(f"CPU time, audit --workers {args.workers} / bare parse: "
          f"{many['cpu'] / results[runs[0][0]]['cpu']:.2f}× (all processes; less noisy than wall "
          "time on a shared machine, but not the target)")
    print(f"peak memory of the audit (summed PSS of all its processes): {many['pss_mb']:.0f} MB "
          f"(target < 300 MB)")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def _metrics_cost(args: argparse.Namespace, log: Path) -> int:
    """What the response times cost, and what the neighbour lines cost, each measured
    apart: the audit against itself with one feature taken out (bench/audit_variants.py),
    everything else equal; interleaved rounds, at 1 and N workers."""
    from audit_variants import VARIANTS

    variants = [sys.executable, str(Path(__file__).resolve().parent / "audit_variants.py")]
    runs = [(f"{variant} ×{workers}", [*variants, variant, "audit", str(log), "--workers",
                                       str(workers)])
            for workers in (1, args.workers) for variant in VARIANTS]
    print(f"best of {args.repeat} interleaved rounds (slowest in brackets):")
    results = dict(zip((name for name, _ in runs),
                       run_rounds([command for _, command in runs], args.repeat), strict=True))
    for name, result in results.items():
        print(f"  {name:<20} {result['seconds']:7.2f} s [{result['slowest']:5.2f}] "
              f"({result['cpu']:5.2f} s CPU)  {args.count / result['seconds']:>11,.0f} msg/s  "
              f"peak PSS {result['pss_mb']:6.0f} MB")
    for workers in (1, args.workers):
        full = results[f"full ×{workers}"]
        for label, without, target in (
                ("response times (full / no-metrics)", "no-metrics", " (target ≤ +10 %)"),
                ("neighbour lines (full / no-neighbours)", "no-neighbours", ""),
                ("both, buyers' lines read (full / neither)", "neither", "")):
            base = results[f"{without} ×{workers}"]
            print(f"--workers {workers}: {label:<42} "
                  f"{full['seconds'] / base['seconds'] - 1:+6.1%} wall, "
                  f"{full['cpu'] / base['cpu'] - 1:+6.1%} CPU{target}")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
