"""Behaviour under real traffic: auth, back-pressure, disconnects, cancel, the UI's first-run 404,
bad input (a 4xx with a clear message and nothing stored), and the API docs."""

from __future__ import annotations

import concurrent.futures
import json
from typing import Any

import pytest

from brisk.os import limits
from tests.integration.os.conftest import Bench, make_bench, wait_for
from tests.mocks.openai_server import OpenAIMock
from tests.support.http_exchange import parse_sse

RUNS = "/agents/bench-agent/runs"


# -- auth ---------------------------------------------------------------------------------------------
@pytest.fixture
def secured(tmp_path: Any, openai_mock: OpenAIMock, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("OS_SECURITY_KEY", "top-secret")
    yield from make_bench(tmp_path, openai_mock)


def test_security_key(secured: Bench) -> None:
    s = secured.server
    assert s.request("GET", "/health").status == 200
    assert s.request("GET", "/info").json()["auth_mode"] == "security_key"
    r = s.request("GET", "/agents")
    assert (r.status, r.json()) == (401, {"detail": "Authorization header required"})
    r = s.request("GET", "/agents", headers={"Authorization": "Bearer nope"})
    assert (r.status, r.json()) == (401, {"detail": "Invalid authentication token"})
    r = s.request("POST", RUNS, multipart={"message": "hi"}, headers={"Authorization": "Bearer nope"})
    assert r.status == 401 and secured.mock.requests == []  # refused before any work
    assert s.request("GET", "/agents", headers={"Authorization": "Bearer top-secret"}).status == 200
    r = s.request(
        "POST",
        RUNS,
        multipart={"message": "hi", "stream": "false"},
        headers={"Authorization": "Bearer top-secret"},
    )
    assert r.status == 200 and r.json()["status"] == "COMPLETED"
    pre = s.request(
        "OPTIONS",
        "/agents",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"},
    )
    assert pre.status == 200  # preflights carry no credentials and must pass


# -- back-pressure --------------------------------------------------------------------------------------
@pytest.fixture
def one_slot(tmp_path: Any, openai_mock: OpenAIMock) -> Any:
    yield from make_bench(tmp_path, openai_mock, max_concurrent_runs=1)


def test_429_before_the_stream_starts(one_slot: Bench) -> None:
    one_slot.mock.delay = 0.03  # ~1 s per answer
    conn, resp, _ = one_slot.open_stream(
        {"message": "Tell me a short story about a fox.", "session_id": "slow"}
    )
    try:
        r = one_slot.server.request(
            "POST", RUNS, multipart={"message": "hi", "stream": "true", "session_id": "busy"}
        )
        assert r.status == 429
        assert r.header("retry-after") == "1"
        assert r.header("content-type") == "application/json"
        assert "at most 1" in r.json()["detail"]
        assert one_slot.server.request("GET", "/health").status == 200  # only runs are limited
        rest = resp.read()
    finally:
        conn.close()
    assert parse_sse(b"event: RunStarted" + rest.split(b"event: RunStarted", 1)[-1])[-1][0] == "RunCompleted"
    r = one_slot.server.request(
        "POST", RUNS, multipart={"message": "hi", "stream": "false", "session_id": "after"}
    )
    assert r.status == 200  # the slot is free again


def test_429_under_concurrent_load(one_slot: Bench) -> None:
    one_slot.mock.delay = 0.01
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(
            pool.map(
                lambda i: one_slot.server.request(
                    "POST", RUNS, multipart={"message": "hi", "stream": "true", "session_id": f"s{i}"}
                ),
                range(8),
            )
        )
    statuses = sorted(r.status for r in results)
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 429}
    for r in results:
        if r.status == 200:  # every admitted stream is complete, never cut
            assert parse_sse(r.body)[-1][0] == "RunCompleted"


# -- disconnect and cancel ------------------------------------------------------------------------------
async def test_client_disconnect_cancels_and_stores_the_run(bench: Bench) -> None:
    bench.mock.delay = 0.05  # 32 words: ~1.6 s if nobody stops it
    conn, _, data = bench.open_stream({"message": "Tell me a short story about a fox.", "session_id": "gone"})
    run_id = parse_sse(data.split(b"\n\n", 1)[0] + b"\n\n")[0][1]["run_id"]
    conn.close()

    async def stored() -> Any:
        return await bench.db.get_run(run_id, session_id="gone")

    row = await wait_for(stored, timeout=5)
    assert row is not None, "the cancelled run was not stored"
    assert row["status"] == "CANCELLED"
    content = row["run_data"].get("content") or ""
    assert len(content.split()) < 32  # the model stream was interrupted, not read to the end
    assert bench.os.gate.active == 0


