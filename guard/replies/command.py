"""`guard reply`: the canned reply for a scenario, or the scenario a buyer's message is about.

    guard reply SCENARIO [--payment …] [--shipped | --not-shipped]
                         [--quality | --wrong-item | --no-reason] [--approved-at ISO]
                         [--received-at ISO] [--intervened-at ISO]
                         [--failed-at ISO] [--at ISO] [--json]
    guard reply --suggest TEXT
    guard reply --suggest --jsonl [FILE|-]

`register` only builds the argparse subparser (every `guard` run loads this
module, so nothing heavy is imported here); `run` does the work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import IO, Any

# Kept literal so registering the command does not import the policy module
# (tests check it equals guard.replies.policy.PAYMENT_METHODS).
PAYMENT_CHOICES = ("wechat", "alipay", "debit", "credit")

_TIME_HELP = "时间，按中国时间理解，如 2026-11-27T14:30 或 2026/11/27 14:30"


def register(subparsers: Any) -> None:
    """Add the `reply` subcommand (argparse only)."""
    reply = subparsers.add_parser(
        "reply", help="售后场景的标准回复，或用 --suggest 判断买家消息属于哪个场景",
        description=(
            "给出售后场景的标准回复（发给买家）和商家备注（不要发给买家）。"
            "场景：group-refund, refund-unshipped, refund-shipped, return, work-order, "
            "off-platform-request, return-freight。"
            "退出码：0 成功，2 用法错误（未知场景、缺少参数）或有输入行被拒。"),
    )
    reply.add_argument("target", nargs="?", metavar="SCENARIO|TEXT",
                       help="场景 id；与 --suggest 一起用时是买家的消息（省略时从标准输入读取）")
    reply.add_argument("--suggest", action="store_true",
                       help="判断买家消息属于哪个场景，输出 JSON：scenario、reply、confidence")
    reply.add_argument("--jsonl", nargs="?", const="-", metavar="FILE",
                       help='与 --suggest 一起用：逐行读取 JSON'
                            '（{"text": ...}，其他字段原样带出）；'
                            '"-" 或省略为标准输入')
    reply.add_argument("--payment", choices=PAYMENT_CHOICES,
                       help="支付方式：wechat 微信支付，alipay 支付宝，debit 储蓄卡，credit 信用卡")
    shipped = reply.add_mutually_exclusive_group()
    shipped.add_argument("--shipped", dest="shipped", action="store_const", const=True,
                         default=None, help="订单已发货")
    shipped.add_argument("--not-shipped", dest="shipped", action="store_const", const=False,
                         help="订单未发货")
    reply.add_argument("--quality", action="store_true", help="商品有质量问题（商家承担来回运费）")
    reply.add_argument("--wrong-item", action="store_true", help="商家发错货（商家承担来回运费）")
    reply.add_argument("--no-reason", action="store_true",
                       help="非质量问题、也没有发错货（七天无理由：顾客承担运费）；"
                            "三个都不给时，回复把两种情况都讲清楚")
    reply.add_argument("--approved-at", metavar="ISO",
                       help=f"退款审核通过时间（refund-unshipped），或同意退货并提供退货地址的时间"
                            f"（return-freight）；{_TIME_HELP}")
    reply.add_argument("--received-at", metavar="ISO",
                       help=f"签收时间（return：7天无理由退换货期限）；{_TIME_HELP}")
    reply.add_argument("--intervened-at", metavar="ISO",
                       help=f"平台介入时间（work-order：48小时举证时限）；{_TIME_HELP}")
    reply.add_argument("--failed-at", metavar="ISO",
                       help=f"拼单未成功的时间（group-refund：满24小时后系统自动退款）；{_TIME_HELP}")
    reply.add_argument("--at", metavar="ISO",
                       help=f"计算期限用的“现在”，默认当前中国时间；{_TIME_HELP}")
    reply.add_argument("--json", action="store_true",
                       help='输出 JSON：{"scenario", "reply", "merchant_note", "params"}')
    reply.add_argument("--quiet", action="store_true", help="--jsonl 模式下不在标准错误输出汇总")
    reply.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Do what `guard reply` was asked; user mistakes raise UsageError (exit 2)."""
    from guard.errors import EXIT_OK, UsageError

    if args.suggest:
        if args.jsonl is not None:
            if args.target is not None:
                raise UsageError("TEXT 和 --jsonl 只能给一个")
            return _suggest_jsonl(args, sys.stderr)
        _suggest_one(args, sys.stdout)
        return EXIT_OK
    if args.jsonl is not None:
        raise UsageError("--jsonl 读取的是买家消息，要和 --suggest 一起用")
    if args.target is None:
        from guard.replies.render import known_scenarios

        raise UsageError(f"请给出场景：guard reply SCENARIO；可选场景：{known_scenarios()}")
    _reply(args, sys.stdout, sys.stderr)
    return EXIT_OK


