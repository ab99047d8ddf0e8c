"""A loopback mock of the OpenAI Chat Completions API (``POST .../chat/completions``), real HTTP.

It answers like OpenAI does on the wire (SSE ``data: {...}\\n\\n`` chunks with a role delta first, content
deltas, a ``finish_reason`` chunk, a ``choices: []`` usage chunk when ``stream_options.include_usage`` is
set, then ``data: [DONE]``), records every request, and can be scripted per request.

Without a script it behaves like the mock the Agno 3.1.10 reference was captured against
(``reference/agno-3.1.10/exchanges/run_stream*.http``):

* a user text containing ``__mock_error__`` -> HTTP 500 ``{"error": {"message": "mock injected server error"}}``
* the last message is a tool result -> ``"Tool-result:"`` followed by the 31 last words of the fox text
* tools are offered and the user asks about the weather -> one ``get_weather`` call, ``{"city": "<Word>"}``
  taken from "in <Word>", with completion_tokens 12
* otherwise the 32-word fox text, one word per chunk, completion_tokens 32
* prompt_tokens = sum(len(content)) // 4 + 2 per message (reproduces the reference counts 32, 31, 88, 110)
* ids ``chatcmpl-mock%08d`` and ``call_%08d`` numbered by request, ``system_fingerprint: fp_mock``

Scripted replies (``mock.script(Text("hi"), Error(429, retry_after=0.01), ...)``) are served in order,
one per request; when the queue is empty the default behaviour applies again. Replies scripted for one
model id (``mock.script_for("memory-model", ToolCalls(...))``) go only to requests naming that model, so
concurrent requests of different models (an answer and a background memory update) stay deterministic.

In tests use the ``openai_mock`` fixture (``tests/conftest.py``). Standalone, for benchmarks::

    python -m tests.mocks.openai_server --port 8001 --ttft 0.05 --delay 0.01
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import msgspec
from aiohttp import web

__all__ = [
    "FOX",
    "Cut",
    "Error",
    "OpenAIMock",
    "Raw",
    "RecordedRequest",
    "StreamError",
    "Text",
    "ToolCalls",
    "prompt_tokens",
]

FOX = (
    "the quick brown fox jumps over a lazy dog while seven bright stars shine above calm silver water "
    "and distant hills glow softly under evening light the quick brown fox jumps over"
)
_enc = msgspec.json.Encoder()


# -- scripted replies --------------------------------------------------------------------------------


@dataclass
class Text:
    """A text answer, streamed one word per chunk (``" word"`` after the first)."""

    text: str = FOX
    ttft: float | None = None  # seconds before the first chunk (default: the server's)
    delay: float | None = None  # seconds between chunks (default: the server's)
    completion_tokens: int | None = None  # default: number of words
    reasoning: str | None = None  # streamed first as ``delta.reasoning_content`` words


@dataclass
class ToolCalls:
    """Tool calls; streamed with each call's arguments split into ``fragments`` pieces across chunks."""

    calls: list[tuple[str, dict[str, Any] | str]]
    fragments: int = 3
    ids: list[str] | None = None  # default: call_%08d (+ index suffix after the first)
    interleave: bool = False  # alternate the argument fragments of the calls (indices 0,1,0,1,...)
    completion_tokens: int = 12


@dataclass
class Error:
    """An HTTP error with OpenAI's error body (or ``body`` verbatim)."""

    status: int = 500
    message: str = "mock injected server error"
    type: str = "server_error"
    code: str | None = None
    retry_after: float | None = None  # sent as ``retry-after-ms`` (milliseconds)
    retry_after_s: str | None = None  # sent verbatim as ``retry-after``
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str | dict[str, Any] | None = None


@dataclass
class Cut:
    """A text stream whose connection is aborted after ``after`` content chunks."""

    after: int = 3
    text: str = FOX


@dataclass
class StreamError:
    """A stream that sends ``after`` content chunks, then ``data: {"error": {...}}`` (HTTP status 200)."""

    after: int = 2
    message: str = "mock stream error"
    text: str = FOX


