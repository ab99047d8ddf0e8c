"""One shared ``aiohttp.ClientSession`` per event loop.

Every provider call goes through the session of the running loop, so connections are pooled and reused
across models, agents and runs (a TLS handshake per request would cost more than the whole relay).

Lifetime: an ``aiohttp.ClientSession`` is bound to the loop it was created on, so sessions are kept in a
weak map keyed by loop. The session is closed

* when the loop shuts down its async generators (``asyncio.run``, ``asyncio.Runner``, uvicorn and
  pytest-asyncio all do this before closing the loop): a tiny parked async generator registered with the
  loop runs ``session.close()`` in its ``finally``;
* explicitly with ``await close_session()`` (e.g. from an app's shutdown hook);
* as a last resort, when a new session is created and an older loop was closed without shutting down
  its async generators (a hand-driven ``loop.close()``), that loop's sockets are closed synchronously.

The map is a plain dict on purpose: a session references its loop, so a weak map would never drop it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass

import aiohttp

__all__ = [
    "CONNECT_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "close_all_sessions",
    "close_session",
    "get_session",
    "make_timeout",
]

log = logging.getLogger("brisk.models")

# The openai SDK's defaults (which Agno inherits): 600 s per read, 5 s to connect.
DEFAULT_TIMEOUT = 600.0
CONNECT_TIMEOUT = 5.0

# No per-host cap: a server relaying 100+ concurrent streams to one provider must not queue them on
# the pool (aiohttp's default is 100 connections in total). The total cap only bounds file descriptors.
_POOL_LIMIT = 4096
_KEEPALIVE = 30.0


@dataclass(slots=True)
class _Entry:
    session: aiohttp.ClientSession
    # Strong reference: the loop only keeps a weak set of its async generators.
    closer: AsyncGenerator[None, None]


_entries: dict[asyncio.AbstractEventLoop, _Entry] = {}


def make_timeout(timeout: float | None, connect: float | None = None) -> aiohttp.ClientTimeout:
    """Per-request timeout with the openai SDK's meaning: ``timeout`` bounds the connection and each read.

    There is no total deadline, so a long stream is fine as long as it keeps sending.
    """
    read = DEFAULT_TIMEOUT if timeout is None else float(timeout)
    conn = connect if connect is not None else (CONNECT_TIMEOUT if timeout is None else read)
    return aiohttp.ClientTimeout(total=None, sock_connect=conn, connect=conn, sock_read=read)


def get_session() -> aiohttp.ClientSession:
    """The shared session of the running event loop (created on first use)."""
    loop = asyncio.get_running_loop()
    entry = _entries.get(loop)
    if entry is not None and not entry.session.closed:
        return entry.session
    _sweep()
    connector = aiohttp.TCPConnector(
        limit=_POOL_LIMIT,
        limit_per_host=0,
        ttl_dns_cache=300,
        keepalive_timeout=_KEEPALIVE,
    )
    session = aiohttp.ClientSession(
        connector=connector,
        timeout=make_timeout(None),
        # Providers get bodies we encoded ourselves; never let aiohttp re-serialise or raise on status.
        raise_for_status=False,
        auto_decompress=True,
    )
    closer = _closer(loop, session)
    _start(closer)
    _entries[loop] = _Entry(session, closer)
    return session


async def close_session(loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Close the shared session of ``loop`` (default: the running loop). Safe to call twice."""
    loop = loop or asyncio.get_running_loop()
    entry = _entries.pop(loop, None)
    if entry is not None:
        await entry.closer.aclose()  # runs its ``finally``: closes the session


async def close_all_sessions() -> None:
    """Close the session of the running loop; sessions of other loops are closed by their own loop."""
    await close_session()


async def _closer(
    loop: asyncio.AbstractEventLoop, session: aiohttp.ClientSession
) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        entry = _entries.get(loop)
        if entry is not None and entry.session is session:
            del _entries[loop]
        if not session.closed:
            await session.close()


def _start(agen: AsyncGenerator[None, None]) -> None:
    # Advance the generator to its ``yield`` synchronously. The first ``__anext__`` call runs the loop's
    # async-generator "firstiter" hook, which registers the generator with the running loop; the loop
    # then finalises it (running our ``finally``) in ``shutdown_asyncgens`` before it closes.
    step = agen.__anext__()
    try:
        step.send(None)
    except StopIteration:
        pass


def _sweep() -> None:
    # Loops closed without shutting down their async generators: their sessions can no longer be awaited,
    # so close the sockets directly and detach the connector (no "unclosed session" warning).
    for loop in [lp for lp in _entries if lp.is_closed()]:
        entry = _entries.pop(loop)
        connector = entry.session.connector
        try:
            if connector is not None and not connector.closed:
                connector._close()  # noqa: SLF001 - the synchronous part of close(); its loop is closed
        except Exception:  # noqa: BLE001 - best effort: the transports may already be gone
            log.debug("could not close the connector of a closed event loop", exc_info=True)
        entry.session.detach()
