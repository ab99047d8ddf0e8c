"""Admission of runs: a cap on concurrent runs (429) and draining on shutdown (503).

Both are decided before a response starts, so a client gets a clean status with ``Retry-After``
instead of a stream that stops half-way. The counter is a plain integer: one event loop owns it, so
no lock is needed, and an admission costs two integer operations.

Draining is process-wide (:func:`start_drain`), because the signal handler that starts it knows the
server, not the apps it serves.
"""

from __future__ import annotations

import asyncio
import os
import time
import weakref

from brisk.os.errors import HTTPError

__all__ = ["RunGate", "active_runs", "draining", "start_drain", "wait_idle"]

DEFAULT_MAX_CONCURRENT_RUNS = 256
DEFAULT_DRAIN_SECONDS = 30.0

_gates: weakref.WeakSet[RunGate] = weakref.WeakSet()
_draining = False


def _env_int(name: str, default: int) -> int:
    raw = os.getenv(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None
    return value


def drain_seconds() -> float:
    raw = os.getenv("BRISK_DRAIN_SECONDS", "").strip()
    try:
        return float(raw) if raw else DEFAULT_DRAIN_SECONDS
    except ValueError:
        raise ValueError(f"BRISK_DRAIN_SECONDS must be a number, got {raw!r}") from None


class RunGate:
    """Counts running runs of one app and refuses new ones past ``limit`` or while draining."""

    __slots__ = ("limit", "active", "__weakref__")

    def __init__(self, limit: int | None = None) -> None:
        self.limit = (
            _env_int("BRISK_MAX_CONCURRENT_RUNS", DEFAULT_MAX_CONCURRENT_RUNS) if limit is None else limit
        )
        if self.limit < 1:
            raise ValueError(f"the concurrent run limit must be at least 1, got {self.limit}")
        self.active = 0
        _gates.add(self)

    def acquire(self) -> None:
        """Admit one run or raise the 503 (draining) / 429 (at the limit) to answer with."""
        if _draining:
            raise HTTPError(
                503,
                "The server is shutting down and accepts no new runs; retry on another instance",
                {"Retry-After": "5"},
            )
        if self.active >= self.limit:
            raise HTTPError(
                429,
                f"Too many concurrent runs: this server runs at most {self.limit} at a time; retry shortly",
                {"Retry-After": "1"},
            )
        self.active += 1

    def release(self) -> None:
        self.active -= 1


def draining() -> bool:
    return _draining


def active_runs() -> int:
    return sum(g.active for g in list(_gates))


def start_drain() -> None:
    """From now on every gate of this process refuses new runs with 503."""
    global _draining
    _draining = True


def reset_drain() -> None:
    """Back to normal admission (tests, or a server that is started again in the same process)."""
    global _draining
    _draining = False


async def wait_idle(timeout: float, poll: float = 0.05) -> bool:
    """Wait until no run is active, at most ``timeout`` seconds. True when idle in time."""
    deadline = time.monotonic() + timeout
    while active_runs() > 0:
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(poll)
    return True