@dataclass
class Raw:
    """Any HTTP answer, verbatim (e.g. a 200 whose body is not JSON)."""

    body: bytes | str = b""
    status: int = 200
    content_type: str = "application/json"


Reply = Text | ToolCalls | Error | Cut | StreamError | Raw


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any
    query: dict[str, str]
    ts: float


def prompt_tokens(messages: list[dict[str, Any]]) -> int:
    total = 0
    for m in messages:
        c = m.get("content")
        total += len(c if isinstance(c, str) else ("" if c is None else str(c)))
    return total // 4 + 2 * len(messages)


_CITY = re.compile(r"\b(?:in|for|at)\s+([A-Z][\w-]*)")


def _default_reply(body: dict[str, Any]) -> Reply:
    messages = body.get("messages") or []
    last = messages[-1] if messages else {}
    users = [m for m in messages if m.get("role") == "user"]
    user_text = str(users[-1].get("content") or "") if users else ""
    if "__mock_error__" in user_text:
        return Error()
    if last.get("role") == "tool":
        return Text("Tool-result: " + FOX.split(" ", 1)[1])
    if body.get("tools") and last.get("role") == "user" and "weather" in user_text.lower():
        m = _CITY.search(user_text)
        return ToolCalls([("get_weather", {"city": m.group(1) if m else "Paris"})])
    return Text()


# -- the server --------------------------------------------------------------------------------------


