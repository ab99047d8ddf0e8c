"""``brisk serve`` in a subprocess, and SIGTERM: running streams finish, new runs get 503, then exit."""

from __future__ import annotations

import asyncio
import http.client
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from brisk.db.sqlite import SqliteDb
from tests.support.http_exchange import parse_sse
from tests.support.live_server import encode_multipart

BRISK = Path(sys.executable).parent / "brisk"
APP = """
from brisk.agent import Agent
from brisk.db.sqlite import SqliteDb
from brisk.models.demo import DemoModel
from brisk.os import AgentOS

agent = Agent(id="slow", name="Slow", model=DemoModel(delay={delay}), db=SqliteDb(db_file={db!r}))
agent_os = AgentOS(agents=[agent])
app = agent_os.get_app()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, tmp: Path, delay: float, drain: float, target: str = "drain_app:app") -> None:
        self.db = tmp / "drain.db"
        (tmp / "drain_app.py").write_text(textwrap.dedent(APP.format(delay=delay, db=str(self.db))))
        self.port = _free_port()
        env = {**os.environ, "BRISK_DRAIN_SECONDS": str(drain), "PYTHONPATH": str(Path.cwd())}
        self.proc = subprocess.Popen(
            [str(BRISK), "serve", target, "--port", str(self.port), "--log-level", "warning"],
            cwd=tmp,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                if self.request("GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                out = self.proc.stdout.read().decode() if self.proc.stdout else ""
                raise RuntimeError(f"brisk serve did not start: {out}")
            time.sleep(0.05)

    def request(
        self, method: str, path: str, fields: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            body, ctype = encode_multipart(fields) if fields else (None, "text/plain")
            conn.request(method, path, body=body, headers={"Content-Type": ctype} if fields else {})
            r = conn.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        finally:
            conn.close()

    def stream(self, ready: threading.Event, out: dict[str, Any]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        body, ctype = encode_multipart(
            {"message": "tell me a story", "stream": "true", "session_id": "drained"}
        )
        conn.request("POST", "/agents/slow/runs", body=body, headers={"Content-Type": ctype})
        resp = conn.getresponse()
        data = b""
        try:
            while True:
                chunk = resp.read1(65536)
                if not chunk:
                    break
                data += chunk
                if b"event: RunContent" in data:
                    ready.set()
        except (http.client.IncompleteRead, ConnectionError) as e:
            out["error"] = e
        finally:
            ready.set()
            out["data"] = data
            conn.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def served(tmp_path: Path) -> Any:
    started: list[Served] = []

    def start(**kw: Any) -> Served:
        s = Served(tmp_path, **kw)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


def test_sigterm_drains_running_streams(served: Any) -> None:
    s = served(delay=0.05, drain=15)  # a 32-word answer takes ~1.6 s
    ready, out = threading.Event(), {}
    t = threading.Thread(target=s.stream, args=(ready, out))
    t.start()
    assert ready.wait(10)
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    status, headers, body = s.request("POST", "/agents/slow/runs", {"message": "late", "stream": "true"})
    assert status == 503 and headers.get("retry-after") and b"shutting down" in body
    assert s.request("GET", "/health")[0] == 200  # still answering while it drains
    t.join(15)
    events = parse_sse(out["data"])
    assert events[-1][0] == "RunCompleted" and "error" not in out
    assert s.proc.wait(15) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down
    row = asyncio.run(SqliteDb(db_file=str(s.db)).get_runs("drained"))
    assert [r["status"] for r in row] == ["COMPLETED"]


def test_sigterm_cancels_what_outlives_the_grace_period(served: Any) -> None:
    s = served(delay=0.2, drain=0.5)  # ~6 s answer, 0.5 s of grace
    ready, out = threading.Event(), {}
    t = threading.Thread(target=s.stream, args=(ready, out))
    t.start()
    assert ready.wait(10)
    started = time.monotonic()
    s.proc.send_signal(signal.SIGTERM)
    t.join(15)
    assert s.proc.wait(15) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down
    assert time.monotonic() - started < 4
    assert b"RunCompleted" not in out["data"]

    async def status() -> list[str]:
        return [r["status"] for r in await SqliteDb(db_file=str(s.db)).get_runs("drained")]

    assert asyncio.run(status()) == ["CANCELLED"]


def test_serve_accepts_the_agentos_object(served: Any) -> None:
    s = served(delay=0.0, drain=1, target="drain_app:agent_os")
    status, _, body = s.request("POST", "/agents/slow/runs", {"message": "hi", "stream": "false"})
    assert status == 200 and b'"status":"COMPLETED"' in body
