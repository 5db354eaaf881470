"""The evasion families of issue 12, on cases written for them (tests/data/families_*.jsonl).

Each violation must be found under its labelled CATEGORY (not blocked by
luck under another one); `expect` says the least verdict ("warn" for asking a
buyer's phone for a technician). Each clean trap must not block.
"""

from __future__ import annotations

from collections import Counter

import pytest

from guard import Guard
from tests.conftest import load_jsonl

VIOLATIONS = load_jsonl("families_violations.jsonl")
CLEAN = load_jsonl("families_clean.jsonl")
FAMILIES = {"assembled_number", "obfuscated_address", "pointer", "app_description",
            "offline_trade", "review_cashback", "ask_contact"}


def _cases() -> list:
    """Each violation; those marked `known_miss` (a kind not handled yet) expected to fail."""
    return [pytest.param(r, marks=pytest.mark.xfail(reason="known miss", strict=True))
            if r.get("known_miss") else r for r in VIOLATIONS]


def test_every_family_has_many_cases_and_as_many_traps() -> None:
    violations = Counter(r["family"] for r in VIOLATIONS)
    clean = Counter(r["family"] for r in CLEAN)
    assert set(violations) >= FAMILIES and set(clean) >= FAMILIES
    assert all(violations[f] >= 10 for f in FAMILIES)
    assert all(clean[f] >= 8 for f in FAMILIES)
    assert len(CLEAN) >= len(VIOLATIONS) * 0.85
    texts = [r["text"] for r in VIOLATIONS + CLEAN]
    assert len(set(texts)) == len(texts), "a case or trap written twice counts twice"


@pytest.mark.parametrize("record", _cases(), ids=lambda r: r["text"][:24])
def test_violation_is_found_under_its_category(guard: Guard, record: dict) -> None:
    verdict = guard.check(record["text"])
    least = record.get("expect", "block")
    wanted = {"block"} if least == "block" else {"warn", "block"}
    assert verdict.verdict in wanted, verdict.to_dict()
    assert any(f.category == record["category"] and f.severity in wanted
               for f in verdict.findings), verdict.to_dict()


@pytest.mark.parametrize("record", CLEAN, ids=lambda r: r["text"][:24])
def test_clean_trap_does_not_block(guard: Guard, record: dict) -> None:
    verdict = guard.check(record["text"])
    assert verdict.verdict != "block", verdict.to_dict()
