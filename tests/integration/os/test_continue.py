"""Continuing a paused run (a tool that needs confirmation), and writes into another user's session."""

from __future__ import annotations

import json
from pathlib import Path

from brisk.agent import Agent
from brisk.db.sqlite import SqliteDb
from brisk.models.demo import DemoModel
from brisk.os import AgentOS
from brisk.tools import tool
from tests.support.http_exchange import parse_sse
from tests.support.live_server import live_server


@tool(requires_confirmation=True)
def delete_file(name: str) -> str:
    """Delete a file.

    Args:
        name: The file name.
    """
    return f"deleted {name}"


async def test_pause_then_continue(tmp_path: Path) -> None:
    agent = Agent(
        id="a", name="A", model=DemoModel(), tools=[delete_file], db=SqliteDb(db_file=str(tmp_path / "c.db"))
    )
    with live_server(AgentOS(agents=[agent]).get_app()) as s:
        r = s.request(
            "POST",
            "/agents/a/runs",
            multipart={"message": "Please delete file 'notes.txt'", "session_id": "c"},
        )
        events = parse_sse(r.body)
        assert events[-1][0] == "RunPaused"
        paused = events[-1][1]
        tools = paused["tools"]
        assert tools[0]["requires_confirmation"] is True
        for t in tools:
            t["confirmed"] = True
        path = f"/agents/a/runs/{paused['run_id']}/continue"
        assert s.request("POST", path, form={"tools": "{bad", "session_id": "c"}).json() == {
            "detail": "Invalid JSON in tools field"
        }
        assert s.request("POST", path, form={"tools": "[]", "fork": "true"}).status == 501
        assert s.request("POST", path, form={"fork": "maybe"}).status == 422
        assert s.request("POST", "/agents/a/runs/nope/continue", form={"session_id": "c"}).json() == {
            "detail": "Run not found"
        }
        r = s.request("POST", path, form={"tools": json.dumps(tools), "session_id": "c", "stream": "true"})
        names = [e for e, _ in parse_sse(r.body)]
        assert names[0] == "RunContinued" and names[-1] == "RunCompleted"
        assert "ToolCallCompleted" in names
        row = await agent.db.get_run(paused["run_id"], session_id="c")
        assert row["status"] == "COMPLETED"


async def test_runs_cannot_enter_another_users_session(tmp_path: Path) -> None:
    agent = Agent(id="a", name="A", model=DemoModel(), db=SqliteDb(db_file=str(tmp_path / "o.db")))
    with live_server(AgentOS(agents=[agent]).get_app()) as s:
        r = s.request(
            "POST",
            "/agents/a/runs",
            multipart={"message": "hi", "stream": "false", "session_id": "mine", "user_id": "alice"},
        )
        assert r.status == 200
        r = s.request(
            "POST",
            "/agents/a/runs",
            multipart={"message": "hi", "stream": "false", "session_id": "mine", "user_id": "mallory"},
        )
        assert (r.status, r.json()) == (404, {"detail": "Session not found"})
        runs = await agent.db.get_runs("mine")
        assert len(runs) == 1
