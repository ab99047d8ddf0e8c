"""Call an ASGI app in-process and collect what it sends (for unit tests of middleware and routing)."""

from __future__ import annotations

import asyncio
from typing import Any


class Sent:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def __call__(self, message: dict[str, Any]) -> None:
        self.messages.append(message)

    @property
    def status(self) -> int:
        return self.messages[0]["status"]

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        return list(self.messages[0].get("headers", []))

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.decode().lower() == name.lower():
                return v.decode()
        return None

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.messages[1:])


def scope(
    method: str = "GET", path: str = "/", headers: dict[str, str] | None = None, query: str = ""
) -> dict:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "asgi": {"version": "3.0", "spec_version": "2.3"},
    }


async def call(app: Any, method: str = "GET", path: str = "/", *, body: bytes = b"", **kw: Any) -> Sent:
    sent = Sent()
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()  # a connected client that sends nothing more
        return {"type": "http.disconnect"}

    await app(scope(method, path, **kw), receive, sent)
    return sent
