"""Replay of the AgentOS families on Brisk (registers itself in ``contracts.replay.REPLAYERS``).

``os_http``: the steps are sent, in fixture order, to ONE ``brisk serve contracts.os_app:app`` started on
first use (fresh SQLite file), with the OpenAI mock scripted per step as when recording.
``os_client``: Agno's client cannot run here, so the case compares what it parsed from Brisk's server
at generation time (``brisk_result``) with what it parsed from Agno's (``result``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from contracts.agentos_cases import OSServer, base_env, brisk_serve_cmd, capture, send
from contracts.replay import REPLAYERS, ROOT, Mocks
from contracts.sanitize import cut_request, cut_response_headers, scrub
from contracts.scenarios import FAKE_KEY


class _BriskOS:
    """The Brisk AgentOS of this replay and the values captured from earlier steps."""

    def __init__(self, mocks: Mocks, workdir: str) -> None:
        self.mock = mocks.get("openai")
        log = ROOT / "artifacts" / "contract" / "brisk-agentos.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.server = OSServer(
            "brisk",
            brisk_serve_cmd(Path(sys.executable).parent),
            self.mock.url,
            Path(workdir) / "os.db",
            base_env(ROOT),
            log,
            ROOT,
        )
        self.captured: dict[str, str] = {}


def _context(mocks: Mocks, workdir: str) -> _BriskOS:
    ctx = getattr(mocks, "_brisk_os", None)
    if ctx is None:
        ctx = _BriskOS(mocks, workdir)
        mocks._brisk_os = ctx  # type: ignore[attr-defined]
        # stopped with the mocks at the end of the run
        previous = mocks.close

        def close() -> None:
            ctx.server.stop()
            previous()

        mocks.close = close  # type: ignore[method-assign]
    return ctx


def replay_http(fixture: dict[str, Any], mocks: Mocks, workdir: str) -> dict[str, Any]:
    ctx = _context(mocks, workdir)
    step = fixture["inputs"]["step"]
    ctx.mock.script(step.get("script") or [])
    resp = send(ctx.server.url, step, ctx.captured)
    capture(step, resp["body"], ctx.captured)
    requests = [cut_request(r) for r in ctx.mock.recorded()]
    result = {"response": {**resp, "headers": cut_response_headers(resp["headers"])}}
    urls = {**mocks.urls(), "agentos": ctx.server.url}
    return scrub({"requests": requests, "result": result}, [FAKE_KEY], urls)


def replay_client(fixture: dict[str, Any], mocks: Mocks, workdir: str) -> dict[str, Any]:
    return {"result": fixture["brisk_result"]}


REPLAYERS["os_http"] = replay_http
REPLAYERS["os_client"] = replay_client
