"""The request dispatcher: method + path -> handler, with FastAPI's 404/405 answers.

Why not Starlette's ``Router``: it matches every request against every route's regex in order and
answers misses in plain text. Here a fixed path is one dict lookup and a templated one is matched
only against the routes sharing its first segment; misses answer ``{"detail": "Not Found"}`` and
``{"detail": "Method Not Allowed"}`` with an ``Allow`` header, as FastAPI does. Trailing slashes are
stripped first (Agno's ``TrailingSlashMiddleware``): ``/agents/`` is ``/agents``.

Routes the user adds to the Starlette app (``app.add_route``, ``app.mount``) live on the app's own
Starlette router, which answers whatever this table does not know, and also runs the lifespan.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from brisk.os._http import Request, Response, error_response, json
from brisk.os.errors import HTTPError

__all__ = ["Handler", "Route", "Router"]

Handler = Callable[[Request], Awaitable["Response | None"]]
_PARAM = re.compile(r"{(\w+)(:path)?}")


class Route:
    __slots__ = ("methods", "path", "handler")

    def __init__(self, methods: str | tuple[str, ...], path: str, handler: Handler) -> None:
        self.methods = (methods,) if isinstance(methods, str) else methods
        self.path = path
        self.handler = handler


def _compile(path: str) -> re.Pattern[str]:
    pattern, pos = "^", 0
    for m in _PARAM.finditer(path):
        pattern += re.escape(path[pos : m.start()])
        pattern += f"(?P<{m.group(1)}>.*)" if m.group(2) else f"(?P<{m.group(1)}>[^/]+)"
        pos = m.end()
    return re.compile(pattern + re.escape(path[pos:]) + "$")


class Router:
    """Innermost ASGI app of an AgentOS: dispatches to handlers, sends their :class:`Response`."""

    def __init__(self, routes: list[Route], os: Any, fallback: Any) -> None:
        self.os = os
        self.fallback = fallback  # the Starlette app's own router: user routes and the lifespan
        self._static: dict[str, dict[str, Handler]] = {}
        self._dynamic: dict[str, list[tuple[re.Pattern[str], dict[str, Handler]]]] = {}
        for route in routes:
            self.add(route)

    def add(self, route: Route) -> None:
        if "{" not in route.path:
            table = self._static.setdefault(route.path, {})
        else:
            first = route.path.split("/", 2)[1]
            entries = self._dynamic.setdefault(first, [])
            for pattern, methods in entries:
                if pattern.pattern == _compile(route.path).pattern:
                    table = methods
                    break
            else:
                table = {}
                entries.append((_compile(route.path), table))
        for method in route.methods:
            table[method] = route.handler

    def __getattr__(self, name: str) -> Any:
        # Starlette's app API (add_route, mount, routes, url_path_for, lifespan_context...) goes to
        # the Starlette router, so ``get_app()`` can be extended as users extend Agno's FastAPI app.
        return getattr(self.fallback, name)

    def match(self, path: str) -> tuple[dict[str, Handler] | None, dict[str, str]]:
        methods = self._static.get(path)
        if methods is not None:
            return methods, {}
        parts = path.split("/", 2)
        for pattern, table in self._dynamic.get(parts[1] if len(parts) > 1 else "", ()):
            m = pattern.match(path)
            if m is not None:
                return table, m.groupdict()
        return None, {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.fallback(scope, receive, send)
            return
        path = scope["path"]
        if len(path) > 1 and path[-1] == "/":
            path = path.rstrip("/") or "/"
            scope["path"] = path
            scope["raw_path"] = path.encode()
        methods, params = self.match(path)
        if methods is None:
            if self.fallback.routes:
                await self.fallback(scope, receive, send)
                return
            await send_response(send, json({"detail": "Not Found"}, 404), scope["method"])
            return
        method = scope["method"]
        handler = methods.get(method)
        if handler is None and method == "HEAD":
            handler = methods.get("GET")
        if handler is None:
            allow = ", ".join(methods)
            resp = json({"detail": "Method Not Allowed"}, 405, {"allow": allow})
            # FastAPI lists ``allow`` before the body headers.
            resp.headers.insert(0, resp.headers.pop())
            await send_response(send, resp, method)
            return
        req = Request(scope, receive, send, params, self.os)
        try:
            resp = await handler(req)
        except HTTPError as e:
            resp = error_response(e)
        if resp is not None:
            await send_response(send, resp, method)


async def send_response(send: Any, resp: Response, method: str = "GET") -> None:
    await send({"type": "http.response.start", "status": resp.status, "headers": resp.headers})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else resp.body})
