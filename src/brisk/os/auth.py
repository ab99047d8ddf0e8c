"""Bearer-key authentication (``OS_SECURITY_KEY``), as AgentOS 3.1.10 does it.

When a key is set, every request except CORS preflights and the open routes (``/``, ``/health``,
``/info`` and the API docs) must carry ``Authorization: Bearer <key>``; the bare key without the
``Bearer`` prefix is accepted too, as in Agno. The comparison is constant-time. Refusals are
401 ``{"detail": "Authorization header required"}`` or ``{"detail": "Invalid authentication token"}``,
with CORS headers for an allowed origin so a browser can read them.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import msgspec

__all__ = ["AuthMiddleware", "OPEN_PATHS"]

OPEN_PATHS = frozenset({"/", "/health", "/info", "/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"})


class AuthMiddleware:
    def __init__(self, app: Callable[..., Awaitable[None]], key: str, origins: Iterable[str] = ()) -> None:
        self.app = app
        self._key = key.encode()
        self._origins = frozenset(origins)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path in OPEN_PATHS or (path.rstrip("/") or "/") in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        authorization = origin = None
        for k, v in scope["headers"]:
            if k == b"authorization":
                authorization = v
            elif k == b"origin":
                origin = v
        token = b""
        if authorization:
            token = authorization[7:] if authorization[:7].lower() == b"bearer " else authorization
            token = token.strip()
        if not token:
            await self._refuse(send, "Authorization header required", origin)
        elif not hmac.compare_digest(token, self._key):
            await self._refuse(send, "Invalid authentication token", origin)
        else:
            await self.app(scope, receive, send)

    async def _refuse(self, send: Any, detail: str, origin: bytes | None) -> None:
        body = msgspec.json.encode({"detail": detail})
        headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
        if origin is not None and origin.decode("latin-1") in self._origins:
            headers += [
                (b"access-control-allow-origin", origin),
                (b"access-control-allow-credentials", b"true"),
                (b"access-control-allow-methods", b"*"),
                (b"access-control-allow-headers", b"*"),
                (b"access-control-expose-headers", b"*"),
            ]
        await send({"type": "http.response.start", "status": 401, "headers": headers})
        await send({"type": "http.response.body", "body": body})
