"""Session state shared with step agents, and runs stored as Agno stores workflow sessions and runs.

The expected shapes come from Agno 3.1.10's source (``WorkflowRunOutput.to_dict``, ``StepOutput.to_dict``,
``Workflow._get_workflow_data``, the sqlite adapter's ``upsert_session``/``build_single_run_row``) and
were checked against rows written by Agno itself.
"""

import asyncio

import pytest
from wf_helpers import echo_agent, state_agent, suffix, upper

from brisk.db.in_memory import InMemoryDb
from brisk.db.sqlite import SqliteDb
from brisk.workflow import Parallel, Step, StepInput, Steps, Workflow

# WorkflowRunOutput.to_dict of a completed run: plain fields in declaration order (None dropped), then
# metadata, the media lists, step_results, step_executor_runs, metrics, events.
RUN_KEYS = [
    "input",
    "content",
    "content_type",
    "workflow_id",
    "workflow_name",
    "run_id",
    "session_id",
    "user_id",
    "created_at",
    "status",
    "metadata",
    "images",
    "videos",
    "audio",
    "files",
    "step_results",
    "step_executor_runs",
    "metrics",
    "events",
]
STEP_OUTPUT_KEYS = [
    "content",
    "step_name",
    "step_id",
    "step_type",
    "executor_type",
    "executor_name",
    "step_run_id",
    "images",
    "videos",
    "audio",
    "files",
    "metrics",
    "success",
    "error",
    "stop",
    "is_paused",
]
SESSION_COLUMNS = [
    "session_id",
    "session_type",
    "agent_id",
    "team_id",
    "workflow_id",
    "user_id",
    "session_data",
    "agent_data",
    "team_data",
    "workflow_data",
    "metadata",
    "summary",
    "created_at",
    "updated_at",
]
RUN_COLUMNS = [
    "run_id",
    "session_id",
    "run_type",
    "agent_id",
    "team_id",
    "workflow_id",
    "user_id",
    "parent_run_id",
    "status",
    "run_index",
    "run_data",
    "created_at",
    "updated_at",
]


@pytest.fixture(params=["memory", "sqlite"])
async def db(request, tmp_path):
    if request.param == "memory":
        d = InMemoryDb()
    else:
        d = SqliteDb(db_file=str(tmp_path / "wf.db"))
    yield d
    await d.close()


def agent_and_function_workflow(db, **kw):
    return Workflow(
        name="Storage Flow",
        description="stores things",
        db=db,
        steps=[Step(name="talk", agent=echo_agent()), suffix],
        **kw,
    )


async def test_session_and_run_rows_have_agnos_shape(db):
    wf = agent_and_function_workflow(db, store_events=True)
    out = await wf.arun("hello", session_id="s1", user_id="u1")
    [session] = (await db.get_sessions(session_type="workflow"))[0]
    assert list(session) == SESSION_COLUMNS
    assert session["session_type"] == "workflow" and session["workflow_id"] == "storage-flow"
    assert session["agent_id"] is None and session["team_id"] is None and session["user_id"] == "u1"
    assert session["agent_data"] is None and session["team_data"] is None and session["summary"] is None
    assert session["metadata"] == {}
    assert list(session["session_data"]) == ["session_state", "session_metrics"]
    assert session["session_data"]["session_metrics"]["total_tokens"] > 0
    assert session["workflow_data"] == {
        "workflow_id": "storage-flow",
        "name": "Storage Flow",
        "steps": [
            {"name": "talk", "description": None, "type": "Step"},
            {"name": "suffix", "description": "User-defined callable step", "type": "Step"},
        ],
    }

    [run] = await db.get_runs("s1")
    assert list(run) == RUN_COLUMNS
    assert run["run_type"] == "workflow" and run["workflow_id"] == "storage-flow"
    assert run["agent_id"] is None and run["team_id"] is None and run["parent_run_id"] is None
    assert (run["run_id"], run["status"], run["run_index"], run["user_id"]) == (
        out.run_id,
        "COMPLETED",
        0,
        "u1",
    )
    data = run["run_data"]
    assert list(data) == RUN_KEYS[:-1]  # no "events": only a streamed run has events to store
    assert data == out.to_dict()
    assert data["images"] == [] and data["metadata"] == {}
    assert [list(s) for s in data["step_results"]] == [STEP_OUTPUT_KEYS, STEP_OUTPUT_KEYS]
    assert list(data["metrics"]) == ["steps", "duration"]
    assert list(data["metrics"]["steps"]["talk"]) == [
        "step_name",
        "executor_type",
        "executor_name",
        "metrics",
    ]
    # the agent's run lives inside the workflow run, linked to it; no agent session/run rows exist
    [agent_run] = data["step_executor_runs"]
    assert agent_run["parent_run_id"] == out.run_id
    assert agent_run["workflow_step_id"] == data["step_results"][0]["step_id"]
    assert agent_run["agent_name"] == "Echo" and agent_run["session_id"] == "s1"
    assert agent_run["messages"][-1]["content"] == "echo: hello"
    assert (await db.get_sessions(session_type="agent"))[1] == 0


