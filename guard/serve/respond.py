"""JSON in and out: request bodies parsed and validated with clear errors; responses as JSON.

Bodies are parsed by pydantic (`model_validate_json`), not by FastAPI's
body machinery, so every way a body can be wrong gets a plain message:
not UTF-8 (which byte), not JSON (where), nested too deep, a field of the
wrong type (which field). Responses are written by orjson; a string with
an unpaired surrogate (valid in JSON's \\u escapes, not in UTF-8) is written
escaped instead of failing.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from guard.serve.limits import ApiError

__all__ = ["JSONBody", "json_bytes", "read_body"]

Model = TypeVar("Model", bound=BaseModel)
_SHOWN_ERRORS = 3


def json_bytes(content: Any) -> bytes:
    try:
        return orjson.dumps(content)
    except TypeError:  # an unpaired surrogate: orjson writes only valid UTF-8
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode()


class JSONBody(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json_bytes(content)


def _where(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "请求体"


def _describe(exc: ValidationError) -> tuple[int, str]:
    errors = exc.errors(include_url=False, include_input=False)
    if errors and errors[0]["type"] == "json_invalid":
        detail = errors[0].get("ctx", {}).get("error", errors[0]["msg"])
        return 400, f"请求体不是有效的 JSON：{detail}"
    shown = "；".join(f"{_where(e['loc'])}：{e['msg']}" for e in errors[:_SHOWN_ERRORS])
    more = f"（另有 {len(errors) - _SHOWN_ERRORS} 处）" if len(errors) > _SHOWN_ERRORS else ""
    return 422, f"请求体字段有误：{shown}{more}"


async def read_body(request: Request, model: type[Model]) -> Model:
    """The request's JSON body as `model`, or an ApiError saying what is wrong with it."""
    body = await request.body()
    if not body.strip():
        raise ApiError(400, "请求体为空：需要一个 JSON 对象")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"请求体不是有效的 UTF-8（第 {exc.start + 1} 字节）") from None
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise ApiError(*_describe(exc)) from None
