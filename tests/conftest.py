"""Shared fixtures: one Guard for the whole run (it is immutable and thread-safe)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guard import Guard

DATA = Path(__file__).parent / "data"


def load_jsonl(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="session")
def guard() -> Guard:
    return Guard()
