"""Streaming framings of provider responses: Server-Sent Events and NDJSON.

Both readers take the raw byte chunks of a response (``resp.content.iter_any()``), which arrive cut at
arbitrary places by TCP, and yield complete records. They work on ``bytes`` and hand the payload over
as ``bytes`` so the JSON decoder reads it without an intermediate ``str``.

SSE (https://html.spec.whatwg.org/multipage/server-sent-events.html), the parts providers use:

* ``data:`` lines; several in one event are joined with ``\\n``; one space after the colon is dropped;
* ``event:`` and ``id:`` fields are kept, ``retry:`` and unknown fields are ignored;
* comment lines starting with ``:`` are skipped (OpenRouter's ``: OPENROUTER PROCESSING`` keep-alives);
* events end at a blank line; lines end with ``\\n``, ``\\r\\n`` or ``\\r`` (Gemini uses ``\\r\\n``);
* a last event without its closing blank line is still delivered when the stream ends (lenient: some
  servers close right after ``data: [DONE]``).

The ``[DONE]`` sentinel is payload, not framing: the caller checks ``is_done(event.data)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from typing import NamedTuple

__all__ = ["DONE", "SSEEvent", "is_done", "iter_ndjson", "iter_sse"]

DONE = b"[DONE]"


class SSEEvent(NamedTuple):
    data: bytes
    event: str | None = None
    id: str | None = None


def is_done(data: bytes) -> bool:
    return data == DONE or data.strip() == DONE


def _normalise(buf: bytes) -> tuple[bytes, bytes]:
    """Split off a trailing ``\\r`` (its ``\\n`` may be in the next chunk) and turn CR/CRLF into LF."""
    carry = b""
    if buf.endswith(b"\r"):
        buf, carry = buf[:-1], b"\r"
    return buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n"), carry


async def iter_sse(chunks: AsyncIterable[bytes]) -> AsyncIterator[SSEEvent]:
    """Yield the events of an SSE byte stream."""
    pending = b""  # an incomplete last line, carried to the next chunk
    data: list[bytes] = []
    event: str | None = None
    last_id: str | None = None
    async for chunk in chunks:
        if not chunk:
            continue
        buf = pending + chunk if pending else chunk
        if b"\r" in buf:
            buf, carry = _normalise(buf)
        else:
            carry = b""
        lines = buf.split(b"\n")
        pending = lines.pop() + carry
        for line in lines:
            if not line:
                if data:
                    yield SSEEvent(data[0] if len(data) == 1 else b"\n".join(data), event, last_id)
                    data = []
                event = None
                continue
            if line[0] == 58:  # b":" - comment / keep-alive
                continue
            name, sep, value = line.partition(b":")
            if sep and value[:1] == b" ":
                value = value[1:]
            if name == b"data":
                data.append(value)
            elif name == b"event":
                event = value.decode("utf-8", "replace")
            elif name == b"id":
                last_id = value.decode("utf-8", "replace")
    # End of stream: a final line without newline and an event without its blank line still count.
    if pending:
        line = pending.rstrip(b"\r")
        if line and line[0] != 58:
            name, sep, value = line.partition(b":")
            if sep and value[:1] == b" ":
                value = value[1:]
            if name == b"data":
                data.append(value)
    if data:
        yield SSEEvent(data[0] if len(data) == 1 else b"\n".join(data), event, last_id)


async def iter_ndjson(chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """Yield the non-blank lines of a newline-delimited JSON stream (Ollama), without the newline."""
    pending = b""
    async for chunk in chunks:
        if not chunk:
            continue
        buf = pending + chunk if pending else chunk
        lines = buf.split(b"\n")
        pending = lines.pop()
        for line in lines:
            line = line.strip()
            if line:
                yield line
    line = pending.strip()
    if line:
        yield line
