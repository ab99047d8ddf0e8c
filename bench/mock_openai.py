"""A loopback mock of OpenAI's Chat Completions API for the benchmarks (no delays by default).

``python bench/mock_openai.py --port N [--chunks 32] [--chunk-delay 0] [--first-delay 0]``

- ``POST /v1/chat/completions`` (also ``/chat/completions``): the reply is a fixed sentence, split
  into ``--chunks`` content deltas (32: one word each) when ``stream`` is true (SSE: a role chunk, the content chunks, a
  chunk with ``finish_reason``, a usage chunk with empty ``choices`` when
  ``stream_options.include_usage`` is set, then ``data: [DONE]``), or one JSON body otherwise, with
  ``usage``.
- Tool calls: when the request offers tools and the last user message contains ``[tool]``, the reply is
  one call of the first tool (string arguments set to ``"Paris"``); when the last message is a tool
  result, the reply is text again. Anything else gets text.
- ``GET /health``: ``ok``. ``GET /stats``: request counts, and the message count and size of the
  last request (so a benchmark can check both sides sent the same history).

Deterministic: same request, same bytes (ids come from a counter, ``created`` is fixed).
"""

from __future__ import annotations

import argparse
import asyncio
import json

from aiohttp import web

# 32 words, one per content chunk by default (the shape DESIGN.md §6 measures with).
REPLY = (
    "the quick brown fox jumps over a lazy dog while seven bright stars shine above calm silver water "
    "and distant hills glow softly under evening light the quick brown fox jumps over"
)
CREATED = 1_700_000_000


def _chunks(text: str, n: int) -> list[str]:
    words = text.split(" ")
    n = max(1, min(n, len(words)))
    size, extra = divmod(len(words), n)
    out, i = [], 0
    for k in range(n):
        j = i + size + (1 if k < extra else 0)
        piece = " ".join(words[i:j])
        out.append(piece if k == 0 else " " + piece)
        i = j
    return out


def _tool_call(body: dict) -> dict | None:
    tools = body.get("tools") or []
    messages = body.get("messages") or []
    if not tools or not messages or messages[-1].get("role") != "user":
        return None
    content = messages[-1].get("content")
    if isinstance(content, list):
        content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    if "[tool]" not in (content or ""):
        return None
    fn = tools[0].get("function", {})
    props = (fn.get("parameters") or {}).get("properties") or {}
    args = {k: "Paris" for k, v in props.items() if v.get("type", "string") == "string"}
    return {"name": fn.get("name", "tool"), "arguments": json.dumps(args)}


class Mock:
    def __init__(self, chunks: int, chunk_delay: float, first_delay: float) -> None:
        self.chunks = chunks
        self.chunk_delay = chunk_delay
        self.first_delay = first_delay
        self.counter = 0
        self.stats = {"requests": 0, "stream": 0, "tool_calls": 0, "last_messages": 0, "last_bytes": 0}

    async def completions(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            return web.json_response(
                {"error": {"message": "invalid JSON", "type": "invalid_request_error"}}, status=400
            )
        self.counter += 1
        self.stats["requests"] += 1
        self.stats["last_messages"] = len(body.get("messages") or [])
        self.stats["last_bytes"] = len(raw)
        cid = f"chatcmpl-mock{self.counter:08d}"
        model = body.get("model", "gpt-4o-mini")
        call = _tool_call(body)
        if call:
            self.stats["tool_calls"] += 1
        prompt_tokens = max(1, len(raw) // 4)
        completion_tokens = 12 if call else len(REPLY.split())
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        if self.first_delay:
            await asyncio.sleep(self.first_delay)
        if not body.get("stream"):
            if call:
                message = {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{"id": f"call_{self.counter}", "type": "function", "function": call}],
                }
                finish = "tool_calls"
            else:
                message = {"role": "assistant", "content": REPLY}
                finish = "stop"
            return web.json_response(
                {
                    "id": cid,
                    "object": "chat.completion",
                    "created": CREATED,
                    "model": model,
                    "system_fingerprint": "fp_mock",
                    "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
                    "usage": usage,
                }
            )

        self.stats["stream"] += 1
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await resp.prepare(request)

        def frame(delta: dict, finish: str | None = None) -> bytes:
            chunk = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": CREATED,
                "model": model,
                "system_fingerprint": "fp_mock",
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            }
            return b"data: " + json.dumps(chunk).encode() + b"\n\n"

        await resp.write(frame({"role": "assistant", "content": ""}))
        if call:
            head = {"index": 0, "id": f"call_{self.counter}", "type": "function"}
            head["function"] = {"name": call["name"], "arguments": ""}
            await resp.write(frame({"tool_calls": [head]}))
            await resp.write(
                frame({"tool_calls": [{"index": 0, "function": {"arguments": call["arguments"]}}]})
            )
            finish = "tool_calls"
        else:
            for piece in _chunks(REPLY, self.chunks):
                if self.chunk_delay:
                    await asyncio.sleep(self.chunk_delay)
                await resp.write(frame({"content": piece}))
            finish = "stop"
        await resp.write(frame({}, finish))
        if (body.get("stream_options") or {}).get("include_usage"):
            chunk = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": CREATED,
                "model": model,
                "system_fingerprint": "fp_mock",
                "choices": [],
                "usage": usage,
            }
            await resp.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp

    async def health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def get_stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats)


def make_app(chunks: int = 32, chunk_delay: float = 0.0, first_delay: float = 0.0) -> web.Application:
    mock = Mock(chunks, chunk_delay, first_delay)
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/v1/chat/completions", mock.completions)
    app.router.add_post("/chat/completions", mock.completions)
    app.router.add_get("/health", mock.health)
    app.router.add_get("/stats", mock.get_stats)
    return app


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--chunks", type=int, default=32)
    p.add_argument("--chunk-delay", type=float, default=0.0)
    p.add_argument("--first-delay", type=float, default=0.0)
    args = p.parse_args()
    if not args.host.startswith("127.") and args.host not in ("localhost", "::1"):
        raise SystemExit("the mock only listens on loopback")
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    web.run_app(
        make_app(args.chunks, args.chunk_delay, args.first_delay),
        host=args.host,
        port=args.port,
        access_log=None,
        print=lambda *_: print(f"mock OpenAI listening on http://{args.host}:{args.port}/v1", flush=True),
    )


if __name__ == "__main__":
    main()
