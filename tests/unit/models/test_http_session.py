"""One shared aiohttp session per event loop, closed with its loop."""

from __future__ import annotations

import asyncio

import aiohttp

from brisk.models import _http
from brisk.models._http import close_session, get_session, make_timeout


async def test_same_session_within_a_loop() -> None:
    s1 = get_session()
    s2 = get_session()
    assert s1 is s2
    assert isinstance(s1, aiohttp.ClientSession)
    conn = s1.connector
    assert isinstance(conn, aiohttp.TCPConnector)
    # no per-host cap: 100+ concurrent streams to one provider must not queue in the pool
    assert conn.limit_per_host == 0
    assert conn.limit >= 1000
    await close_session()
    assert s1.closed
    # a new one is made after an explicit close
    s3 = get_session()
    assert s3 is not s1 and not s3.closed
    await close_session()
    await close_session()  # twice is fine


def test_session_closed_when_asyncio_run_ends() -> None:
    seen: list[aiohttp.ClientSession] = []

    async def use() -> None:
        seen.append(get_session())

    asyncio.run(use())
    asyncio.run(use())
    assert len(seen) == 2
    assert seen[0] is not seen[1]
    assert all(s.closed for s in seen)
    assert not any(e.session in seen for e in _http._entries.values())


def test_hand_closed_loop_is_swept() -> None:
    loop = asyncio.new_event_loop()

    async def use() -> aiohttp.ClientSession:
        return get_session()

    session = loop.run_until_complete(use())
    loop.close()  # no shutdown_asyncgens: the session is still open
    assert loop in _http._entries

    async def other() -> None:
        get_session()  # creating a session for another loop sweeps closed loops
        await close_session()

    asyncio.run(other())
    assert loop not in _http._entries
    assert session.closed  # detached, no "unclosed session" warning later


def test_make_timeout_matches_the_sdk() -> None:
    t = make_timeout(None)
    assert t.total is None and t.sock_read == 600.0 and t.sock_connect == 5.0
    t = make_timeout(12)
    assert t.total is None and t.sock_read == 12.0 and t.sock_connect == 12.0
    assert make_timeout(30, connect=2).sock_connect == 2