async def test_stream_run_is_stored_too_and_runs_append(db):
    wf = agent_and_function_workflow(db, store_events=True)
    events = [e async for e in wf.arun("one", session_id="s2", stream=True, stream_events=True)]
    await wf.arun("two", session_id="s2")
    rows = await db.get_runs("s2")
    assert [r["run_index"] for r in rows] == [0, 1]
    first = rows[0]["run_data"]
    assert list(first) == [k for k in RUN_KEYS if k != "user_id"]
    assert first["run_id"] == events[0].run_id and first["content"] == "echo: one!"
    stored_names = [e["event"] for e in first["events"]]
    assert stored_names == [e.event for e in events if e.event != "StepOutput"]  # StepOutput is never stored
    assert "events" not in rows[1]["run_data"]  # a non-streaming run has no events


async def test_events_to_skip(db):
    wf = agent_and_function_workflow(db, store_events=True, events_to_skip=["RunContent", "StepStarted"])
    [e async for e in wf.arun("x", session_id="s3", stream=True, stream_events=True)]
    stored = {e["event"] for e in (await db.get_runs("s3"))[0]["run_data"]["events"]}
    assert "RunContent" not in stored and "StepStarted" not in stored and "StepCompleted" in stored


async def test_run_output_round_trips_through_the_db(db):
    wf = agent_and_function_workflow(db)
    out = await wf.arun("hi", session_id="s4")
    again = await wf.aget_run_output(out.run_id, session_id="s4")
    # (the agent's own RunOutput round trip is the agent's business; compare the workflow's part)
    # As Agno's from_dict: empty media lists read back as absent, the events as a list.
    expected = {
        k: v
        for k, v in out.to_dict().items()
        if k != "step_executor_runs" and not (k in ("images", "videos", "audio", "files") and v == [])
    }
    assert {k: v for k, v in again.to_dict().items() if k != "step_executor_runs"} == {
        **expected,
        "events": [],
    }
    assert again.step_executor_runs[0].content == "echo: hi"
    session = await wf.aget_session("s4")
    assert session.session_id == "s4" and [r.run_id for r in session.runs] == [out.run_id]
    assert (await wf.aget_last_run_output("s4")).run_id == out.run_id


async def test_session_state_is_shared_with_step_agents_and_persisted(db):
    seen = {}

    def before(step_input, run_context):
        run_context.session_state["visits"] = run_context.session_state.get("visits", 0) + 1
        return "ok"

    def after(step_input, run_context):
        seen["state"] = dict(run_context.session_state)
        return f"{run_context.session_state['count']} items"

    wf = Workflow(
        name="state",
        db=db,
        session_state={"items": ["milk"]},
        steps=[before, Step(name="shop", agent=state_agent()), after],
    )
    out = await wf.arun("buy", session_id="s5")
    assert out.content == "2 items"
    assert seen["state"] == {"items": ["milk", "bread"], "visits": 1, "count": 2}
    assert out.step_executor_runs[0].session_state["items"] == ["milk", "bread"]
    assert await wf.aget_session_state("s5") == {"items": ["milk", "bread"], "visits": 1, "count": 2}
    # the next run starts from the stored state; run-level state wins over it
    await wf.arun("buy", session_id="s5", session_state={"visits": 10})
    assert await wf.aget_session_state("s5") == {
        "items": ["milk", "bread", "bread"],
        "visits": 11,
        "count": 3,
    }


