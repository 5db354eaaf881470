"""The README says what is so: its figures about the sample, the lexicons and the corpora are
compared here with the data and with a real run. Figures only, found by their phrases, so
rows and sections may be added freely; a figure that changes fails here with what to write.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from guard import Guard
from guard.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10}


def number(text: str) -> int:
    return WORDS[text] if text in WORDS else int(text.replace(",", ""))


def figure(pattern: str, text: str = README) -> int:
    """The one number the README states where `pattern` (with one group) matches."""
    found = re.findall(pattern, text)
    assert len(found) == 1, f"README: expected one match of {pattern!r}, found {found}"
    return number(found[0])


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end > 0 else None]


def test_the_two_commands() -> None:
    two = section("Two commands")
    assert "pip install . && guard audit samples/chat_log.jsonl" in two
    assert "pip install '.[test]' && pytest" in two


def test_python_version_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11"
    assert re.search(r"Python ≥ 3\.11\b", section("Two commands"))


def test_the_sample_figures_are_a_real_audit(tmp_path: Path) -> None:
    """The first command's audit on the sample, against the figures the README states."""
    report_path = tmp_path / "sample.json"
    status = main(["audit", str(ROOT / "samples" / "chat_log.jsonl"), "--json",
                   str(report_path), "--quiet"])
    report = json.loads(report_path.read_text(encoding="utf-8"))
    totals = report["totals"]
    two = section("Two commands")
    stated = {
        "shops": figure(r"(\d+) shops", two),
        "agents": figure(r"(\d+) agents", two),
        "records": figure(r"(\d[\d,]*) messages of which", two),
        "scanned": figure(r"of which (\d[\d,]*) are the agents'", two),
        "block": figure(r"blocks (\d[\d,]*) of them", two),
        "warn": figure(r"warns on (\d[\d,]*)", two),
        "findings": figure(r"(\d[\d,]*) findings", two),
        "exit status": figure(r"exit status is (\d)", two),
    }
    actual = {
        "shops": len(report["shops"]),
        "agents": len({(a["shop"], a["agent"]) for a in report["agents"]}),
        "records": totals["records"], "scanned": totals["scanned"], "block": totals["block"],
        "warn": totals["warn"], "findings": totals["findings"], "exit status": status,
    }
    assert stated == actual, "write the actual figures into the README's Two commands"


def test_lexicon_group_counts() -> None:
    stated = dict(re.findall(r"`(\w+\.toml)` \((\d+) groups", README))
    assert {"platforms.toml", "trade.toml"} <= set(stated)
    for name, count in stated.items():
        data = tomllib.loads((ROOT / "lexicons" / name).read_text(encoding="utf-8"))
        assert len(data["group"]) == int(count), f"README: {name} has {len(data['group'])} groups"


def test_training_buyer_bank() -> None:
    turns, scenarios = re.findall(r"`lexicons/train/buyers\.toml`: (\d+) turns over the (\w+) "
                                  r"scenarios", README)[0]
    bank = tomllib.loads((ROOT / "lexicons" / "train" / "buyers.toml").read_text("utf-8"))
    assert len(bank["turn"]) == number(turns)
    assert len({turn["scenario"] for turn in bank["turn"]}) == number(scenarios)


def jsonl(name: str) -> list[dict]:
    with (ROOT / "tests" / "data" / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_routing_corpus_size() -> None:
    stated = figure(r"`tests/data/reply_routing\.jsonl` \((\d+) buyer messages")
    assert len(jsonl("reply_routing.jsonl")) == stated


# | `check_clean.jsonl` — real after-sales talk, 142 with traps | 244 | 0 blocked, 13 warned (…) |
CORPUS_ROW = re.compile(r"^\| `(\w+\.jsonl)` (?P<about>[^|]*)\| (?P<messages>[\d,]+) \| "
                        r"(?P<result>[^|]*)\|$", re.MULTILINE)


def test_accuracy_table_matches_the_corpora(guard: Guard) -> None:
    rows = list(CORPUS_ROW.finditer(section("Accuracy")))
    assert len(rows) >= 4
    for row in rows:
        name = row[1]
        records = jsonl(name)
        assert len(records) == number(row["messages"]), f"README: {name} holds {len(records)}"
        traps = re.search(r"(\d+) with traps", row["about"])
        if traps:
            assert sum(1 for r in records if r.get("trap")) == int(traps[1]), name
        # the figure for now: after "now" where the row also gives a first run's
        result = row["result"].split("now", 1)[-1].strip()
        verdicts = [guard.check(r["text"]).verdict for r in records]
        blocked = re.match(r"(\d+)", result)
        assert blocked, row[0]
        assert verdicts.count("block") == int(blocked[1]), (
            f"README Accuracy: {name} now has {verdicts.count('block')} blocked")
        warned = re.search(r"(\d+) warned", result)
        if warned:
            assert verdicts.count("warn") == int(warned[1]), (
                f"README Accuracy: {name} now has {verdicts.count('warn')} warned")


def test_settings_the_readme_names() -> None:
    from guard.audit.conversation import WINDOW_MESSAGES, WINDOW_SECONDS
    from guard.audit.readers import LOOKBACK_LINES
    from guard.compiled_cache import KEEP_COMPILED
    from guard.records import MAX_LINE_BYTES

    assert figure(r"keeps the (\d+) most recently used compiled lexicons") == KEEP_COMPILED
    assert figure(r"at most \*\*(\d+) messages\*\*") == WINDOW_MESSAGES
    assert figure(r"within \*\*(\d+) minutes\*\*") * 60 == WINDOW_SECONDS
    assert figure(r"previous \*\*([\d,]+) lines of the same file\*\*") == LOOKBACK_LINES
    assert MAX_LINE_BYTES == 1 << 20
    assert set(re.findall(r"line (?:over|longer than) (\d+) MiB", README)) == {"1"}


@pytest.mark.parametrize("pattern", [r"\b\d[\d,]* tests\b", r"~\s?\d+ s\b.*pytest"])
def test_no_figures_that_nothing_keeps_true(pattern: str) -> None:
    """A count of tests or the suite's duration goes stale with every commit: not stated."""
    assert not re.search(pattern, README), re.search(pattern, README)
