"""The command line: thin, over the library. See SPEC.md for the contract.

Exit status of `guard check`: 0 nothing blocked, 1 a message blocked,
2 a usage error or a rejected input line (the other lines are still answered).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Iterator, Sequence
from typing import IO, Any

import orjson

from guard.cache import NOTICES
from guard.cliparse import ChineseArgumentParser
from guard.engine import build_guard
from guard.errors import (
    EXIT_BLOCKED,
    EXIT_OK,
    EXIT_USAGE,
    Interrupted,
    RunError,
    UsageError,
    silence_stdout,
    write_stdout,
)
from guard.lexicon import LexiconError
from guard.plugins import present

# Subcommands that live beside their feature: each module has
# register(subparsers) (argparse only, imports nothing heavy) and sets
# `func` to a run(args) -> int it imports lazily.
PLUGGED_COMMANDS = ("guard.replies.command", "guard.audit.command", "guard.serve.command",
                    "guard.train.command")


def _parser() -> ChineseArgumentParser:
    parser = ChineseArgumentParser(
        prog="guard",
        description="拼多多客服聊天合规守卫：发送前拦截引导站外的消息。",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = commands.add_parser(
        "check", help="检查一条消息，或用 --jsonl 逐行检查",
        description=("检查客服要发出的消息。"
                     "退出码：0 无拦截，1 有消息被拦截，2 用法错误或有输入行被拒。"),
    )
    check.add_argument("text", nargs="?", help="要检查的消息（省略时从标准输入读取整段）")
    check.add_argument("--jsonl", nargs="?", const="-", metavar="FILE",
                       help='逐行读取 JSON（{"text": ...}，其他字段原样带出）；'
                            '"-" 或省略为标准输入')
    check.add_argument("--json", action="store_true", help="单条消息以 JSON 输出")
    check.add_argument("--lexicons", action="append", default=[], metavar="DIR",
                       help="商家自己的词库目录，叠加在内置词库之上（可重复）")
    check.add_argument("--quiet", action="store_true", help="--jsonl 模式下不在标准错误输出汇总")
    check.set_defaults(func=_check)
    for module in present(PLUGGED_COMMANDS):
        module.register(commands)
    return parser


def _check(args: argparse.Namespace) -> int:
    if args.jsonl is not None:
        if args.text is not None:
            raise UsageError("TEXT 和 --jsonl 只能给一个")
        return _check_jsonl(args, sys.stderr)
    return _check_one(args, sys.stdout)


def _check_one(args: argparse.Namespace, out: IO[str]) -> int:
    from guard.jsonl import message_argument
    from guard.rewrite import with_suggestion

    text = message_argument(args.text, "请给出要检查的消息：guard check TEXT，或 --jsonl FILE")
    guard = build_guard(args.lexicons)
    verdict = with_suggestion(guard, guard.check(text))

    def show() -> None:
        if args.json:
            out.write(orjson.dumps(verdict.to_dict()).decode() + "\n")
        else:
            from rich.console import Console

            from guard.audit.labels import rule_labels
            from guard.render import render_verdict

            render_verdict(verdict, guard.lexicon.messages.category_labels,
                           Console(file=out, highlight=False), rule_labels(guard.lexicon))
        out.flush()

    write_stdout(show)  # a closed pipe ends quietly, with the verdict's status
    return EXIT_BLOCKED if verdict.blocked else EXIT_OK


def _check_jsonl(args: argparse.Namespace, err: IO[str]) -> int:
    from guard.jsonl import answer_jsonl
    from guard.rewrite import rewriter_for, with_suggestion

    guard = build_guard(args.lexicons)
    rewriter = rewriter_for(guard)

    def answer(text: str) -> tuple[str, dict[str, Any]]:
        verdict = with_suggestion(guard, guard.check(text), rewriter)
        return verdict.verdict, verdict.to_dict()

    label, counts = answer_jsonl(args.jsonl, answer, err)
    if not args.quiet:
        err.write(
            f"guard: {label}：记录 {counts['records']}：通过 {counts['pass']}，"
            f"提醒 {counts['warn']}，拦截 {counts['block']}，拒收 {counts['rejected']}\n"
        )
    if counts["rejected"]:
        return EXIT_USAGE
    return EXIT_BLOCKED if counts["block"] else EXIT_OK


class _OnceToStderr(logging.Handler):
    """Each notice (guard.cache.NOTICES) once per run, as one line on standard error."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        line = " ".join(record.getMessage().split("\n"))
        if line in self.seen:
            return
        self.seen.add(line)
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"guard: {line}\n")
            sys.stderr.flush()


@contextlib.contextmanager
def _notices() -> Iterator[None]:
    """While a command runs, its waits and cache warnings are said on stderr, never stdout."""
    handler = _OnceToStderr()
    level, propagate = NOTICES.level, NOTICES.propagate
    NOTICES.addHandler(handler)
    NOTICES.setLevel(logging.INFO)
    NOTICES.propagate = False
    try:
        yield
    finally:
        NOTICES.removeHandler(handler)
        NOTICES.setLevel(level)
        NOTICES.propagate = propagate


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    err = sys.stderr
    if getattr(args, "func", None) is None:
        parser.print_help(err)
        return EXIT_USAGE
    try:
        with _notices():
            return int(args.func(args))
    except UsageError as exc:
        err.write(f"guard: {exc}\n")
        return EXIT_USAGE
    except LexiconError as exc:
        from guard.datamsg import data_error_in_chinese

        err.write(f"guard: 词库错误：{data_error_in_chinese(str(exc))}\n")
        return EXIT_USAGE
    except RunError as exc:
        err.write(f"guard: {exc}\n")
        return EXIT_USAGE
    except Interrupted as exc:
        err.write(f"guard: 已中断（收到 {exc.name}）\n")
        return exc.status
    except KeyboardInterrupt:
        err.write("guard: 已中断（收到 SIGINT）\n")
        return 130
    except BrokenPipeError:  # standard output closed by its reader: nothing more to say
        silence_stdout()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
