"""A loopback mock of Ollama's native API: ``POST /api/chat`` (NDJSON stream ending with ``"done": true``),
``POST /api/embed`` and the legacy ``POST /api/embeddings``.

As Ollama answers (WIRE-FORMATS.md §9): ``application/x-ndjson``, one object per ``\\n``-terminated line,
text as ``message.content`` deltas with ``done: false``, tool calls whole in one ``done: false`` line with
``arguments`` as an object and no id, then ``{"done": true, "done_reason", "prompt_eval_count",
"eval_count", *_duration}``. Errors are ``{"error": "<text>"}``, also as a line in a started stream.

Scripting and recording are ``OpenAIMock``'s; the default replies too (the request is the same OpenAI-like
message list, with ``tool`` roles for tool results).
"""

from __future__ import annotations

import asyncio
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
    _default_reply,
    prompt_tokens,
)

__all__ = ["OllamaMock"]

_enc = msgspec.json.Encoder()
_CREATED = "2025-01-01T00:00:00.000Z"


def _error(e: Error) -> web.Response:
    headers = dict(e.headers)
    if e.retry_after_s is not None:
        headers["retry-after"] = e.retry_after_s
    if e.body is not None:
        body = (
            _enc.encode(e.body)
            if isinstance(e.body, dict)
            else (e.body.encode() if isinstance(e.body, str) else e.body)
        )
    else:
        body = _enc.encode({"error": e.message})
    return web.Response(status=e.status, body=body, content_type="application/json", headers=headers)


class OllamaMock(OpenAIMock):
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/api/tags", _tags)
        app.router.add_post("/{tail:.*}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        _n, reply, body = await record(self, request)
        if isinstance(reply, Error):
            return _error(reply)
        if isinstance(reply, Raw):
            raw = reply.body.encode() if isinstance(reply.body, str) else reply.body
            return web.Response(status=reply.status, body=raw, content_type=reply.content_type)
        if not isinstance(body, dict):
            return _error(Error(400, "invalid character 'x' looking for beginning of value"))
        if request.path == "/api/embed":
            return self._embed(body)
        if request.path == "/api/embeddings":
            vec = fake_vector(str(body.get("prompt") or ""), 768)
            return web.Response(body=_enc.encode({"embedding": vec}), content_type="application/json")
        if request.path != "/api/chat":
            return web.Response(status=404, text="404 page not found")
        model = str(body.get("model") or "llama3.1")
        reply = reply or _default_reply(body)
        if getattr(reply, "ttft", None):
            await asyncio.sleep(reply.ttft)  # type: ignore[union-attr]
        prompt = prompt_tokens(body.get("messages") or [])
        if body.get("stream", True):  # ollama streams unless told not to
            return await self._stream(request, reply, model, prompt)
        return self._complete(reply, model, prompt)

    def _embed(self, body: dict[str, Any]) -> web.Response:
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else list(texts or [])
        dims = int(body.get("dimensions") or 768)
        data = {
            "model": body.get("model"),
            "embeddings": [fake_vector(t, dims) for t in texts],
            "total_duration": 14143917,
            "load_duration": 1019500,
            "prompt_eval_count": sum(len(t.split()) for t in texts),
        }
        return web.Response(body=_enc.encode(data), content_type="application/json")

    @staticmethod
    def _done(model: str, prompt: int, completion: int, reason: str = "stop") -> dict[str, Any]:
        return {
            "model": model,
            "created_at": _CREATED,
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": reason,
            "total_duration": 4883583458,
            "load_duration": 1334875,
            "prompt_eval_count": prompt,
            "prompt_eval_duration": 342546000,
            "eval_count": completion,
            "eval_duration": 4535599000,
        }

    @staticmethod
    def _calls(reply: ToolCalls) -> list[dict[str, Any]]:
        out = []
        for name, args in reply.calls:
            parsed = msgspec.json.decode(args) if isinstance(args, str) else args
            out.append({"function": {"name": name, "arguments": parsed}})
        return out

    def _complete(self, reply: Reply, model: str, prompt: int) -> web.Response:
        data = self._done(model, prompt, 0)
        if isinstance(reply, ToolCalls):
            data["message"] = {"role": "assistant", "content": "", "tool_calls": self._calls(reply)}
            data["eval_count"] = reply.completion_tokens
        else:
            text = reply.text
            data["message"] = {"role": "assistant", "content": text}
            if isinstance(reply, Text) and reply.reasoning:
                data["message"]["thinking"] = reply.reasoning
            data["eval_count"] = (
                reply.completion_tokens
                if isinstance(reply, Text) and reply.completion_tokens
                else len(text.split())
            )
        return web.Response(body=_enc.encode(data), content_type="application/json")

    async def _stream(
        self, request: web.Request, reply: Reply, model: str, prompt: int
    ) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)

        async def line(obj: dict[str, Any]) -> None:
            await resp.write(_enc.encode(obj) + b"\n")

        def part(message: dict[str, Any]) -> dict[str, Any]:
            return {
                "model": model,
                "created_at": _CREATED,
                "message": {"role": "assistant", **message},
                "done": False,
            }

        if isinstance(reply, ToolCalls):
            await line(part({"content": "", "tool_calls": self._calls(reply)}))
            await line(self._done(model, prompt, reply.completion_tokens))
        else:
            if isinstance(reply, Text) and reply.reasoning:
                for w in reply.reasoning.split(" "):
                    await line(part({"content": "", "thinking": w + " "}))
            tokens = words(reply.text)
            for i, tok in enumerate(tokens):
                if isinstance(reply, Cut | StreamError) and i == reply.after:
                    if isinstance(reply, StreamError):
                        await line({"error": reply.message})
                        await resp.write_eof()
                        return resp
                    await asyncio.sleep(0.01)
                    if request.transport is not None:
                        request.transport.close()
                    return resp
                await line(part({"content": tok}))
            completion = (
                reply.completion_tokens
                if isinstance(reply, Text) and reply.completion_tokens
                else len(tokens)
            )
            await line(self._done(model, prompt, completion))
        await resp.write_eof()
        return resp


async def _tags(_request: web.Request) -> web.Response:
    return web.json_response({"models": []})
