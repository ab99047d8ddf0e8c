"""CORS as AgentOS configures Starlette's middleware: listed origins are echoed with credentials.

Agno 3.1.10 allows ``http://localhost:3000`` (the Agent UI) and Agno's own sites by default, the
``CORS_ORIGIN_LIST`` environment variable (comma-separated) adds to that list, and
``AgentOS(cors_allowed_origins=[...])`` replaces it. Every method and header is allowed, every
header exposed, and preflights are cached for 600 s. Every response varies on ``Origin``.

This is a pure ASGI middleware with its headers built once: on the streaming path it adds one
comparison per chunk.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

__all__ = ["CORSMiddleware", "DEFAULT_ORIGINS", "resolve_origins"]

DEFAULT_ORIGINS = (
    "http://localhost:3000",
    "https://agno.com",
    "https://www.agno.com",
    "https://app.agno.com",
    "https://os-stg.agno.com",
    "https://os.agno.com",
)
_METHODS = b"DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, QUERY"
_PREFLIGHT_VARY = b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network"


def resolve_origins(configured: Iterable[str] | None) -> list[str]:
    """The allowed origins: the configured list if any, else ``CORS_ORIGIN_LIST`` plus the defaults."""
    if configured:
        return [o for o in configured if o != "*"]
    extra = [o.strip() for o in os.getenv("CORS_ORIGIN_LIST", "").split(",") if o.strip()]
    return list(dict.fromkeys([*extra, *DEFAULT_ORIGINS]))


class CORSMiddleware:
    def __init__(self, app: Callable[..., Awaitable[None]], origins: Iterable[str]) -> None:
        self.app = app
        self.origins = frozenset(origins)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin: bytes | None = None
        request_method = request_headers = private = None
        for k, v in scope["headers"]:
            if k == b"origin":
                origin = v
            elif k == b"access-control-request-method":
                request_method = v
            elif k == b"access-control-request-headers":
                request_headers = v
            elif k == b"access-control-request-private-network":
                private = v
        if origin is not None and scope["method"] == "OPTIONS" and request_method is not None:
            await self._preflight(origin, request_headers, private, send)
            return

        allowed = origin is not None and origin.decode("latin-1") in self.origins

        async def send_with_cors(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                vary = [v for k, v in headers if k.lower() == b"vary"]
                headers = [(k, v) for k, v in headers if k.lower() != b"vary"] if vary else headers
                if origin is not None:
                    headers.append((b"access-control-allow-credentials", b"true"))
                    headers.append((b"access-control-expose-headers", b"*"))
                    if allowed:
                        headers.append((b"access-control-allow-origin", origin))
                headers.append((b"vary", b", ".join([*vary, b"Origin"])))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(
        self, origin: bytes, request_headers: bytes | None, private: bytes | None, send: Any
    ) -> None:
        headers = [
            (b"vary", _PREFLIGHT_VARY),
            (b"access-control-allow-methods", _METHODS),
            (b"access-control-max-age", b"600"),
        ]
        failures = []
        if request_headers is not None:
            headers.append((b"access-control-allow-headers", request_headers))
        headers.append((b"access-control-allow-credentials", b"true"))
        if origin.decode("latin-1") in self.origins:
            headers.append((b"access-control-allow-origin", origin))
        else:
            failures.append("origin")
        if private is not None:
            failures.append("private-network")
        body = b"OK" if not failures else ("Disallowed CORS " + ", ".join(failures)).encode()
        headers.append((b"content-length", str(len(body)).encode()))
        headers.append((b"content-type", b"text/plain; charset=utf-8"))
        await send({"type": "http.response.start", "status": 400 if failures else 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
