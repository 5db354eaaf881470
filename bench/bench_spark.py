"""Benchmark `guard audit --spark local[2]` beside `guard audit --workers 2`, in one run.

    python bench/bench_spark.py [--counts 1000000 2000000 4000000] [--master local[2]]
                                [--workers 2] [--repeat 1]

  * generates seeded chat logs of each size (bench_audit.generate: the same
    generator and mix as bench/bench_audit.py; kept in the temp folder);
  * times, as whole processes, `guard audit --workers N LOG --quiet` and
    `guard audit --spark MASTER LOG --quiet` on the first (smallest) log,
    interleaved over --repeat rounds, best of each: the ratio;
  * where Spark's time goes, measured inside one driver process on the same
    log, each step timed on its own (each reruns what it needs, so the last
    three are cumulative; on a busy machine their differences are noise-prone):
    the JVM and SparkSession start; the first Python job (Python workers
    started, guard imported, each worker's Guard built from the shipped
    lexicons); the counting pass (line numbers, CSV headers); reading and
    validating the records (Python, through Arrow); the same plus the
    shuffle by conversation and the sort; the whole audit with its report
    and findings collected;
  * scaling: every size audited in one driver process, after the fixed
    start (JVM, Python workers, Guards) is paid once; sizes interleaved over
    --repeat rounds, best of each: records/s should stay flat (±20 %).
Machines here are noisy (other jobs share the cores): the ratios are the
figures to compare; the script prints the load average it started under.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bench_audit import generate  # noqa: E402

# Where the time of one Spark audit goes: run as its own driver process.
PARTS = r"""
import json, sys, time
timings = {}
clock = time.perf_counter()
def lap(name):
    global clock
    now = time.perf_counter()
    timings[name] = now - clock
    clock = now
from guard.spark.command import spark_session, log_records
from guard.spark.audit import audit_parts, collect_report, settings_for
from guard.spark.inputs import list_logs
from guard.spark.ship import LexiconBundle, auditor_for
master, log = sys.argv[1], sys.argv[2]
settings, bundle = settings_for("agent"), LexiconBundle.pack()
def noop(df):
    df.write.format("noop").mode("overwrite").save()
with spark_session(master) as spark:
    lap("session")
    cores = spark.sparkContext.defaultParallelism
    def warm(batches):
        auditor_for(bundle, settings)
        yield from batches
    noop(spark.range(cores * 4).repartition(cores * 4).mapInArrow(warm, "id long"))
    lap("python")
    files = list_logs(spark, [log], print)
    records = log_records(spark, files, "agent")
    lap("count")
    noop(records)
    lap("read")
    noop(records.repartition(cores, "shop", "agent", "conversation", "spread")
         .sortWithinPartitions("file_index", "shop", "agent", "conversation", "moment", "line"))
    lap("shuffle")
    parts = audit_parts(records, bundle, settings, [f.label for f in files])
    found = []
    report = collect_report(parts, settings, [f.label for f in files], (), found.append)
    lap("audit")
    timings["records"] = report.totals["records"]
    timings["findings"] = len(found)
print(json.dumps(timings))
"""


# The cost per record: every size audited in one driver process, after the fixed start
# (session, Python workers, Guards) is paid once; sizes interleaved over the rounds.
SCALE = r"""
import json, sys, time
from guard.spark.command import spark_session, log_records
from guard.spark.audit import audit_parts, collect_report, settings_for
from guard.spark.inputs import list_logs
from guard.spark.ship import LexiconBundle, auditor_for
master, repeat, logs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
settings, bundle = settings_for("agent"), LexiconBundle.pack()
best = {}
with spark_session(master) as spark:
    cores = spark.sparkContext.defaultParallelism
    def warm(batches):
        auditor_for(bundle, settings)
        yield from batches
    spark.range(cores * 4).repartition(cores * 4).mapInArrow(warm, "id long").collect()
    for _ in range(repeat):
        for log in logs:
            start = time.perf_counter()
            files = list_logs(spark, [log], print)
            labels = [f.label for f in files]
            parts = audit_parts(log_records(spark, files, "agent"), bundle, settings, labels)
            report = collect_report(parts, settings, labels, (), lambda payload: None)
            seconds = time.perf_counter() - start
            best[log] = min(best.get(log, seconds), seconds)
