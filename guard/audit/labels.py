"""Chinese labels for what managers read: categories and rules, from the lexicons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Rules of the recognizers (numbers and links); the lexicon names the term groups.
RECOGNIZER_LABELS = {
    "phone": "手机号码",
    "landline": "固定电话",
    "bank_card": "银行卡号",
    "account": "站外账号",
    "email": "电子邮箱",
    "url": "站外网址",
    "code": "复制口令",
}
SEVERITY_LABELS = {"block": "拦截", "warn": "提醒", "pass": "通过"}
ROLE_LABELS = {"agent": "客服", "buyer": "买家", "system": "系统"}


def labels_for(lexicon_dirs: Sequence[str] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """(category labels, rule labels) of the lexicons the audit runs with.

    Loading the lexicons here also validates a merchant's folder before any
    worker starts (a broken file fails with file:line, exit 2).
    """
    from guard.lexicon import load_lexicon

    lexicon = load_lexicon(lexicon_dirs)
    return dict(lexicon.messages.category_labels), rule_labels(lexicon)


def rule_labels(lexicon: Any) -> dict[str, str]:
    """Every rule's Chinese label: the recognizers' and the lexicon's term groups'."""
    rules = dict(RECOGNIZER_LABELS)
    rules.update((group.id, group.label) for group in lexicon.groups)
    return rules
