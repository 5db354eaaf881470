"""`guard serve`'s HTTP API through FastAPI's test client: every endpoint and every error path."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from guard.replies.render import render_reply
from guard.replies.scenarios import ReplyParams
from guard.rewrite import with_suggestion
from guard.serve.app import create_app
from guard.serve.limits import EXTENSION_ORIGIN, Limits, ServeConfig
from guard.serve.middleware import ACCESS_LOGGER
from guard.serve.models import (
    BatchResponse,
    ReplyModel,
    SuggestionModel,
    VerdictModel,
)
from guard.serve.state import Engine, Engines, build_engine

KEY = "s3cret-key"
BLOCKED = "您好，这个问题比较复杂，方便加个微信详细说吗"


@pytest.fixture(scope="module")
def engine(guard) -> Engine:  # type: ignore[no-untyped-def]
    return build_engine(guard=guard)


def client_for(engine: Engine, **settings) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(create_app(Engines(engine), ServeConfig(**settings)))


@pytest.fixture(scope="module")
def client(engine: Engine) -> TestClient:
    return client_for(engine)


def error_of(response) -> str:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) >= {"error"} and isinstance(body["error"], str) and body["error"]
    return body["error"]


# ------------------------------------------------------------------- /v1/check

@pytest.mark.parametrize("text", ["亲，您的订单已经发货了，请注意查收哦", "不能加微信哦", BLOCKED,
                                  "加我vx abc123", ""])
def test_check_is_the_verdict_json_of_guard_check(client: TestClient, guard, text: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/v1/check", json={"text": text})
    assert response.status_code == 200
    assert response.json() == with_suggestion(guard, guard.check(text)).to_dict()
    VerdictModel.model_validate(response.json())


def test_a_block_carries_a_suggestion_that_passes(client: TestClient) -> None:
    result = client.post("/v1/check", json={"text": BLOCKED}).json()
    assert result["verdict"] == "block"
    assert result["warning"] and result["suggestion"].startswith("您好，这个问题比较复杂")
    again = client.post("/v1/check", json={"text": result["suggestion"]}).json()
    assert again["verdict"] == "pass"


def test_check_with_context_marks_split_findings(client: TestClient) -> None:
    alone = client.post("/v1/check", json={"text": "号是mm520"}).json()
    assert alone["verdict"] != "block"
    result = client.post("/v1/check", json={"text": "号是mm520", "shop": "店铺A",
                                            "context": ["稍等", "用那个绿色软件"]}).json()
    assert result["verdict"] == "block"
    split = [f for f in result["findings"] if "split" in f]
    assert split and split[0]["split"]["context"] == [1]
    assert split[0]["split"]["text"] == "用那个绿色软件\n号是mm520"
    assert all("号是mm520"[f["start"]:f["end"]] == f["text"] for f in result["findings"])
    ok = client.post("/v1/check", json={"text": result["suggestion"],
                                        "context": ["稍等", "用那个绿色软件"]}).json()
    assert ok["verdict"] == "pass"


def test_the_length_limit(client: TestClient) -> None:
    assert client.post("/v1/check", json={"text": "好" * 20_000}).status_code == 200
    response = client.post("/v1/check", json={"text": "好" * 20_001})
    assert response.status_code == 413
    assert "20,001" in error_of(response) and "20,000" in error_of(response)
    response = client.post("/v1/check", json={"text": "好", "context": ["好" * 20_001]})
    assert response.status_code == 413 and "context[0]" in error_of(response)


def test_the_length_limit_is_configurable(engine: Engine) -> None:
    client = client_for(engine, limits=Limits(max_chars=10))
    assert client.post("/v1/check", json={"text": "好" * 10}).status_code == 200
    assert client.post("/v1/check", json={"text": "好" * 11}).status_code == 413
    assert client.get("/v1/info").json()["limits"]["max_chars"] == 10


def test_a_dense_message_at_the_limit_is_answered(client: TestClient) -> None:
    response = client.post("/v1/check", json={"text": "加我微信vx13800138000淘宝" * 900})
    assert response.status_code == 200 and response.json()["verdict"] == "block"


# ------------------------------------------------------------------- batch

def test_batch_answers_in_order(client: TestClient, guard) -> None:  # type: ignore[no-untyped-def]
    messages = ["好的", "去淘宝拍", {"text": "号是mm520", "context": ["用那个绿色软件"]},
                "不能加微信哦"]
    response = client.post("/v1/check/batch", json={"messages": messages})
    assert response.status_code == 200
    results = BatchResponse.model_validate(response.json()).results
    assert [r.verdict for r in results] == ["pass", "block", "block", "warn"]
    expected = with_suggestion(guard, guard.check("去淘宝拍")).to_dict()
    assert response.json()["results"][1] == expected


def test_batch_limits(client: TestClient) -> None:
    response = client.post("/v1/check/batch", json={"messages": ["好"] * 101})
    assert response.status_code == 422 and "100" in error_of(response)
    response = client.post("/v1/check/batch", json={"messages": ["好", "好" * 20_001]})
    assert response.status_code == 413 and "messages[1]" in error_of(response)
    assert client.post("/v1/check/batch", json={"messages": []}).json() == {"results": []}


# ------------------------------------------------------------------- replies

def test_suggest(client: TestClient) -> None:
    response = client.post("/v1/suggest", json={"text": "能加个微信吗"})
    result = SuggestionModel.model_validate(response.json())
    assert result.scenario == "off-platform-request" and result.reply
    nothing = client.post("/v1/suggest", json={"text": "哈哈"}).json()
    assert nothing["scenario"] is None and nothing["reply"] is None
    assert client.post("/v1/suggest", json={"text": "退" * 20_001}).status_code == 413


def test_replies(client: TestClient) -> None:
    response = client.get("/v1/replies/refund-unshipped",
                          params={"payment": "credit", "approved_at": "2026-09-29T23:59",
                                  "at": "2026-10-01T10:00"})
    assert response.status_code == 200
    expected = render_reply("refund-unshipped", ReplyParams(
        payment="credit", quality=False, wrong_item=False,
        approved_at=_time("2026-09-29T23:59"), at=_time("2026-10-01T10:00"))).to_dict()
    assert response.json() == expected
    ReplyModel.model_validate(response.json())
    quality = client.get("/v1/replies/return", params={"quality": "true"}).json()
    assert "来回运费" in quality["reply"]


def _time(value: str):  # type: ignore[no-untyped-def]
    from guard.replies.command import parse_time

    return parse_time(value, value)


@pytest.mark.parametrize(("path", "params", "status", "says"), [
    ("/v1/replies/nope", {}, 404, "off-platform-request"),
    ("/v1/replies/refund-unshipped", {}, 422, "payment"),
    ("/v1/replies/refund-unshipped", {"payment": "bitcoin"}, 422, "bitcoin"),
    ("/v1/replies/return", {"received_at": "yesterday"}, 422, "received_at"),
    ("/v1/replies/return", {"received_at": "2026-11-01"}, 422, "14:30"),
    ("/v1/replies/return", {"quality": "maybe"}, 422, "quality"),
    ("/v1/replies/refund-unshipped", {"payment": "debit", "shipped": "true"}, 422,
     "refund-shipped"),
])
def test_reply_errors(client: TestClient, path: str, params: dict, status: int,
                      says: str) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status
    assert says in error_of(response)


# ------------------------------------------------------------------- info, health, docs

def test_info(client: TestClient, guard) -> None:  # type: ignore[no-untyped-def]
    info = client.get("/v1/info").json()
    assert info["version"]
    assert info["lexicon"]["fingerprint"] == guard.lexicon.fingerprint
    assert info["lexicon"]["terms"] > 100 and info["lexicon"]["rules"] > 20
    assert info["limits"] == Limits().to_dict()


def test_healthz_only_when_ready(engine: Engine) -> None:
    engines = Engines(engine)
    client = TestClient(create_app(engines))
    assert client.get("/healthz").json() == {"status": "ok"}
    engines.ready = False
    response = client.get("/healthz")
    assert response.status_code == 503 and error_of(response)


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/v1/check", "/v1/check/batch", "/v1/suggest", "/v1/replies/{scenario}",
                 "/v1/info", "/v1/reload", "/healthz"):
        assert path in schema["paths"]
    body = schema["paths"]["/v1/check"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"] == "#/components/schemas/CheckRequest"
    assert "context" in schema["components"]["schemas"]["CheckRequest"]["properties"]
    assert "CheckRequest" in str(schema["components"]["schemas"]["BatchRequest"])
    assert client.get("/docs").status_code == 200


# ------------------------------------------------------------------- access

def test_the_api_key_is_asked_everywhere_but_healthz(engine: Engine) -> None:
    client = client_for(engine, api_key=KEY)
    assert client.get("/healthz").status_code == 200
    for method, path, body in (("post", "/v1/check", {"text": "好"}), ("get", "/v1/info", None),
                               ("post", "/v1/reload", None), ("get", "/openapi.json", None),
                               ("get", "/docs", None), ("get", "/v1/replies/return", None),
                               ("post", "/v1/suggest", {"text": "退款"}),
                               ("post", "/v1/check/batch", {"messages": []})):
        call = getattr(client, method)
        kwargs = {"json": body} if body is not None else {}
        response = call(path, **kwargs)
        assert response.status_code == 401, path
        assert "API key" in error_of(response)
        assert call(path, headers={"X-API-Key": "wrong"}, **kwargs).status_code == 401
        assert call(path, headers={"X-API-Key": KEY[:-1]}, **kwargs).status_code == 401
    assert client.get("/v1/info", headers={"X-API-Key": KEY}).status_code == 200
    assert client.get("/v1/info", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200


def test_cors_only_for_the_extension_and_configured_origins(engine: Engine) -> None:
    client = client_for(engine, api_key=KEY,
                        allow_origins=(EXTENSION_ORIGIN, "https://crm.example.com"))
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type,x-api-key"}
    for origin in (EXTENSION_ORIGIN, "https://crm.example.com"):
        response = client.options("/v1/check", headers={"Origin": origin, **preflight})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == origin
        assert "x-api-key" in response.headers["access-control-allow-headers"].lower()
        call = client.post("/v1/check", json={"text": "好"},
                           headers={"Origin": origin, "X-API-Key": KEY})
        assert call.headers["access-control-allow-origin"] == origin
    stranger = "https://evil.example"
    response = client.options("/v1/check", headers={"Origin": stranger, **preflight})
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    call = client.post("/v1/check", json={"text": "好"}, headers={"Origin": stranger,
                                                                  "X-API-Key": KEY})
    assert "access-control-allow-origin" not in call.headers


def test_the_access_log_has_status_latency_verdict_and_never_the_text(
        engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    client = client_for(engine)
    secret = "加我微信 wxid_secret999 详聊"
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        client.post("/v1/check", json={"text": secret, "context": ["私密的上一条消息"]})
        client.post("/v1/check", json={"text": 5})
        client.post("/v1/check/batch", json={"messages": ["好的", secret]})
        client.post("/v1/suggest", json={"text": "我的手机号13812345678"})
    lines = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOGGER]
    assert len(lines) == 4
    assert "POST /v1/check 200" in lines[0] and "verdict=block" in lines[0]
    assert "ms" in lines[0]
    assert "POST /v1/check 422" in lines[1] and "verdict=-" in lines[1]
    assert "verdict=pass:1,block:1" in lines[2]
    for line in lines:
        for private in ("wxid_secret999", "私密", "13812345678", "微信"):
            assert private not in line


# ------------------------------------------------------------------- bodies

def test_body_limit_by_declared_length_and_by_what_arrives(engine: Engine) -> None:
    client = client_for(engine, limits=Limits(max_body_bytes=1000))
    response = client.post("/v1/check", content=b'{"text": "' + b"a" * 2000 + b'"}',
                           headers={"content-type": "application/json"})
    assert response.status_code == 413 and "1,000" in error_of(response)

    def chunks():  # no Content-Length: the limit counts what arrives
        yield b'{"text": "'
        for _ in range(50):
            yield b"a" * 100
        yield b'"}'

    response = client.post("/v1/check", content=chunks(),
                           headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert client.post("/v1/check", json={"text": "好的"}).status_code == 200


@pytest.mark.parametrize(("body", "status", "says"), [
    (b"", 400, "为空"),
    (b"\xff\xfe{}", 400, "UTF-8"),
    (b'{"text": "\xe5\x8a"}', 400, "UTF-8"),
    (b"{", 400, "JSON"),
    (b"[" * 100_000, 400, "JSON"),
    (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, 400, "JSON"),
    (b"null", 422, "请求体"),
    (b"[]", 422, "请求体"),
    (b'"text"', 422, "请求体"),
    (b"{}", 422, "text"),
    (b'{"text": 5}', 422, "text"),
    (b'{"text": null}', 422, "text"),
    (b'{"text": ["a"]}', 422, "text"),
    (b'{"text": "a", "context": "a"}', 422, "context"),
    (b'{"text": "a", "context": [1, 2]}', 422, "context[0]"),
    (b'{"text": "a", "context": [[[[]]]]}', 422, "context"),
    (b'{"text": {"text": "a"}}', 422, "text"),
])
def test_bad_bodies_get_a_clear_4xx(client: TestClient, body: bytes, status: int,
                                    says: str) -> None:
    response = client.post("/v1/check", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status, response.text
    assert says in error_of(response)


def test_ten_thousand_context_items(client: TestClient) -> None:
    response = client.post("/v1/check", json={"text": "好", "context": ["好"] * 10_000})
    assert response.status_code == 422 and "10,000" in error_of(response)


def test_strange_but_valid_text(client: TestClient) -> None:
    for body in (b'{"text": "\\ud800 \\udfff \\u0000 abc"}', '{"text": "𝐕𝐗 ①③⑧ \u200b"}'.encode()):
        response = client.post("/v1/check", content=body,
                               headers={"content-type": "application/json"})
        assert response.status_code in (200, 400), response.text
        assert response.json()
    unknown = client.post("/v1/check", json={"text": "好", "extra": {"deep": [1, 2]}})
    assert unknown.status_code == 200  # unknown fields are ignored


def test_wrong_paths_and_methods(client: TestClient) -> None:
    response = client.get("/v1/check")
    assert response.status_code == 405 and error_of(response)
    response = client.get("/v2/nothing")
    assert response.status_code == 404 and error_of(response)


# ------------------------------------------------------------------- reload

def test_reload_swaps_the_lexicon_and_keeps_the_old_one_when_broken(guard, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "mine"
    folder.mkdir()
    engines = Engines(build_engine(guard=guard), build=lambda: build_engine([str(folder)]))
    client = TestClient(create_app(engines, ServeConfig(api_key=KEY)))
    auth = {"X-API-Key": KEY}
    new_term = "暗号星球号"
    assert client.post("/v1/check", json={"text": f"加我{new_term}"},
                       headers=auth).json()["verdict"] == "pass"
    assert client.post("/v1/reload").status_code == 401

    response = client.post("/v1/reload", headers=auth)  # an empty folder is an error
    assert response.status_code == 422 and "没有 .toml 词库文件" in error_of(response)
    assert response.json()["reloaded"] is False

    (folder / "mine.toml").write_text(
        f'[[group]]\nid = "secret-app"\nlabel = "暗号星球"\ncategory = "contact_im"\n'
        f'block = ["{new_term}"]\n', encoding="utf-8")
    response = client.post("/v1/reload", headers=auth)
    assert response.status_code == 200 and response.json()["reloaded"] is True
    assert client.post("/v1/check", json={"text": f"加我{new_term}"},
                       headers=auth).json()["verdict"] == "block"
    info = client.get("/v1/info", headers=auth).json()
    assert info["reloads"] == 1 and info["lexicon"]["fingerprint"] != guard.lexicon.fingerprint

    (folder / "mine.toml").write_text('[[group]]\nid = "x"\ncategory = "nope"\nblock = ["a"]\n',
                                      encoding="utf-8")
    response = client.post("/v1/reload", headers=auth)
    assert response.status_code == 422
    assert "mine.toml:3" in error_of(response) and "仍在使用原来的词库" in error_of(response)
    assert client.post("/v1/check", json={"text": f"加我{new_term}"},
                       headers=auth).json()["verdict"] == "block"


# ------------------------------------------------------------------- fuzzing

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
        st.sampled_from(["text", "context", "messages", "shop", "x"]) | st.text(max_size=5),
        inner, max_size=5),
    max_leaves=30)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/v1/check", "/v1/check/batch", "/v1/suggest"]),
       body=st.one_of(_json_values.map(lambda v: json.dumps(v).encode()), st.binary(max_size=200)))
def test_property_no_body_gets_a_5xx(client: TestClient, path: str, body: bytes) -> None:
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code < 500, (body, response.text)
    if response.status_code >= 400:
        assert error_of(response)
    assert client.get("/healthz").status_code == 200  # still up
