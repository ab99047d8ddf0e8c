"""The load benchmark's mock LLM: OpenAI Chat Completions over SSE with a realistic pace.

``python -m bench.mock_llm --port N [--ttft 0.05] [--gap 0.015] [--chunks 32]``

A streamed text reply waits ``ttft`` seconds, sends the role delta and the first content delta, then
one content delta every ``gap`` seconds (so the floor of a 32-chunk reply is 50 + 31 x 15 = 515 ms),
a ``finish_reason`` chunk, the usage chunk (``stream_options.include_usage``) and ``data: [DONE]``.
When tools are offered and the last user message says "weather in <City>", the reply (after ``ttft``)
is one ``get_weather`` call with ``{"city": "<City>"}``; the turn after the tool result is text again.
Non-streamed requests get the same content as one JSON body after ``ttft``.

Why not ``tests/mocks/openai_server.py`` or ``bench/mock_openai.py``: the first has a fixed 32-word
reply, the second triggers its tool call on a ``[tool]`` marker; and at ~40 runs/s x 32 chunks the mock
must stay cheap, so every frame here is pre-encoded bytes with only the completion id spliced in.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re

from aiohttp import web

WORDS = (
    "the quick brown fox jumps over a lazy dog while seven bright stars shine above calm silver water "
    "and distant hills glow softly under evening light the quick brown fox jumps over"
).split()
_WEATHER = re.compile(r"weather in ([A-Z][A-Za-z-]+)")
_DONE = b"data: [DONE]\n\n"


def _reply_pieces(chunks: int) -> list[str]:
    # One word per chunk; more chunks than words repeat the text, so the length is what was asked.
    words = list(itertools.islice(itertools.cycle(WORDS), chunks))
    return [w if i == 0 else " " + w for i, w in enumerate(words)]


def _split(obj: dict) -> tuple[bytes, bytes]:
    """Encode a chunk with a placeholder id; return the bytes before and after the id."""
    raw = b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n"
    head, tail = raw.split(b"@ID@")
    return head, tail


def _chunk(delta: dict, finish: str | None = None) -> dict:
    return {
        "id": "@ID@",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "gpt-4o-mini",
        "system_fingerprint": "fp_mock",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }


class MockLLM:
    def __init__(self, ttft: float, gap: float, chunks: int) -> None:
        self.ttft, self.gap = ttft, gap
        self.pieces = _reply_pieces(chunks)
        self.text = "".join(self.pieces)
        self.counter = 0
        self.stats = {"requests": 0, "tool_calls": 0, "active": 0, "max_active": 0}
        self.role = _split(_chunk({"role": "assistant", "content": ""}))
        self.content = [_split(_chunk({"content": p})) for p in self.pieces]
        self.stop = _split(_chunk({}, "stop"))
        self.tool_stop = _split(_chunk({}, "tool_calls"))

    @staticmethod
    def _frame(parts: tuple[bytes, bytes], cid: bytes) -> bytes:
        return parts[0] + cid + parts[1]

    def _usage(self, cid: str, prompt: int, completion: int) -> bytes:
        body = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": "gpt-4o-mini",
            "system_fingerprint": "fp_mock",
            "choices": [],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }
        return b"data: " + json.dumps(body, separators=(",", ":")).encode() + b"\n\n"

    async def completions(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        body = json.loads(raw)
        self.counter += 1
        n = self.counter
        self.stats["requests"] += 1
        self.stats["active"] += 1
        self.stats["max_active"] = max(self.stats["max_active"], self.stats["active"])
        try:
            return await self._answer(request, body, n, len(raw) // 4)
        finally:
            self.stats["active"] -= 1

    def _city(self, body: dict) -> str | None:
        messages = body.get("messages") or []
        if not body.get("tools") or not messages or messages[-1].get("role") != "user":
            return None
        content = messages[-1].get("content")
        if isinstance(content, list):
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        m = _WEATHER.search(content or "")
        return m.group(1) if m else None

    async def _answer(self, request: web.Request, body: dict, n: int, prompt: int) -> web.StreamResponse:
        cid_s = f"chatcmpl-mock{n:08d}"
        cid = cid_s.encode()
        city = self._city(body)
        if city:
            self.stats["tool_calls"] += 1
        call = {
            "index": 0,
            "id": f"call_{n:08d}",
            "type": "function",
            "function": {"name": "get_weather", "arguments": json.dumps({"city": city})},
        }
        await asyncio.sleep(self.ttft)
        if not body.get("stream"):
            message: dict = {"role": "assistant", "content": self.text}
            if city:
                message = {"role": "assistant", "content": None, "tool_calls": [call]}
                del call["index"]
            completion = 12 if city else len(self.pieces)
            return web.json_response(
                {
                    "id": cid_s,
                    "object": "chat.completion",
                    "created": 1_700_000_000,
                    "model": body.get("model", "gpt-4o-mini"),
                    "system_fingerprint": "fp_mock",
                    "choices": [
                        {
                            "index": 0,
                            "message": message,
                            "logprobs": None,
                            "finish_reason": "tool_calls" if city else "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": prompt,
                        "completion_tokens": completion,
                        "total_tokens": prompt + completion,
                    },
                }
            )
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await resp.prepare(request)
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        if city:
            tool = _chunk({"tool_calls": [call]})
            tool["id"] = cid_s
            await resp.write(
                self._frame(self.role, cid)
                + b"data: "
                + json.dumps(tool, separators=(",", ":")).encode()
                + b"\n\n"
                + self._frame(self.tool_stop, cid)
                + (self._usage(cid_s, prompt, 12) if include_usage else b"")
                + _DONE
            )
        else:
            await resp.write(self._frame(self.role, cid) + self._frame(self.content[0], cid))
            for parts in self.content[1:]:
                await asyncio.sleep(self.gap)
                await resp.write(self._frame(parts, cid))
            tail = self._frame(self.stop, cid)
            if include_usage:
                tail += self._usage(cid_s, prompt, len(self.pieces))
            await resp.write(tail + _DONE)
        await resp.write_eof()
        return resp

    async def health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def get_stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats)


def make_app(ttft: float = 0.05, gap: float = 0.015, chunks: int = 32) -> web.Application:
    mock = MockLLM(ttft, gap, chunks)
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
    p.add_argument("--ttft", type=float, default=0.05, help="seconds to the first token")
    p.add_argument("--gap", type=float, default=0.015, help="seconds between content chunks")
    p.add_argument("--chunks", type=int, default=32, help="content chunks (one word each)")
    args = p.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    web.run_app(
        make_app(args.ttft, args.gap, args.chunks),
        host=args.host,
        port=args.port,
        access_log=None,
        backlog=1024,
        print=lambda *_: print(f"mock LLM listening on http://{args.host}:{args.port}/v1", flush=True),
    )


if __name__ == "__main__":
    main()
