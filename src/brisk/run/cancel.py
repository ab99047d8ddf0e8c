"""Cancellation of running runs.

A run registers the asyncio task that drives it. ``cancel_run`` marks the run and cancels that task
(thread-safely), which interrupts an in-flight model request at once; the run loop recognises its own
mark, un-cancels the task and ends the run as CANCELLED instead of propagating the CancelledError.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Active:
    loop: asyncio.AbstractEventLoop
    task: asyncio.Task[object] | None
    requested: bool = False
    reason: str | None = field(default=None)


_active: dict[str, _Active] = {}
_lock = threading.Lock()


def register(run_id: str) -> _Active:
    entry = _Active(loop=asyncio.get_running_loop(), task=asyncio.current_task())
    with _lock:
        _active[run_id] = entry
    return entry


def unregister(run_id: str) -> None:
    with _lock:
        _active.pop(run_id, None)


def is_running(run_id: str) -> bool:
    return run_id in _active


def cancel_run(run_id: str, reason: str | None = None) -> bool:
    """Ask a running run to stop. Returns False when no run with this id is running here."""
    with _lock:
        entry = _active.get(run_id)
    if entry is None:
        return False
    entry.requested = True
    entry.reason = reason
    if entry.task is not None and not entry.task.done():
        entry.loop.call_soon_threadsafe(entry.task.cancel)
    return True
