"""The project's mock provider servers, scriptable over HTTP, for recording and replaying fixtures.

``python -m contracts.mockhost --port N --kind openai`` serves one mock (``tests/mocks``) on loopback and
adds, in front of it:

* ``POST /__contract/script`` ``{"replies": [...]}``: forget recorded requests, queue these replies;
* ``GET /__contract/requests``: what the mock received since the last script, as JSON;

The generator runs one host per mock kind as a subprocess (Agno talks to it from ``.venv-agno``); the
contract suite runs the same class in a thread. Replies are plain JSON (``{"reply": "Text", ...}``) so a
fixture can carry its own script.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from tests.mocks import openai_server as oai

CONTROL = "/__contract/"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# Mock kind = provider name. The OpenAI-compatible ones are ``CompatMock`` flavours (OpenAI's own framing
# plus embeddings for "openai"); Gemini and Ollama have their own protocol mocks.
COMPAT_FLAVORS = ("openai", "openrouter", "siliconflow", "glm4", "modelscope", "groq", "cerebras")
KINDS = (*COMPAT_FLAVORS, "gemini", "ollama")


def build_mock(kind: str) -> Any:
    """A fresh recording mock for provider ``kind``."""
    if kind in COMPAT_FLAVORS:
        from tests.mocks.compat_server import CompatMock

        return CompatMock(kind, record=True)
    if kind == "gemini":
        from tests.mocks.gemini_server import GeminiMock

        return GeminiMock(record=True)
    if kind == "ollama":
        from tests.mocks.ollama_server import OllamaMock

        return OllamaMock(record=True)
    raise ValueError(f"unknown mock kind {kind!r}")


_REPLIES = {c.__name__: c for c in (oai.Text, oai.ToolCalls, oai.Error, oai.Cut, oai.StreamError, oai.Raw)}


def decode_reply(spec: dict[str, Any]) -> Any:
    """A scripted reply from its JSON form (``{"reply": "ToolCalls", "calls": [["f", {...}]]}``)."""
    spec = dict(spec)
    cls = _REPLIES[spec.pop("reply")]
    if "calls" in spec:
        spec["calls"] = [tuple(c) for c in spec["calls"]]
    return cls(**spec)


class MockHost:
    """One mock plus the control routes; ``start_in_thread()`` or ``serve_forever()``."""

    def __init__(self, kind: str = "openai", host: str = "127.0.0.1", port: int = 0) -> None:
        self.kind = kind
        self.mock = build_mock(kind)
        self.host, self.port = host, port
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- control, in-process ------------------------------------------------------------------------
    def script(self, replies: list[dict[str, Any]]) -> None:
        """Forget what was recorded and queue ``replies`` (one per coming request)."""
        self.mock.reset()
        for r in replies:
            # A reply naming a model is served only to requests for that model (``script_for``).
            if "model" in r:
                self.mock.script_for(r["model"], decode_reply({k: v for k, v in r.items() if k != "model"}))
            else:
                self.mock.script(decode_reply(r))

    def recorded(self) -> list[dict[str, Any]]:
        return [
            {
                "method": r.method,
                "path": r.path,
                "query": dict(r.query),
                "headers": dict(r.headers),
                "body": r.body,
            }
            for r in self.mock.requests
        ]

    # -- HTTP -----------------------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = self.mock.app()
        app.middlewares.append(self._middleware)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(CONTROL):
            if request.path == CONTROL + "script":
                body = await request.json()
                self.script(body.get("replies") or [])
                return web.json_response({"ok": True})
            if request.path == CONTROL + "requests":
                return web.json_response(self.recorded())
            return web.json_response({"error": "unknown control route"}, status=404)
        return await handler(request)

    # -- lifecycle ------------------------------------------------------------------------------------
    async def start(self) -> MockHost:
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # noqa: SLF001
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start_in_thread(self) -> MockHost:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(target=run, name=f"mockhost-{self.kind}", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"mock host {self.kind} did not start")
        return self

    def stop_thread(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = self._thread = None


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="A scriptable mock provider for the contract fixtures")
    ap.add_argument("--kind", default="openai", choices=KINDS)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args(argv)
    host = MockHost(args.kind, port=args.port)

    async def serve() -> None:
        await host.start()
        # The parent reads this line to learn the port.
        print(json.dumps({"kind": args.kind, "url": host.url}), flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
