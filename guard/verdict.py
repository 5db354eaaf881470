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


_new = object.__new__
_set = object.__setattr__


def pass_verdict(text: str) -> Verdict:
    """`Verdict("pass", (), text, None, text, None)`, built without the frozen
    dataclass's checked __init__: most messages pass, and this is their cost."""
    verdict = _new(Verdict)
    _set(verdict, "verdict", "pass")
    _set(verdict, "findings", ())
    _set(verdict, "masked", text)
    _set(verdict, "warning", None)
    _set(verdict, "text", text)
    _set(verdict, "suggestion", None)
    return verdict


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