async def test_parallel_agents_and_functions_keep_each_others_state_changes():
    async def mark(step_input, run_context):
        await asyncio.sleep(0.01)  # finishes while the agent runs
        run_context.session_state["marked"] = True
        return "marked"

    def report(step_input, run_context):
        return dict(run_context.session_state)

    wf = Workflow(name="pstate", steps=[Parallel(Step(name="shop", agent=state_agent()), mark), report])
    out = await wf.arun("x", session_state={"items": []})
    assert out.content == str({"items": ["bread"], "count": 1, "marked": True})


async def test_agent_step_in_a_workflow_does_not_touch_its_own_db_session():
    agent_db = InMemoryDb()
    wf_db = InMemoryDb()
    agent = echo_agent(db=agent_db)
    wf = Workflow(name="iso", db=wf_db, steps=[agent])
    await wf.arun("x", session_id="shared")
    assert (await agent_db.get_sessions())[1] == 0
    assert (await wf_db.get_session("shared"))["session_type"] == "workflow"
    assert agent.db is agent_db  # the user's agent is left as it was


async def test_workflow_history_is_given_to_agent_steps(db):
    agent = echo_agent()
    wf = Workflow(name="hist", db=db, add_workflow_history_to_steps=True, steps=[Step(name="a", agent=agent)])
    await wf.arun("first", session_id="h")
    out = await wf.arun("second", session_id="h")
    sent = out.step_executor_runs[0].messages[-2].content
    assert sent.startswith("<workflow_history_context>\n[Workflow Run-1]\nUser input: first\n")
    assert "Workflow output: echo: first" in sent and sent.endswith("</workflow_history_context>\nsecond")

    def fn(step_input: StepInput) -> str:
        return repr(step_input.get_workflow_history(num_runs=1))

    wf2 = Workflow(name="hist", db=db, steps=[Step(name="f", executor=fn, add_workflow_history=True)])
    out = await wf2.arun("third", session_id="h")
    assert out.content.startswith("[('second', 'echo: <workflow_history_context>")


async def test_run_metadata_layers_and_session_metadata(db):
    wf = Workflow(name="meta", db=db, metadata={"team": "a", "deep": {"x": 1}}, steps=[upper])
    out = await wf.arun("x", session_id="m", metadata={"deep": {"y": 2}})
    assert out.metadata == {"team": "a", "deep": {"x": 1, "y": 2}}
    assert (await db.get_session("m"))["metadata"] == {"team": "a", "deep": {"x": 1}}


async def test_concurrent_runs_in_different_sessions(db):
    wf = Workflow(name="conc", db=db, steps=[Steps(steps=[upper, Step(name="t", agent=echo_agent())])])
    outs = await asyncio.gather(*(wf.arun(f"r{i}", session_id=f"c{i}") for i in range(8)))
    assert [o.content for o in outs] == [f"echo: R{i}" for i in range(8)]
    assert (await db.get_sessions(session_type="workflow", limit=None))[1] == 8


def test_sync_run_with_sqlite(tmp_path):
    db = SqliteDb(db_file=str(tmp_path / "sync.db"))
    wf = agent_and_function_workflow(db)
    out = wf.run("sync", session_id="s")
    assert wf.get_run_output(out.run_id, "s").content == "echo: sync!"
    assert wf.get_session("s").runs[0].status == "COMPLETED"
    assert wf.get_session_state("s") == {}
