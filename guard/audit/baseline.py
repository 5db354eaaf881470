"""Review: a baseline of judged findings, so a nightly audit reports only what is new.

`guard audit … --write-baseline FILE` writes one entry per distinct finding —
keyed by its rule, a hash of its normalized matched text and its shop, never
the text itself (so the file holds no buyer data and no agent's message) —
with the review it has: `pending` for a finding not yet judged, else
`violation` or `not_violation`, kept from the `--baseline FILE` given. The
HTML report lets a reviewer judge each finding and download the file back
(plain JavaScript in the page). `--baseline FILE` marks findings whose entry
is judged as reviewed; `--fail-on` then counts only the new ones.

The file:

    {"kind": "guard-baseline", "version": 1,
     "entries": [{"key": "wechat|3b5d5c3712955042|店铺01", "rule": "wechat",
                  "shop": "店铺01", "review": "pending", "findings": 2}, …]}
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
import regex

from guard.cache import os_reason
from guard.errors import UsageError

KIND = "guard-baseline"
VERSION = 1
REVIEWS = ("pending", "violation", "not_violation")
REVIEW_LABELS = {"pending": "待复核", "violation": "违规", "not_violation": "不违规"}
_NOISE = regex.compile(r"[^\p{L}\p{N}]+")


def normalized(text: str) -> str:
    """The matched text as the key sees it: NFKC, case folded, nothing but letters and digits.

    So ＶＸ, v x and vx are one term; 138-1234-5678 and 13812345678 one number.
    """
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).casefold())


def finding_key(rule: str, text: str, shop: str) -> str:
    digest = hashlib.sha256(normalized(text).encode()).hexdigest()[:16]
    return f"{rule}|{digest}|{shop}"


@dataclass(frozen=True)
class Entry:
    key: str
    rule: str
    shop: str
    review: str
    findings: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "rule": self.rule, "shop": self.shop, "review": self.review,
                "findings": self.findings}


@dataclass(frozen=True)
class Baseline:
    """The reviews of a baseline file, by key."""

    entries: Mapping[str, Entry]

    def review(self, key: str) -> str | None:
        """The review of a finding's key: violation, not_violation, pending; None if unknown."""
        entry = self.entries.get(key)
        return entry.review if entry is not None else None

    def reviewed(self, key: str) -> bool:
        return self.review(key) in ("violation", "not_violation")


def load_baseline(path: str) -> Baseline:
    """Read a baseline file; a UsageError says what is wrong with it."""
    try:
        data = orjson.loads(Path(path).read_bytes())
    except FileNotFoundError:
        raise UsageError(f"--baseline {path}：没有这个文件") from None
    except OSError as exc:
        raise UsageError(f"--baseline {path}：无法读取：{os_reason(exc)}") from None
    except orjson.JSONDecodeError as exc:
        raise UsageError(f"--baseline {path}：不是有效的 JSON：{exc}") from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise UsageError(f"--baseline {path}：不是 guard 基线文件（应由 --write-baseline "
                         "或 HTML 报告的“下载基线”生成）")
    entries: dict[str, Entry] = {}
    for index, item in enumerate(data.get("entries") or [], 1):
        if not isinstance(item, dict) or not all(isinstance(item.get(f), str)
                                                 for f in ("key", "rule", "shop", "review")):
            raise UsageError(f"--baseline {path}：第 {index} 条不完整（需要 key、rule、shop、"
                             "review）")
        if item["review"] not in REVIEWS:
            raise UsageError(f"--baseline {path}：第 {index} 条的 review 应为 "
                             f"{'、'.join(REVIEWS)}，实为 {item['review']!r}")
        count = item.get("findings", 0)
        entries[item["key"]] = Entry(item["key"], item["rule"], item["shop"], item["review"],
                                     count if isinstance(count, int) else 0)
    return Baseline(entries)


@dataclass
class Review:
    """What a run's findings are against a baseline: new or reviewed, and the entries to write."""

    baseline: Baseline | None
    entries: dict[str, Entry]
    new: dict[str, int]  # severity → new findings
    reviewed: dict[str, int]  # review → findings

    @classmethod
    def of(cls, findings: Iterable[Any], baseline: Baseline | None) -> Review:
        """One pass over the findings (FindingRecord: rule, text, shop, severity)."""
        counts: dict[str, int] = {}
        rules: dict[str, tuple[str, str]] = {}
        new = {"block": 0, "warn": 0}
        reviewed = {"violation": 0, "not_violation": 0}
        for finding in findings:
            key = finding_key(finding.rule, finding.text, finding.shop)
            counts[key] = counts.get(key, 0) + 1
            rules.setdefault(key, (finding.rule, finding.shop))
            review = baseline.review(key) if baseline is not None else None
            if review in reviewed:
                reviewed[review] += 1  # type: ignore[index]
            else:
                new[finding.severity] = new.get(finding.severity, 0) + 1
        entries: dict[str, Entry] = {}
        if baseline is not None:  # what was reviewed before stays, seen tonight or not
            for key, entry in baseline.entries.items():
                entries[key] = Entry(key, entry.rule, entry.shop, entry.review, 0)
        for key, count in counts.items():
            rule, shop = rules[key]
            known = entries.get(key)
            entries[key] = Entry(key, rule, shop, known.review if known else "pending", count)
        return cls(baseline, entries, new, reviewed)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": KIND, "version": VERSION,
                "entries": [e.to_dict() for _, e in sorted(self.entries.items())]}

    def write(self, out: IO[bytes]) -> None:
        out.write(orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2) + b"\n")
