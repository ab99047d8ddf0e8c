"""Run the async core from sync code.

The sync API (``Agent.run``, ``Model.invoke``, ...) is a thin wrapper over the async core. When no event
loop is running in this thread we use ``asyncio.run``-like private loops; when one is (Jupyter, a sync
call inside an async app) the coroutine runs on a private loop in a worker thread, so we never nest loops.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
import weakref
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_local = threading.local()
_loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def _thread_loop() -> asyncio.AbstractEventLoop:
    # One long-lived loop per thread: shared aiohttp sessions and db connections stay valid across
    # consecutive sync calls, which a fresh asyncio.run() per call would close every time.
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _local.loop = loop
        _loops.add(loop)
    return loop


@atexit.register
def _close_loops() -> None:
    # At exit, let each private loop close what it opened (HTTP sessions), so the interpreter does not
    # warn about unclosed connections. Loops still running in other threads are left alone.
    for loop in list(_loops):
        if loop.is_closed() or loop.is_running():
            continue
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
        except Exception:  # noqa: BLE001 - best effort at interpreter exit
            pass


def _in_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from synchronous code."""
    if not _in_running_loop():
        return _thread_loop().run_until_complete(coro)
    result: list[Any] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(_thread_loop().run_until_complete(coro))
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            error.append(e)

    t = threading.Thread(target=target, name="brisk-sync", daemon=True)
    t.start()
    t.join()
    if error:
        raise error[0]
    return result[0]


def iter_sync(agen: AsyncIterator[T]) -> Iterator[T]:
    """Iterate an async iterator from synchronous code, one item at a time."""
    if not _in_running_loop():
        loop = _thread_loop()
        try:
            while True:
                try:
                    yield loop.run_until_complete(agen.__anext__())
                except StopAsyncIteration:
                    return
        finally:
            aclose = getattr(agen, "aclose", None)
            if aclose is not None:
                loop.run_until_complete(aclose())
        return
    # Inside a running loop: drive the iterator on a private loop in a worker thread.
    import queue

    q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=64)

    async def pump() -> None:
        try:
            async for item in agen:
                q.put(("item", item))
        except BaseException as e:  # noqa: BLE001
            q.put(("error", e))
        else:
            q.put(("done", None))

    t = threading.Thread(target=lambda: _thread_loop().run_until_complete(pump()), daemon=True)
    t.start()
    while True:
        kind, value = q.get()
        if kind == "item":
            yield value
        elif kind == "error":
            raise value
        else:
            return
