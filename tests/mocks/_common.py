"""Pieces the provider mocks share: request recording, deterministic embeddings, word tokens."""

from __future__ import annotations

import hashlib
import struct
import time
from typing import Any

import msgspec
from aiohttp import web

from tests.mocks.openai_server import OpenAIMock, RecordedRequest, Reply, Text

__all__ = ["fake_vector", "record", "words"]


def fake_vector(text: str, dims: int) -> list[float]:
    """A deterministic unit-ish vector for ``text`` (same text, same vector, on every mock)."""
    out: list[float] = []
    counter = 0
    while len(out) < dims:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        out.extend((v / 2**31) - 1.0 for v in struct.unpack("<8I", digest))
        counter += 1
    return [round(v, 6) for v in out[:dims]]


def words(text: str) -> list[str]:
    parts = text.split(" ")
    return [parts[0]] + [" " + w for w in parts[1:]]


async def record(mock: OpenAIMock, request: web.Request) -> tuple[int, Reply | None, Any]:
    """Read and record a request like ``OpenAIMock`` does: (request number, scripted reply, decoded body)."""
    raw = await request.read()
    try:
        body = msgspec.json.decode(raw) if raw else None
    except msgspec.DecodeError:
        body = raw.decode("utf-8", "replace")
    with mock._lock:  # noqa: SLF001 - the mocks share OpenAIMock's plumbing
        mock._count += 1  # noqa: SLF001
        n = mock._count  # noqa: SLF001
        # Replies scripted for this request's model (``script_for``) come before the shared queue.
        by_model = getattr(mock, "_by_model", None) or {}
        own = by_model.get(str(body.get("model"))) if isinstance(body, dict) else None
        reply = own.popleft() if own else (mock._queue.popleft() if mock._queue else None)  # noqa: SLF001
        if mock.record:
            mock.requests.append(
                RecordedRequest(
                    request.method,
                    request.path,
                    {k.lower(): v for k, v in request.headers.items()},
                    body,
                    dict(request.query),
                    time.time(),
                )
            )
    if isinstance(reply, str):
        reply = Text(reply)
    return n, reply, body
