"""After-sales replies: scenarios, templates, routing, and the date arithmetic behind them.

    from guard.replies import render_reply, suggest, ReplyParams
    render_reply("refund-unshipped", ReplyParams(payment="debit")).reply
    suggest("还没发货就不想要了").scenario   # "refund-unshipped"

Names are imported on first use: `guard.replies.command` is loaded by every
`guard` invocation, and the CLI's cold start must not pay for jieba or pypinyin.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ReplyParams": "guard.replies.scenarios",
    "SCENARIOS": "guard.replies.scenarios",
    "ReplyError": "guard.replies.scenarios",
    "MissingParameterError": "guard.replies.scenarios",
    "UnknownScenarioError": "guard.replies.scenarios",
    "Reply": "guard.replies.render",
    "render_reply": "guard.replies.render",
    "Templates": "guard.replies.templates",
    "load_templates": "guard.replies.templates",
    "Router": "guard.replies.routing",
    "Suggestion": "guard.replies.routing",
    "load_routing": "guard.replies.routing",
    "suggest": "guard.replies.routing",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'guard.replies' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