async def test_cancel_route_stops_a_streaming_run(bench: Bench) -> None:
    bench.mock.delay = 0.05
    conn, resp, data = bench.open_stream(
        {"message": "Tell me a short story about a fox.", "session_id": "c1"}
    )
    try:
        run_id = parse_sse(data.split(b"\n\n", 1)[0] + b"\n\n")[0][1]["run_id"]
        r = bench.server.request("POST", f"{RUNS}/{run_id}/cancel")
        assert (r.status, r.json()) == (200, {})
        rest = data + resp.read()
    finally:
        conn.close()
    events = parse_sse(rest)
    assert events[-1][0] == "RunCancelled"
    row = await bench.db.get_run(run_id, session_id="c1")
    assert row["status"] == "CANCELLED"
    assert bench.server.request("POST", "/agents/nope/runs/x/cancel").status == 404


async def test_session_runs_404_during_stream_then_200(bench: Bench) -> None:
    bench.mock.delay = 0.03
    conn, resp, data = bench.open_stream(
        {"message": "Tell me a short story about a fox.", "session_id": "new-1"}
    )
    try:
        r = bench.server.request("GET", "/sessions/new-1/runs?type=agent")
        assert (r.status, r.json()) == (404, {"detail": "Session with ID new-1 not found"})
        resp.read()
    finally:
        conn.close()
    r = bench.server.request("GET", "/sessions/new-1/runs?type=agent")
    assert r.status == 200 and len(r.json()) == 1


# -- bad input: a clear 4xx, nothing stored, no model call ---------------------------------------------
async def _nothing_stored(bench: Bench) -> None:
    rows, total = await bench.db.get_sessions()
    assert total == 0 and rows == []
    assert bench.mock.requests == []


async def test_missing_message(bench: Bench) -> None:
    r = bench.server.request("POST", RUNS, multipart={"stream": "false", "session_id": "bad-1"})
    assert r.status == 422
    assert r.json() == {
        "detail": [{"type": "missing", "loc": ["body", "message"], "msg": "Field required", "input": None}]
    }
    await _nothing_stored(bench)


async def test_bad_json_in_session_state(bench: Bench) -> None:
    r = bench.server.request(
        "POST", RUNS, multipart={"message": "hi", "session_id": "bad-2", "session_state": "{oops"}
    )
    assert r.status == 400
    assert r.json()["detail"].startswith("Invalid session_state parameter: not valid JSON")
    r = bench.server.request("POST", RUNS, multipart={"message": "hi", "session_state": "[1]"})
    assert (r.status, r.json()) == (
        400,
        {"detail": "Invalid session_state parameter: expected a JSON object"},
    )
    await _nothing_stored(bench)


async def test_unknown_agent_and_json_body(bench: Bench) -> None:
    r = bench.server.request("POST", "/agents/ghost/runs", multipart={"message": "hi"})
    assert (r.status, r.json()) == (404, {"detail": "Agent not found"})
    r = bench.server.request("POST", RUNS, json={"message": "hi"})
    assert r.status == 422 and r.json()["detail"][0]["loc"] == ["body", "message"]
    r = bench.server.request(
        "POST", RUNS, multipart={"message": "hi", "files": [("x.bin", b"\0", "application/x-foo")]}
    )
    assert (r.status, r.json()) == (400, {"detail": "Unsupported file type"})
    await _nothing_stored(bench)


