"""The one report model of an audit, and its one JSON form.

Every figure is a sum, a concatenation in input order, or a bounded top-N by
a total order, so partial reports — of chunks, workers, files or separate
runs — merge associatively: merge(merge(a, b), c) == merge(a, merge(b, c)),
and one worker, two workers or two halves merged give the same report. The
renderers (terminal, JSON, CSV, HTML) only read it. The entries it lists
(rejected records, findings, worst messages) are in report_entries.py.

Nothing in it holds a buyer's personal data: evidence is masked in the worker
before it gets here (privacy.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from guard.audit.metrics import Responses, merge_into, shop_totals
from guard.audit.report_entries import (
    MAX_WORST,
    FindingRecord,
    MessagePlace,
    RejectedRecord,
    WorstMessage,
    reason_kind,
    top_worst,
)
from guard.audit.segments import Part, add_part
from guard.audit.sheets import ConversationSheet
from guard.verdict import CATEGORIES

# 2: evidence bounded — a finding's message is an excerpt around its span (`offset`,
# `message_length`), a worst message's too; totals gain `findings_listed`. Version 1
# reports (whole messages) are read too.
REPORT_VERSION = 2
TOTALS = ("records", "scanned", "skipped", "rejected", "pass", "warn", "block", "findings",
          "split_findings", "findings_listed")
TALLY = ("messages", "pass", "warn", "block", "findings")  # per agent and per day
RULE_TALLY = ("findings", "warn", "block")
FILE_TALLY = ("records", "scanned", "skipped", "rejected")
# Listed rejected records (and worst messages, report_entries.py) are bounded; their
# counts are exact.
MAX_REJECTED_LISTED = 1000
# Findings of these categories are numbers and links: counted by rule, not by text.
RULE_TERMS = frozenset({"contact_number", "link"})


@dataclass(frozen=True, slots=True)
class Settings:
    """What shaped the figures; reports made with different settings do not merge."""

    role: str = "agent"
    window_messages: int = 3
    window_seconds: int = 300

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "context_window": {"messages": self.window_messages,
                                                      "seconds": self.window_seconds}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Settings:
        window = data.get("context_window", {})
        return cls(data.get("role", "agent"), window.get("messages", 3),
                   window.get("seconds", 300))


@dataclass(frozen=True)
class Report:
    """The audit's figures and evidence. Build with `ReportBuilder`, combine with `merge`."""

    settings: Settings = field(default_factory=Settings)
    category_labels: Mapping[str, str] = field(default_factory=dict)
    rule_labels: Mapping[str, str] = field(default_factory=dict)
    totals: Mapping[str, int] = field(default_factory=lambda: dict.fromkeys(TOTALS, 0))
    files: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    agents: Mapping[tuple[str, str, str], tuple[int, ...]] = field(default_factory=dict)
    days: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    rules: Mapping[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)
    # (rule, category, matched text); the text is "" for numbers and links
    terms: Mapping[tuple[str, str, str], int] = field(default_factory=dict)
    rejected_reasons: Mapping[str, int] = field(default_factory=dict)
    # skipped messages that are not text (images, order cards…), by type
    non_text: Mapping[str, int] = field(default_factory=dict)
    rejected: tuple[RejectedRecord, ...] = ()
    worst: tuple[WorstMessage, ...] = ()
    findings: tuple[FindingRecord, ...] = ()
    # response times by (shop, agent); agent "" where no agent can be named (metrics.py)
    responses: Mapping[tuple[str, str], Responses] = field(default_factory=dict)
    # Excel exports' conversation sheets: how they bounded conversations, where they disagree
    sheets: tuple[ConversationSheet, ...] = ()
    # parts of files whose conversations' response times wait for the parts around
    # (segments.py): a chunk's report has one; they are joined as reports merge
    parts: tuple[Part, ...] = ()

    # ------------------------------------------------------------ derived views

    def shops(self) -> dict[str, dict[str, int]]:
        """Per shop: distinct agents and the summed tallies of its messages."""
        shops: dict[str, dict[str, int]] = {}
        agents: dict[str, set[str]] = {}
        for (shop, agent, role), tally in self.agents.items():
            row = shops.setdefault(shop, dict.fromkeys(TALLY, 0))
            for name, value in zip(TALLY, tally, strict=True):
                row[name] += value
            if role == "agent":
                agents.setdefault(shop, set()).add(agent)
        for shop, agent in self.responses:  # an agent timed but never judged (cards only)
            shops.setdefault(shop, dict.fromkeys(TALLY, 0))
            if agent:
                agents.setdefault(shop, set()).add(agent)
        for shop, row in shops.items():
            row["agents"] = len(agents.get(shop, ()))
        return shops

    def categories(self) -> dict[str, tuple[int, ...]]:
        """Per category: (findings, warn, block), every known category listed."""
        totals: dict[str, list[int]] = {c: [0, 0, 0] for c in CATEGORIES}
        for (_, category), tally in self.rules.items():
            row = totals.setdefault(category, [0, 0, 0])
            for index, value in enumerate(tally):
                row[index] += value
        extra = sorted(set(totals) - set(CATEGORIES))
        return {c: tuple(totals[c]) for c in (*CATEGORIES, *extra)}

    def without_findings(self) -> Report:
        return replace(self, findings=())

    # ------------------------------------------------------------ JSON form

    def to_dict(self, findings: Iterable[FindingRecord] | None = None) -> dict[str, Any]:
        """The JSON form (SPEC "audit report", plus the detail renderers need).

        Lists are in a fixed order, so equal reports give byte-equal JSON.
        """
        def rate(tally: Mapping[str, int]) -> float:
            messages = tally["messages"]
            return round((tally["warn"] + tally["block"]) / messages, 6) if messages else 0.0

        nothing = Responses().figures()
        tallies = dict(self.agents)
        for shop, agent in self.responses:  # an agent who only answered with cards, say
            if agent and (shop, agent, "agent") not in tallies:
                tallies[(shop, agent, "agent")] = (0,) * len(TALLY)
        agents = []
        for (shop, agent, role), tally in sorted(tallies.items()):
            row: dict[str, Any] = {"shop": shop, "agent": agent, "role": role}
            row.update(zip(TALLY, tally, strict=True))
            row["rate"] = rate(row)
            responses = self.responses.get((shop, agent)) if role == "agent" else None
            row.update(responses.figures() if responses is not None else nothing)
            agents.append(row)
        shop_responses = shop_totals(self.responses)
        shops = []
        for shop, tally in sorted(self.shops().items()):
            row = {"shop": shop, "agents": tally["agents"]}
            row.update((name, tally[name]) for name in TALLY)
            row["rate"] = rate(row)
            responses = shop_responses.get(shop)
            row.update(responses.figures() if responses is not None else nothing)
            shops.append(row)
        days = []
        for day, values in sorted(self.days.items()):
            row = {"day": day}
            row.update(zip(TALLY, values, strict=True))
            row["rate"] = rate(row)
            days.append(row)
        rules = [
            {"rule": rule, "category": category, "label": self.rule_labels.get(rule, rule),
             **dict(zip(RULE_TALLY, tally, strict=True))}
            for (rule, category), tally in sorted(self.rules.items(),
                                                   key=lambda kv: (-kv[1][0], kv[0]))
        ]
        categories = [
            {"category": category, "label": self.category_labels.get(category, category),
             **dict(zip(RULE_TALLY, tally, strict=True))}
            for category, tally in self.categories().items()
        ]
        terms = [
            {"rule": rule, "category": category, "term": term, "count": count}
            for (rule, category, term), count in sorted(self.terms.items(),
                                                        key=lambda kv: (-kv[1], kv[0]))
        ]
        files = [{"file": name, **dict(zip(FILE_TALLY, tally, strict=True))}
                 for name, tally in sorted(self.files.items())]
        chosen = self.findings if findings is None else findings
        return {
            "version": REPORT_VERSION,
            "settings": self.settings.to_dict(),
            "totals": {name: self.totals[name] for name in TOTALS},
            "files": files,
            "rejected": [r.to_dict() for r in self.rejected],
            "rejected_listed": len(self.rejected),
            "rejected_reasons": dict(sorted(self.rejected_reasons.items())),
            "skipped_non_text": dict(sorted(self.non_text.items())),
            "conversation_sheets": [sheet.to_dict() for sheet in self.sheets],
            "shops": shops,
            "agents": agents,
            "categories": categories,
            "rules": rules,
            "terms": terms,
            "days": days,
            "worst": [w.to_dict() for w in self.worst],
            "response_times": [{"shop": shop, "agent": agent, **responses.to_dict()}
                               for (shop, agent), responses in sorted(self.responses.items())],
            "labels": {"categories": dict(sorted(self.category_labels.items())),
                       "rules": dict(sorted(self.rule_labels.items()))},
            "findings": [f.to_dict() for f in chosen],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        """Read a report back from its JSON form (to merge reports of separate runs)."""
        if data.get("version") not in (1, REPORT_VERSION):
            raise ValueError(f"not a guard audit report of version 1 to {REPORT_VERSION}")
        labels = data.get("labels", {})
        return cls(
            settings=Settings.from_dict(data.get("settings", {})),
            category_labels=dict(labels.get("categories", {})),
            rule_labels=dict(labels.get("rules", {})),
            totals={name: data["totals"].get(name, data["totals"].get("findings", 0)
                                              if name == "findings_listed" else 0)
                    for name in TOTALS},
            files={f["file"]: tuple(f[n] for n in FILE_TALLY) for f in data["files"]},
            agents={(a["shop"], a["agent"], a["role"]): tuple(a[n] for n in TALLY)
                    for a in data["agents"]},
            days={d["day"]: tuple(d[n] for n in TALLY) for d in data["days"]},
            rules={(r["rule"], r["category"]): tuple(r[n] for n in RULE_TALLY)
                   for r in data["rules"]},
            terms={(t["rule"], t["category"], t["term"]): t["count"] for t in data["terms"]},
            rejected_reasons=dict(data.get("rejected_reasons", {})),
            non_text=dict(data.get("skipped_non_text", {})),
            rejected=tuple(RejectedRecord(r["file"], r["line"], r["reason"])
                           for r in data["rejected"]),
            worst=tuple(WorstMessage.from_dict(w) for w in data["worst"]),
            findings=tuple(FindingRecord.from_dict(f) for f in data["findings"]),
            responses={(r["shop"], r["agent"]): Responses.from_dict(r)
                       for r in data.get("response_times", [])},
            sheets=tuple(ConversationSheet.from_dict(s)
                         for s in data.get("conversation_sheets", [])),
        )


class ReportBuilder:
    """Accumulates a report in place (a worker's chunk, or the main process's total).

    The only mutable piece of the model, private to whoever builds; `build()`
    freezes a snapshot. `add(report)` is `merge` without the copies.
    """

    def __init__(self, settings: Settings, category_labels: Mapping[str, str] | None = None,
                 rule_labels: Mapping[str, str] | None = None, keep_findings: bool = True):
        self.settings = settings
        self.category_labels = dict(category_labels or {})
        self.rule_labels = dict(rule_labels or {})
        self.totals = dict.fromkeys(TOTALS, 0)
        self.files: dict[str, list[int]] = {}
        self.agents: dict[tuple[str, str, str], list[int]] = {}
        self.days: dict[str, list[int]] = {}
        self.rules: dict[tuple[str, str], list[int]] = {}
        self.terms: dict[tuple[str, str, str], int] = {}
        self.rejected_reasons: dict[str, int] = {}
        self.non_text: dict[str, int] = {}
        self.sheets: list[ConversationSheet] = []
        self.rejected: list[RejectedRecord] = []
        self.worst: list[WorstMessage] = []
        self.findings: list[FindingRecord] = []
        self.responses: dict[tuple[str, str], Responses] = {}
        self.parts: dict[str, list[Part]] = {}  # by file, sorted by first line
        self.keep_findings = keep_findings

    # ------------------------------------------------------------ counting

    def reject(self, file: str, line: int, reason: str) -> None:
        """A rejected record: counted by kind, listed while the list has room."""
        if len(self.rejected) < MAX_REJECTED_LISTED:
            self.rejected.append(RejectedRecord(file, line, reason))
        kind = reason_kind(reason)
        self.rejected_reasons[kind] = self.rejected_reasons.get(kind, 0) + 1

    def count_messages(self, agent: tuple[str, str, str], day: str,
                       tally: tuple[int, ...]) -> None:
        """One (shop, agent, role)'s messages of one day: a `TALLY` of figures."""
        for target, key in ((self.agents, agent), (self.days, day)):
            row = target.get(key)  # type: ignore[attr-defined]
            if row is None:
                target[key] = list(tally)  # type: ignore[index]
            else:
                for index, value in enumerate(tally):
                    row[index] += value
        totals = self.totals
        totals["pass"] += tally[1]
        totals["warn"] += tally[2]
        totals["block"] += tally[3]
        totals["findings"] += tally[4]

    def count_rule(self, rule: tuple[str, str], findings: int, warn: int, block: int) -> None:
        """Findings of one (rule, category): how many, how many warn and block."""
        tally = self.rules.get(rule)
        if tally is None:
            self.rules[rule] = [findings, warn, block]
        else:
            tally[0] += findings
            tally[1] += warn
            tally[2] += block

    def count_records(self, file: str, records: int, scanned: int, skipped: int,
                      rejected: int, split_findings: int = 0) -> None:
        """The records of (a part of) one file: each scanned, skipped or rejected."""
        totals = self.totals
        totals["records"] += records
        totals["scanned"] += scanned
        totals["skipped"] += skipped
        totals["rejected"] += rejected
        totals["split_findings"] += split_findings
        row = self.files.setdefault(file, [0] * len(FILE_TALLY))
        for index, value in enumerate((records, scanned, skipped, rejected)):
            row[index] += value

    # ------------------------------------------------------------ merging

    def add(self, report: Report) -> ReportBuilder:
        if report.settings != self.settings:
            raise ValueError("cannot merge audit reports made with different settings: "
                             f"{self.settings} and {report.settings}")
        for name, label in report.category_labels.items():
            self.category_labels.setdefault(name, label)
        for name, label in report.rule_labels.items():
            self.rule_labels.setdefault(name, label)
        for name in TOTALS:
            self.totals[name] += report.totals.get(name, 0)
        for target, source, width in ((self.files, report.files, len(FILE_TALLY)),
                                      (self.agents, report.agents, len(TALLY)),
                                      (self.days, report.days, len(TALLY)),
                                      (self.rules, report.rules, len(RULE_TALLY))):
            for key, values in source.items():
                row = target.get(key)
                if row is None:
                    target[key] = list(values) + [0] * (width - len(values))
                else:
                    for index, value in enumerate(values):
                        row[index] += value
        for key, count in report.terms.items():
            self.terms[key] = self.terms.get(key, 0) + count
        for key, count in report.rejected_reasons.items():
            self.rejected_reasons[key] = self.rejected_reasons.get(key, 0) + count
        for key, count in report.non_text.items():
            self.non_text[key] = self.non_text.get(key, 0) + count
        room = MAX_REJECTED_LISTED - len(self.rejected)
        if room > 0:
            self.rejected.extend(report.rejected[:room])
        if report.worst:
            self.worst = top_worst((*self.worst, *report.worst))
        if self.keep_findings:
            self.findings.extend(report.findings)
        merge_into(self.responses, report.responses.items())
        for part in report.parts:  # in any order: adjacent parts join
            add_part(self.parts.setdefault(part.label, []), part, self.responses)
        self.sheets.extend(report.sheets)
        return self

    def build(self) -> Report:
        return Report(
            settings=self.settings,
            category_labels=dict(self.category_labels),
            rule_labels=dict(self.rule_labels),
            totals=dict(self.totals),
            files={k: tuple(v) for k, v in self.files.items()},
            agents={k: tuple(v) for k, v in self.agents.items()},
            days={k: tuple(v) for k, v in self.days.items()},
            rules={k: tuple(v) for k, v in self.rules.items()},
            terms=dict(self.terms),
            rejected_reasons=dict(self.rejected_reasons),
            non_text=dict(self.non_text),
            rejected=tuple(self.rejected),
            worst=tuple(self.worst),
            findings=tuple(self.findings),
            responses={key: Responses(dict(r.turns), dict(r.first), r.unanswered_turns,
                                      r.unanswered_conversations, r.conversations)
                       for key, r in self.responses.items()},
            sheets=tuple(self.sheets),
            parts=tuple(part for parts in self.parts.values() for part in parts),
        )


def merge_reports(*reports: Report) -> Report:
    """One report from partial ones, in the order given (findings concatenate)."""
    if not reports:
        return Report()
    builder = ReportBuilder(reports[0].settings)
    for report in reports:
        builder.add(report)
    return builder.build()


__all__ = [
    "MAX_REJECTED_LISTED", "MAX_WORST", "REPORT_VERSION", "RULE_TALLY", "RULE_TERMS", "TALLY",
    "TOTALS", "FindingRecord", "MessagePlace", "RejectedRecord", "Report", "ReportBuilder",
    "Settings", "WorstMessage", "merge_reports", "reason_kind", "top_worst",
]
