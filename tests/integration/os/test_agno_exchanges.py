"""Replay every captured Agno 3.1.10 exchange against Brisk's AgentOS and compare the answers.

``exchanges/*.http`` are the verbatim responses of Agno's AgentOS serving the reference app (copied
from ``reference/agno-3.1.10/exchanges``). The requests are reconstructed from the file names and the
captured bodies, and replayed in the capture's order against a real uvicorn server on loopback
running the same app on Brisk, with the OpenAI mock as the model. Ids, timestamps and durations are
masked; status, content type, ``Vary``/``Allow``/CORS headers and the bodies (JSON values and key
order, SSE event sequence and payloads) must match.

Two servers, as in the capture: the first one serves the main scenario; the second one (a fresh
database) the provider-error runs, the session-state run, the stream-default run, the 503
placeholder, CORS and the trailing slash.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.integration.os.bench_app import bench_os
from tests.mocks.openai_server import OpenAIMock
from tests.reference import EXCHANGES
from tests.support.http_exchange import Exchange, compare_exchange, load_exchange, parse_sse
from tests.support.live_server import LiveServer, live_server

AGENT = "/agents/bench-agent"
# Runs that create sessions are spaced by a second, as in the capture, so that ``created_at`` (whole
# seconds) orders the session list the same way.
GAP = 1.05

Step = tuple[str, Callable[[LiveServer, dict[str, Any]], Exchange]]


def _run(fields: dict[str, str]) -> Callable[[LiveServer, dict[str, Any]], Exchange]:
    return lambda s, ctx: s.request("POST", f"{AGENT}/runs", multipart=fields)


def _get(path: str | Callable[[dict[str, Any]], str]) -> Callable[[LiveServer, dict[str, Any]], Exchange]:
    return lambda s, ctx: s.request("GET", path(ctx) if callable(path) else path)


def _json(method: str, path: str | Callable[[dict[str, Any]], str], body: Any):
    return lambda s, ctx: s.request(method, path(ctx) if callable(path) else path, json=body)


def _pause(s: LiveServer, ctx: dict[str, Any]) -> None:
    time.sleep(GAP)


MAIN: list[Step | Callable[..., None]] = [
    (
        "run_nonstream",
        _run(
            {
                "message": "Hello there, tell me something nice.",
                "stream": "false",
                "session_id": "sess-nonstream-1",
                "user_id": "user-1",
            }
        ),
    ),
    _pause,
    (
        "run_stream",
        _run(
            {
                "message": "Tell me a short story about a fox.",
                "stream": "true",
                "session_id": "sess-stream-1",
                "user_id": "user-1",
            }
        ),
    ),
    _pause,
    (
        "run_stream_tool",
        _run(
            {
                "message": "What is the weather in Berlin today?",
                "stream": "true",
                "session_id": "sess-stream-1",
                "user_id": "user-1",
            }
        ),
    ),
    _pause,
    (
        "run_urlencoded_nonstream",
        lambda s, ctx: s.request(
            "POST",
            f"{AGENT}/runs",
            form={
                "message": "Hello via urlencoded form",
                "stream": "false",
                "session_id": "sess-urlenc-1",
                "user_id": "user-2",
            },
        ),
    ),
    ("health", _get("/health")),
    ("info", _get("/info")),
    ("config", _get("/config")),
    ("agents", _get("/agents")),
    ("agent_detail", _get(AGENT)),
    ("agent_unknown_404", _get("/agents/no-such-agent")),
    (
        "run_unknown_agent_404",
        lambda s, ctx: s.request("POST", "/agents/no-such-agent/runs", multipart={"message": "hi"}),
    ),
    ("run_missing_message_422", _run({"stream": "false"})),
    ("run_json_body_422", _json("POST", f"{AGENT}/runs", {"message": "hi", "stream": False})),
    _pause,
    ("run_stream_nosession", _run({"message": "No session id given here", "stream": "true"})),
    ("root", _get("/")),
    ("sessions_list", _get("/sessions")),
    ("sessions_list_agent", _get("/sessions?type=agent&component_id=bench-agent&limit=5&page=1")),
    ("session_detail", _get("/sessions/sess-stream-1")),
    ("session_detail_typed", _get("/sessions/sess-stream-1?type=agent")),
    ("session_runs", _get("/sessions/sess-stream-1/runs")),
    ("session_run_previews", _get("/sessions/sess-stream-1/run-previews")),
    ("session_unknown_404", _get("/sessions/nope-session")),
    ("unknown_route_404", _get("/no/such/route")),
    ("method_not_allowed_405", lambda s, ctx: s.request("POST", "/health")),
    ("bad_query_422", _get("/sessions?limit=abc")),
    ("metrics", _get("/metrics")),
    ("memories_list", _get("/memories")),
    ("memory_topics", _get("/memory_topics")),
    ("user_memory_stats", _get("/user_memory_stats")),
    ("agent_runs_list", _get(f"{AGENT}/runs?session_id=sess-stream-1")),
    ("agent_run_get", _get(lambda ctx: f"{AGENT}/runs/{ctx['tool_run_id']}?session_id=sess-stream-1")),
    ("session_run_get", _get(lambda ctx: f"/sessions/sess-stream-1/runs/{ctx['tool_run_id']}")),
    (
        "memory_create",
        _json(
            "POST",
            "/memories",
            {
                "memory": "User likes foxes and short stories.",
                "user_id": "user-1",
                "topics": ["animals", "stories"],
            },
        ),
    ),
    ("memory_get", _get(lambda ctx: f"/memories/{ctx['memory_id']}")),
    (
        "memory_patch",
        _json(
            "PATCH",
            lambda ctx: f"/memories/{ctx['memory_id']}",
            {"memory": "User likes foxes.", "user_id": "user-1", "topics": ["animals"]},
        ),
    ),
    ("memories_list_after", _get("/memories")),
    ("memory_topics_after", _get("/memory_topics")),
    ("memory_stats_after", _get("/user_memory_stats")),
    ("memory_delete", lambda s, ctx: s.request("DELETE", f"/memories/{ctx['memory_id']}")),
    ("memory_get_deleted_404", _get(lambda ctx: f"/memories/{ctx['memory_id']}")),
    ("memory_create_422", _json("POST", "/memories", {"user_id": "user-1"})),
    (
        "session_create",
        _json(
            "POST",
            "/sessions?type=agent",
            {
                "session_id": "sess-created-1",
                "session_name": "Created by API",
                "session_state": {"k": 1},
                "user_id": "user-3",
                "agent_id": "bench-agent",
            },
        ),
    ),
    ("session_rename", _json("POST", "/sessions/sess-created-1/rename", {"session_name": "Renamed"})),
    (
        "session_patch",
        _json("PATCH", "/sessions/sess-created-1", {"session_state": {"k": 2}, "metadata": {"m": "x"}}),
    ),
    ("session_delete", lambda s, ctx: s.request("DELETE", "/sessions/sess-created-1")),
    ("session_get_deleted_404", _get("/sessions/sess-created-1")),
    ("session_delete_unknown", lambda s, ctx: s.request("DELETE", "/sessions/nope-session")),
    (
        "sessions_delete_multi",
        _json(
            "DELETE",
            "/sessions",
            {"session_ids": ["sess-urlenc-1", "sess-nonstream-1"], "session_types": ["agent", "agent"]},
        ),
    ),
]

SECOND: list[Step | Callable[..., None]] = [
    (
        "run_llm_error_nonstream",
        _run({"message": "please fail __mock_error__", "stream": "false", "session_id": "sess-err-1"}),
    ),
    (
        "run_llm_error_stream",
        _run({"message": "please fail __mock_error__", "stream": "true", "session_id": "sess-err-2"}),
    ),
    (
        "run_with_session_state",
        _run(
            {
                "message": "hello with state",
                "stream": "false",
                "session_id": "sess-state-1",
                "session_state": '{"a": 1}',
                "metadata": '{"tag": "x"}',
            }
        ),
    ),
    ("run_stream_false_default", _run({"message": "Tell me a short story about a fox."})),
    ("queue_disabled", _get("/queue")),
    (
        "cors_preflight",
        lambda s, ctx: s.request(
            "OPTIONS",
            "/agents",
            headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"},
        ),
    ),
    ("session_after_error", _get("/sessions/sess-err-2/runs")),
    ("trailing_slash", _get("/agents/")),
]


def _play(server: LiveServer, steps: list[Any], out: dict[str, Exchange]) -> None:
    ctx: dict[str, Any] = {}
    for step in steps:
        if not isinstance(step, tuple):
            step(server, ctx)
            continue
        name, do = step
        resp = do(server, ctx)
        resp.name = name
        out[name] = resp
        if name == "run_stream_tool":
            ctx["tool_run_id"] = parse_sse(resp.body)[0][1]["run_id"]
        elif name == "memory_create":
            ctx["memory_id"] = resp.json()["memory_id"]


@pytest.fixture(scope="module")
def replayed(
    _openai_mock_server: OpenAIMock, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Exchange]]:
    out: dict[str, Exchange] = {}
    tmp = tmp_path_factory.mktemp("replay")
    for db_name, steps in (("main.db", MAIN), ("second.db", SECOND)):
        _openai_mock_server.reset()
        _openai_mock_server.empty_role_content = False  # the capture's mock opened streams without content
        with live_server(bench_os(tmp / db_name, _openai_mock_server.base_url).get_app()) as server:
            _play(server, steps, out)
    _openai_mock_server.reset()
    yield out


HEADERS: dict[str, tuple[str, ...]] = {
    "method_not_allowed_405": ("content-type", "vary", "allow"),
    "cors_preflight": (
        "content-type",
        "vary",
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-allow-methods",
        "access-control-max-age",
    ),
}


def test_every_capture_is_replayed() -> None:
    names = {p.stem for p in EXCHANGES.glob("*.http")}
    replayed_names = {s[0] for s in (*MAIN, *SECOND) if isinstance(s, tuple)}
    assert names == replayed_names


@pytest.mark.parametrize("name", sorted(p.stem for p in EXCHANGES.glob("*.http")))
def test_response_matches_agno(replayed: dict[str, Exchange], name: str) -> None:
    expected = load_exchange(EXCHANGES / f"{name}.http")
    problems = compare_exchange(expected, replayed[name], headers=HEADERS.get(name, ("content-type", "vary")))
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)
