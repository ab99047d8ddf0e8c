"""SSE framing and the streaming loop (disconnect handling), and run admission (429 / 503 drain)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from brisk.os import limits
from brisk.os.errors import HTTPError
from brisk.os.sse import HEADERS, error_frame, frame, stream_run
from brisk.run.agent import RunContentEvent, RunStartedEvent
from tests.support.http_exchange import parse_sse


def test_frame_is_agno_sse() -> None:
    ev = RunContentEvent(
        created_at=1, agent_id="a", agent_name="A", run_id="r", session_id="s", content="héllo\n"
    )
    data = frame(ev)
    assert data == (
        b'event: RunContent\ndata: {"created_at":1,"event":"RunContent","agent_id":"a","agent_name":"A",'
        b'"run_id":"r","session_id":"s","nested_depth":0,"content":"h\xc3\xa9llo\\n","workflow_agent":false,'
        b'"content_type":"str"}\n\n'
    )
    assert parse_sse(data)[0][0] == "RunContent"


def test_error_frame() -> None:
    name, data = parse_sse(
        error_frame("boom", agent_id="a", agent_name="A", run_id=None, session_id="s", error_type="x")
    )[0]
    assert name == "RunError"
    assert list(data) == [
        "created_at",
        "event",
        "agent_id",
        "agent_name",
        "session_id",
        "nested_depth",
        "content",
        "error_type",
    ]


class Client:
    """An ASGI client: ``send`` records, ``receive`` blocks until :meth:`leave`."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self._gone = asyncio.Event()

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    async def receive(self) -> dict[str, Any]:
        await self._gone.wait()
        return {"type": "http.disconnect"}

    def leave(self) -> None:
        self._gone.set()


def _events(n: int, delay: float = 0.0, fail_at: int | None = None) -> AsyncIterator[Any]:
    async def gen() -> AsyncIterator[Any]:
        for i in range(n):
            if fail_at == i:
                raise RuntimeError("broken")
            await asyncio.sleep(delay)
            yield RunStartedEvent(created_at=1, agent_id="a", agent_name="A", run_id=str(i))

    return gen()


async def test_stream_completes() -> None:
    c = Client()
    assert await stream_run(c.send, c.receive, _events(3), lambda e: b"")
    assert c.sent[0] == {"type": "http.response.start", "status": 200, "headers": HEADERS}
    assert [m.get("more_body") for m in c.sent[1:]] == [True, True, True, False]


async def test_disconnect_cancels_the_producer_and_is_absorbed() -> None:
    c = Client()
    cancelled = asyncio.Event()

    async def slow() -> AsyncIterator[Any]:
        try:
            for i in range(100):
                await asyncio.sleep(0.01)
                yield RunStartedEvent(run_id=str(i))
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def leave_soon() -> None:
        await asyncio.sleep(0.05)
        c.leave()

    asyncio.get_running_loop().create_task(leave_soon())
    assert await stream_run(c.send, c.receive, slow(), lambda e: b"") is False
    assert cancelled.is_set()
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0  # the cancellation did not leak into this task
    assert c.sent[-1].get("more_body") is True  # nothing more was sent after the client left


async def test_failure_outside_run_loop_ends_with_error_frame() -> None:
    c = Client()
    assert await stream_run(c.send, c.receive, _events(3, fail_at=1), lambda e: b"ERR:" + str(e).encode())
    assert c.sent[2]["body"] == b"ERR:broken" and c.sent[-1] == {
        "type": "http.response.body",
        "body": b"",
        "more_body": False,
    }


async def test_foreign_cancellation_propagates() -> None:
    c = Client()
    task = asyncio.get_running_loop().create_task(
        stream_run(c.send, c.receive, _events(100, 0.01), lambda e: b"")
    )
    await asyncio.sleep(0.03)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


# -- admission ----------------------------------------------------------------------------------------
def test_gate_limit_and_drain(monkeypatch: pytest.MonkeyPatch) -> None:
    gate = limits.RunGate(2)
    gate.acquire()
    gate.acquire()
    with pytest.raises(HTTPError) as e:
        gate.acquire()
    assert e.value.status == 429 and e.value.headers == {"Retry-After": "1"} and "at most 2" in e.value.detail
    gate.release()
    gate.acquire()
    assert limits.active_runs() >= 2
    try:
        limits.start_drain()
        assert limits.draining()
        with pytest.raises(HTTPError) as e:
            limits.RunGate(5).acquire()
        assert e.value.status == 503 and "shutting down" in e.value.detail
    finally:
        limits.reset_drain()
    gate.release()
    gate.release()


def test_gate_reads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRISK_MAX_CONCURRENT_RUNS", "7")
    assert limits.RunGate().limit == 7
    monkeypatch.setenv("BRISK_MAX_CONCURRENT_RUNS", "lots")
    with pytest.raises(ValueError, match="BRISK_MAX_CONCURRENT_RUNS"):
        limits.RunGate()
    with pytest.raises(ValueError):
        limits.RunGate(0)
    monkeypatch.setenv("BRISK_DRAIN_SECONDS", "2.5")
    assert limits.drain_seconds() == 2.5
    monkeypatch.setenv("BRISK_DRAIN_SECONDS", "soon")
    with pytest.raises(ValueError, match="BRISK_DRAIN_SECONDS"):
        limits.drain_seconds()


async def test_wait_idle() -> None:
    gate = limits.RunGate(1)
    gate.acquire()
    assert await limits.wait_idle(0.05, poll=0.01) is False
    asyncio.get_running_loop().call_later(0.02, gate.release)
    assert await limits.wait_idle(1.0, poll=0.01) is True
