"""Which after-sales scenario a buyer's message is about: weighted cue words, as data.

Buyers write colloquially, with typos, no punctuation, traditional characters
and English mixed in, so a message is read the way `guard check` reads one
(the light view: NFKC, case-folded, simplified, spaces removed), then:

* each scenario's cue phrases (lexicons/replies/routing.toml) are found in it,
  and also found *by sound* (pinyin, tones ignored, every reading of a
  character allowed), so a homophone typo (退宽, 运废) still counts, discounted;
* where cues overlap, only the longest counts (还没到账 is not also 还没到);
* a cue right after a negation (不是质量问题, 没有坏) does not count — the
  tokenizer (jieba, taught every cue) says what "right after" is;
* `words` cues count only as whole tokens (the single character 退 in 能退吗,
  not inside 退货);
* guard's own verdict on the message is a cue too (a buyer asking for a
  WeChat contact is what guard blocks in an agent's message).

Each scenario's score is the sum of its cues' weights; the best one wins if it
reaches its threshold, else nothing fits (null). Confidence grows with the
score and shrinks when a runner-up is close. The same machinery reads the
case from the message (payment method, quality problem, wrong item) so the
suggested reply is the right variant, or the general one when unsaid.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from guard.replies.routing_rules import Cue, RoutingRules, load_routing, routing_path
from guard.replies.scenarios import SCENARIOS, ReplyParams

if TYPE_CHECKING:
    from guard.engine import Guard
    from guard.replies.templates import Templates

__all__ = ["Analysis", "Router", "RoutingRules", "Suggestion", "default_router",
           "load_routing", "routing_path", "suggest"]

MAX_CHARS = 2000
"""Only the start of a message is read: a buyer's question is short, a pasted log is no question."""


# ------------------------------------------------------------------------ matching


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


@lru_cache(maxsize=65536)
def _default_reading(char: str) -> str:
    """The usual toneless pinyin of a Han character (方 → fang, never its rare wang)."""
    from pypinyin import Style, pinyin

    return pinyin(char, style=Style.NORMAL, errors="ignore")[0][0]


def _readings(text: str) -> tuple[frozenset[str], ...]:
    """Per character: its usual reading and its reading in context (还钱 → huan).

    Both, because a word out of context and the same word in a sentence can be
    read differently (没收到 alone is read mo…, in 还没收到 mei…); rare readings
    are left out, or 官方 would sound like 官网. Non-Han characters have none.
    """
    from pypinyin import Style, lazy_pinyin

    readings: list[frozenset[str]] = []
    index = 0
    while index < len(text):
        if not _is_han(text[index]):
            readings.append(frozenset())
            index += 1
            continue
        end = index
        while end < len(text) and _is_han(text[end]):
            end += 1
        run = text[index:end]
        context = lazy_pinyin(run, style=Style.NORMAL, errors="ignore")
        if len(context) != len(run):
            context = [""] * len(run)
        readings.extend(frozenset(r for r in (_default_reading(char), heard) if r)
                        for char, heard in zip(run, context, strict=True))
        index = end
    return tuple(readings)


@dataclass(frozen=True, slots=True)
class Match:
    """A cue found in the normalized message; `by_sound` when only its pinyin matched."""

    start: int
    end: int
    text: str
    by_sound: bool
    negated: bool


class _CueIndex:
    """Cues of one family, indexed for exact and by-sound search. Immutable once built."""

    def __init__(self, cues: Iterable[Cue], normalize: Any) -> None:
        import ahocorasick

        by_text: dict[str, list[Cue]] = {}
        for cue in cues:
            by_text.setdefault(normalize(cue.text), []).append(cue)
        self.by_text: Mapping[str, tuple[Cue, ...]] = MappingProxyType(
            {text: tuple(found) for text, found in by_text.items() if text})
        self.automaton = None
        if self.by_text:  # an empty automaton cannot be searched
            self.automaton = ahocorasick.Automaton()
            for text in self.by_text:
                self.automaton.add_word(text, text)
            self.automaton.make_automaton()
        sounds: dict[str, list[tuple[str, tuple[frozenset[str], ...]]]] = {}
        for text, found in self.by_text.items():
            if len(text) < 2 or all(c.whole_token for c in found):
                continue
            readings = _readings(text)
            if all(readings):
                for first in readings[0]:
                    sounds.setdefault(first, []).append((text, readings))
        self.sounds = MappingProxyType({k: tuple(v) for k, v in sounds.items()})

    def find(self, text: str, readings: tuple[frozenset[str], ...]) -> list[tuple[int, int, str,
                                                                                    bool]]:
        """(start, end, cue, by_sound) of every cue in `text`, longest-covering ones only."""
        found: dict[tuple[int, int, str], bool] = {}
        for end, cue in self.automaton.iter(text) if self.automaton is not None else ():
            start = end + 1 - len(cue)
            if _latin_boundary_ok(text, start, end + 1, cue):
                found[(start, end + 1, cue)] = False
        for start, options in enumerate(readings):
            for reading in options:
                for cue, sound in self.sounds.get(reading, ()):
                    end = start + len(sound)
                    if (end <= len(text) and (start, end, cue) not in found
                            and all(readings[start + k] & sound[k] for k in range(1, len(sound)))):
                        found[(start, end, cue)] = True
        spans = {(s, e) for s, e, _ in found}
        return [(s, e, cue, by_sound) for (s, e, cue), by_sound in found.items()
                if not any(s2 <= s and e <= e2 and (s2, e2) != (s, e) for s2, e2 in spans)]