async def test_wrong_query_types(bench: Bench) -> None:
    r = bench.server.request("GET", "/sessions?limit=abc&page=-1&type=robot&sort_order=sideways")
    assert r.status == 422
    assert [(e["type"], e["loc"]) for e in r.json()["detail"]] == [
        ("enum", ["query", "type"]),
        ("int_parsing", ["query", "limit"]),
        ("greater_than_equal", ["query", "page"]),
        ("enum", ["query", "sort_order"]),
    ]
    r = bench.server.request("GET", f"{RUNS}")  # session_id is required here
    assert r.json() == {
        "detail": [
            {"type": "missing", "loc": ["query", "session_id"], "msg": "Field required", "input": None}
        ]
    }
    r = bench.server.request("GET", "/sessions/x/runs?status=DONE")
    assert r.status == 400 and "Invalid status value(s) ['DONE']" in r.json()["detail"]
    r = bench.server.request("GET", "/metrics?starting_date=yesterday")
    assert r.status == 422 and r.json()["detail"][0]["loc"] == ["query", "starting_date"]
    r = bench.server.request("POST", "/memories", json={"memory": "", "topics": "x"})
    assert [e["type"] for e in r.json()["detail"]] == ["string_too_short", "list_type"]
    r = bench.server.request("POST", "/memories", json={"memory": "no user"})
    assert (r.status, r.json()) == (400, {"detail": "User ID is required"})
    r = bench.server.request(
        "DELETE", "/sessions", json={"session_ids": ["a"], "session_types": ["agent", "team"]}
    )
    assert (r.status, r.json()) == (
        400,
        {"detail": "Session IDs and session types must have the same length"},
    )
    await _nothing_stored(bench)


def test_session_conflicts_and_db_selection(bench: Bench) -> None:
    s = bench.server
    assert s.request("POST", "/sessions", json={"session_id": "dup"}).status == 201
    r = s.request("POST", "/sessions", json={"session_id": "dup"})
    assert r.status == 409 and "already exists" in r.json()["detail"]
    assert s.request("GET", "/sessions?db_id=nope").json() == {"detail": "No database found with id 'nope'"}
    assert s.request("GET", "/sessions?table=agno_sessions").status == 400
    assert s.request("GET", f"/sessions?db_id={bench.db.id}&table=agno_sessions").status == 200
    assert s.request("GET", "/sessions/nope?type=agent").json() == {
        "detail": "Agent Session with id 'nope' not found"
    }


# -- misc --------------------------------------------------------------------------------------------
def test_openapi_and_docs(bench: Bench) -> None:
    r = bench.server.request("GET", "/openapi.json")
    spec = r.json()
    assert r.status == 200 and spec["info"]["title"] == "Brisk AgentOS"
    assert "/agents/{agent_id}/runs" in spec["paths"] and "/sessions" in spec["paths"]

    def prose(node: Any) -> bool:
        if isinstance(node, dict):
            return any((k == "description" and isinstance(v, str)) or prose(v) for k, v in node.items())
        return isinstance(node, list) and any(prose(v) for v in node)

    assert not prose(spec["paths"]) and not prose(spec["components"])  # info.description is the OS's own
    docs = bench.server.request("GET", "/docs")
    assert (
        docs.status == 200
        and b"/openapi.json" in docs.body
        and docs.header("content-type").startswith("text/html")
    )


def test_teams_workflows_and_placeholders(bench: Bench) -> None:
    s = bench.server
    assert s.request("GET", "/teams").json() == []
    assert s.request("GET", "/workflows").json() == []
    assert s.request("GET", "/teams/t1").json() == {"detail": "Team not found"}
    assert s.request("DELETE", "/schedules/abc").status == 503
    r = s.request("GET", "/eval-runs")
    assert r.status == 501 and "not implemented in Brisk" in r.json()["detail"]


def test_metrics_and_limits_env(bench: Bench) -> None:
    s = bench.server
    s.request("POST", RUNS, multipart={"message": "hi", "stream": "false", "user_id": "u1"})
    m = s.request("GET", "/metrics").json()["metrics"][0]
    assert (m["agent_runs_count"], m["agent_sessions_count"], m["users_count"]) == (1, 1, 1)
    assert m["model_metrics"] == [{"model_id": "gpt-4o-mini", "model_provider": "OpenAI", "count": 1}]
    assert (
        s.request("GET", "/metrics?starting_date=2000-01-01&ending_date=2000-01-02").json()["metrics"] == []
    )
    assert s.request("POST", "/metrics/refresh").status == 200
    assert json.loads(s.request("GET", "/metrics/refresh/status").body)["status"] == "idle"
    assert limits.draining() is False
