"""Memories and session summaries through AgentOS over HTTP (uvicorn on loopback, OpenAI mock): a run
stores a memory and a summary; ``/memories`` serves the memory and the session routes the summary."""

from __future__ import annotations

import json

from brisk.agent import Agent
from brisk.db.sqlite import SqliteDb
from brisk.memory import MemoryManager
from brisk.models.openai import OpenAIChat
from brisk.os import AgentOS
from brisk.session.summary import SessionSummaryManager
from tests.mocks.openai_server import Text, ToolCalls
from tests.support.http_exchange import parse_sse
from tests.support.live_server import live_server


def chat(openai_mock, model_id: str) -> OpenAIChat:
    return OpenAIChat(id=model_id, base_url=openai_mock.base_url, api_key="sk-test")


def test_memories_and_summaries_over_http(openai_mock, tmp_path):
    agent = Agent(
        id="mem-agent",
        model=chat(openai_mock, "main-model"),
        memory_manager=MemoryManager(model=chat(openai_mock, "memory-model")),
        update_memory_on_run=True,
        session_summary_manager=SessionSummaryManager(model=chat(openai_mock, "summary-model")),
    )
    os_ = AgentOS(agents=[agent], db=SqliteDb(db_file=str(tmp_path / "os.db")))
    openai_mock.script_for("main-model", Text("Nice to meet you, Ada."))
    openai_mock.script_for(
        "memory-model",
        ToolCalls([("add_memory", {"memory": "The user's name is Ada", "topics": ["name"]})]),
        Text("done"),
    )
    openai_mock.script_for(
        "summary-model", Text(json.dumps({"summary": "Ada said hello.", "topics": ["greeting"]}))
    )
    with live_server(os_.get_app()) as server:
        ex = server.request(
            "POST",
            "/agents/mem-agent/runs",
            multipart={"message": "Hi, I'm Ada", "user_id": "ada", "stream": "true"},
        )
        events = parse_sse(ex.body)
        names = [n for n, _ in events]
        assert names[-1] == "RunCompleted"
        assert [n for n in names if n.startswith(("Memory", "SessionSummary"))] == [
            "MemoryUpdateStarted",
            "MemoryUpdateCompleted",
            "SessionSummaryStarted",
            "SessionSummaryCompleted",
        ]
        memories_event = dict(events)["MemoryUpdateCompleted"]["memories"]
        assert [m["memory"] for m in memories_event] == ["The user's name is Ada"]
        summary_event = dict(events)["SessionSummaryCompleted"]["session_summary"]
        assert summary_event["summary"] == "Ada said hello."
        session_id = events[-1][1]["session_id"]

        listed = server.request("GET", "/memories", query={"user_id": "ada"}).json()
        assert [m["memory"] for m in listed["data"]] == ["The user's name is Ada"]
        assert listed["data"][0]["topics"] == ["name"] and listed["data"][0]["agent_id"] == "mem-agent"

        detail = server.request("GET", f"/sessions/{session_id}", query={"type": "agent"}).json()
        assert detail["session_summary"]["summary"] == "Ada said hello."
        assert detail["session_summary"]["topics"] == ["greeting"]
        sessions = server.request("GET", "/sessions", query={"type": "agent"}).json()
        assert sessions["data"][0]["session_summary"]["summary"] == "Ada said hello."
