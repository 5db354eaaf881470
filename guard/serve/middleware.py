"""Plain ASGI middleware: the access log, the API key and the body limit.

Plain ASGI (not Starlette's BaseHTTPMiddleware) so they cost little per
request and see the raw stream: the body limit refuses an oversized body by
its Content-Length before reading it, and stops reading one that grows past
the limit.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from guard.serve.respond import json_bytes

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

ACCESS_LOGGER = "guard.serve.access"
WARMUP = "guard.warmup"  # scope key of the requests the server sends itself before it opens
# No API key asked (/train is a static page; the calls it makes carry the key).
OPEN_PATHS = frozenset({"/healthz", "/train"})


async def send_error(send: Send, status: int, message: str,
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json_bytes({"error": message})
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    """One line per request: client, method, path, status, latency, verdict — never the text."""

    def __init__(self, app: App, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled
        self.log = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled or scope.get(WARMUP):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        status = 500  # what the client gets if nothing was sent

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            client = scope.get("client")
            self.log.info("%s %s %s %d %.2fms verdict=%s",
                          client[0] if client else "-", scope["method"], scope["path"], status,
                          (time.perf_counter() - started) * 1000, state.get("verdict", "-"))


class ApiKey:
    """Every request but /healthz (and CORS preflights) must carry the key.

    Given as `X-API-Key: KEY` or `Authorization: Bearer KEY`, compared in
    constant time (hmac.compare_digest).
    """

    def __init__(self, app: App, key: str | None) -> None:
        self.app = app
        self.key = key.encode() if key else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (self.key is None or scope["type"] != "http" or scope["path"] in OPEN_PATHS
                or scope["method"] == "OPTIONS"):
            await self.app(scope, receive, send)
            return
        given = b""
        for name, value in scope["headers"]:
            if name == b"x-api-key":
                given = value
                break
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                given = value[7:].strip()
        if not hmac.compare_digest(given, self.key):
            await send_error(send, 401, "缺少或错误的 API key（请求头 X-API-Key）",
                             [(b"www-authenticate", b"Bearer")])
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """A request body over `limit` bytes is refused with 413 and not read further."""

    def __init__(self, app: App, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        too_large = f"请求体过大：上限 {self.limit:,} 字节"
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await send_error(send, 400, "Content-Length 不是数字")
                    return
                if declared > self.limit:
                    await send_error(send, 413, too_large)
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await send_error(send, 413, too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
