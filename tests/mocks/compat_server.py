"""Loopback mocks of the OpenAI-compatible providers, each with its own framing (``CompatMock(flavor)``).

``OpenAIMock`` speaks OpenAI itself; a ``Flavor`` says how a vendor differs on the wire (from
WIRE-FORMATS.md):

=========== ================ ====================================================================
flavor      API root         differences
=========== ================ ====================================================================
openai      /v1              usage in a ``choices: []`` chunk when ``stream_options.include_usage``
openrouter  /api/v1          ``: OPENROUTER PROCESSING`` comment lines; ``{"error": {"code": 401}}``;
                             a mid-stream error chunk with ``finish_reason: "error"``; ``usage.cost``
siliconflow /v1              usage on every chunk; errors ``{"code": 20012, "message", "data"}`` and a
                             bare ``"Invalid token"`` for 401
glm4        /api/paas/v4     whole tool calls; usage on the finish chunk; ``{"error": {"code": "1211"}}``
modelscope  /v1              OpenAI's framing; no embeddings endpoint
groq        /openai/v1       whole tool calls; usage in ``x_groq.usage`` on the finish chunk; mid-stream
                             ``x_groq.error``; no embeddings (``unknown_url``)
cerebras    /v1              whole tool calls; usage + ``time_info`` on the finish chunk, never a
                             ``choices: []`` chunk; unwrapped error bodies; ``GET /v1/tcp_warming``
=========== ================ ====================================================================

Scripted replies are ``OpenAIMock``'s (``Text``, ``ToolCalls``, ``Error``, ``Cut``, ``StreamError``, ``Raw``)
and apply to the next request whatever its endpoint (chat or embeddings).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import msgspec
from aiohttp import web

from tests.mocks._common import fake_vector, record, words
from tests.mocks.openai_server import (
    Cut,
    Error,
    OpenAIMock,
    Raw,
    Reply,
    StreamError,
    Text,
    ToolCalls,
    _Ctx,
    _default_reply,
    _split,
    prompt_tokens,
)

__all__ = ["FLAVORS", "CompatMock", "Flavor"]

_enc = msgspec.json.Encoder()


@dataclass(frozen=True)
class Flavor:
    name: str
    prefix: str
    usage: str = "chunk"  # "chunk" | "finish" | "every" | "x_groq"
    whole_tool_calls: bool = False
    keepalive: bool = False
    errors: str = "openai"  # "openai" | "openrouter" | "siliconflow" | "glm" | "cerebras"
    stream_error: str = "top"  # "top" | "openrouter" | "x_groq"
    embeddings: bool = True


FLAVORS: dict[str, Flavor] = {
    f.name: f
    for f in (
        Flavor("openai", "/v1"),
        Flavor("openrouter", "/api/v1", keepalive=True, errors="openrouter", stream_error="openrouter"),
        Flavor("siliconflow", "/v1", usage="every", errors="siliconflow"),
        Flavor("glm4", "/api/paas/v4", usage="finish", whole_tool_calls=True, errors="glm"),
        Flavor("modelscope", "/v1", embeddings=False),
        Flavor(
            "groq",
            "/openai/v1",
            usage="x_groq",
            whole_tool_calls=True,
            stream_error="x_groq",
            embeddings=False,
        ),
        Flavor("cerebras", "/v1", usage="finish", whole_tool_calls=True, errors="cerebras", embeddings=False),
    )
}

_SF_CODES = {400: 20012, 401: 20015, 429: 50603, 503: 50505}
_GLM_CODES = {400: "1211", 401: "1001", 403: "1001", 429: "1302", 500: "500", 503: "1234"}
_EMBED_DIMS = {"BAAI/bge-m3": 1024, "embedding-3": 2048, "embedding-2": 1024, "text-embedding-3-large": 3072}


def error_body(flavor: Flavor, e: Error) -> tuple[bytes, str]:
    """The body a vendor sends for an HTTP error (``e.body`` wins when given)."""
    if e.body is not None:
        if isinstance(e.body, dict):
            return _enc.encode(e.body), "application/json"
        return (e.body.encode() if isinstance(e.body, str) else e.body), "text/plain"
    kind = flavor.errors
    if kind == "openrouter":
        err: dict[str, Any] = {"message": e.message, "code": e.status}
        if e.status == 429:
            err["metadata"] = {"headers": {"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0"}}
        return _enc.encode({"error": err, "user_id": "user_mock"}), "application/json"
    if kind == "siliconflow":
        if e.status == 401:
            return b'"Invalid token"', "application/json"
        code = int(e.code) if e.code and e.code.isdigit() else _SF_CODES.get(e.status, 50000)
        return _enc.encode({"code": code, "message": e.message, "data": None}), "application/json"
    if kind == "glm":
        code = e.code or _GLM_CODES.get(e.status, "1234")
        return _enc.encode({"error": {"code": code, "message": e.message}}), "application/json"
    fields = {"message": e.message, "type": e.type, "param": None, "code": e.code}
    if kind == "cerebras":
        return _enc.encode(fields), "application/json"
    return _enc.encode({"error": fields}), "application/json"


class CompatMock(OpenAIMock):
    def __init__(self, flavor: str = "openai", **kw: Any) -> None:
        super().__init__(**kw)
        self.flavor = FLAVORS[flavor]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}{self.flavor.prefix}"

    @property
    def host_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/v1/tcp_warming", _ok)
        app.router.add_post("/{tail:.*}", self._handle)
        return app

    def _error(self, e: Error) -> web.Response:
        headers = dict(e.headers)
        if e.retry_after is not None:
            headers["retry-after-ms"] = str(int(e.retry_after * 1000))
        if e.retry_after_s is not None:
            headers["retry-after"] = e.retry_after_s
        body, ctype = error_body(self.flavor, e)
        return web.Response(status=e.status, body=body, content_type=ctype, headers=headers)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        n, reply, body = await record(self, request)
        path, prefix = request.path, self.flavor.prefix
        if isinstance(reply, Error):
            return self._error(reply)
        if isinstance(reply, Raw):
            raw = reply.body.encode() if isinstance(reply.body, str) else reply.body
            return web.Response(status=reply.status, body=raw, content_type=reply.content_type)
        if path == prefix + "/embeddings" and self.flavor.embeddings:
            return self._embeddings(body)
        if path != prefix + "/chat/completions":
            return self._error(
                Error(
                    404,
                    f"Unknown request URL: POST {path}. Please check the URL.",
                    "invalid_request_error",
                    "unknown_url",
                )
            )
        if not isinstance(body, dict):
            return self._error(
                Error(400, "We could not parse the JSON body of your request.", "invalid_request_error")
            )
        reply = reply or _default_reply(body)
        if getattr(reply, "ttft", None):
            await asyncio.sleep(reply.ttft)  # type: ignore[union-attr]
        ctx = _Ctx(n, str(body.get("model") or "mock"), prompt_tokens(body.get("messages") or []), self)
        if body.get("stream"):
            include = bool((body.get("stream_options") or {}).get("include_usage"))
            return await self._stream_flavored(request, reply, ctx, include)
        return await self._complete_flavored(reply, ctx)

    def _embeddings(self, body: Any) -> web.Response:
        texts = body.get("input") if isinstance(body, dict) else None
        texts = [texts] if isinstance(texts, str) else list(texts or [])
        model = str(body.get("model") or "mock") if isinstance(body, dict) else "mock"
        dims = (body.get("dimensions") if isinstance(body, dict) else None) or _EMBED_DIMS.get(model, 1536)
        tokens = sum(len(t.split()) for t in texts)
        data = {
            "object": "list",
            "model": model,
            "data": [
                {"object": "embedding", "index": i, "embedding": fake_vector(t, dims)}
                for i, t in enumerate(texts)
            ],
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
        return web.Response(body=_enc.encode(data), content_type="application/json")

    def _usage(self, ctx: _Ctx, completion: int) -> dict[str, Any]:
        u = ctx.usage(completion)
        if self.flavor.name == "groq":
            u.update(queue_time=0.02, prompt_time=0.004, completion_time=0.01, total_time=0.014)
        if self.flavor.name == "openrouter":
            u["cost"] = 0.00042
        return u

    async def _complete_flavored(self, reply: Reply, ctx: _Ctx) -> web.Response:
        resp = await self._complete(reply, ctx)
        data = msgspec.json.decode(resp.body)  # type: ignore[arg-type]
        data["usage"] = self._usage(ctx, data["usage"]["completion_tokens"])
        if self.flavor.name == "groq":
            data["x_groq"] = {"id": f"req_mock{ctx.n:08d}"}
        elif self.flavor.name == "cerebras":
            data["time_info"] = {"queue_time": 0.0001, "prompt_time": 0.002, "completion_time": 0.01}
        elif self.flavor.name == "openrouter":
            data["provider"] = "OpenAI"
        return web.Response(body=_enc.encode(data), content_type="application/json")

    async def _stream_flavored(
        self, request: web.Request, reply: Reply, ctx: _Ctx, include_usage: bool
    ) -> web.StreamResponse:
        fl = self.flavor
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        sent = 0

        async def send(delta: dict[str, Any] | None, finish: str | None = None, **extra: Any) -> None:
            nonlocal sent
            if fl.keepalive and sent % 3 == 0:
                await resp.write(b": OPENROUTER PROCESSING\n\n")
            sent += 1
            payload: dict[str, Any] = {
                "id": ctx.id,
                "object": "chat.completion.chunk",
                "created": ctx.created,
                "model": ctx.model,
                "system_fingerprint": "fp_mock",
                "choices": [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}],
                **extra,
            }
            await resp.write(b"data: " + _enc.encode(payload) + b"\n\n")

        def finish_extra(completion: int) -> dict[str, Any]:
            if fl.usage == "x_groq":
                return {"x_groq": {"id": f"req_mock{ctx.n:08d}", "usage": self._usage(ctx, completion)}}
            if fl.usage in ("finish", "every"):
                extra: dict[str, Any] = {"usage": self._usage(ctx, completion)}
                if fl.name == "cerebras":
                    extra["time_info"] = {"queue_time": 0.0001, "prompt_time": 0.002, "completion_time": 0.01}
                return extra
            return {}

        first_extra = {"x_groq": {"id": f"req_mock{ctx.n:08d}"}} if fl.usage == "x_groq" else {}
        if isinstance(reply, ToolCalls):
            calls = ctx.calls(reply)
            if fl.whole_tool_calls:
                whole = [
                    {"index": i, "id": cid, "type": "function", "function": {"name": name, "arguments": args}}
                    for i, (cid, name, args) in enumerate(calls)
                ]
                await send({"role": "assistant", "content": None, "tool_calls": whole}, **first_extra)
            else:
                await send(
                    {"role": "assistant", "content": None, "tool_calls": [{
                        "index": 0, "id": calls[0][0], "type": "function",
                        "function": {"name": calls[0][1], "arguments": ""},
                    }]},
                    **first_extra,
                )  # fmt: skip
                for i, (cid, name, _a) in enumerate(calls[1:], 1):
                    fn = {"name": name, "arguments": ""}
                    await send({"tool_calls": [{"index": i, "id": cid, "type": "function", "function": fn}]})
                for i, (_c, _n, args) in enumerate(calls):
                    for piece in _split(args, reply.fragments):
                        await send({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
            completion = reply.completion_tokens
            await send({}, "tool_calls", **finish_extra(completion))
        else:
            text = reply.text
            tokens = words(text)
            await send({"role": "assistant", "content": ""}, **first_extra)
            if isinstance(reply, Text) and reply.reasoning:
                for w in reply.reasoning.split(" "):
                    await send({"reasoning_content": w + " "})
            for i, tok in enumerate(tokens):
                if isinstance(reply, Cut | StreamError) and i == reply.after:
                    if isinstance(reply, StreamError):
                        await resp.write(
                            b"data: " + _enc.encode(self._stream_error(ctx, reply.message)) + b"\n\n"
                        )
                        await resp.write_eof()
                        return resp
                    await asyncio.sleep(0.01)  # let the chunks already written reach the client
                    if request.transport is not None:
                        request.transport.close()
                    return resp
                extra = {"usage": self._usage(ctx, i + 1)} if fl.usage == "every" else {}
                await send({"content": tok}, **extra)
            completion = (
                reply.completion_tokens
                if isinstance(reply, Text) and reply.completion_tokens
                else len(tokens)
            )
            await send({}, "stop", **finish_extra(completion))
        if fl.usage == "chunk" and include_usage:
            await send(None, usage=self._usage(ctx, completion))
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp

    def _stream_error(self, ctx: _Ctx, message: str) -> dict[str, Any]:
        kind = self.flavor.stream_error
        if kind == "openrouter":
            return {
                "id": ctx.id,
                "object": "chat.completion.chunk",
                "created": ctx.created,
                "model": ctx.model,
                "provider": "OpenAI",
                "error": {"code": "server_error", "message": message},
                "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}],
            }
        if kind == "x_groq":
            return {
                "id": ctx.id,
                "object": "chat.completion.chunk",
                "choices": [],
                "x_groq": {
                    "id": f"req_mock{ctx.n:08d}",
                    "error": {"message": message, "type": "server_error"},
                },
            }
        return {"error": {"message": message}}


async def _ok(_request: web.Request) -> web.Response:
    return web.json_response({})
