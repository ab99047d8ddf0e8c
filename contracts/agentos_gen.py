"""Recording of the AgentOS families (called by ``contracts/generate.py``).

* ``agentos``: every step of ``agentos_cases.STEPS`` sent over HTTP to Agno's AgentOS (``uvicorn`` in
  ``.venv-agno``): status, client-relevant headers, body (SSE parsed into events), and what the LLM mock
  received for it.
* ``agentos_client``: Agno's ``AgentOSClient`` driven against Agno's server (the expectation) and against
  Brisk's (``brisk serve``), one case per client method. This family needs Agno's client, so the suite
  compares what was recorded here; re-run ``make gen-fixtures`` after changing Brisk's AgentOS.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contracts.agentos_cases import STEPS, OSServer, base_env, brisk_serve_cmd, capture, send
from contracts.sanitize import cut_request, cut_response_headers

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "artifacts" / "contract"
SCHEMA = 1


def say(msg: str) -> None:
    print(f"[gen-fixtures] {msg}", flush=True)


def http_fixture(
    i: int,
    step: dict[str, Any],
    resp: dict[str, Any],
    requests: list[dict[str, Any]],
    versions: dict[str, Any],
) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "family": "agentos",
        "case": f"{i:02d}_{step['name']}",
        "scenario": step.get("scenario", "agentos_http"),
        "provider": None,
        "recorded_with": versions,
        "marks": [],
        "inputs": {"kind": "os_http", "index": i, "step": step},
        "requests": [cut_request(r) for r in requests],
        "result": {"response": {**resp, "headers": cut_response_headers(resp["headers"])}},
    }


def record_http(
    py: Path, mock: Any, versions: dict[str, Any], write: Callable[..., Path], urls: dict[str, str]
) -> int:
    t = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="contract-os-agno-") as tmp:
        server = OSServer(
            "agno",
            [str(py), "-m", "uvicorn"],
            mock.url,
            Path(tmp) / "os.db",
            base_env(ROOT),
            LOGS / "agno-agentos.log",
            ROOT,
        )
        try:
            captured: dict[str, str] = {}
            for i, step in enumerate(STEPS):
                mock.script({"script": step.get("script") or []})
                resp = send(server.url, step, captured)
                capture(step, resp["body"], captured)
                fx = http_fixture(i, step, resp, mock.requests(), versions)
                path = write(fx, ["sk-test"], {**urls, "agentos": server.url})
                say(
                    f"agentos [{i + 1}/{len(STEPS)}] {step['name']} -> HTTP {resp['status']} -> {path.relative_to(ROOT)}"
                )
        finally:
            server.stop()
    say(f"agentos: {len(STEPS)} cases in {time.monotonic() - t:.1f}s")
    return 0


def _client_run(py: Path, server: OSServer, out: Path) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [str(py), "-m", "contracts._agno_client_runner", "--base", server.url, "--out", str(out)],
        cwd=ROOT,
        env=base_env(ROOT),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"AgentOSClient runner failed:\n{proc.stderr[-3000:]}")
    return json.loads(out.read_text())


def record_client(
    py: Path, mock: Any, versions: dict[str, Any], write: Callable[..., Path], urls: dict[str, str]
) -> int:
    t = time.monotonic()
    results: dict[str, list[dict[str, Any]]] = {}
    sides = {
        "agno": [str(py), "-m", "uvicorn"],
        "brisk": brisk_serve_cmd(Path(sys.executable).parent),
    }
    with tempfile.TemporaryDirectory(prefix="contract-client-") as tmp:
        for side, cmd in sides.items():
            mock.script({"script": []})  # the mock's default replies (text, or a weather tool call)
            server = OSServer(
                side,
                cmd,
                mock.url,
                Path(tmp) / f"{side}.db",
                base_env(ROOT),
                LOGS / f"{side}-agentos-client.log",
                ROOT,
            )
            try:
                results[side] = _client_run(py, server, Path(tmp) / f"{side}.json")
                urls = {**urls, f"agentos_{side}": server.url}
            finally:
                server.stop()
    failures = 0
    for i, (a, b) in enumerate(zip(results["agno"], results["brisk"], strict=True)):
        fx = {
            "schema": SCHEMA,
            "family": "agentos_client",
            "case": f"{i:02d}_{a['method']}",
            "scenario": "workflow" if "workflow" in a["method"] else "agentos_client",
            "provider": None,
            "recorded_with": versions,
            # Compared at generation time: the suite cannot run Agno's client (no Agno in .venv).
            "marks": [],
            "inputs": {
                "kind": "os_client",
                "method": a["method"],
                "unordered": a["method"] == "get_memory_topics",
            },
            "result": a,
            "brisk_result": b,
        }
        path = write(fx, ["sk-test"], urls)
        state = "ok" if b["ok"] else "FAILED: " + b.get("error", "")[:160]
        say(
            f"agentos_client [{i + 1}/{len(results['agno'])}] {a['method']}: Agno {'ok' if a['ok'] else 'failed'}, "
            f"Brisk {state} -> {path.relative_to(ROOT)}"
        )
    say(f"agentos_client: {len(results['agno'])} methods in {time.monotonic() - t:.1f}s")
    return failures


def record_all(
    py: Path,
    mock: Any,
    urls: dict[str, str],
    versions: dict[str, Any],
    only: set[str],
    write: Callable[..., Path],
) -> int:
    import shutil

    fixtures = ROOT / "contracts" / "fixtures"
    failures = 0
    if not only or "agentos" in only:
        shutil.rmtree(fixtures / "agentos", ignore_errors=True)
        failures += record_http(py, mock, versions, write, urls)
    if not only or "agentos_client" in only:
        shutil.rmtree(fixtures / "agentos_client", ignore_errors=True)
        failures += record_client(py, mock, versions, write, urls)
    return failures
