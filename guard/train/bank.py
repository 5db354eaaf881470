"""The buyer bank: what buyers say in training rounds, with the order facts that decide an answer.

lexicons/train/buyers.toml is data written by trainers; a mistake fails
loading with `file:line: what is wrong`, like every other data file.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from guard.lexicon import builtin_dir
from guard.replies.policy import PAYMENT_METHOD_LABELS, PAYMENT_METHODS
from guard.replies.scenarios import SCENARIOS, ReplyParams
from guard.tomlfile import TomlFile

__all__ = ["SITUATION_KEYS", "Bank", "Turn", "bank_path", "load_bank", "pick_turns",
           "situation_labels"]

SITUATION_KEYS = {"payment": str, "quality": bool, "wrong_item": bool,
                  "platform_intervened": bool}
"""What a turn may say about the order (ReplyParams fields an agent sees in the backend)."""

_TURN_KEYS = {"scenario", "situation", "style", "text"}


@dataclass(frozen=True)
class Turn:
    """One buyer message and the case behind it."""

    index: int
    scenario: str
    text: str
    situation: Mapping[str, str | bool]
    styles: tuple[str, ...]
    source: str
    """`file:line` of the turn."""

    def params(self) -> ReplyParams:
        """The case as reply parameters: the model reply and the required facts follow from it."""
        return ReplyParams(**self.situation)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Bank:
    turns: tuple[Turn, ...]
    styles: tuple[str, ...]
    path: Path

    def of(self, scenario: str) -> tuple[Turn, ...]:
        return tuple(t for t in self.turns if t.scenario == scenario)


def bank_path() -> Path:
    return builtin_dir() / "train" / "buyers.toml"


def load_bank(path: Path | None = None) -> Bank:
    """Load and validate the buyer bank."""
    src = TomlFile(path or bank_path())
    data = src.data
    unknown = sorted(set(data) - {"styles", "turn"})
    if unknown:
        raise src.error(src.line_of(f"[{unknown[0]}]", default=src.line_of(unknown[0])),
                        f"unknown key '{unknown[0]}' (known: styles, turn)")
    styles = data.get("styles", [])
    if not isinstance(styles, list) or not all(isinstance(s, str) and s for s in styles):
        raise src.error(_key_line(src, "styles"), "'styles' must be a list of non-empty strings")
    raw = data.get("turn")
    if not isinstance(raw, list) or not raw:
        raise src.error(1, "no [[turn]] in the buyer bank")
    turns = tuple(_turn(src, index, table, tuple(styles)) for index, table in enumerate(raw))
    for scenario in SCENARIOS:
        if not any(t.scenario == scenario for t in turns):
            raise src.error(1, f"no [[turn]] for scenario '{scenario}'")
    return Bank(turns, tuple(styles), src.path)


def _key_line(src: TomlFile, key: str) -> int:
    for number, line in enumerate(src.lines, 1):
        if line.lstrip().startswith(key) and "=" in line:
            return number
    return 1


def _turn(src: TomlFile, index: int, table: Any, styles: tuple[str, ...]) -> Turn:
    line = src.line_of("[[turn]]", index)

    def at(key: str) -> int:
        return src.line_of("[[turn]]", index, key, default=line)

    if not isinstance(table, dict):
        raise src.error(line, "each [[turn]] must be a table")
    extra = sorted(set(table) - _TURN_KEYS)
    if extra:
        raise src.error(at(extra[0]), f"unknown key '{extra[0]}' "
                        f"(known: {', '.join(sorted(_TURN_KEYS))})")
    scenario = table.get("scenario")
    if scenario not in SCENARIOS:
        raise src.error(at("scenario"), f"unknown scenario {scenario!r} "
                        f"(known: {', '.join(SCENARIOS)})")
    text = table.get("text")
    if not isinstance(text, str) or not text.strip():
        raise src.error(at("text"), "'text' must be a non-empty string")
    situation = table.get("situation", {})
    if not isinstance(situation, dict):
        raise src.error(at("situation"), "'situation' must be a table, "
                        'e.g. situation = { payment = "debit" }')
    for key, value in situation.items():
        kind = SITUATION_KEYS.get(key)
        if kind is None:
            raise src.error(at("situation"), f"unknown situation '{key}' "
                            f"(known: {', '.join(SITUATION_KEYS)})")
        if type(value) is not kind:
            raise src.error(at("situation"), f"situation '{key}' must be "
                            f"{'true or false' if kind is bool else 'a string'}")
        if key == "payment" and value not in PAYMENT_METHODS:
            raise src.error(at("situation"), f"payment cannot be {value!r} "
                            f"(one of: {', '.join(PAYMENT_METHODS)})")
    style = table.get("style", [])
    if not isinstance(style, list) or not all(s in styles for s in style):
        raise src.error(at("style"), f"'style' must list styles from [styles] "
                        f"({', '.join(styles)})")
    return Turn(index, scenario, text.strip(), MappingProxyType(dict(situation)), tuple(style),
                f"{src.path}:{line}")


def pick_turns(bank: Bank, rounds: int, scenario: str | None = None,
               seed: int | None = None) -> list[Turn]:
    """`rounds` turns, the same for the same seed: one scenario's, or all seven taken in turn.

    Without a scenario, each scenario comes up before any comes up twice, so a
    seven-round session sees them all; a bank shorter than `rounds` repeats.
    """
    rng = random.Random(seed)
    if scenario is not None:
        pools = [list(bank.of(scenario))]
    else:
        order = list(SCENARIOS)
        rng.shuffle(order)
        pools = [list(bank.of(s)) for s in order]
    for pool in pools:
        rng.shuffle(pool)
    picked: list[Turn] = []
    position = 0
    while len(picked) < rounds:
        for pool in pools:
            picked.append(pool[position % len(pool)])
            if len(picked) == rounds:
                break
        position += 1
    return picked


def situation_labels(situation: Mapping[str, Any]) -> list[str]:
    """What the agent sees in the backend, in Chinese: 支付方式：储蓄卡, 商品有质量问题…"""
    labels = []
    if "payment" in situation:
        labels.append(f"支付方式：{PAYMENT_METHOD_LABELS[situation['payment']]}")
    quality, wrong = situation.get("quality"), situation.get("wrong_item")
    if quality:
        labels.append("商品有质量问题")
    if wrong:
        labels.append("商家发错了货")
    if quality is False and wrong is False:
        labels.append("非质量问题、没有发错货")
    if situation.get("platform_intervened"):
        labels.append("平台已经介入")
    return labels

