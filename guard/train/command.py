"""`guard train`: the training demo, and `guard train --quiz`.

    guard train [--rounds N] [--scenario ID] [--seed S] [--report FILE] [--lexicons DIR]
    guard train --answers FILE [--json] ...      answers replayed, no terminal needed
    guard train --quiz [--rounds N] [--seed S] [--answers FILE] [--json]

`register` only builds the argparse subparser (every `guard` run loads this
module, so nothing heavy is imported here); `run` does the work.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_INTERRUPTED = 130
SCENARIO_IDS = ("group-refund", "refund-unshipped", "refund-shipped", "return", "work-order",
                "off-platform-request", "return-freight")
"""Kept literal so registering the command imports nothing (a test holds it equal to SCENARIOS)."""


def register(subparsers: Any) -> None:
    """Add the `train` subcommand (argparse only)."""
    train = subparsers.add_parser(
        "train", help="客服培训：买家提问，学员回复，按合规和政策事实打分；--quiz 做选择题",
        description=(
            "客服培训演练。每轮显示一条买家消息，学员输入回复（可以多行，空一行结束），"
            "guard 判断回复是否合规（被拦截的回复 0 分），"
            "是否讲到了政策要求的事实（讲错的单独标出），"
            "并给出参考回复；最后给出总结。Ctrl-C 随时结束并显示到目前为止的总结。"
            "退出码：0 完成，2 用法错误，130 中途结束。"),
    )
    train.add_argument("--rounds", type=int, metavar="N",
                       help="轮数（默认 5；用 --answers 时默认等于回答条数；"
                            "--quiz 时是题数，默认 8）")
    train.add_argument("--scenario", choices=SCENARIO_IDS, metavar="ID",
                       help="只练一个场景：" + "、".join(SCENARIO_IDS))
    train.add_argument("--seed", type=int, metavar="S",
                       help="随机种子：同一个种子出同样的题（默认随机，开始时会显示）")
    train.add_argument("--answers", metavar="FILE",
                       help="从文件读回答，不用终端"
                            "（回答之间空一行，一条回答可以多行；'-' 为标准输入）")
    train.add_argument("--json", action="store_true",
                       help='输出 JSON：{"rounds": [...], "total": {...}}')
    train.add_argument("--report", metavar="FILE", help="把培训结果保存为 JSON 文件")
    train.add_argument("--quiz", action="store_true",
                       help="选择题测验：到账时间、运费谁出、时限、哪条消息违规（题目由政策数据和词库生成）")
    train.add_argument("--lexicons", action="append", default=[], metavar="DIR",
                       help="商家自己的词库目录，叠加在内置词库之上（可重复）")
    train.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from guard.errors import UsageError

    if args.rounds is not None and not 1 <= args.rounds <= 1000:
        raise UsageError("--rounds 必须在 1 到 1000 之间")
    answers = _answers(args.answers) if args.answers is not None else None
    if args.json and answers is None:
        raise UsageError("--json 需要 --answers FILE（交互式培训输出到终端；"
                         "要保存结果请用 --report FILE）")
    if args.quiz:
        from guard.train.quiz import run_quiz

        return run_quiz(args, answers)
    return _train(args, answers)


def _answers(name: str) -> list[str]:
    from guard.errors import UsageError
    from guard.train.answers import split_answers

    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        from guard.cache import os_reason

        raise UsageError(f"--answers {name}：{os_reason(exc)}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UsageError(f"--answers {name}:{line}: 不是有效的 UTF-8") from None
    answers = split_answers(text)
    if not answers:
        raise UsageError(f"--answers {name}：没有回答（回答之间用空行分隔）")
    return answers


def _train(args: argparse.Namespace, answers: list[str] | None) -> int:
    import random

    from rich.console import Console

    from guard.audit.labels import rule_labels
    from guard.engine import build_guard
    from guard.errors import EXIT_OK, UsageError
    from guard.replies.templates import default_templates
    from guard.train.bank import load_bank, pick_turns
    from guard.train.judge import Trainer
    from guard.train.session import summarize, write_report
    from guard.train.terminal import play, render_result, render_summary, render_turn

    rounds = args.rounds or (len(answers) if answers is not None else 5)
    if answers is not None and len(answers) != rounds:
        raise UsageError(f"--answers {args.answers}：{len(answers)} 个回答，却有 {rounds} 轮"
                         "（每轮一个回答，用空行分隔）")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    report = Path(args.report) if args.report else None
    if report is not None and not report.parent.is_dir():
        raise UsageError(f"--report {args.report}：没有这个目录")
    guard = build_guard(args.lexicons)
    trainer = Trainer(guard)
    turns = pick_turns(load_bank(), rounds, args.scenario, seed)
    titles = {s: t.title for s, t in default_templates().scenarios.items()}
    labels = guard.lexicon.messages.category_labels
    out = sys.stderr if args.json else sys.stdout
    console = Console(file=out, highlight=False)
    if answers is not None:
        results = [trainer.judge(turn, answer) for turn, answer in zip(turns, answers,
                                                                        strict=True)]
        summary = summarize(results)
        if args.json:
            import orjson

            sys.stdout.write(orjson.dumps(summary.to_dict()).decode() + "\n")
        else:
            for number, result in enumerate(results, 1):
                render_turn(console, number, rounds, result.turn, titles[result.turn.scenario])
                render_result(console, result, labels, rule_labels(guard.lexicon))
            render_summary(console, summary, titles)
    else:
        console.print(f"[bold]guard 客服培训[/bold]：{rounds} 轮，随机种子 {seed}"
                      f"（guard train --seed {seed} 可以重练同一组题）")
        summary = play(trainer, turns, _reader(console), console, titles, labels)
    if report is not None:
        write_report(summary, report)
        console.print(f"培训结果已保存：{report}")
    return EXIT_INTERRUPTED if summary.interrupted else EXIT_OK


def _reader(console: Any):  # type: ignore[no-untyped-def]
    """Answers typed in a terminal, or read from a pipe (one per blank-line-separated block)."""
    if sys.stdin.isatty():
        from guard.train.answers import TerminalAnswers

        return TerminalAnswers(out=console.file).read
    from guard.train.answers import stream_answers

    stream = stream_answers(sys.stdin)

    def read() -> str:
        try:
            return next(stream)
        except StopIteration:
            raise EOFError from None

    return read
