"""The v1 endpoints and /healthz: thin over the library, the same JSON as `guard check`.

Each request takes the current engine once (`current_engine`), so a reload
in the middle of it changes nothing it sees. Checking is CPU work of
microseconds, done on the event loop; a long message (or batch) is handed to
a worker thread so it cannot hold up the short ones behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from guard.serve.limits import ApiError, Limits, ServeConfig
from guard.serve.models import (
    BatchRequest,
    BatchResponse,
    CheckRequest,
    ErrorModel,
    HealthModel,
    ReloadModel,
    ReplyModel,
    SuggestionModel,
    SuggestRequest,
    VerdictModel,
)
from guard.serve.respond import JSONBody, read_body
from guard.serve.state import Engine, Engines, ReloadResult

__all__ = ["api", "config_of", "current_engine", "engines_of"]

# Characters of work (message and context) above which a request runs in a worker thread.
THREAD_CHARS = 4000

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorModel} for code in (400, 401, 413, 422)}

api = APIRouter()


def _body(model: str) -> dict[str, Any]:
    """The OpenAPI request body of an endpoint that parses its body itself (respond.read_body)."""
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}}}}
T = TypeVar("T")


def engines_of(request: Request) -> Engines:
    return request.app.state.engines


def current_engine(request: Request) -> Engine:
    """The engine this request uses from start to end (reloads swap it for later ones)."""
    return request.app.state.engines.current


def config_of(request: Request) -> ServeConfig:
    return request.app.state.config


async def _work(size: int, function: Callable[..., T], *args: Any) -> T:
    if size > THREAD_CHARS:
        return await run_in_threadpool(function, *args)
    return function(*args)


def _fits(text: str, limits: Limits, what: str) -> None:
    if len(text) > limits.max_chars:
        raise ApiError(413, f"{what}过长：{len(text):,} 字，上限 {limits.max_chars:,} 字")


def _checked(item: CheckRequest, limits: Limits, where: str = "") -> int:
    """Refuse an item over the limits; the characters of work it asks for."""
    _fits(item.text, limits, f"{where}text ")
    if len(item.context) > limits.max_context:
        raise ApiError(422, f"{where}context 最多 {limits.max_context} 条（收到 "
                            f"{len(item.context):,} 条）")
    for index, earlier in enumerate(item.context):
        _fits(earlier, limits, f"{where}context[{index}] ")
    return len(item.text) + sum(map(len, item.context))


@api.post("/v1/check", response_model=VerdictModel, responses=_ERRORS,
          openapi_extra=_body("CheckRequest"),
          summary="检查一条要发出的消息（可带本会话之前的消息）")
async def check(request: Request) -> JSONBody:
    body = await read_body(request, CheckRequest)
    size = _checked(body, config_of(request).limits)
    engine = current_engine(request)
    verdict = await _work(size, engine.check, body.text, body.context)
    request.state.verdict = verdict.verdict
    return JSONBody(verdict.to_dict())


@api.post("/v1/check/batch", response_model=BatchResponse, responses=_ERRORS,
          openapi_extra=_body("BatchRequest"),
          summary="按顺序检查多条消息")
async def check_batch(request: Request) -> JSONBody:
    body = await read_body(request, BatchRequest)
    limits = config_of(request).limits
    if len(body.messages) > limits.max_batch:
        raise ApiError(422, f"messages 最多 {limits.max_batch} 条"
                            f"（收到 {len(body.messages):,} 条）")
    items = [CheckRequest(text=m) if isinstance(m, str) else m for m in body.messages]
    size = sum(_checked(item, limits, f"messages[{i}].") for i, item in enumerate(items))
    engine = current_engine(request)

    def run() -> list[dict[str, Any]]:
        return [engine.check(item.text, item.context).to_dict() for item in items]

    results = await _work(size, run)
    counts = {name: sum(r["verdict"] == name for r in results)
              for name in ("pass", "warn", "block")}
    request.state.verdict = ",".join(f"{k}:{v}" for k, v in counts.items() if v) or "-"
    return JSONBody({"results": results})


@api.post("/v1/suggest", response_model=SuggestionModel, responses=_ERRORS,
          openapi_extra=_body("SuggestRequest"),
          summary="买家的消息属于哪个售后场景，以及该场景的标准回复")
async def suggest(request: Request) -> JSONBody:
    body = await read_body(request, SuggestRequest)
    _fits(body.text, config_of(request).limits, "text ")
    engine = current_engine(request)
    suggestion = await _work(len(body.text), engine.router.suggest, body.text)
    return JSONBody(suggestion.to_dict())


@api.get("/v1/replies/{scenario}", response_model=ReplyModel,
         responses={404: {"model": ErrorModel}, 422: {"model": ErrorModel}},
         summary="某个售后场景的标准回复（参数同 guard reply）")
async def reply(
    scenario: str,
    payment: str | None = Query(None, description="wechat|alipay|debit|credit"),
    shipped: bool | None = Query(None, description="订单是否已发货"),
    quality: bool = Query(False, description="商品有质量问题"),
    wrong_item: bool = Query(False, description="商家发错货"),
    approved_at: str | None = Query(None, description="ISO 时间，中国时间"),
    received_at: str | None = Query(None, description="ISO 时间，中国时间"),
    intervened_at: str | None = Query(None, description="ISO 时间，中国时间"),
    failed_at: str | None = Query(None, description="ISO 时间，中国时间"),
    at: str | None = Query(None, description="计算期限用的“现在”，ISO 时间"),
) -> JSONBody:
    from guard.errors import UsageError
    from guard.replies.command import parse_time
    from guard.replies.render import render_reply
    from guard.replies.scenarios import ReplyParams, UnknownScenarioError

    times = {"approved_at": approved_at, "received_at": received_at,
             "intervened_at": intervened_at, "failed_at": failed_at, "at": at}
    try:
        params = ReplyParams(payment=payment, shipped=shipped, quality=quality,
                             wrong_item=wrong_item,
                             **{name: parse_time(value, name) for name, value in times.items()
                                if value is not None})
        filled = render_reply(scenario, params)
    except UnknownScenarioError as exc:
        raise ApiError(404, str(exc)) from None
    except (UsageError, ValueError) as exc:  # a missing or malformed parameter
        raise ApiError(422, str(exc)) from None
    return JSONBody(filled.to_dict())


@api.get("/v1/info", summary="版本、词库指纹、词条和规则数量")
async def info(request: Request) -> JSONBody:
    engines = engines_of(request)
    engine = engines.current
    return JSONBody({**engine.info, "limits": config_of(request).limits.to_dict(),
                     "loaded_at": engine.built_at, "reloads": engines.reloads,
                     "lexicon_dirs": list(engine.lexicon_dirs)})


@api.post("/v1/reload", response_model=ReloadModel, responses={422: {"model": ErrorModel}},
          summary="重新加载词库（新建引擎后整体替换；词库有误时继续用原来的）")
async def reload(request: Request) -> JSONBody:
    result = await run_in_threadpool(engines_of(request).reload)
    request.state.verdict = "reloaded" if result.ok else "reload-failed"
    report_reload(result, "POST /v1/reload")
    if not result.ok:
        return JSONBody({"error": f"词库有误，仍在使用原来的词库：{result.error}",
                         "reloaded": False}, status_code=422)
    return JSONBody({"reloaded": True, "lexicon": result.engine.info["lexicon"]})


@api.get("/healthz", response_model=HealthModel, responses={503: {"model": ErrorModel}},
         summary="就绪检查：词库已编译、分词器已加载后才返回 200")
async def healthz(request: Request) -> JSONBody:
    if not engines_of(request).ready:
        return JSONBody({"error": "正在启动"}, status_code=503)
    return JSONBody({"status": "ok"})


def report_reload(result: ReloadResult, cause: str) -> None:
    import logging

    log = logging.getLogger("guard.serve")
    if result.ok:
        log.warning("词库已重新加载（%s，用时 %.2f 秒；词库 %s）", cause,
                    result.engine.build_seconds, result.engine.info["lexicon"]["fingerprint"][:12])
    else:
        log.error("重新加载失败，仍在使用原来的词库（%s）：%s", cause, result.error)
