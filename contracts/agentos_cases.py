"""AgentOS over HTTP: the ordered steps, how to send them, and how to serve either framework's app.

The steps run in order against ONE server (later steps read sessions and memories that earlier ones
created), so each is a case file ``fixtures/agentos/NN_name.json`` and the replay runs them in the same
order. ``{name}`` in a path or form is filled from ``capture`` of an earlier step (a memory id, a run id).
Standard library only: the generator sends these from Brisk's venv to Agno's server, the suite to Brisk's.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from contracts.scenarios import _calls, _text

AGENT = "contract-agent"
_ERR500 = {"reply": "Error", "status": 500, "message": "mock injected server error", "retry_after": 0.01}


def _run(name: str, form: dict[str, str], script: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    return {
        "name": name,
        "method": "POST",
        "path": f"/agents/{AGENT}/runs",
        "form": form,
        "script": script,
        **kw,
    }


def _get(name: str, path: str, **kw: Any) -> dict[str, Any]:
    return {"name": name, "method": "GET", "path": path, **kw}


STEPS: list[dict[str, Any]] = [
    _get("health", "/health"),
    _get("agents", "/agents"),
    _get("agent_detail", f"/agents/{AGENT}"),
    _run(
        "run_nonstream",
        {"message": "Hello there!", "stream": "false", "session_id": "os-s1", "user_id": "u1"},
        [_text("Hello! Nice to meet you.")],
        capture={"run_id": "run_id"},
    ),
    _run(
        "run_stream_tool",
        {
            "message": "What is the weather in Berlin?",
            "stream": "true",
            "session_id": "os-s1",
            "user_id": "u1",
        },
        [_calls(("get_weather", {"city": "Berlin"})), _text("It is sunny in Berlin.")],
    ),
    _run(
        "run_stream_default_new_session",
        {"message": "Tell me a story.", "session_id": ""},
        [_text("Once upon a time a fox ran home.")],
    ),
    _run(
        "run_session_state",
        {
            "message": "Remember this.",
            "stream": "false",
            "session_id": "os-s2",
            "session_state": json.dumps({"a": 1}),
        },
        [_text("Noted.")],
    ),
    _run(
        "run_llm_error_nonstream",
        {"message": "Fail please.", "stream": "false", "session_id": "os-s3"},
        [_ERR500] * 3,
    ),
    _run(
        "run_llm_error_stream",
        {"message": "Fail please.", "stream": "true", "session_id": "os-s3"},
        [_ERR500] * 3,
    ),
    _get("sessions_list", "/sessions?type=agent&component_id=" + AGENT),
    _get("sessions_list_paged", "/sessions?type=agent&limit=2&page=1&sort_by=created_at&sort_order=asc"),
    _get("session_detail", "/sessions/os-s1?type=agent"),
    _get("session_runs", "/sessions/os-s1/runs?type=agent"),
    _get("session_run_previews", "/sessions/os-s1/run-previews?type=agent"),
    _get("session_run_get", "/sessions/os-s1/runs/{run_id}?type=agent"),
    _get("agent_runs_list", f"/agents/{AGENT}/runs?session_id=os-s1"),
    _get("agent_run_get", f"/agents/{AGENT}/runs/{{run_id}}?session_id=os-s1"),
    {
        "name": "session_create",
        "method": "POST",
        "path": "/sessions?type=agent",
        "json": {
            "session_id": "os-created",
            "session_name": "Created by API",
            "session_state": {"k": 1},
            "user_id": "u3",
            "agent_id": AGENT,
        },
    },
    {
        "name": "session_rename",
        "method": "POST",
        "path": "/sessions/os-s2/rename?type=agent",
        "json": {"session_name": "Renamed"},
    },
    {
        "name": "session_patch",
        "method": "PATCH",
        "path": "/sessions/os-s2?type=agent",
        "json": {"session_state": {"a": 2}},
    },
    {"name": "session_delete", "method": "DELETE", "path": "/sessions/os-created"},
    _get("session_get_deleted_404", "/sessions/os-created?type=agent"),
    {"name": "session_delete_unknown", "method": "DELETE", "path": "/sessions/no-such-session"},
    {
        "name": "memory_create",
        "method": "POST",
        "path": "/memories",
        "json": {"memory": "User likes foxes.", "topics": ["animals"], "user_id": "u1"},
        "capture": {"memory_id": "memory_id"},
    },
    _get("memories_list", "/memories?user_id=u1"),
    _get("memory_get", "/memories/{memory_id}?user_id=u1"),
    {
        "name": "memory_patch",
        "method": "PATCH",
        "path": "/memories/{memory_id}",
        "json": {"memory": "User loves foxes.", "topics": ["animals", "love"], "user_id": "u1"},
    },
    _get("memory_topics", "/memory_topics", unordered=True),  # Agno builds it from a set
    _get("user_memory_stats", "/user_memory_stats"),
    {"name": "memory_delete", "method": "DELETE", "path": "/memories/{memory_id}?user_id=u1"},
    _get("memory_get_deleted_404", "/memories/{memory_id}?user_id=u1"),
    {"name": "memory_create_422", "method": "POST", "path": "/memories", "json": {"topics": ["x"]}},
    _get("agent_unknown_404", "/agents/nope"),
    _run("run_unknown_agent_404", {"message": "hi"}, [], path="/agents/nope/runs"),
    _run("run_missing_message_422", {"stream": "false"}, []),
    {
        "name": "run_json_body_422",
        "method": "POST",
        "path": f"/agents/{AGENT}/runs",
        "json": {"message": "hi"},
    },
    _get("bad_query_422", "/sessions?limit=abc"),
    _get("session_unknown_404", "/sessions/no-such-session?type=agent"),
    _get("unknown_route_404", "/no/such/route"),
    {"name": "method_not_allowed_405", "method": "DELETE", "path": "/health"},
]

# Workflows (issue 7): appended, so the agent steps above keep their numbers. Scenario "workflow".
SHOUT, WRITER = "/workflows/shout-flow", "/workflows/writer-flow"
_DRAFT = _text("A quick fox ran home before the rain.")


def _wf(step: dict[str, Any]) -> dict[str, Any]:
    return {**step, "scenario": "workflow"}


STEPS += [
    _wf(step)
    for step in [
        _get("workflows", "/workflows"),
        _get("workflow_detail_functions", SHOUT),
        _get("workflow_detail_agent", WRITER),
        _run(
            "workflow_run_nonstream",
            {"message": "hello flow", "stream": "false", "session_id": "os-wf1", "user_id": "u1"},
            [],
            path=f"{SHOUT}/runs",
            capture={"wf_run_id": "run_id"},
        ),
        _run(
            "workflow_run_stream",
            {"message": "second flow", "session_id": "os-wf1", "user_id": "u1"},
            [],
            path=f"{SHOUT}/runs",
        ),
        _run(
            "workflow_agent_run_stream",
            {"message": "foxes", "session_id": "os-wf2"},
            [_DRAFT],
            path=f"{WRITER}/runs",
        ),
        _run(
            "workflow_agent_run_nonstream",
            {"message": "rain", "stream": "false", "session_id": "os-wf2"},
            [_DRAFT],
            path=f"{WRITER}/runs",
        ),
        _get("workflow_runs_list", f"{SHOUT}/runs?session_id=os-wf1"),
        _get("workflow_run_get", f"{SHOUT}/runs/{{wf_run_id}}?session_id=os-wf1"),
        _get("workflow_agent_runs_list", f"{WRITER}/runs?session_id=os-wf2"),
        _get("workflow_sessions_list", "/sessions?type=workflow"),
        _get("workflow_session_detail", "/sessions/os-wf1?type=workflow"),
        _get("workflow_session_runs", "/sessions/os-wf2/runs?type=workflow"),
        _get("workflow_session_run_get", "/sessions/os-wf1/runs/{wf_run_id}?type=workflow"),
        {"name": "workflow_cancel_unknown_run", "method": "POST", "path": f"{SHOUT}/runs/no-such-run/cancel"},
        _get("workflow_unknown_404", "/workflows/nope"),
        _run("workflow_run_unknown_404", {"message": "hi"}, [], path="/workflows/nope/runs"),
        _run("workflow_run_missing_message_422", {"stream": "false"}, [], path=f"{SHOUT}/runs"),
        _get("workflow_runs_unknown_session_404", f"{SHOUT}/runs?session_id=nope"),
        _get("workflow_run_get_404", f"{SHOUT}/runs/nope?session_id=os-wf1"),
        _get("workflow_runs_missing_session_422", f"{SHOUT}/runs"),
        _get("workflow_runs_wrong_workflow_404", f"{WRITER}/runs?session_id=os-wf1"),
        _get("info", "/info"),
        _get("config", "/config"),
    ]
]


def fill(text: str, captured: dict[str, str]) -> str:
    for k, v in captured.items():
        text = text.replace("{" + k + "}", v)
    return text


def send(base: str, step: dict[str, Any], captured: dict[str, str]) -> dict[str, Any]:
    """Send one step; its status, headers and body (SSE bodies parsed into events)."""
    data: bytes | None = None
    headers = {"accept": "*/*"}
    if "form" in step:
        data = urllib.parse.urlencode({k: fill(v, captured) for k, v in step["form"].items()}).encode()
        headers["content-type"] = "application/x-www-form-urlencoded"
    elif "json" in step:
        data = json.dumps(step["json"]).encode()
        headers["content-type"] = "application/json"
    req = urllib.request.Request(
        base + fill(step["path"], captured), data=data, method=step["method"], headers=headers
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as r:  # noqa: S310 - loopback only
            status, hdrs, raw = r.status, dict(r.headers.items()), r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, raw = e.code, dict(e.headers.items()), e.read()
    return {"status": status, "headers": hdrs, "body": parse_body(hdrs, raw)}


def parse_body(headers: dict[str, str], raw: bytes) -> Any:
    ctype = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
    text = raw.decode("utf-8", "replace")
    if ctype.startswith("text/event-stream"):
        events = []
        for block in text.replace("\r\n", "\n").split("\n\n"):
            name, data = None, []
            for line in block.split("\n"):
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
            if data:
                events.append({"sse_event": name, "data": json.loads("\n".join(data))})
        return {"sse": events}
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return {"text": text}


def capture(step: dict[str, Any], body: Any, captured: dict[str, str]) -> None:
    for var, key in (step.get("capture") or {}).items():
        if isinstance(body, dict) and isinstance(body.get(key), str):
            captured[var] = body[key]


# -- serving -------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OSServer:
    """``contracts.os_app`` served by ``cmd`` (uvicorn for Agno, ``brisk serve`` for Brisk) on loopback."""

    def __init__(
        self,
        pkg: str,
        cmd: list[str],
        mock_url: str,
        db_file: Path,
        env: dict[str, str],
        log: Path,
        cwd: Path,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {
            **env,
            "CONTRACT_PKG": pkg,
            "CONTRACT_MOCK_URL": mock_url,
            "CONTRACT_DB_FILE": str(db_file),
        }
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [*cmd, "contracts.os_app:app", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=cwd,
            env=full_env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{pkg} AgentOS exited at startup; see {log}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{pkg} AgentOS did not answer /health in 60 s; see {log}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def brisk_serve_cmd(venv_bin: Path) -> list[str]:
    exe = venv_bin / "brisk"
    return [str(exe), "serve"] if exe.exists() else [str(venv_bin / "python"), "-m", "brisk.cli", "serve"]


def base_env(root: Path) -> dict[str, str]:
    drop = ("API_KEY", "BASE_URL", "OLLAMA_HOST", "GOOGLE_", "GEMINI_", "OPENAI_")
    env = {k: v for k, v in os.environ.items() if not any(d in k for d in drop)}
    env.update({"AGNO_TELEMETRY": "false", "PYTHONPATH": str(root), "PYTHONUNBUFFERED": "1"})
    return env
