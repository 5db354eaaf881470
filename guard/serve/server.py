"""Running the app: build warm, call every endpoint once in-process, bind, serve, reload on SIGHUP.

The first request must be as fast as the hundredth, so before the port
opens the engine is built (lexicons compiled, tokenizers loaded, each path
of the pipeline run) and every endpoint is called once through the whole
ASGI stack (validation, serialization and the OpenAPI schema are built
lazily by FastAPI). Then the socket is bound — a port in use is one line and
exit status 2 — and uvicorn serves it. SIGHUP builds a new engine in a
worker thread and swaps it in; SIGINT / SIGTERM stop gracefully.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable
from typing import IO, Any

import orjson

from guard.cache import os_reason
from guard.errors import UsageError
from guard.serve.limits import EXTENSION_ORIGIN, Limits, ServeConfig
from guard.serve.middleware import ACCESS_LOGGER, WARMUP

__all__ = ["Server", "settings_from", "warm_up"]

# An agent sends a message every few seconds: keep the extension's connection open between.
KEEP_ALIVE_SECONDS = 30
LOG_FORMAT = "guard serve: %(asctime)s %(message)s"
_WARM_CALLS: tuple[tuple[str, str, str, dict[str, Any] | None], ...] = (
    ("GET", "/healthz", "", None),
    ("POST", "/v1/check", "", {"text": "亲，您的订单已经发货了，请注意查收哦"}),
    ("POST", "/v1/check", "", {"text": "加我微信详聊", "context": ["好的亲"]}),
    ("POST", "/v1/check", "", {"text": "号是mm520", "context": ["用那个绿色软件"]}),
    ("POST", "/v1/check/batch", "", {"messages": ["好的", {"text": "去淘宝拍", "context": []}]}),
    ("POST", "/v1/suggest", "", {"text": "还没发货 我不想要了 怎么退款"}),
    ("GET", "/v1/replies/return-freight", "quality=true", None),
    ("GET", "/v1/info", "", None),
    ("GET", "/openapi.json", "", None),
)


def settings_from(args: argparse.Namespace) -> ServeConfig:
    """The server's settings from `guard serve`'s options (a user's mistake: UsageError)."""
    key = None
    if args.api_key_env:
        key = os.environ.get(args.api_key_env, "")
        if not key.strip():
            raise UsageError(f"--api-key-env {args.api_key_env}：环境变量未设置或为空")
    for option, value in (("--max-chars", args.max_chars),
                          ("--max-body-bytes", args.max_body_bytes),
                          ("--max-batch", args.max_batch)):
        if value < 1:
            raise UsageError(f"{option} 必须是正整数（收到 {value}）")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port 必须在 0 到 65535 之间（收到 {args.port}）")
    limits = Limits(max_chars=args.max_chars, max_body_bytes=args.max_body_bytes,
                    max_batch=args.max_batch)
    origins = tuple(dict.fromkeys((EXTENSION_ORIGIN, *args.allow_origin)))
    return ServeConfig(limits, key, origins, not args.no_access_log)


async def warm_up(app: Callable[..., Awaitable[None]], api_key: str | None = None) -> None:
    """Call every endpoint once through the ASGI stack (not logged); each must answer 200."""
    for method, path, query, body in _WARM_CALLS:
        status = await _call(app, method, path, query, body, api_key)
        if status != 200:
            raise RuntimeError(f"warm-up {method} {path} answered {status}")


async def _call(app: Callable[..., Awaitable[None]], method: str, path: str, query: str,
                body: dict[str, Any] | None, api_key: str | None) -> int:
    data = orjson.dumps(body) if body is not None else b""
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
               (b"content-length", str(len(data)).encode())]
    if api_key:
        headers.append((b"x-api-key", api_key.encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 0), "server": ("127.0.0.1", 0), WARMUP: True}
    pending = [{"type": "http.request", "body": data, "more_body": False}]
    status = 0

    async def receive() -> dict[str, Any]:
        return pending.pop() if pending else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise UsageError(f"--host {host}：{os_reason(exc)}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise UsageError(f"无法监听 {host}:{port}：{os_reason(exc)}") from None
    return sock


def _freeze() -> None:
    """Move what exists now (the engine: lexicon tables, tokenizer dictionary) out of the
    cyclic garbage collector's sight: a full collection walking them would stall every
    request for tens of milliseconds. They are freed by reference counting as usual."""
    gc.collect()
    gc.freeze()


def _logging(stream: IO[str]) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT, "%Y-%m-%d %H:%M:%S"))
    for name in ("guard.serve", ACCESS_LOGGER):
        log = logging.getLogger(name)
        log.handlers[:] = [handler]
        log.setLevel(logging.INFO)
        log.propagate = False
    logging.raiseExceptions = False  # a closed stderr must not add tracebacks


class Server:
    """One `guard serve` process."""

    def __init__(self, config: ServeConfig, lexicon_dirs: tuple[str, ...], host: str,
                 port: int) -> None:
        self.config = config
        self.lexicon_dirs = lexicon_dirs
        self.host = host
        self.port = port
        self.log = logging.getLogger("guard.serve")

    def run(self, err: IO[str]) -> int:
        from guard.engine import build_guard
        from guard.serve.app import create_app
        from guard.serve.state import Engines, build_engine

        _logging(err)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # until the server can reload
        dirs = self.lexicon_dirs
        engines = Engines(build_engine(dirs, guard=build_guard(dirs)))
        app = create_app(engines, self.config)
        if self.host not in ("127.0.0.1", "::1", "localhost") and not self.config.api_key:
            self.log.warning("警告：监听 %s 且没有设置 API key，同一网络中的任何人都能调用",
                             self.host)
        asyncio.run(self._serve(app, engines))
        self.log.info("已停止")
        return 0

    async def _serve(self, app: Any, engines: Any) -> None:
        import uvicorn

        from guard.serve.routes import report_reload

        await warm_up(app, self.config.api_key)
        _freeze()
        sock = _bind(self.host, self.port)
        loop = asyncio.get_running_loop()

        def reload_now() -> None:
            report_reload(engines.reload(), "SIGHUP")

        loop.add_signal_handler(signal.SIGHUP, lambda: loop.run_in_executor(None, reload_now))
        stopped: list[int] = []
        for sig in (signal.SIGINT, signal.SIGTERM):  # uvicorn re-raises the one it stopped on
            signal.signal(sig, lambda number, frame: stopped.append(number))
        server = uvicorn.Server(uvicorn.Config(
            app, log_config=None, log_level="warning", access_log=False, server_header=False,
            timeout_graceful_shutdown=5, timeout_keep_alive=KEEP_ALIVE_SECONDS))
        announce = asyncio.create_task(self._announce(server, sock, engines))
        try:
            await server.serve(sockets=[sock])
        finally:
            announce.cancel()
            sock.close()

    async def _announce(self, server: Any, sock: socket.socket, engines: Any) -> None:
        while not server.started:
            await asyncio.sleep(0.01)
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        lexicon = engines.current.info["lexicon"]
        self.log.info("正在监听 http://%s:%d（进程 %d；词库 %s，%d 条规则；"
                      "Ctrl+C 停止，kill -HUP %d 重新加载词库）", shown, port, os.getpid(),
                      lexicon["fingerprint"][:12], lexicon["rules"], os.getpid())