# --------------------------------------------------------------------- parameters


def parse_time(value: str, option: str) -> dt.datetime:
    """A time from the command line, read by guard's one time parser (guard.times), in China time.

    A bare date is refused: the policy's deadlines run to the minute.
    """
    from guard.errors import UsageError
    from guard.replies.policy import to_china_time
    from guard.times import is_date_only
    from guard.times import parse_time as parse

    text = value.strip()
    if is_date_only(text):
        raise UsageError(f"{option} {value}：还要给出几点几分，例如 {text} 14:30")
    parsed = parse(text)
    if parsed is None:
        raise UsageError(f"{option} {value!r}：不是时间（例如 2026-11-27T14:30、"
                         "2026/11/27 14:30 或 2026-11-27 14:30+08:00）")
    return to_china_time(parsed.moment)


def _params(args: argparse.Namespace, *, suggesting: bool):  # type: ignore[no-untyped-def]
    """ReplyParams from the options. Whether the return is the merchant's fault is "not said"
    (None, the reply states both freight cases) unless --quality, --wrong-item or --no-reason."""
    from guard.errors import UsageError
    from guard.replies.scenarios import ReplyParams

    if args.no_reason and (args.quality or args.wrong_item):
        raise UsageError("--no-reason 与 --quality / --wrong-item 互相矛盾，只能给其中一种")

    times = {name: parse_time(getattr(args, name), "--" + name.replace("_", "-"))
             for name in ("approved_at", "received_at", "intervened_at", "failed_at", "at")
             if getattr(args, name) is not None}
    said = args.quality or args.wrong_item or args.no_reason
    unset = False if said else None
    return ReplyParams(
        payment=args.payment,
        shipped=None if suggesting else args.shipped,
        quality=True if args.quality else unset,
        wrong_item=True if args.wrong_item else unset,
        **times,
    )


# -------------------------------------------------------------------------- reply


def _reply(args: argparse.Namespace, out: IO[str], err: IO[str]) -> None:
    import orjson

    from guard.replies.render import render_reply, unused_parameters
    from guard.replies.scenarios import flag

    params = _params(args, suggesting=False)
    reply = render_reply(args.target, params)
    ignored = unused_parameters(args.target, params)
    if ignored:
        err.write(f"guard: 提示：{args.target} 用不到 "
                  f"{'、'.join(flag(n) for n in ignored)}，已忽略\n")
    if args.json:
        out.write(orjson.dumps(reply.to_dict()).decode() + "\n")
        return
    from rich.console import Console
    from rich.panel import Panel
    from rich.text import Text

    console = Console(file=out, highlight=False)
    console.print(Panel(Text(reply.reply), title=f"回复买家 · {reply.title}",
                        title_align="left", border_style="green"))
    console.print(Panel(Text(reply.merchant_note), title="商家备注（只给客服看，不要发给买家）",
                        title_align="left", border_style="yellow"))


# ------------------------------------------------------------------------ suggest


def _suggest_params(args: argparse.Namespace, err: IO[str]):  # type: ignore[no-untyped-def]
    """The options as params for suggested replies, checked once before any message is read."""
    from guard.replies.render import render_reply
    from guard.replies.scenarios import SCENARIOS

    if args.shipped is not None:
        err.write("guard: 提示：--suggest 用不到 --shipped/--not-shipped，已忽略\n")
    params = _params(args, suggesting=True)
    for scenario in SCENARIOS:  # a bad --received-at fails here, not halfway through a file
        render_reply(scenario, params, strict=False)
    return params


def _suggest_one(args: argparse.Namespace, out: IO[str]) -> None:
    import orjson

    from guard.jsonl import message_argument
    from guard.replies.routing import default_router

    text = message_argument(args.target,
                            "请给出买家的消息：guard reply --suggest TEXT，或 --jsonl FILE")
    params = _suggest_params(args, sys.stderr)
    suggestion = default_router().suggest(text, params)
    out.write(orjson.dumps(suggestion.to_dict()).decode() + "\n")


def _suggest_jsonl(args: argparse.Namespace, err: IO[str]) -> int:
    from guard.errors import EXIT_OK, EXIT_USAGE
    from guard.jsonl import answer_jsonl
    from guard.replies.routing import default_router

    params = _suggest_params(args, err)
    router = default_router()

    def answer(text: str) -> tuple[str, dict[str, Any]]:
        suggestion = router.suggest(text, params)
        return ("suggested" if suggestion.scenario else "null"), suggestion.to_dict()

    label, counts = answer_jsonl(args.jsonl, answer, err)
    if not args.quiet:
        err.write(f"guard: {label}：记录 {counts['records']}：有场景 {counts['suggested']}，"
                  f"无场景 {counts['null']}，拒收 {counts['rejected']}\n")
    return EXIT_USAGE if counts["rejected"] else EXIT_OK