print(json.dumps(best))
"""


def _run(args: list[str], ok: tuple[int, ...] = (0, 1)) -> tuple[float, str]:
    """(seconds, standard output) of a whole process; `ok`: its exit statuses that are not
    failures (`guard audit` exits 1 when it found a blocked message)."""
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in ok:
        sys.exit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}")
    return seconds, done.stdout.decode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1_000_000, 2_000_000, 4_000_000])
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    guard = [sys.executable, "-m", "guard.cli"]
    logs = {count: generate(count, args.seed) for count in args.counts}
    for path in logs.values():  # in the page cache, for every command alike
        with path.open("rb") as log:
            while log.read(1 << 24):
                pass
    print(f"load average at start: {os.getloadavg()[0]:.2f} "
          f"({os.cpu_count()} cores; others may share them)")
    first = args.counts[0]
    log = str(logs[first])
    size = logs[first].stat().st_size / 1e6
    local_cmd = [*guard, "audit", "--workers", str(args.workers), log, "--quiet"]
    spark_cmd = [*guard, "audit", "--spark", args.master, log, "--quiet"]
    best = {"local": float("inf"), "spark": float("inf")}
    for _ in range(args.repeat):
        best["local"] = min(best["local"], _run(local_cmd)[0])
        best["spark"] = min(best["spark"], _run(spark_cmd)[0])
    print(f"\n{first:,} records ({size:.0f} MB), whole processes, best of {args.repeat}:")
    print("| command | seconds | records/s | vs local |\n|---|---|---|---|")
    for name, command in (("local", local_cmd), ("spark", spark_cmd)):
        shown = " ".join(["guard", *command[3:-2], "LOG"])
        print(f"| `{shown}` | {best[name]:.1f} | {first / best[name]:,.0f} | "
              f"{best[name] / best['local']:.1f}× |")

    _, out = _run([sys.executable, "-c", PARTS, args.master, log], ok=(0,))
    parts = json.loads(out.strip().splitlines()[-1])
    print(f"\nwhere the time of one Spark audit of {first:,} records goes (one driver process):")
    print("| step | seconds |\n|---|---|")
    steps = [("JVM and SparkSession start", parts["session"]),
             ("first Python job: workers start, import guard, build each Guard", parts["python"]),
             ("counting pass: line numbers, CSV headers (JVM only)", parts["count"]),
             ("read and validate the records (Python, via Arrow)", parts["read"]),
             ("the same + shuffle by conversation + sort", parts["shuffle"]),
             ("the whole audit: the same + judge + reports + findings in order",
              parts["audit"])]
    for name, seconds in steps:
        print(f"| {name} | {seconds:.1f} |")
    print(f"fixed start, paid once per run: {parts['session'] + parts['python']:.1f} s "
          "(session + first Python job)")

    _, out = _run([sys.executable, "-c", SCALE, args.master, str(args.repeat),
                   *(str(logs[count]) for count in args.counts)], ok=(0,))
    audits = json.loads(out.strip().splitlines()[-1])
    print(f"\nscaling: each log audited in one driver process (the fixed start paid once "
          f"before), sizes interleaved, best of {args.repeat}:")
    print("| records | MB | seconds | records/s |\n|---|---|---|---|")
    rates = []
    for count in args.counts:
        seconds = audits[str(logs[count])]
        rates.append(count / seconds)
        print(f"| {count:,} | {logs[count].stat().st_size / 1e6:.0f} | {seconds:.1f} | "
              f"{count / seconds:,.0f} |")
    if len(rates) > 1:
        spread = max(rates) / min(rates) - 1
        print(f"\nrecords/s: {min(rates):,.0f}–{max(rates):,.0f} (spread {spread:.0%}; "
              "target ≤ 20 %)")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
