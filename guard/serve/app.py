"""The FastAPI application: routers, the error form, and the middleware around them.

    app = create_app(Engines(build_engine()), ServeConfig(api_key="…"))

Other features add their own pages and endpoints without touching this file's
logic: a module named in PLUGGED_ROUTERS that exists (a feature not built yet
is skipped) is imported and its `mount(app)` called — it may
`app.include_router(router)` and `app.mount("/train/static", StaticFiles(...))`.
Its endpoints get the current engine with `guard.serve.routes.current_engine(request)`
and inherit everything here: the API key, CORS, the body limit, the access log
(set `request.state.verdict` to have a verdict logged), `{"error": …}` errors
(raise `guard.serve.limits.ApiError`). Tests and embedders pass routers directly
(`create_app(..., routers=[router])`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request

from guard.plugins import present
from guard.serve.limits import ApiError, ServeConfig
from guard.serve.middleware import AccessLog, ApiKey, BodyLimit
from guard.serve.models import BatchRequest, CheckRequest, SuggestRequest
from guard.serve.respond import JSONBody
from guard.serve.routes import api
from guard.serve.state import Engines

__all__ = ["PLUGGED_ROUTERS", "create_app"]

# Modules with mount(app) that add pages or endpoints (imported if present).
PLUGGED_ROUTERS = ("guard.train.web",)

DESCRIPTION = ("拼多多客服聊天合规守卫的 HTTP 接口：发送前检查客服消息（含拆成几条发的违规），"
               "给出拦截原因、脱敏消息、处罚提醒和能通过检查的改写建议；售后场景的标准回复。"
               "除 /healthz 外，配置了 API key 时每个请求都要带 X-API-Key。")
_STATUS_TEXT = {404: "没有这个接口", 405: "不支持这个请求方法"}
_BODIES = (CheckRequest, BatchRequest, SuggestRequest)


def create_app(engines: Engines, config: ServeConfig | None = None,
               routers: Sequence[APIRouter] = (), plugins: bool = True) -> FastAPI:
    from guard import __version__

    config = config or ServeConfig()
    app = FastAPI(title="guard", version=__version__, description=DESCRIPTION,
                  redoc_url=None)
    app.state.engines = engines
    app.state.config = config
    app.include_router(api)
    for router in routers:
        app.include_router(router)
    for module in present(PLUGGED_ROUTERS if plugins else ()):
        module.mount(app)
    _errors(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    # Added innermost first: a request passes the access log, CORS, the key, the body limit.
    app.add_middleware(BodyLimit, limit=config.limits.max_body_bytes)
    app.add_middleware(ApiKey, key=config.api_key)
    app.add_middleware(CORSMiddleware, allow_origins=list(config.allow_origins),
                       allow_methods=["GET", "POST"], max_age=600,
                       allow_headers=["content-type", "x-api-key", "authorization"])
    app.add_middleware(AccessLog, enabled=config.access_log)
    return app


def _errors(app: FastAPI) -> None:
    """Every refusal as `{"error": …}`; an unexpected exception logged, answered 500."""

    @app.exception_handler(ApiError)
    async def refused(request: Request, exc: ApiError) -> JSONBody:
        return JSONBody({"error": exc.message}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONBody:
        shown = "；".join(f"{'.'.join(map(str, e['loc']))}：{e['msg']}" for e in exc.errors()[:3])
        return JSONBody({"error": f"参数有误：{shown}"}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONBody:
        message = _STATUS_TEXT.get(exc.status_code, str(exc.detail))
        return JSONBody({"error": message}, status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> JSONBody:
        logging.getLogger("guard.serve").exception("内部错误：%s %s", request.method,
                                                   request.url.path)
        return JSONBody({"error": "服务器内部错误"}, status_code=500)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, plus the request bodies the endpoints parse themselves."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in _BODIES:
        body = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(body.pop("$defs", {}))
        components[model.__name__] = body
    app.openapi_schema = schema
    return schema
