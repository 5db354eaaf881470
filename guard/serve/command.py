"""`guard serve`: build everything warm, then open the port; SIGHUP reloads the lexicons.

    guard serve [--host 127.0.0.1] [--port 8765] [--lexicons DIR] [--api-key-env VAR]
                [--allow-origin ORIGIN] [--max-chars N] [--max-body-bytes N]
                [--max-batch N] [--no-access-log]

`register` only builds the argparse subparser (every `guard` run loads this
module); `run` imports FastAPI and uvicorn.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

DEFAULT_PORT = 8765


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve", help="启动本地 HTTP 接口（给浏览器插件和其他工具用）",
        description=("启动 guard 的 HTTP 接口（FastAPI + uvicorn，"
                     "需要 pip install 'guard[server]'）。"
                     "词库编译、分词器加载、各接口预热全部完成后才开始监听端口。"
                     "kill -HUP 或 POST /v1/reload 重新加载词库；词库有误时继续用原来的。"
                     "退出码：0 正常停止，2 用法错误、词库有误或端口无法监听。"))
    serve.add_argument("--host", default="127.0.0.1",
                       help="监听地址（默认 127.0.0.1，只接受本机访问）")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT,
                       help=f"端口（默认 {DEFAULT_PORT}；0 表示任选一个空闲端口）")
    serve.add_argument("--lexicons", action="append", default=[], metavar="DIR",
                       help="商家自己的词库目录，叠加在内置词库之上（可重复）；重新加载时重新读取")
    serve.add_argument("--api-key-env", metavar="VAR",
                       help="从这个环境变量读取 API key；设置后除 /healthz 外每个请求都要带 "
                            "X-API-Key 请求头")
    serve.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                       help="允许跨域调用的来源（可重复），如 https://crm.example.com；"
                            "guard 浏览器插件的来源总是允许")
    serve.add_argument("--max-chars", type=int, default=20_000, metavar="N",
                       help="一条消息的最大字数，超过返回 413（默认 20000）")
    serve.add_argument("--max-body-bytes", type=int, default=1 << 20, metavar="N",
                       help="请求体最大字节数，超过返回 413（默认 1048576）")
    serve.add_argument("--max-batch", type=int, default=100, metavar="N",
                       help="/v1/check/batch 一次最多检查的消息数，超过返回 422（默认 100）")
    serve.add_argument("--no-access-log", action="store_true",
                       help="不输出访问日志（默认每个请求一行：状态、耗时、结论，不含消息内容）")
    serve.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from guard.errors import UsageError

    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ModuleNotFoundError:
        raise UsageError(
            "guard serve 需要 FastAPI 和 uvicorn：pip install 'guard[server]'") from None
    from guard.serve.server import Server, settings_from

    config = settings_from(args)
    return Server(config, tuple(args.lexicons), args.host, args.port).run(sys.stderr)
