"""Counts of a labelled corpus pair, per family: what the README's Accuracy figures come from.

    python bench/corpus_counts.py tests/data/blind_fifth_violations.jsonl \
        tests/data/blind_fifth_clean.jsonl

For the violations: blocked, warned, caught at the least verdict a line asks
(`expect`, "block" unless said) and caught so under its labelled category; for
the clean messages: blocked and warned. Counts only: no message is printed, so a
blind set can be measured without being read (bench/sealed: gzipped, read by
no one).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guard import Guard  # noqa: E402


def records(path: Path) -> list[dict]:
    """The records of a JSON-lines file, gzipped or not (bench/sealed holds gzipped ones)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("violations", type=Path)
    parser.add_argument("clean", type=Path)
    args = parser.parse_args()
    guard = Guard()
    total, blocked, caught, labelled = Counter(), Counter(), Counter(), Counter()
    warned = 0
    for record in records(args.violations):
        verdict = guard.check(record["text"])
        family = record.get("family", "?")
        wanted = {"block"} if record.get("expect", "block") == "block" else {"warn", "block"}
        total[family] += 1
        blocked[family] += verdict.verdict == "block"
        warned += verdict.verdict == "warn"
        caught[family] += verdict.verdict in wanted
        labelled[family] += verdict.verdict in wanted and any(
            f.category == record.get("category") and f.severity in wanted
            for f in verdict.findings)
    print(f"violations {sum(total.values())}: blocked {sum(blocked.values())}, warned {warned}, "
          f"caught as asked {sum(caught.values())}, under the labelled category "
          f"{sum(labelled.values())}")
    for family in sorted(total):
        print(f"  {family}: blocked {blocked[family]}/{total[family]}, caught as asked "
              f"{caught[family]}, under its category {labelled[family]}")
    clean = [guard.check(record["text"]).verdict for record in records(args.clean)]
    print(f"clean {len(clean)}: blocked {clean.count('block')}, warned {clean.count('warn')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
