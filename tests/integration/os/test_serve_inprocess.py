"""The draining server in-process (the subprocess tests cover the real signal; coverage needs this one)."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from brisk.os import _serve, limits
from tests.integration.os.bench_app import bench_os
from tests.mocks.openai_server import OpenAIMock
from tests.support.http_exchange import parse_sse
from tests.support.live_server import LiveServer


def test_handle_exit_drains_then_stops(tmp_path: Path, openai_mock: OpenAIMock, monkeypatch: Any) -> None:
    monkeypatch.setenv("BRISK_DRAIN_SECONDS", "10")
    openai_mock.delay = 0.03
    app = bench_os(tmp_path / "d.db", openai_mock.base_url).get_app()
    live = LiveServer(app)
    live.server = _serve.DrainingServer(live.config)  # same config, the draining server class
    live._thread = threading.Thread(target=live.server.run, daemon=True)
    live.start()
    try:
        conn = live.connect()
        from tests.support.live_server import encode_multipart

        body, ctype = encode_multipart({"message": "Tell me a short story about a fox.", "stream": "true"})
        conn.request("POST", "/agents/bench-agent/runs", body=body, headers={"Content-Type": ctype})
        resp = conn.getresponse()
        first = resp.read1(65536)
        assert b"RunStarted" in first
        live.server.handle_exit(signal.SIGTERM, None)
        time.sleep(0.1)
        assert limits.draining()
        late = live.request("POST", "/agents/bench-agent/runs", multipart={"message": "late"})
        assert late.status == 503 and late.header("retry-after") == "5"
        rest = first + resp.read()
        conn.close()
        assert parse_sse(rest)[-1][0] == "RunCompleted"
        deadline = time.monotonic() + 10
        while not live.server.should_exit and time.monotonic() < deadline:
            time.sleep(0.02)
        assert live.server.should_exit
    finally:
        live.stop()
        limits.reset_drain()


def test_run_server_options(monkeypatch: Any) -> None:
    seen: dict[str, Any] = {}

    def fake_run(self: uvicorn.Server, sockets: Any = None) -> None:
        seen["config"] = self.config
        self.started = True

    monkeypatch.setattr(_serve.DrainingServer, "run", fake_run)
    _serve.run_server("json:dumps", host="127.0.0.1", port=0, access_log=True)
    config = seen["config"]
    assert (config.loop, config.http, config.ws, config.lifespan) == ("uvloop", "httptools", "none", "on")
    assert config.timeout_graceful_shutdown == limits.drain_seconds()
    with pytest.raises(SystemExit):
        _serve.run_server(object(), host="127.0.0.1", port=0, workers=2)


def test_cli_serve_and_demo_call_the_server(monkeypatch: Any, tmp_path: Path, capsys: Any) -> None:
    from brisk import cli

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(_serve, "run_server", lambda app, **kw: calls.append((app, kw)))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert cli.main(["demo", "--port", "7788", "--db", str(tmp_path / "demo.db")]) == 0
    out = capsys.readouterr().out
    assert (
        "DemoModel" in out
        and "curl -N -F message=" in out
        and "http://127.0.0.1:7788/agents/demo-agent/runs" in out
    )
    assert calls[-1][1]["port"] == 7788
    assert cli.main(["serve", "json:dumps", "--port", "7789", "--workers", "2"]) == 0
    assert calls[-1][0] == "json:dumps" and calls[-1][1]["workers"] == 2
    (tmp_path / "os_mod.py").write_text(
        "from brisk.agent import Agent\nfrom brisk.models.demo import DemoModel\nfrom brisk.os import AgentOS\n"
        "agent_os = AgentOS(agents=[Agent(name='a', model=DemoModel())])\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert cli.main(["serve", "os_mod:agent_os"]) == 0
    assert not isinstance(calls[-1][0], str)
    with pytest.raises(SystemExit, match="--workers and --reload"):
        cli.main(["serve", "os_mod:agent_os", "--workers", "2"])
