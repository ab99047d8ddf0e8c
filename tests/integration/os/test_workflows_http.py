"""Workflows over AgentOS on a real loopback server: cards, runs (streamed and not), stored runs,
cancel and disconnect, errors, and workflow sessions in the session routes.

The expected event orders are those Agno 3.1.10 sends for the same workflows
(``contracts/fixtures/agentos/44_workflow_run_stream.json``, ``45_workflow_agent_run_stream.json``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from brisk.agent import Agent
from brisk.db.sqlite import SqliteDb
from brisk.models.openai import OpenAIChat
from brisk.os import AgentOS
from brisk.workflow import HumanReview, Step, StepInput, Workflow
from tests.integration.os.conftest import wait_for
from tests.mocks.openai_server import OpenAIMock, Text
from tests.support.http_exchange import parse_sse
from tests.support.live_server import LiveServer, encode_multipart, live_server

SHOUT, WRITER, SLOW, BROKEN = (
    "/workflows/shout-flow",
    "/workflows/writer-flow",
    "/workflows/slow-flow",
    "/workflows/broken-flow",
)
TERMINAL = {"WorkflowCompleted", "WorkflowError", "WorkflowCancelled"}
FUNCTION_EVENTS = [
    "WorkflowStarted",
    "StepStarted",
    "StepOutput",
    "StepCompleted",
    "StepStarted",
    "StepOutput",
    "StepCompleted",
    "WorkflowCompleted",
]


def shout(step_input: StepInput) -> str:
    return str(step_input.input).upper()


def exclaim(step_input: StepInput) -> str:
    return f"{step_input.previous_step_content}!"


async def nap(step_input: StepInput) -> str:
    await asyncio.sleep(5)
    return "too late"


def explode(step_input: StepInput) -> str:
    raise RuntimeError("the step blew up")


@dataclass
class WfOS:
    server: LiveServer
    os: AgentOS
    mock: OpenAIMock
    db: SqliteDb

    def post(self, path: str, **fields: str) -> Any:
        return self.server.request("POST", path, form=fields)

    def get(self, path: str) -> Any:
        return self.server.request("GET", path)


@pytest.fixture
def wf_os(tmp_path: Any, openai_mock: OpenAIMock) -> Iterator[WfOS]:
    db = SqliteDb(db_file=str(tmp_path / "wf.db"))
    writer = Agent(
        name="Writer",
        model=OpenAIChat(id="gpt-4o-mini", api_key="test-key", base_url=openai_mock.base_url),
        instructions="Write one short sentence about the topic.",
    )
    workflows = [
        Workflow(
            id="shout-flow",
            name="Shout Flow",
            description="Capitals, then an exclamation mark.",
            steps=[shout, Step(name="exclaim", executor=exclaim)],
        ),
        Workflow(
            id="writer-flow",
            name="Writer Flow",
            steps=[Step(name="draft", agent=writer), Step(name="exclaim", executor=exclaim)],
        ),
        Workflow(id="slow-flow", name="Slow Flow", steps=[shout, nap]),
        Workflow(
            id="broken-flow",
            name="Broken Flow",
            steps=[
                shout,
                Step(
                    name="explode", executor=explode, max_retries=0, human_review=HumanReview(on_error="fail")
                ),
            ],
        ),
    ]
    # No agents and no own db on the workflows: they get the OS db, as in Agno.
    os = AgentOS(id="wf-os", db=db, workflows=workflows)
    with live_server(os.get_app()) as server:
        yield WfOS(server, os, openai_mock, db)


def names(body: bytes) -> list[str]:
    return [name for name, _ in parse_sse(body)]


# -- cards ----------------------------------------------------------------------------------------------
def test_list_detail_config_and_info(wf_os: WfOS) -> None:
    cards = wf_os.get("/workflows").json()
    assert [c["id"] for c in cards] == ["shout-flow", "writer-flow", "slow-flow", "broken-flow"]
    assert cards[0] == {
        "id": "shout-flow",
        "name": "Shout Flow",
        "description": "Capitals, then an exclamation mark.",
        "db_id": wf_os.db.id,
        "is_factory": False,
        "is_component": False,
        "sandboxed": False,
    }
    detail = wf_os.get(SHOUT).json()
    assert detail["steps"] == [
        {"name": "shout", "description": "User-defined callable step", "type": "Step"},
        {"name": "exclaim", "type": "Step"},
    ]
    agent_step = wf_os.get(WRITER).json()["steps"][0]
    assert agent_step["name"] == "draft" and agent_step["agent"]["name"] == "Writer"
    assert agent_step["agent"]["model"] == {
        "name": "OpenAIChat",
        "model": "gpt-4o-mini",
        "provider": "OpenAI",
    }
    assert wf_os.get("/config").json()["workflows"] == cards
    info = wf_os.get("/info").json()
    assert (info["agent_count"], info["workflow_count"]) == (0, 4)
    assert wf_os.get("/agents").json() == []
    # After a run the card is unchanged (Agno describes a fresh copy; Brisk describes it before any run).
    wf_os.post(f"{SHOUT}/runs", message="hi", stream="false")
    assert wf_os.get(SHOUT).json() == detail


def test_unknown_workflow_is_404_everywhere(wf_os: WfOS) -> None:
    for method, path in (
        ("GET", "/workflows/nope"),
        ("POST", "/workflows/nope/runs"),
        ("GET", "/workflows/nope/runs?session_id=s"),
        ("GET", "/workflows/nope/runs/r?session_id=s"),
        ("POST", "/workflows/nope/runs/r/cancel"),
    ):
        kw = {"form": {"message": "hi"}} if method == "POST" else {}
        r = wf_os.server.request(method, path, **kw)
        assert (r.status, r.json()) == (404, {"detail": "Workflow not found"}), path
    r = wf_os.post(f"{SHOUT}/runs/r/continue")
    assert r.status == 501 and "not implemented in Brisk" in r.json()["detail"]


# -- runs -----------------------------------------------------------------------------------------------
def test_streamed_function_run(wf_os: WfOS) -> None:
    r = wf_os.post(f"{SHOUT}/runs", message="hello flow", session_id="s1", user_id="u1")  # stream defaults on
    assert r.status == 200 and r.header("content-type") == "text/event-stream; charset=utf-8"
    events = parse_sse(r.body)
    assert [n for n, _ in events] == FUNCTION_EVENTS
    assert [n for n, _ in events if n in TERMINAL] == ["WorkflowCompleted"]
    done = events[-1][1]
    assert done["content"] == "HELLO FLOW!" and done["workflow_id"] == "shout-flow"
    assert {d["run_id"] for _, d in events} == {events[0][1]["run_id"]}
    assert events[2][1]["step_output"]["content"] == "HELLO FLOW"
    assert wf_os.mock.requests == []  # no model in this workflow
    assert wf_os.os.gate.active == 0


def test_streamed_agent_step_run(wf_os: WfOS) -> None:
    wf_os.mock.script(Text("A quick fox ran home before the rain."))
    r = wf_os.post(f"{WRITER}/runs", message="foxes", session_id="s2")
    got = names(r.body)
    assert got[:4] == ["WorkflowStarted", "StepStarted", "RunStarted", "ModelRequestStarted"]
    assert got[-8:] == [
        "ModelRequestCompleted",
        "RunContentCompleted",
        "RunCompleted",
        "StepCompleted",
        "StepStarted",
        "StepOutput",
        "StepCompleted",
        "WorkflowCompleted",
    ]
    assert set(got[4:-8]) == {"RunContent"}
    assert parse_sse(r.body)[-1][1]["content"] == "A quick fox ran home before the rain.!"
    assert wf_os.mock.bodies[0]["messages"][-1] == {"role": "user", "content": "foxes"}


async def test_non_stream_run_and_stored_runs(wf_os: WfOS) -> None:
    r = wf_os.post(f"{SHOUT}/runs", message="hello flow", stream="false", session_id="s3", user_id="u1")
    assert r.status == 200 and r.header("content-type") == "application/json"
    out = r.json()
    assert (out["content"], out["status"], out["session_id"], out["user_id"]) == (
        "HELLO FLOW!",
        "COMPLETED",
        "s3",
        "u1",
    )
    assert [s["step_name"] for s in out["step_results"]] == ["shout", "exclaim"]
    wf_os.post(f"{SHOUT}/runs", message="again", session_id="s3", user_id="u1")  # a streamed one

    runs = wf_os.get(f"{SHOUT}/runs?session_id=s3").json()
    assert [(x["run_input"], x["content"], x["status"]) for x in runs] == [
        ("hello flow", "HELLO FLOW!", "COMPLETED"),
        ("again", "AGAIN!", "COMPLETED"),
    ]
    assert runs[0]["events"] == [] and names_of(runs[1]["events"])[-1] == "WorkflowCompleted"
    assert wf_os.get(f"{SHOUT}/runs?session_id=s3&status=ERROR").json() == []

    one = wf_os.get(f"{SHOUT}/runs/{out['run_id']}?session_id=s3")
    assert one.status == 200 and one.json()["content"] == "HELLO FLOW!" and one.json()["events"] == []
    for path, detail in (
        (f"{SHOUT}/runs/nope?session_id=s3", "Run not found"),
        (f"{SHOUT}/runs/{out['run_id']}?session_id=other", "Run not found"),
        (f"{WRITER}/runs/{out['run_id']}?session_id=s3", "Run not found"),  # another workflow's session
        (f"{SHOUT}/runs?session_id=other", "Session not found"),
        (f"{WRITER}/runs?session_id=s3", "Session not found"),
    ):
        r = wf_os.get(path)
        assert (r.status, r.json()) == (404, {"detail": detail}), path
    r = wf_os.get(f"{SHOUT}/runs")
    assert r.status == 422 and r.json()["detail"][0]["loc"] == ["query", "session_id"]


def names_of(events: list[dict[str, Any]]) -> list[str]:
    return [e["event"] for e in events]


def test_run_options_reach_the_workflow(wf_os: WfOS) -> None:
    r = wf_os.post(
        f"{SHOUT}/runs",
        message="x",
        stream="false",
        session_id="s4",
        session_state=json.dumps({"k": 1}),
        metadata=json.dumps({"m": 2}),
    )
    assert r.status == 200 and r.json()["metadata"] == {"m": 2}
    detail = wf_os.get("/sessions/s4?type=workflow").json()
    assert detail["session_state"] == {"k": 1}


# -- failures -------------------------------------------------------------------------------------------
def test_failing_step(wf_os: WfOS) -> None:
    r = wf_os.post(f"{BROKEN}/runs", message="x", session_id="s5")
    assert r.status == 200
    got = names(r.body)
    assert [n for n in got if n in TERMINAL] == ["WorkflowError"] and got[-1] == "WorkflowError"
    assert parse_sse(r.body)[-1][1]["error"] == "the step blew up"
    r = wf_os.post(f"{BROKEN}/runs", message="x", stream="false", session_id="s5")
    assert r.status == 500  # as Agno: the exception is not caught by the route
    statuses = [x["status"] for x in wf_os.get(f"{BROKEN}/runs?session_id=s5").json()]
    assert statuses == ["ERROR", "ERROR"]
    assert wf_os.os.gate.active == 0


async def test_bad_forms_are_4xx_and_run_nothing(wf_os: WfOS) -> None:
    s = wf_os.server
    r = s.request("POST", f"{SHOUT}/runs", form={"stream": "false", "session_id": "bad"})
    assert r.status == 422 and r.json()["detail"][0]["loc"] == ["body", "message"]
    r = s.request("POST", f"{SHOUT}/runs", json={"message": "hi"})
    assert r.status == 422 and r.json()["detail"][0]["loc"] == ["body", "message"]
    r = s.request("POST", f"{SHOUT}/runs", form={"message": "hi", "stream": "maybe"})
    assert r.status == 422 and r.json()["detail"][0]["type"] == "bool_parsing"
    r = s.request("POST", f"{SHOUT}/runs", form={"message": "hi", "session_state": "{oops"})
    assert r.status == 400 and r.json()["detail"].startswith("Invalid session_state parameter")
    r = s.request("POST", f"{SHOUT}/runs", form={"message": "hi", "background": "true"})
    assert r.status == 501
    body, ctype = encode_multipart({"message": "hi", "files": [("x.bin", b"\0", "application/x-foo")]})
    r = s.request("POST", f"{SHOUT}/runs", body=body, headers={"Content-Type": ctype})
    assert (r.status, r.json()) == (400, {"detail": "Unsupported file type"})
    rows, total = await wf_os.db.get_sessions()
    assert (rows, total) == ([], 0)


def test_session_of_another_user_is_refused(wf_os: WfOS) -> None:
    assert (
        wf_os.post(f"{SHOUT}/runs", message="a", stream="false", session_id="mine", user_id="u1").status
        == 200
    )
    r = wf_os.post(f"{SHOUT}/runs", message="b", stream="false", session_id="mine", user_id="u2")
    assert (r.status, r.json()) == (404, {"detail": "Session not found"})


# -- cancel and disconnect ------------------------------------------------------------------------------
def _open(wf_os: WfOS, path: str, session_id: str) -> tuple[Any, Any, bytes]:
    body, ctype = encode_multipart({"message": "wait", "session_id": session_id})
    conn = wf_os.server.connect()
    conn.request("POST", path, body=body, headers={"Content-Type": ctype})
    resp = conn.getresponse()
    data = b""
    deadline = time.monotonic() + 10
    while data.count(b"event: StepStarted") < 2:  # the slow step has started
        chunk = resp.read1(65536)
        assert chunk and time.monotonic() < deadline, data
        data += chunk
    return conn, resp, data


async def test_cancel_route_stops_a_streamed_run(wf_os: WfOS) -> None:
    conn, resp, data = _open(wf_os, f"{SLOW}/runs", "c1")
    try:
        run_id = parse_sse(data.split(b"\n\n", 1)[0] + b"\n\n")[0][1]["run_id"]
        started = time.monotonic()
        r = wf_os.post(f"{SLOW}/runs/{run_id}/cancel")
        assert (r.status, r.json()) == (200, {})
        rest = data + resp.read()
        assert time.monotonic() - started < 4  # not the 5 s of the step
    finally:
        conn.close()
    got = names(rest)
    assert "WorkflowCancelled" in got and "WorkflowError" not in got
    row = await wf_os.db.get_run(run_id, session_id="c1")
    assert row["status"] == "CANCELLED"
    assert wf_os.post(f"{SLOW}/runs/unknown-run/cancel").json() == {}  # as Agno: always accepted
    assert wf_os.os.gate.active == 0


async def test_client_disconnect_cancels_and_stores_the_run(wf_os: WfOS) -> None:
    conn, _, data = _open(wf_os, f"{SLOW}/runs", "gone")
    run_id = parse_sse(data.split(b"\n\n", 1)[0] + b"\n\n")[0][1]["run_id"]
    conn.close()

    async def stored() -> Any:
        return await wf_os.db.get_run(run_id, session_id="gone")

    row = await wait_for(stored, timeout=4)  # well before the step's 5 s
    assert row is not None and row["status"] == "CANCELLED"
    assert await wait_for(lambda: _idle(wf_os), timeout=2)


async def _idle(wf_os: WfOS) -> bool:
    return wf_os.os.gate.active == 0


# -- sessions of type workflow ----------------------------------------------------------------------------
def test_workflow_sessions_in_the_session_routes(wf_os: WfOS) -> None:
    wf_os.post(f"{SHOUT}/runs", message="hello flow", stream="false", session_id="w1", user_id="u1")
    wf_os.mock.script(Text("A quick fox ran home."))
    wf_os.post(f"{WRITER}/runs", message="foxes", session_id="w2")

    listed = wf_os.get("/sessions?type=workflow").json()
    by_id = {x["session_id"]: x for x in listed["data"]}
    assert set(by_id) == {"w1", "w2"} and listed["meta"]["total_count"] == 2
    assert by_id["w1"]["session_name"] == "hello flow" and by_id["w1"]["session_type"] == "workflow"
    assert by_id["w1"]["workflow_id"] == "shout-flow" and "agent_id" not in by_id["w1"]
    assert by_id["w2"]["total_tokens"] > 0  # the agent step's tokens count for the session
    assert wf_os.get("/sessions?type=agent").json()["data"] == []
    assert [
        x["session_id"] for x in wf_os.get("/sessions?type=workflow&component_id=writer-flow").json()["data"]
    ] == ["w2"]

    detail = wf_os.get("/sessions/w1?type=workflow").json()
    assert (detail["workflow_id"], detail["session_name"], detail["user_id"]) == (
        "shout-flow",
        "hello flow",
        "u1",
    )
    assert detail["workflow_data"]["name"] == "Shout Flow" and "workflow_name" not in detail
    runs = wf_os.get("/sessions/w2/runs?type=workflow").json()
    assert len(runs) == 1 and runs[0]["workflow_id"] == "writer-flow" and runs[0]["run_input"] == "foxes"
    assert names_of(runs[0]["events"])[-1] == "WorkflowCompleted"
    one = wf_os.get(f"/sessions/w2/runs/{runs[0]['run_id']}?type=workflow").json()
    assert one["run_id"] == runs[0]["run_id"] and one["content"] == "A quick fox ran home.!"
    previews = wf_os.get("/sessions/w2/run-previews?type=workflow").json()
    assert previews[0]["workflow_id"] == "writer-flow" and previews[0]["run_input"] == "foxes"
    r = wf_os.get("/sessions/nope?type=workflow")
    assert (r.status, r.json()) == (404, {"detail": "Workflow Session with id 'nope' not found"})


def test_agent_os_with_workflows_only_and_bad_entries(tmp_path: Any) -> None:
    wf = Workflow(name="Plain Flow", steps=[shout])
    os = AgentOS(workflows=[wf])  # neither agents nor a db: allowed, as in Agno
    assert wf.id == "plain-flow" and wf.db is None and wf.store_events is True
    assert os.get_workflow("plain-flow") is wf
    with pytest.raises(TypeError, match="Workflow objects"):
        AgentOS(workflows=[object()])
    with pytest.raises(ValueError, match="unique"):
        AgentOS(workflows=[Workflow(id="x", steps=[shout]), Workflow(id="x", steps=[shout])])
    db = SqliteDb(db_file=str(tmp_path / "own.db"))
    own = Workflow(id="own", db=db, steps=[shout])
    other = SqliteDb(db_file=str(tmp_path / "os.db"))
    os = AgentOS(db=other, workflows=[own])
    assert own.db is db and set(os.dbs) == {db.id, other.id}


def test_input_schema_errors(tmp_path: Any) -> None:
    from pydantic import BaseModel

    class Topic(BaseModel):
        topic: str

    def echo_topic(step_input: StepInput) -> str:
        return step_input.input.topic

    wf = Workflow(id="typed-flow", input_schema=Topic, steps=[echo_topic])
    os = AgentOS(db=SqliteDb(db_file=str(tmp_path / "t.db")), workflows=[wf])
    with live_server(os.get_app()) as s:
        r = s.request("POST", "/workflows/typed-flow/runs", form={"message": "not json", "stream": "false"})
        assert r.status == 400 and r.json()["detail"].startswith("Input failed schema validation: ")
        # Streamed, the failure to start is the stream's one terminal event (Agno's WorkflowErrorEvent).
        r = s.request("POST", "/workflows/typed-flow/runs", form={"message": "not json"})
        assert r.status == 200 and names(r.body) == ["WorkflowError"]
        assert "Failed to parse input" in parse_sse(r.body)[0][1]["error"]
        ok = s.request(
            "POST", "/workflows/typed-flow/runs", form={"message": '{"topic": "foxes"}', "stream": "false"}
        )
        assert ok.status == 200 and ok.json()["content"] == "foxes"
        assert s.request("GET", "/workflows/typed-flow").json()["input_schema"]["properties"] == {
            "topic": {"title": "Topic", "type": "string"}
        }
        assert os.gate.active == 0