class OpenAIMock:
    """The mock server. Run it on the current loop (``await start()``) or in a thread (``start_in_thread()``)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        ttft: float = 0.0,
        delay: float = 0.0,
        record: bool = True,
        model_echo: bool = True,
    ) -> None:
        self.host, self.port = host, port
        self.ttft, self.delay = ttft, delay
        # OpenAI opens a text stream with {"role": "assistant", "content": ""}; the mock behind Agno's
        # reference capture sent no content there. False reproduces the reference capture.
        self.empty_role_content = True
        self.record = record
        self.model_echo = model_echo
        self.requests: list[RecordedRequest] = []
        self._queue: collections.deque[Reply] = collections.deque()
        self._by_model: dict[str, collections.deque[Reply]] = {}
        self._count = 0
        self._lock = threading.Lock()
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- control ----------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def script(self, *replies: Reply | str) -> OpenAIMock:
        """Queue replies, one per coming request (a plain string is a ``Text``)."""
        with self._lock:
            for r in replies:
                self._queue.append(Text(r) if isinstance(r, str) else r)
        return self

    def script_for(self, model: str, *replies: Reply | str) -> OpenAIMock:
        """Queue replies for requests whose ``model`` is ``model`` (served before the shared queue)."""
        with self._lock:
            q = self._by_model.setdefault(model, collections.deque())
            for r in replies:
                q.append(Text(r) if isinstance(r, str) else r)
        return self

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self._by_model.clear()
            self.requests.clear()
            self._count = 0
        self.ttft = self.delay = 0.0
        self.empty_role_content = True

    @property
    def bodies(self) -> list[Any]:
        return [r.body for r in self.requests]

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/{tail:.*}", self._handle)
        return app

    async def start(self) -> OpenAIMock:
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        server = site._server  # noqa: SLF001 - the only way to learn the port chosen for port 0
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start_in_thread(self) -> OpenAIMock:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(target=run, name="openai-mock", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop_thread(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = self._loop = None

    # -- handling ---------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = msgspec.json.decode(raw) if raw else None
        except msgspec.DecodeError:
            body = raw.decode("utf-8", "replace")
        with self._lock:
            self._count += 1
            n = self._count
            own = self._by_model.get(str(body.get("model"))) if isinstance(body, dict) else None
            reply = own.popleft() if own else (self._queue.popleft() if self._queue else None)
            if self.record:
                self.requests.append(
                    RecordedRequest(
                        request.method,
                        request.path,
                        {k.lower(): v for k, v in request.headers.items()},
                        body,
                        dict(request.query),
                        time.time(),
                    )
                )
        if not request.path.endswith("/chat/completions"):
            return web.json_response(
                {"error": {"message": f"Unknown path {request.path}", "code": None}}, status=404
            )
        if not isinstance(body, dict):
            return _error_response(
                Error(400, "We could not parse the JSON body of your request.", "invalid_request_error")
            )
        if reply is None:
            reply = _default_reply(body)
        if isinstance(reply, Error):
            return _error_response(reply)
        if isinstance(reply, Raw):
            raw_body = reply.body.encode() if isinstance(reply.body, str) else reply.body
            return web.Response(status=reply.status, body=raw_body, content_type=reply.content_type)
        ctx = _Ctx(n, str(body.get("model") or "mock"), prompt_tokens(body.get("messages") or []), self)
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return await self._stream(request, reply, ctx, include_usage)
        return await self._complete(reply, ctx)

    async def _complete(self, reply: Reply, ctx: _Ctx) -> web.Response:
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None, "annotations": []}
        if isinstance(reply, ToolCalls):
            message["tool_calls"] = [
                {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}
                for cid, name, args in ctx.calls(reply)
            ]
            finish, completion = "tool_calls", reply.completion_tokens
        else:
            text = reply.text
            message["content"] = text
            if isinstance(reply, Text) and reply.reasoning:
                message["reasoning_content"] = reply.reasoning
            words = len(text.split())
            finish = "stop"
            completion = (
                reply.completion_tokens if isinstance(reply, Text) and reply.completion_tokens else words
            )
            ttft = ctx.ttft(reply)
            wait = ttft + max(0, words - 1) * ctx.delay(reply)
            if wait > 0:
                await asyncio.sleep(wait)
        data = {
            "id": ctx.id,
            "object": "chat.completion",
            "created": ctx.created,
            "model": ctx.model,
            "system_fingerprint": "fp_mock",
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
            "usage": ctx.usage(completion),
            "service_tier": "default",
        }
        return web.Response(body=_enc.encode(data), content_type="application/json")

    async def _stream(
        self, request: web.Request, reply: Reply, ctx: _Ctx, include_usage: bool
    ) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)

        async def send(delta: dict[str, Any] | None, finish: str | None = None, **extra: Any) -> None:
            payload: dict[str, Any] = {
                "id": ctx.id,
                "object": "chat.completion.chunk",
                "created": ctx.created,
                "model": ctx.model,
                "system_fingerprint": "fp_mock",
                "choices": []
                if delta is None
                else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
                **extra,
            }
            await resp.write(b"data: " + _enc.encode(payload) + b"\n\n")

        if isinstance(reply, ToolCalls):
            calls = ctx.calls(reply)
            if ctx.ttft(reply) > 0:
                await asyncio.sleep(ctx.ttft(reply))
            first = [
                {"index": i, "id": cid, "type": "function", "function": {"name": name, "arguments": ""}}
                for i, (cid, name, _args) in enumerate(calls)
            ]
            await send({"role": "assistant", "content": None, "tool_calls": first[:1]})
            for extra_call in first[1:]:
                await send({"tool_calls": [extra_call]})
            pieces = [_split(args, reply.fragments) for _cid, _name, args in calls]
            order: list[tuple[int, str]] = []
            if reply.interleave:
                for k in range(max(len(p) for p in pieces)):
                    order += [(i, p[k]) for i, p in enumerate(pieces) if k < len(p)]
            else:
                order = [(i, piece) for i, p in enumerate(pieces) for piece in p]
            for i, piece in order:
                await send({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
            await send({}, "tool_calls")
            completion = reply.completion_tokens
        else:
            text = reply.text
            words = text.split(" ")
            tokens = [words[0]] + [" " + w for w in words[1:]]
            ttft, delay = ctx.ttft(reply), ctx.delay(reply)
            if ttft > 0:
                await asyncio.sleep(ttft)
            if ctx.server.empty_role_content:
                await send({"role": "assistant", "content": "", "refusal": None})
            else:
                await send({"role": "assistant"})
            if isinstance(reply, Text) and reply.reasoning:
                for w in reply.reasoning.split(" "):
                    await send({"reasoning_content": w + " "})
            for i, tok in enumerate(tokens):
                if isinstance(reply, Cut | StreamError) and i == reply.after:
                    if isinstance(reply, StreamError):
                        await resp.write(
                            b"data: " + _enc.encode({"error": {"message": reply.message}}) + b"\n\n"
                        )
                        await resp.write_eof()
                        return resp
                    await asyncio.sleep(0.01)  # let the chunks already written reach the client
                    if request.transport is not None:
                        request.transport.close()
                    return resp
                if i and delay > 0:
                    await asyncio.sleep(delay)
                await send({"content": tok})
            await send({}, "stop")
            completion = (
                reply.completion_tokens
                if isinstance(reply, Text) and reply.completion_tokens
                else len(text.split())
            )
        if include_usage:
            await send(None, usage=ctx.usage(completion))
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp


@dataclass
class _Ctx:
    n: int
    model: str
    prompt: int
    server: OpenAIMock
    created: int = field(default_factory=lambda: int(time.time()))

    @property
    def id(self) -> str:
        return f"chatcmpl-mock{self.n:08d}"

    def ttft(self, r: Reply) -> float:
        v = getattr(r, "ttft", None)
        return self.server.ttft if v is None else v

    def delay(self, r: Reply) -> float:
        v = getattr(r, "delay", None)
        return self.server.delay if v is None else v

    def calls(self, r: ToolCalls) -> list[tuple[str, str, str]]:
        out = []
        for i, (name, args) in enumerate(r.calls):
            cid = r.ids[i] if r.ids and i < len(r.ids) else (f"call_{self.n:08d}" + (f"_{i}" if i else ""))
            out.append((cid, name, args if isinstance(args, str) else _json_args(args)))
        return out

    def usage(self, completion: int) -> dict[str, Any]:
        return {
            "prompt_tokens": self.prompt,
            "completion_tokens": completion,
            "total_tokens": self.prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }


def _json_args(args: dict[str, Any]) -> str:
    # Python's json.dumps spacing ({"city": "Berlin"}), as the reference mock produced.
    import json

    return json.dumps(args)


def _split(s: str, n: int) -> list[str]:
    n = max(1, min(n, len(s) or 1))
    size = -(-len(s) // n) if s else 0
    return [s[i : i + size] for i in range(0, len(s), size)] if s else [""]


def _error_response(e: Error) -> web.Response:
    headers = dict(e.headers)
    if e.retry_after is not None:
        headers["retry-after-ms"] = str(int(e.retry_after * 1000))
    if e.retry_after_s is not None:
        headers["retry-after"] = e.retry_after_s
    if e.body is None:
        body: bytes = _enc.encode(
            {"error": {"message": e.message, "type": e.type, "param": None, "code": e.code}}
        )
        ctype = "application/json"
    elif isinstance(e.body, dict):
        body, ctype = _enc.encode(e.body), "application/json"
    else:
        body = e.body.encode() if isinstance(e.body, str) else e.body
        ctype = "text/plain"
    return web.Response(status=e.status, body=body, content_type=ctype, headers=headers)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Loopback mock of the OpenAI Chat Completions API")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8001)
    ap.add_argument("--ttft", type=float, default=0.0, help="seconds before the first chunk")
    ap.add_argument("--delay", type=float, default=0.0, help="seconds between chunks")
    ap.add_argument("--record", action="store_true", help="keep requests in memory (grows without bound)")
    args = ap.parse_args(argv)
    mock = OpenAIMock(args.host, args.port, args.ttft, args.delay, record=args.record)
    try:
        import uvloop  # noqa: F401

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run

    async def serve() -> None:
        await mock.start()
        print(f"OpenAI mock on {mock.base_url} (ttft={args.ttft}s, delay={args.delay}s)", flush=True)
        await asyncio.Event().wait()

    try:
        runner(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