def _latin_boundary_ok(text: str, start: int, end: int, cue: str) -> bool:
    """A short Latin cue (wx, qq) must not be part of a longer Latin word."""
    if len(cue) > 3 or not cue.isascii() or not cue.isalpha():
        return True
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return not (before.isascii() and before.isalpha()) and not (after.isascii() and after.isalpha())


# ------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Analysis:
    """How a message was read: the normalized text, the cues found, each scenario's score."""

    text: str
    matches: tuple[Match, ...]
    scores: Mapping[str, float]
    inferred: ReplyParams


@dataclass(frozen=True)
class Suggestion:
    """The scenario a buyer's message is about (None: nothing fits) and its reply.

    `confidence` is how sure the suggestion is, 0..1, that the scenario is the
    right one; 0.0 with no scenario (nothing to be sure of: a greeting is no
    confident after-sales answer).
    """

    scenario: str | None
    confidence: float
    reply: str | None
    scores: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """SPEC's JSON form of `guard reply --suggest`."""
        return {"scenario": self.scenario, "reply": self.reply,
                "confidence": round(self.confidence, 3)}


# -------------------------------------------------------------------------- router


class Router:
    """Routes buyer messages to scenarios. Built once; immutable and thread-safe afterwards.

    The tokenizer is built on first use (under a lock, by LazyTokenizer); the
    Guard supplies the normalization tables and its verdict on the message.
    """

    def __init__(self, rules: RoutingRules | None = None, guard: Guard | None = None,
                 templates: Templates | None = None) -> None:
        from guard.confirm import LazyTokenizer
        from guard.engine import Guard
        from guard.normalize import OffsetMap, light_view

        self.rules = rules or load_routing()
        self._guard = guard or Guard()
        self._templates = templates
        tables = self._guard.compiled.tables
        self._identity = OffsetMap
        self._aliases = tuple(sorted(((light_view(k, tables)[0], light_view(v, tables)[0])
                                      for k, v in self.rules.aliases), key=lambda kv: -len(kv[0])))

        def normalize(text: str) -> str:
            return self._apply_aliases(light_view(text, tables)[0])

        self._normalize = normalize
        self._cues = _CueIndex(self.rules.cues, normalize)
        self._infer = _CueIndex(self.rules.infer, normalize)
        self._cue_words = frozenset((*self._cues.by_text, *self._infer.by_text))
        self._negators = frozenset(normalize(n) for n in self.rules.negators)
        self._bridges = frozenset(normalize(b) for b in self.rules.negation_bridges)
        # Every cue is taught to the tokenizer, so a cue is one token and what
        # stands right before it (a negation) is the token before.
        words = (*self._cue_words, *self._negators, *self._bridges)
        self._tokenizer = LazyTokenizer(tuple(sorted(
            w for w in words if len(w) > 1 and any(_is_han(c) for c in w))))

    def _apply_aliases(self, text: str) -> str:
        for old, new in self._aliases:
            text = text.replace(old, new)
        return text

    # ------------------------------------------------------------------ reading

    def analyse(self, text: str) -> Analysis:
        """Read a buyer's message: cues, scenario scores, and the case it describes."""
        if not isinstance(text, str):
            raise TypeError(f"expected a str, not {type(text).__name__}")
        text = text[:MAX_CHARS]
        light = self._normalize(text)
        readings = _readings(light)
        tokens = self._tokens(light)
        settings = self.rules.settings
        matches: list[Match] = []
        scores = dict.fromkeys(SCENARIOS, 0.0)
        counted: set[tuple[str, str]] = set()
        for start, end, cue_text, by_sound in _aligned(self._cues.find(light, readings), tokens):
            negated = self._negated(light, tokens, start, end)
            matches.append(Match(start, end, cue_text, by_sound, negated))
            if negated:
                continue
            for cue in self._cues.by_text[cue_text]:
                if (cue.target, cue_text) in counted:
                    continue
                if cue.whole_token and ((start, end) not in tokens or by_sound):
                    continue
                counted.add((cue.target, cue_text))
                factor = settings["homophone_factor"] if by_sound else 1.0
                scores[cue.target] += cue.weight * factor
        self._add_guard_signal(text, scores)
        return Analysis(light, tuple(matches), MappingProxyType(scores),
                        self._infer_params(light, readings, tokens))

    def _tokens(self, light: str) -> _Tokens:
        if not light:
            return _Tokens((), frozenset(), ())
        spans = tuple(self._tokenizer.tokens(light, self._identity(tuple(range(len(light))), ())))
        return _Tokens(spans, frozenset(spans), tuple(s for s, _ in spans))

    def _negated(self, light: str, tokens: _Tokens, start: int, end: int) -> bool:
        """Whether the cue light[start:end] follows a negation (不是质量问题, 没有坏)."""
        if not tokens.spans:
            return False
        index = bisect_right(tokens.starts, start) - 1
        if index < 0:
            return False
        token_start, token_end = tokens.spans[index]
        if token_start < start:
            # The cue begins inside a token: the token 没坏 negates the cue 坏; but
            # not a cue that runs past the token (要/不让/… is not 不 + 让拼多多),
            # nor one inside a cue word (发货前 in 没发货前).
            if token_end < end or light[token_start:token_end] in self._cue_words:
                return False
            return light[token_start:start] in self._negators
        previous = [light[s:e] for s, e in tokens.spans[max(0, index - 2):index]]
        if previous and previous[-1] in self._negators:
            return True
        return len(previous) == 2 and previous[1] in self._bridges and previous[0] in self._negators

    def _add_guard_signal(self, text: str, scores: dict[str, float]) -> None:
        if not self.rules.guard_weights:
            return
        verdict = self._guard.check(text)
        if not verdict.findings:
            return
        factor = self.rules.settings["guard_warn_factor"]
        strength: dict[str, float] = {}
        for finding in verdict.findings:
            value = 1.0 if finding.severity == "block" else factor
            strength[finding.category] = max(strength.get(finding.category, 0.0), value)
        for scenario, weights in self.rules.guard_weights.items():
            scores[scenario] += sum(w * strength[c] for c, w in weights.items() if c in strength)

    def _infer_params(self, light: str, readings: tuple[frozenset[str], ...],
                      tokens: _Tokens) -> ReplyParams:
        said: dict[str, set[str]] = {}
        for start, end, cue_text, _ in _aligned(self._infer.find(light, readings), tokens):
            negated = self._negated(light, tokens, start, end)
            for cue in self._infer.by_text[cue_text]:
                fact, value = cue.target.split("=")
                if negated:
                    if value != "yes":
                        continue
                    value = "no"
                said.setdefault(fact, set()).add(value)
        payments = said.get("payment", set())

        def flag(fact: str) -> bool | None:
            values = said.get(fact, set())
            return True if "yes" in values else (False if values else None)

        return ReplyParams(payment=next(iter(payments)) if len(payments) == 1 else None,
                           quality=flag("quality"), wrong_item=flag("wrong_item"),
                           platform_intervened=flag("platform_intervened"))

    # --------------------------------------------------------------- deciding

    def suggest(self, text: str, params: ReplyParams | None = None) -> Suggestion:
        """The scenario for a buyer's message, its confidence and its reply (or None).

        `params` (what the agent knows: the "now", the order's payment…) win
        over what was read from the message.
        """
        from guard.replies.render import render_reply

        analysis = self.analyse(text)
        settings = self.rules.settings
        ranked = sorted(analysis.scores.items(), key=lambda kv: -kv[1])
        scores = tuple((s, round(v, 3)) for s, v in ranked)
        eligible = [(s, v) for s, v in ranked
                    if v > 0 and v >= self.rules.thresholds.get(s, settings["threshold"])]
        if not eligible:
            return Suggestion(None, 0.0, None, scores)
        scenario, best = eligible[0]
        second = max((v for s, v in ranked if s != scenario), default=0.0)
        confidence = ((1 - math.exp(-best / settings["saturation"]))
                      * (1 - settings["runner_up_factor"] * max(second, 0.0) / best))
        merged = analysis.inferred if params is None else analysis.inferred.merged(params)
        reply = render_reply(scenario, merged, strict=False, templates=self._templates)
        return Suggestion(scenario, confidence, reply.reply, scores)


def _aligned(found: list[tuple[int, int, str, bool]],
             tokens: _Tokens) -> list[tuple[int, int, str, bool]]:
    """Of two cues that overlap, drop one that starts inside a word if the other starts a word.

    In 我/不签收/了 the cue 不签收 starts a token and 签收了 starts inside one, so
    the buyer refuses delivery, not "has signed for it".
    """
    starts = set(tokens.starts)
    return [
        (s, e, cue, by_sound) for s, e, cue, by_sound in found
        if s in starts or not any(s2 < s < e2 < e and s2 in starts for s2, e2, _, _ in found)
    ]


@dataclass(frozen=True, slots=True)
class _Tokens:
    spans: tuple[tuple[int, int], ...]
    set: frozenset[tuple[int, int]]
    starts: tuple[int, ...]

    def __contains__(self, span: object) -> bool:
        return span in self.set


@cache
def default_router() -> Router:
    """The built-in router, built once per process (it is immutable and thread-safe)."""
    return Router()


def suggest(text: str, params: ReplyParams | None = None) -> Suggestion:
    """`default_router().suggest(text, params)`: the scenario and reply for a buyer's message."""
    return default_router().suggest(text, params)
