"""`guard train --quiz`: multiple-choice questions made from the policy data and the lexicons.

Nothing here is a fixed question: arrival times and deadlines are asked from
the training facts and their policy periods (guard.replies.policy.PERIODS),
who pays freight from policy.return_freight_payer, and "which message breaks
the rules" from the lexicons' terms and allow-list, each candidate checked by
the Guard itself. Change the data and the quiz follows.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from guard.engine import Guard
from guard.replies.policy import PERIODS, PolicyPeriod, return_freight_payer
from guard.train.bank import Bank
from guard.train.facts import FactBook

__all__ = ["Question", "make_questions", "run_quiz"]

LETTERS = "ABCD"
_FREIGHT_CASES = (("商品有质量问题", True, False), ("商家发错了货", False, True),
                  ("不喜欢、尺码不合适（非质量问题）", False, False))
_FREIGHT_DISTRACTORS = ("由平台全额承担", "商家和顾客各付一半")
_VIOLATION_FRAMES = ("亲，{term}上聊吧，给您便宜点", "有问题直接找我{term}，回复更快哦",
                     "您加一下{term}，我发您优惠券")
_PAYMENT_FRAMES = ("亲，{phrase}的订单，退款会原路退回哦～",)


@dataclass(frozen=True)
class Question:
    kind: str
    prompt: str
    options: tuple[str, ...]
    answer: int
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "question": self.prompt, "options": list(self.options),
                "answer": LETTERS[self.answer], "explanation": self.explanation}


def _shifted(period: PolicyPeriod) -> list[str]:
    """Plausible wrong periods near the right one (3–5天 for 2–6天, 12小时 for 24小时)."""
    low, high = period.amounts
    unit = period.unit
    if low and low != high:
        return [f"{low + 1}–{high - 1}{unit}", f"{low + 1}–{high + 1}{unit}"]
    return [f"{max(1, high // 2)}{unit}" + ("内" if not low else ""),
            f"{high * 2}{unit}" + ("内" if not low else "")]


def _period_question(fact: Any, rng: random.Random) -> Question:
    right = fact.period.text
    pool = list(dict.fromkeys([*_shifted(fact.period), *(p.text for p in PERIODS.values())]))
    wrong = [t for t in pool if t != right]
    rng.shuffle(wrong)
    return _shuffled("period", f"按平台售后规则，「{fact.label}」——这个时间是多久？", right,
                     wrong[:3],
                     f"政策：{fact.shown}", rng)


def _freight_question(case: tuple[str, bool, bool], rng: random.Random) -> Question:
    from guard.replies.policy import BUYER_PAYS, MERCHANT_PAYS

    label, quality, wrong_item = case
    right = return_freight_payer(quality_problem=quality, wrong_item=wrong_item)
    other = BUYER_PAYS if right is MERCHANT_PAYS else MERCHANT_PAYS
    return _shuffled("freight", f"顾客因为「{label}」申请退货，退换货的运费由谁承担？",
                     right.phrase_zh, [other.phrase_zh, *_FREIGHT_DISTRACTORS],
                     "政策第3条：质量问题或商家发错货，由商家承担来回运费；"
                     "非质量问题，由顾客承担退换货运费。", rng)


def _violation_question(guard: Guard, bank: Bank, rng: random.Random) -> Question | None:
    """Four messages an agent might send; exactly one is blocked by guard, and why."""
    from guard.train.judge import Trainer

    lexicon = guard.lexicon
    terms = [t for g in lexicon.groups if g.category == "contact_im" for t in g.block
             if len(t) >= 2]
    rng.shuffle(terms)
    violation = None
    for term in terms[:40]:
        message = rng.choice(_VIOLATION_FRAMES).format(term=term)
        verdict = guard.check(message)
        if verdict.blocked:
            violation = (message, verdict)
            break
    if violation is None:
        return None
    clean: list[str] = []
    phrases = [p for p in lexicon.allow
               if p.startswith(("微信", "支付宝")) and p.endswith(("支付", "付款"))]
    rng.shuffle(phrases)
    for phrase in phrases[:20]:
        message = rng.choice(_PAYMENT_FRAMES).format(phrase=phrase)
        if guard.check(message).verdict == "pass":
            clean.append(message)
            break
    trainer = Trainer(guard)
    turns = list(bank.turns)
    rng.shuffle(turns)
    for turn in turns:
        first = trainer.model_reply(turn).split("～")[0].split("。")[0] + "。"
        if guard.check(first).verdict == "pass" and first not in clean:
            clean.append(first)
        if len(clean) == 3:
            break
    message, verdict = violation
    reasons = "；".join(f.reason for f in verdict.findings if f.severity == "block")
    labels = lexicon.messages.category_labels
    categories = "、".join(dict.fromkeys(labels.get(f.category, f.category)
                                         for f in verdict.findings))
    return _shuffled("violation", "下面哪条消息发出去会违规（被 guard 拦截）？", message, clean,
                     f"违规（{categories}）：{reasons}。其他几条只是说明支付方式或售后规则，"
                     "可以发送。", rng)


def _shuffled(kind: str, prompt: str, right: str, wrong: Sequence[str], explanation: str,
              rng: random.Random) -> Question:
    options = [right, *list(dict.fromkeys(w for w in wrong if w != right))[:3]]
    rng.shuffle(options)
    return Question(kind, prompt, tuple(options), options.index(right), explanation)


def make_questions(guard: Guard, facts: FactBook, bank: Bank, count: int,
                   seed: int | None) -> list[Question]:
    """`count` questions, the same for the same seed and data: periods, freight, violations."""
    rng = random.Random(seed)
    period_facts = [f for f in facts.facts if f.period is not None]
    rng.shuffle(period_facts)
    makers: list[Any] = [lambda f=f: _period_question(f, rng) for f in period_facts]
    makers += [lambda c=c: _freight_question(c, rng) for c in _FREIGHT_CASES]
    makers += [lambda: _violation_question(guard, bank, rng)] * 3
    rng.shuffle(makers)
    questions: list[Question] = []
    index = 0
    while len(questions) < count and index < 10 * count + len(makers):
        question = makers[index % len(makers)]()
        index += 1
        if question is not None and len(question.options) == 4:
            questions.append(question)
    return questions


def run_quiz(args: argparse.Namespace, answers: list[str] | None) -> int:
    import orjson
    from rich.console import Console
    from rich.text import Text

    from guard.engine import build_guard
    from guard.errors import EXIT_OK, UsageError
    from guard.train.bank import load_bank
    from guard.train.facts import default_facts

    count = args.rounds or (len(answers) if answers is not None else 8)
    if answers is not None and len(answers) != count:
        raise UsageError(f"--answers {args.answers}：{len(answers)} 个回答，却有 {count} 道题")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    guard = build_guard(args.lexicons)
    questions = make_questions(guard, default_facts(), load_bank(), count, seed)
    console = Console(file=sys.stderr if args.json else sys.stdout, highlight=False)
    given: list[str | None] = []
    interrupted = False
    if answers is None:
        console.print(f"[bold]guard 政策测验[/bold]：{len(questions)} 题，随机种子 {seed}。"
                      "输入 A/B/C/D 回车作答，Ctrl-C 结束。")
    try:
        for number, question in enumerate(questions, 1):
            if answers is None or not args.json:
                console.print(Text(f"\n第{number}题：{question.prompt}", style="bold"))
                for letter, option in zip(LETTERS, question.options, strict=False):
                    console.print(Text(f"  {letter}．{option}"), overflow="fold")
            choice = (answers[number - 1] if answers is not None else _ask(console)).strip()
            choice = choice[:1].upper()
            given.append(choice if choice in LETTERS else None)
            if answers is None or not args.json:
                right = LETTERS[question.answer]
                if choice == right:
                    console.print(Text("✓答对了。", style="green") + Text(question.explanation))
                else:
                    console.print(Text(f"✗ 正确答案是{right}。", style="red")
                                  + Text(question.explanation))
    except (KeyboardInterrupt, EOFError):
        interrupted = True
        console.print()
    done = questions[:len(given)]
    correct = sum(g == LETTERS[q.answer] for q, g in zip(done, given, strict=True))
    if args.json:
        rows = [{**q.to_dict(), "given": g} for q, g in zip(done, given, strict=True)]
        sys.stdout.write(orjson.dumps({"questions": rows, "total": {
            "questions": len(done), "correct": correct, "seed": seed,
            "interrupted": interrupted}}).decode() + "\n")
    console.print(Text(f"\n测验结果：答对 {correct}/{len(done)} 题。", style="bold"))
    return 130 if interrupted else EXIT_OK


def _ask(console: Any) -> str:
    while True:
        console.print("你的答案（A/B/C/D）：", end="")
        answer = input().strip()
        if answer[:1].upper() in LETTERS:
            return answer
        console.print("请输入 A、B、C 或 D。")
