"""The one result model: `Finding` and `Verdict`, and their one JSON form.

The CLI, the HTTP API, the audit report and the training demo all read these;
none of them re-derives a decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["warn", "block"]
VerdictName = Literal["pass", "warn", "block"]

CATEGORIES: tuple[str, ...] = (
    "contact_im",
    "contact_number",
    "link",
    "other_platform",
    "offplatform_trade",
)


@dataclass(frozen=True, slots=True)
class Joined:
    """Where a split finding lies: across the agent's earlier messages and this one.

    `text` is the messages joined one per line (the earlier ones named by
    `context`, then this one) and `text[start:end]` is the whole finding.
    """

    context: tuple[int, ...]  # indexes of the earlier messages it takes in
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"context": list(self.context), "text": self.text,
                "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Finding:
    """One offending span of the ORIGINAL message: `text == message[start:end]`.

    A split finding (one that exists only with the agent's earlier messages)
    carries `joined`; its span is the part inside this message (empty when
    the finding lies in the earlier ones and this message completes it).
    """

    rule: str
    category: str
    severity: Severity
    start: int
    end: int
    text: str
    reason: str
    joined: Joined | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "reason": self.reason,
        }
        if self.joined is not None:
            data["split"] = self.joined.to_dict()
        return data


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision on one message.

    `text` is the message as given; it is kept for renderers (highlighting)
    and is not part of the JSON form, which is exactly the SPEC's contract.
    `suggestion` is a compliant rewrite of a blocked message; `Guard.check`
    leaves it None (no cost on the fast path or in the audit) and the
    surfaces that show it add it with `guard.rewrite.with_suggestion`.
    """

    verdict: VerdictName
    findings: tuple[Finding, ...]
    masked: str
    warning: str | None
    text: str = ""
    suggestion: str | None = None

    @property
    def blocked(self) -> bool:
        return self.verdict == "block"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in self.findings],
            "masked": self.masked,
            "warning": self.warning,
        }
        if self.suggestion is not None:
            data["suggestion"] = self.suggestion
        return data


# Built without the frozen dataclasses' checked __init__ (which sets each field
# through object.__setattr__ by name): each field is set through its slot's own
# descriptor. Most messages pass and the slow path makes a Finding per hit, so
# this is most of what a result costs; tests hold these equal to the dataclasses.
_new = object.__new__
_V = {name: Verdict.__dict__[name].__set__ for name in Verdict.__slots__}
_F = {name: Finding.__dict__[name].__set__ for name in Finding.__slots__}
(_v_verdict, _v_findings, _v_masked, _v_warning, _v_text, _v_suggestion) = (
    _V["verdict"], _V["findings"], _V["masked"], _V["warning"], _V["text"], _V["suggestion"])
(_f_rule, _f_category, _f_severity, _f_start, _f_end, _f_text, _f_reason, _f_joined) = (
    _F["rule"], _F["category"], _F["severity"], _F["start"], _F["end"], _F["text"],
    _F["reason"], _F["joined"])


def pass_verdict(text: str) -> Verdict:
    """`Verdict("pass", (), text, None, text, None)`, built quickly (see above)."""
    verdict = _new(Verdict)
    _v_verdict(verdict, "pass")
    _v_findings(verdict, ())
    _v_masked(verdict, text)
    _v_warning(verdict, None)
    _v_text(verdict, text)
    _v_suggestion(verdict, None)
    return verdict


def new_verdict(name: VerdictName, findings: tuple[Finding, ...], masked: str,
                 warning: str | None, text: str) -> Verdict:
    """`Verdict(name, findings, masked, warning, text)`, built quickly (see above)."""
    verdict = _new(Verdict)
    _v_verdict(verdict, name)
    _v_findings(verdict, findings)
    _v_masked(verdict, masked)
    _v_warning(verdict, warning)
    _v_text(verdict, text)
    _v_suggestion(verdict, None)
    return verdict


def new_finding(rule: str, category: str, severity: Severity, start: int, end: int, text: str,
                 reason: str) -> Finding:
    """`Finding(rule, category, severity, start, end, text, reason)`, built quickly (see above)."""
    finding = _new(Finding)
    _f_rule(finding, rule)
    _f_category(finding, category)
    _f_severity(finding, severity)
    _f_start(finding, start)
    _f_end(finding, end)
    _f_text(finding, text)
    _f_reason(finding, reason)
    _f_joined(finding, None)
    return finding


def worst(verdicts: list[VerdictName] | tuple[VerdictName, ...]) -> VerdictName:
    """The most severe of several verdict names (pass < warn < block)."""
    if "block" in verdicts:
        return "block"
    if "warn" in verdicts:
        return "warn"
    return "pass"


# Verdicts and severities from least to most severe: the one ranking every module
# (decide, the audit's windows and reports) compares them by.
RANK: dict[str, int] = {"pass": 0, "warn": 1, "block": 2}
