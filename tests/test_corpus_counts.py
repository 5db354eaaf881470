"""bench/corpus_counts.py: the counts the README's Accuracy figures come from."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_counts_per_family_and_no_message_printed(tmp_path: Path) -> None:
    violations = _write(tmp_path / "v.jsonl", [
        {"text": "加我微信聊", "category": "contact_im", "family": "plain"},
        {"text": "加我微信聊", "category": "link", "family": "plain"},  # caught, not as labelled
        {"text": "您好，已经发货了", "category": "contact_im", "family": "pointer"},
    ])
    clean = _write(tmp_path / "c.jsonl", [{"text": "您好，已经发货了"}, {"text": "去京东买"}])
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "corpus_counts.py"),
                          str(violations), str(clean)],
                         capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[0] == ("violations 3: blocked 2, warned 0, caught as asked 2, "
                                   "under the labelled category 1")
    assert "  plain: blocked 2/2, caught as asked 2, under its category 1" in out
    assert "  pointer: blocked 0/3" not in out and "  pointer: blocked 0/1" in out
    assert out.splitlines()[-1] == "clean 2: blocked 1, warned 0"
    assert "微信" not in out and "京东" not in out
