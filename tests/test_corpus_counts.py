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


def test_a_sealed_gzipped_pair_counts_as_the_plain_one(tmp_path: Path) -> None:
    """bench/sealed keeps blind sets gzipped: the counts are those of the same lines."""
    import gzip

    rows = [{"text": "加我微信聊", "category": "contact_im", "family": "plain"},
            {"text": "您好，已经发货了", "category": "contact_im", "family": "pointer"}]
    plain = _write(tmp_path / "v.jsonl", rows)
    sealed = tmp_path / "v.jsonl.gz"
    sealed.write_bytes(gzip.compress(plain.read_bytes()))
    clean = _write(tmp_path / "c.jsonl", [{"text": "去京东买"}])

    def counts(violations: Path) -> str:
        return subprocess.run([sys.executable, str(ROOT / "bench" / "corpus_counts.py"),
                               str(violations), str(clean)],
                              capture_output=True, text=True, check=True).stdout

    assert counts(sealed) == counts(plain)
    assert counts(sealed).startswith("violations 2: blocked 1,")


def test_the_sealed_sets_are_whole() -> None:
    """Each sealed set reads as JSON lines with the labels the counts need."""
    import gzip

    for path in sorted((ROOT / "bench" / "sealed").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        assert len(rows) > 200, path
        assert all(isinstance(r.get("text"), str) and r.get("family") for r in rows), path
