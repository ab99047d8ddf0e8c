"""A live Brisk AgentOS (the reference app) on loopback, against the OpenAI mock."""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from brisk.os import AgentOS
from tests.integration.os.bench_app import bench_os
from tests.mocks.openai_server import OpenAIMock
from tests.support.live_server import LiveServer, encode_multipart, live_server


@dataclass
class Bench:
    server: LiveServer
    os: AgentOS
    mock: OpenAIMock

    @property
    def agent(self) -> Any:
        return self.os.get_agent("bench-agent")

    @property
    def db(self) -> Any:
        return self.agent.db

    def open_stream(
        self, fields: dict[str, str], until: bytes = b"event: RunContent", **headers: str
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse, bytes]:
        """Start a streamed run and read until ``until`` has arrived; the caller closes the connection."""
        body, ctype = encode_multipart({"stream": "true", **fields})
        conn = self.server.connect()
        conn.request(
            "POST", "/agents/bench-agent/runs", body=body, headers={"Content-Type": ctype, **headers}
        )
        resp = conn.getresponse()
        data = b""
        deadline = time.monotonic() + 10
        while until not in data:
            chunk = resp.read1(65536)
            if not chunk or time.monotonic() > deadline:
                raise AssertionError(f"stream ended before {until!r}: {data[-300:]!r}")
            data += chunk
        return conn, resp, data


def make_bench(tmp_path: Any, mock: OpenAIMock, **os_kw: Any) -> Iterator[Bench]:
    os = bench_os(tmp_path / "bench.db", mock.base_url, **os_kw)
    with live_server(os.get_app()) as server:
        yield Bench(server, os, mock)


@pytest.fixture
def bench(tmp_path: Any, openai_mock: OpenAIMock) -> Iterator[Bench]:
    yield from make_bench(tmp_path, openai_mock)


async def wait_for(predicate: Any, timeout: float = 10.0, interval: float = 0.02) -> Any:
    """Poll an async ``predicate`` until it returns something truthy."""
    import asyncio

    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(interval)
