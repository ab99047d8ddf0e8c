"""A loopback mock of Gemini's Generative Language API (WIRE-FORMATS.md §10), under ``/v1`` and ``/v1beta``:

* ``models/{m}:generateContent`` and ``models/{m}:streamGenerateContent?alt=sse``: SSE events
  ``data: <GenerateContentResponse>\\r\\n\\r\\n`` with **no** ``[DONE]``; a text delta per event, cumulative
  ``usageMetadata`` on every event, ``finishReason: "STOP"`` on the last; a function call whole in one
  event (``args`` an object, a ``thoughtSignature`` as Gemini 2.5+ adds);
* ``models/{m}:batchEmbedContents`` and ``:embedContent``;
* errors as ``google.rpc.Status`` (``{"error": {"code", "message", "status", "details"}}``); a 429 carries
  ``RetryInfo.retryDelay`` in the body and no ``Retry-After`` header; ``Error(400, code="API_KEY_INVALID")``
  gives the bad-key answer; a request without ``x-goog-api-key`` gets a 403.

Scripting, recording and default replies are ``OpenAIMock``'s: the request is mapped to OpenAI-like messages
(``functionResponse`` parts count as a ``tool`` message) before ``_default_reply`` looks at it.
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

__all__ = ["SIGNATURE", "GeminiMock"]

_enc = msgspec.json.Encoder()
SIGNATURE = "c2lnbmF0dXJlLW1vY2s="  # base64, echoed back by clients on the next turn
_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def rpc_error(e: Error) -> web.Response:
    if e.body is not None:
        raw = (
            _enc.encode(e.body)
            if isinstance(e.body, dict)
            else (e.body.encode() if isinstance(e.body, str) else e.body)
        )
        return web.Response(status=e.status, body=raw, content_type="application/json", headers=e.headers)
    details: list[dict[str, Any]] = []
    if e.code:
        details.append(
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": e.code,
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            }
        )
    if e.status == 429:
        delay = e.retry_after if e.retry_after is not None else 17
        details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{delay:g}s"})
    err: dict[str, Any] = {"code": e.status, "message": e.message, "status": _STATUS.get(e.status, "UNKNOWN")}
    if details:
        err["details"] = details
    headers = dict(e.headers)
    if e.retry_after_s is not None:
        headers["retry-after"] = e.retry_after_s
    return web.Response(
        status=e.status, body=_enc.encode({"error": err}), content_type="application/json", headers=headers
    )


def as_openai(body: dict[str, Any]) -> dict[str, Any]:
    """The request as OpenAI-like messages and tools, for the default replies."""
    msgs: list[dict[str, Any]] = []
    si = body.get("systemInstruction")
    if isinstance(si, dict):
        msgs.append({"role": "system", "content": "".join(p.get("text", "") for p in si.get("parts") or [])})
    for c in body.get("contents") or []:
        parts = c.get("parts") or []
        results = [p["functionResponse"] for p in parts if "functionResponse" in p]
        calls = [p["functionCall"] for p in parts if "functionCall" in p]
        text = "".join(p.get("text", "") for p in parts)
        if results:
            msgs.extend(
                {"role": "tool", "content": str((r.get("response") or {}).get("result"))} for r in results
            )
        elif calls:
            msgs.append({"role": "assistant", "content": text or None, "tool_calls": calls})
        else:
            msgs.append({"role": "assistant" if c.get("role") == "model" else "user", "content": text})
    tools = [d for t in body.get("tools") or [] for d in t.get("functionDeclarations") or []]
    return {"messages": msgs, "tools": tools}


class GeminiMock(OpenAIMock):
    @property
    def base_url(self) -> str:
        """The host; clients add the version (``/v1`` or ``/v1beta``)."""
        return f"http://{self.host}:{self.port}"

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/{tail:.*}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        n, reply, body = await record(self, request)
        if isinstance(reply, Error):
            return rpc_error(reply)
        if isinstance(reply, Raw):
            raw = reply.body.encode() if isinstance(reply.body, str) else reply.body
            return web.Response(status=reply.status, body=raw, content_type=reply.content_type)
        version, _, rest = request.path.lstrip("/").partition("/")
        model, _, method = rest.removeprefix("models/").partition(":")
        if version not in ("v1", "v1beta") or not rest.startswith("models/") or not method:
            return rpc_error(Error(404, f"Unknown path {request.path}"))
        if not request.headers.get("x-goog-api-key") and "key" not in request.query:
            return rpc_error(
                Error(
                    403, "Method doesn't allow unregistered callers (callers without established identity)."
                )
            )
        if not isinstance(body, dict):
            return rpc_error(Error(400, "Invalid JSON payload received."))
        if method == "batchEmbedContents":
            embs = []
            for r in body.get("requests") or []:
                text = "".join(p.get("text", "") for p in (r.get("content") or {}).get("parts") or [])
                embs.append({"values": fake_vector(text, int(r.get("outputDimensionality") or 3072))})
            return web.Response(body=_enc.encode({"embeddings": embs}), content_type="application/json")
        if method == "embedContent":
            text = "".join(p.get("text", "") for p in (body.get("content") or {}).get("parts") or [])
            vec = fake_vector(text, int(body.get("outputDimensionality") or 3072))
            return web.Response(
                body=_enc.encode({"embedding": {"values": vec}}), content_type="application/json"
            )
        if method not in ("generateContent", "streamGenerateContent"):
            return rpc_error(
                Error(
                    404,
                    f"models/{model} is not found for API version {version}, or is not supported for {method}.",
                )
            )
        oa = as_openai(body)
        reply = reply or _default_reply(oa)
        if getattr(reply, "ttft", None):
            await asyncio.sleep(reply.ttft)  # type: ignore[union-attr]
        prompt = prompt_tokens(oa["messages"])
        if method == "streamGenerateContent":
            return await self._stream(request, reply, model, prompt, n)
        return self._complete(reply, model, prompt, n)

    @staticmethod
    def _response(
        parts: list[dict[str, Any]], model: str, n: int, usage: dict[str, Any], finish: bool
    ) -> dict[str, Any]:
        cand: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
        if finish:
            cand["finishReason"] = "STOP"
        return {
            "candidates": [cand],
            "usageMetadata": usage,
            "modelVersion": model,
            "responseId": f"r{n:08d}",
        }

    @staticmethod
    def _usage(prompt: int, completion: int | None) -> dict[str, Any]:
        u: dict[str, Any] = {"promptTokenCount": prompt, "totalTokenCount": prompt + (completion or 0)}
        if completion is not None:
            u["candidatesTokenCount"] = completion
            u["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prompt}]
        return u

    @staticmethod
    def _call_parts(reply: ToolCalls) -> list[dict[str, Any]]:
        parts = []
        for name, args in reply.calls:
            parsed = msgspec.json.decode(args) if isinstance(args, str) else args
            parts.append({"functionCall": {"name": name, "args": parsed}, "thoughtSignature": SIGNATURE})
        return parts

    def _complete(self, reply: Reply, model: str, prompt: int, n: int) -> web.Response:
        if isinstance(reply, ToolCalls):
            parts, completion = self._call_parts(reply), reply.completion_tokens
        else:
            parts = [{"text": reply.text}]
            if isinstance(reply, Text) and reply.reasoning:
                parts.insert(0, {"text": reply.reasoning, "thought": True})
            completion = (
                reply.completion_tokens
                if isinstance(reply, Text) and reply.completion_tokens
                else len(reply.text.split())
            )
        data = self._response(parts, model, n, self._usage(prompt, completion), True)
        return web.Response(body=_enc.encode(data), content_type="application/json")

    async def _stream(
        self, request: web.Request, reply: Reply, model: str, prompt: int, n: int
    ) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)

        async def event(obj: dict[str, Any]) -> None:
            await resp.write(b"data: " + _enc.encode(obj) + b"\r\n\r\n")

        if isinstance(reply, ToolCalls):
            usage = self._usage(prompt, reply.completion_tokens)
            await event(self._response(self._call_parts(reply), model, n, usage, True))
        else:
            if isinstance(reply, Text) and reply.reasoning:
                part = {"text": reply.reasoning, "thought": True}
                await event(self._response([part], model, n, self._usage(prompt, None), False))
            tokens = words(reply.text)
            for i, tok in enumerate(tokens):
                if isinstance(reply, Cut | StreamError) and i == reply.after:
                    if isinstance(reply, StreamError):
                        err = {"error": {"code": 500, "message": reply.message, "status": "INTERNAL"}}
                        await event(err)
                        await resp.write_eof()
                        return resp
                    await asyncio.sleep(0.01)
                    if request.transport is not None:
                        request.transport.close()
                    return resp
                last = i == len(tokens) - 1
                completion = (
                    reply.completion_tokens
                    if last and isinstance(reply, Text) and reply.completion_tokens
                    else i + 1
                )
                await event(self._response([{"text": tok}], model, n, self._usage(prompt, completion), last))
        await resp.write_eof()
        return resp
