"""Session summaries: made after the answer, stored in the session row's ``summary`` column in Agno's
shape, added to the next run's system message, with Agno's events."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from tests.mocks.openai_server import Error, Text

from brisk.agent import Agent
from brisk.db.in_memory import InMemoryDb
from brisk.db.sqlite import SqliteDb
from brisk.models.openai import OpenAIChat
from brisk.session.summary import SessionSummary, SessionSummaryManager


def chat(openai_mock, model_id: str) -> OpenAIChat:
    return OpenAIChat(id=model_id, base_url=openai_mock.base_url, api_key="sk-test")


def summary_json(text: str, topics: list[str]) -> str:
    return json.dumps({"summary": text, "topics": topics})


def system_of(body) -> str:
    return next(m["content"] for m in body["messages"] if m["role"] in ("system", "developer"))


@pytest.fixture(params=["memory", "sqlite"])
def db(request, tmp_path):
    return InMemoryDb() if request.param == "memory" else SqliteDb(db_file=str(tmp_path / "s.db"))


async def test_summary_stored_shown_and_added_to_context(openai_mock, db):
    agent = Agent(
        model=chat(openai_mock, "main-model"),
        session_summary_manager=SessionSummaryManager(model=chat(openai_mock, "summary-model")),
        db=db,
        session_id="s1",
        instructions="Be brief.",
    )
    assert agent.enable_session_summaries  # giving a manager turns summaries on, as Agno
    openai_mock.script_for("main-model", Text("Hello Ada."), Text("You are Ada."))
    openai_mock.script_for(
        "summary-model",
        Text(summary_json("The user introduced themselves as Ada.", ["introductions"])),
        Text(summary_json("Ada introduced herself and asked for her name.", ["introductions", "name"])),
    )
    events = [e async for e in agent.arun("Hi, I'm Ada", stream=True, stream_events=True)]
    names = [e.event for e in events]
    i = names.index("RunContentCompleted")
    assert names[i + 1 : i + 4] == ["SessionSummaryStarted", "SessionSummaryCompleted", "RunCompleted"]
    done = events[i + 2]
    assert isinstance(done.session_summary, SessionSummary)
    wire = done.to_dict()["session_summary"]
    assert wire["summary"] == "The user introduced themselves as Ada." and wire["topics"] == ["introductions"]
    datetime.fromisoformat(wire["updated_at"])

    row = await db.get_session("s1")
    stored = row["summary"]
    assert list(stored) == ["summary", "topics", "updated_at"]  # Agno's SessionSummary.to_dict()
    assert stored["summary"] == "The user introduced themselves as Ada."
    assert (await agent.aget_session_summary()).summary == stored["summary"]

    # the summary request: the conversation in the system message, then Agno's request message
    req = next(b for b in openai_mock.bodies if b["model"] == "summary-model")
    sys_text = system_of(req)
    assert "<conversation>User: Hi, I'm Ada\nAssistant: Hello Ada.\n</conversation>" in sys_text
    assert req["messages"][-1] == {"role": "user", "content": "Provide the summary of the conversation."}

    # next run: the stored summary is in the system message, and the new summary covers both runs
    out = await agent.arun("What is my name?")
    assert out.content == "You are Ada."
    main_bodies = [b for b in openai_mock.bodies if b["model"] == "main-model"]
    sys_text = system_of(main_bodies[-1])
    assert (
        "<summary_of_previous_interactions>\nThe user introduced themselves as Ada.\n</summary_of_previous_interactions>"
        in sys_text
    )
    assert sys_text.startswith("Be brief.")
    req2 = [b for b in openai_mock.bodies if b["model"] == "summary-model"][-1]
    conversation = system_of(req2)
    assert "User: Hi, I'm Ada" in conversation and "User: What is my name?" in conversation
    assert "Assistant: You are Ada." in conversation
    row = await db.get_session("s1")
    assert row["summary"]["topics"] == ["introductions", "name"]
    # summaries counted as Agno's session_summary_model metrics
    assert "session_summary_model" in out.metrics.to_dict()["details"]


async def test_last_n_runs_limits_the_conversation(openai_mock):
    db = InMemoryDb()
    agent = Agent(
        model=chat(openai_mock, "main-model"),
        session_summary_manager=SessionSummaryManager(
            model=chat(openai_mock, "summary-model"), last_n_runs=1
        ),
        db=db,
        session_id="s2",
    )
    openai_mock.script_for("main-model", Text("a1"), Text("a2"))
    openai_mock.script_for("summary-model", Text(summary_json("one", [])), Text(summary_json("two", [])))
    await agent.arun("q1")
    await agent.arun("q2")
    conversation = system_of([b for b in openai_mock.bodies if b["model"] == "summary-model"][-1])
    assert "User: q2" in conversation and "User: q1" not in conversation


async def test_enable_session_summaries_uses_the_agents_model(openai_mock):
    agent = Agent(model=chat(openai_mock, "main-model"), enable_session_summaries=True, db=InMemoryDb())
    openai_mock.script_for("main-model", Text("hello"), Text(summary_json("said hello", ["greeting"])))
    out = await agent.arun("hi", session_id="s3")
    assert out.content == "hello"
    assert agent.session_summary_manager.model is agent.model
    assert (await agent.aget_session_summary("s3")).summary == "said hello"
    assert agent.add_session_summary_to_context is True


async def test_summary_failure_keeps_the_previous_one_and_says_so(openai_mock, caplog):
    db = InMemoryDb()
    agent = Agent(
        model=chat(openai_mock, "main-model"),
        session_summary_manager=SessionSummaryManager(model=chat(openai_mock, "summary-model")),
        db=db,
        session_id="s4",
    )
    openai_mock.script_for("main-model", Text("first"), Text("second"))
    openai_mock.script_for(
        "summary-model", Text(summary_json("the first summary", [])), Error(500), Error(500), Error(500)
    )
    await agent.arun("one")
    out = await agent.arun("two")
    assert out.content == "second" and out.status.value == "COMPLETED"
    assert (await db.get_session("s4"))["summary"]["summary"] == "the first summary"
    warnings = out.metadata["warnings"]
    assert warnings[0]["source"] == "session_summary"
    assert "could not be updated" in warnings[0]["message"]
    assert any("session summary could not be updated" in r.getMessage() for r in caplog.records)


def test_summary_dict_round_trip():
    s = SessionSummary(summary="x", topics=["a"], updated_at=datetime(2025, 1, 2, 3, 4, 5))
    d = s.to_dict()
    assert d == {"summary": "x", "topics": ["a"], "updated_at": "2025-01-02T03:04:05"}
    assert SessionSummary.from_dict(d) == s
    assert SessionSummary(summary="y").to_dict() == {"summary": "y"}
    with pytest.raises(ValueError):
        SessionSummaryManager(last_n_runs=0)
