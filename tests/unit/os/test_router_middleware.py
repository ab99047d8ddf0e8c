"""Dispatcher (404/405/trailing slash/HEAD), CORS and bearer auth, on raw ASGI."""

from __future__ import annotations

import json
from typing import Any

from brisk.os._http import Request
from brisk.os._http import json as json_response
from brisk.os.auth import AuthMiddleware
from brisk.os.cors import DEFAULT_ORIGINS, CORSMiddleware, resolve_origins
from brisk.os.errors import HTTPError
from brisk.os.router import Route, Router
from tests.unit.os.asgi import call


class _Fallback:
    routes: list[Any] = []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        raise AssertionError("not expected")


async def _echo(req: Request) -> Any:
    return json_response({"params": req.params, "path": req.scope["path"]})


async def _boom(req: Request) -> Any:
    raise HTTPError(429, "slow down", {"Retry-After": "1"})


def router() -> Router:
    return Router(
        [
            Route("GET", "/health", _echo),
            Route("GET", "/agents/{agent_id}", _echo),
            Route("POST", "/agents/{agent_id}/runs", _echo),
            Route("GET", "/agents/{agent_id}/runs", _echo),
            Route(("GET", "POST"), "/queue/{path:path}", _echo),
            Route("GET", "/limited", _boom),
        ],
        os=None,
        fallback=_Fallback(),
    )


async def test_static_and_templated_routes() -> None:
    r = await call(router(), "GET", "/agents/a-1")
    assert r.status == 200 and json.loads(r.body)["params"] == {"agent_id": "a-1"}
    r = await call(router(), "GET", "/queue/x/y")
    assert json.loads(r.body)["params"] == {"path": "x/y"}


async def test_trailing_slash_is_stripped() -> None:
    r = await call(router(), "GET", "/agents/a-1/runs//")
    assert r.status == 200 and json.loads(r.body)["path"] == "/agents/a-1/runs"


async def test_not_found_and_method_not_allowed_like_fastapi() -> None:
    r = await call(router(), "GET", "/nope")
    assert (r.status, r.body, r.header("content-type")) == (
        404,
        b'{"detail":"Not Found"}',
        "application/json",
    )
    r = await call(router(), "DELETE", "/health")
    assert (r.status, r.body) == (405, b'{"detail":"Method Not Allowed"}')
    assert r.headers[0] == (b"allow", b"GET")
    r = await call(router(), "PUT", "/agents/a/runs")
    assert r.header("allow") == "POST, GET"


async def test_head_answers_get_without_body() -> None:
    r = await call(router(), "HEAD", "/health")
    assert r.status == 200 and r.body == b"" and r.header("content-length")


async def test_http_error_becomes_detail_body_with_headers() -> None:
    r = await call(router(), "GET", "/limited")
    assert (r.status, r.body, r.header("retry-after")) == (429, b'{"detail":"slow down"}', "1")


# -- CORS -------------------------------------------------------------------------------------------
async def _plain(scope: dict, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"vary", b"Accept")]})
    await send({"type": "http.response.body", "body": b"ok"})


def test_resolve_origins(monkeypatch: Any) -> None:
    monkeypatch.setenv("CORS_ORIGIN_LIST", "https://a.example, https://b.example")
    assert resolve_origins(None) == ["https://a.example", "https://b.example", *DEFAULT_ORIGINS]
    assert resolve_origins(["https://only.example", "*"]) == ["https://only.example"]


async def test_preflight_like_agno() -> None:
    app = CORSMiddleware(_plain, origins=["http://localhost:3000"])
    r = await call(
        app,
        "OPTIONS",
        "/agents",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"},
    )
    assert r.status == 200 and r.body == b"OK"
    assert r.headers == [
        (
            b"vary",
            b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
            b"Access-Control-Request-Private-Network",
        ),
        (b"access-control-allow-methods", b"DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, QUERY"),
        (b"access-control-max-age", b"600"),
        (b"access-control-allow-credentials", b"true"),
        (b"access-control-allow-origin", b"http://localhost:3000"),
        (b"content-length", b"2"),
        (b"content-type", b"text/plain; charset=utf-8"),
    ]
    r = await call(
        app,
        "OPTIONS",
        "/agents",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "DELETE",
            "Access-Control-Request-Headers": "content-type,authorization",
        },
    )
    assert r.header("access-control-allow-headers") == "content-type,authorization"
    r = await call(
        app,
        "OPTIONS",
        "/agents",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert (
        r.status == 400
        and r.body == b"Disallowed CORS origin"
        and r.header("access-control-allow-origin") is None
    )


async def test_simple_responses() -> None:
    app = CORSMiddleware(_plain, origins=["http://localhost:3000"])
    r = await call(app, "GET", "/x")
    assert r.header("vary") == "Accept, Origin" and r.header("access-control-allow-origin") is None
    r = await call(app, "GET", "/x", headers={"Origin": "http://localhost:3000"})
    assert r.header("access-control-allow-origin") == "http://localhost:3000"
    assert r.header("access-control-allow-credentials") == "true"
    assert r.header("access-control-expose-headers") == "*"
    r = await call(app, "GET", "/x", headers={"Origin": "https://evil.example"})
    assert r.header("access-control-allow-origin") is None and r.header("vary") == "Accept, Origin"


# -- auth -------------------------------------------------------------------------------------------
async def test_auth() -> None:
    app = AuthMiddleware(_plain, key="s3cret", origins=["http://localhost:3000"])
    for path in ("/health", "/", "/info", "/docs", "/openapi.json", "/health/"):
        assert (await call(app, "GET", path)).status == 200
    r = await call(app, "GET", "/agents")
    assert (r.status, r.body) == (401, b'{"detail":"Authorization header required"}')
    r = await call(app, "GET", "/agents", headers={"Authorization": "Bearer wrong"})
    assert (r.status, r.body) == (401, b'{"detail":"Invalid authentication token"}')
    assert (await call(app, "GET", "/agents", headers={"Authorization": "Bearer s3cret"})).status == 200
    assert (await call(app, "GET", "/agents", headers={"Authorization": "bearer  s3cret "})).status == 200
    assert (await call(app, "GET", "/agents", headers={"Authorization": "s3cret"})).status == 200
    assert (await call(app, "OPTIONS", "/agents")).status == 200
    r = await call(app, "GET", "/agents", headers={"Origin": "http://localhost:3000"})
    assert r.status == 401 and r.header("access-control-allow-origin") == "http://localhost:3000"
    assert r.header("access-control-allow-credentials") == "true"
