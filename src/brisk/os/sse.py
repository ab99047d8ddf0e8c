"""Server-sent events as Agno writes them, sent on raw ASGI.

A frame is ``event: <Name>\\ndata: <one-line JSON>\\n\\n``: no ``id:`` lines, no keep-alive comments,
no ``[DONE]``. Each event is encoded once (msgspec) and framed with one join, so a streamed chunk
costs one dict, one JSON encode and one bytes object.

:func:`stream_run` also watches the connection: uvicorn's ``send`` silently drops data once a client
has gone, so without a watcher a run would go on to the end for nobody. On ``http.disconnect`` the
watcher cancels the task that drives the run; the run loop then stores the run as CANCELLED, and the
cancellation is absorbed here instead of being logged as an application error.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import msgspec

__all__ = ["HEADERS", "error_frame", "frame", "stream_run", "unless_disconnected", "watch_disconnect"]

HEADERS = [(b"content-type", b"text/event-stream; charset=utf-8")]
_encode = msgspec.json.Encoder().encode
_prefixes: dict[str, bytes] = {}
_END = b"\n\n"
T = TypeVar("T")


def frame(event: Any) -> bytes:
    """One SSE frame for a run event (anything with ``.event`` and ``.to_dict()``)."""
    name = event.event or "message"
    prefix = _prefixes.get(name)
    if prefix is None:
        prefix = _prefixes[name] = b"event: " + name.encode() + b"\ndata: "
    return b"".join((prefix, _encode(event.to_dict()), _END))


def error_frame(
    content: str,
    *,
    agent_id: str,
    agent_name: str,
    run_id: str | None,
    session_id: str | None,
    error_type: str | None = None,
) -> bytes:
    """A ``RunError`` frame for a failure outside the run loop (it reports its own failures itself)."""
    data: dict[str, Any] = {
        "created_at": int(time.time()),
        "event": "RunError",
        "agent_id": agent_id,
        "agent_name": agent_name,
    }
    if run_id is not None:
        data["run_id"] = run_id
    if session_id is not None:
        data["session_id"] = session_id
    data["nested_depth"] = 0
    data["content"] = content
    if error_type is not None:
        data["error_type"] = error_type
    return b"event: RunError\ndata: " + _encode(data) + _END


class _Watch:
    """Cancels ``task`` when the client disconnects, until :meth:`stop` is called."""

    __slots__ = ("gone", "_done", "_task", "_watcher")

    def __init__(self, receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        self.gone = False
        self._done = False
        task = asyncio.current_task()
        assert task is not None
        self._task = task
        self._watcher = asyncio.get_running_loop().create_task(self._run(receive))

    async def _run(self, receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                if not self._done:
                    self.gone = True
                    self._task.cancel()
                return

    def stop(self) -> None:
        # Called before the last send completes the response: uvicorn answers ``receive`` with
        # ``http.disconnect`` once a response is complete, which must not read as a client leaving.
        self._done = True
        self._watcher.cancel()


def watch_disconnect(receive: Callable[[], Awaitable[dict[str, Any]]]) -> _Watch:
    """Start watching for a client disconnect; the caller must ``stop()`` it."""
    return _Watch(receive)


async def unless_disconnected(
    receive: Callable[[], Awaitable[dict[str, Any]]], awaitable: Awaitable[T]
) -> tuple[bool, T | None]:
    """Await a non-streamed run while watching the client: ``(True, result)``, or ``(False, None)``
    when the client went away (the run was cancelled and stored so; nobody is left to answer)."""
    watch = _Watch(receive)
    try:
        return True, await awaitable
    except asyncio.CancelledError:
        if not watch.gone:
            raise
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
        return False, None
    finally:
        watch.stop()


async def stream_run(
    send: Callable[[dict[str, Any]], Awaitable[None]],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    events: AsyncIterator[Any],
    on_error: Callable[[BaseException], bytes],
) -> bool:
    """Send ``events`` as an SSE response. Returns False when the client went away mid-stream.

    The body must have been read completely before (the watcher owns ``receive`` from here on).
    """
    watch = _Watch(receive)
    try:
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        try:
            async for event in events:
                await send({"type": "http.response.body", "body": frame(event), "more_body": True})
        except asyncio.CancelledError:
            raise
        except Exception as e:  # noqa: BLE001 - a failure outside the run loop still ends the stream cleanly
            await send({"type": "http.response.body", "body": on_error(e), "more_body": True})
        watch.stop()
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return True
    except asyncio.CancelledError:
        if not watch.gone:
            raise  # shutdown or an outer timeout: not ours to absorb
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
        return False
    finally:
        watch.stop()
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            try:
                await aclose()
            except Exception:  # noqa: BLE001 - closing a finished generator must not mask the outcome
                pass
