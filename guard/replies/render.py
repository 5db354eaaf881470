"""Fill a scenario's template for one case: the reply to the buyer and the note for the merchant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from guard.replies.policy import CHINA_TZ, to_china_time
from guard.replies.scenarios import (
    SCENARIOS,
    MissingParameterError,
    ReplyError,
    ReplyParams,
    UnknownScenarioError,
)
from guard.replies.templates import Templates, default_templates

__all__ = ["Reply", "known_scenarios", "render_reply", "unused_parameters"]


@dataclass(frozen=True)
class Reply:
    """A filled-in reply. `merchant_note` is for the agent only: never send it to the buyer."""

    scenario: str
    title: str
    reply: str
    merchant_note: str
    params: Mapping[str, Any]
    """The parameters the scenario read (JSON-ready), `at`, and what was `computed`."""

    def to_dict(self) -> dict[str, Any]:
        """SPEC's JSON form of `guard reply --json`."""
        return {"scenario": self.scenario, "reply": self.reply,
                "merchant_note": self.merchant_note, "params": dict(self.params)}


def known_scenarios(templates: Templates | None = None) -> str:
    """"id（title）, …" for messages that list the scenarios."""
    templates = templates or default_templates()
    return ", ".join(f"{t.id}（{t.title}）" for t in templates.scenarios.values())


def render_reply(scenario: str, params: ReplyParams | None = None, *,
                 strict: bool = True, templates: Templates | None = None) -> Reply:
    """The reply for `scenario` in the case `params` describes.

    `strict` (the command line, an agent who knows the order): a parameter
    the template `requires` must be given. Not strict (a suggestion for a
    buyer's message, where the order is unknown): the template's general
    wording, which covers every case, is used instead.
    Raises UnknownScenarioError, MissingParameterError or ReplyError (all
    UsageError): the user's mistakes, each said in one line.
    """
    templates = templates or default_templates()
    params = params or ReplyParams()
    spec = SCENARIOS.get(scenario)
    template = templates.scenarios.get(scenario)
    if spec is None or template is None:
        raise UnknownScenarioError(
            f"未知场景 {scenario!r}；可选场景：{known_scenarios(templates)}")
    if spec.shipped is not None and params.shipped is not None and params.shipped != spec.shipped:
        given, other = (("--shipped", "refund-shipped") if params.shipped
                        else ("--not-shipped", "refund-unshipped"))
        raise ReplyError(f"{scenario} 用于{'已' if spec.shipped else '未'}发货的订单，"
                         f"却给了 {given}；请改用 {other}")
    if strict:
        implied = {k: v for k, v in spec.implies.items() if getattr(params, k) is None}
        if implied:
            params = params.merged(ReplyParams(**implied))
        for name in template.requires:
            if getattr(params, name) is None:
                raise MissingParameterError(scenario, name)
    if params.at is not None:
        now = to_china_time(params.at)
    else:
        now = dt.datetime.now(CHINA_TZ).replace(microsecond=0)
    facts, computed = spec.facts(params, now)
    reply = "".join(part.render(facts) for part in template.reply if part.applies(facts))
    note = "\n".join(part.render(facts) for part in template.note if part.applies(facts))
    used: dict[str, Any] = {}
    for name in spec.uses:
        value = spec.shipped if name == "shipped" else getattr(params, name)
        used[name] = to_china_time(value).isoformat() if isinstance(value, dt.datetime) else value
    used["at"] = now.isoformat()
    used["computed"] = computed
    return Reply(scenario, template.title, reply, note, used)


def unused_parameters(scenario: str, params: ReplyParams) -> tuple[str, ...]:
    """Parameters given that `scenario` does not read, so the CLI can say they were ignored."""
    spec = SCENARIOS.get(scenario)
    if spec is None:
        return ()
    return tuple(f.name for f in fields(params)
                 if f.name != "at" and getattr(params, f.name) not in (None, False)
                 and f.name not in spec.uses)
