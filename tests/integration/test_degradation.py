"""Degradation: when the memory module, an MCP server or a tool is switched off or fails, the agent
keeps answering and says so.

What "says so" means in Brisk (Agno's event set is kept; no new event type):
* a failing or missing tool is a ``ToolCallError`` event and ``tool_call_error=True`` on the run's tool
  (the model gets the error text and answers with it);
* a degraded feature (memory store unreachable, MCP server down, summary model failing) is a notice in
  ``RunOutput.metadata["warnings"]`` (also on the ``RunCompleted`` event and in the stored run):
  ``[{"source": "memory" | "mcp" | "session_summary" | "tools", "message": "..."}]``;
* and a WARNING log line (logger ``brisk.agent`` / ``brisk.memory`` / ``brisk.tools.mcp``).
Never a crash, a hang or a silent wrong answer: the model is told when memories could not be loaded,
instead of being told it has never met the user.

Each switch is tested in-process and over HTTP through AgentOS (uvicorn on loopback, OpenAI mock)."""

from __future__ import annotations

import asyncio
import time

import pytest

from brisk.agent import Agent
from brisk.agent import _memory as memory_step
from brisk.db.in_memory import InMemoryDb
from brisk.memory import MemoryManager
from brisk.models.openai import OpenAIChat
from brisk.tools import Toolkit
from tests.mocks.openai_server import Text, ToolCalls
from tests.support.http_exchange import parse_sse
from tests.support.live_server import live_server


class UnreachableDb(InMemoryDb):
    """A memory store that refuses every connection (like a PostgreSQL that is down)."""

    async def _refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("[Errno 111] connection refused by the memory store")

    get_memories = upsert_memory = get_memory = delete_memory = delete_memories = _refuse  # type: ignore[assignment]


class HangingDb(InMemoryDb):
    """A memory store that never answers."""

    async def get_memories(self, *args, **kwargs):
        await asyncio.Event().wait()


def chat(openai_mock, model_id: str = "main-model") -> OpenAIChat:
    return OpenAIChat(id=model_id, base_url=openai_mock.base_url, api_key="sk-test")


def system_of(body) -> str:
    return next(m["content"] for m in body["messages"] if m["role"] in ("system", "developer"))


class Admin(Toolkit):
    def __init__(self, **kw):
        super().__init__(name="admin", tools=[self.list_users, self.delete_everything], **kw)

    def list_users(self) -> str:
        """List the users."""
        return "ada, bob"

    def delete_everything(self) -> str:
        """Delete all data."""
        raise AssertionError("a disabled tool must never run")


# -- the three switches, in-process -------------------------------------------------------------------
async def test_memory_db_unreachable(openai_mock, caplog):
    agent = Agent(
        model=chat(openai_mock),
        db=InMemoryDb(),
        memory_manager=MemoryManager(model=chat(openai_mock, "memory-model"), db=UnreachableDb()),
        update_memory_on_run=True,
        user_id="ada",
    )
    openai_mock.script_for("main-model", Text("Hello again!"))
    events = [e async for e in agent.arun("Hi, it's me again", stream=True, stream_events=True)]
    names = [e.event for e in events]
    assert names[-1] == "RunCompleted" and events[-1].content == "Hello again!"
    assert "MemoryUpdateCompleted" in names
    warnings = events[-1].metadata["warnings"]
    assert {w["source"] for w in warnings} == {"memory"}
    assert any(
        "memories could not be read" in w["message"] and "connection refused" in w["message"]
        for w in warnings
    )
    assert any("memories could not be updated" in w["message"] for w in warnings)
    # not a silent wrong answer: the model is told memories are unavailable, not that it never met the user
    system = system_of(openai_mock.bodies[0])
    assert "could not be loaded" in system and "no memories of this user yet" not in system
    # the stored run carries the notice too
    stored = (await agent.db.get_runs(events[0].session_id))[-1]["run_data"]
    assert stored["metadata"]["warnings"] == warnings and stored["status"] == "COMPLETED"
    assert any(
        r.levelname == "WARNING" and "memories could not be read" in r.getMessage() for r in caplog.records
    )


async def test_agentic_memory_with_unreachable_db(openai_mock):
    agent = Agent(
        model=chat(openai_mock),
        memory_manager=MemoryManager(model=chat(openai_mock, "memory-model"), db=UnreachableDb()),
        enable_agentic_memory=True,
    )
    openai_mock.script_for(
        "main-model",
        ToolCalls([("update_user_memory", {"task": "Remember that the user is Ada"})]),
        Text("I could not save that, sorry."),
    )
    events = [e async for e in agent.arun("Remember me: I'm Ada", stream=True, stream_events=True)]
    err = next(e for e in events if e.event == "ToolCallError")
    assert err.tool.tool_name == "update_user_memory" and "connection refused" in err.error
    completed = events[-1]
    assert completed.event == "RunCompleted" and completed.content == "I could not save that, sorry."
    sources = {w["source"] for w in completed.metadata["warnings"]}
    assert sources == {"memory"}


async def test_memory_module_without_db(openai_mock):
    agent = Agent(model=chat(openai_mock), update_memory_on_run=True)  # memory on, nowhere to store it
    openai_mock.script_for("main-model", Text("hi"))
    out = await agent.arun("hello")
    assert out.content == "hi"
    assert out.metadata["warnings"] == [
        {
            "source": "memory",
            "message": "memory is enabled but no database is configured: memories are not stored",
        }
    ]


async def test_memory_db_that_hangs_does_not_hang_the_run(openai_mock, monkeypatch):
    monkeypatch.setattr(memory_step, "CONTEXT_READ_TIMEOUT", 0.3)
    monkeypatch.setattr(memory_step, "BACKGROUND_TIMEOUT", 0.5)
    agent = Agent(
        model=chat(openai_mock),
        memory_manager=MemoryManager(model=chat(openai_mock, "memory-model"), db=HangingDb()),
        update_memory_on_run=True,
    )
    openai_mock.script_for("main-model", Text("still here"))
    t0 = time.monotonic()
    out = await asyncio.wait_for(agent.arun("hello"), 10)
    assert time.monotonic() - t0 < 5
    assert out.content == "still here" and out.status.value == "COMPLETED"
    messages = [w["message"] for w in out.metadata["warnings"]]
    assert "memories could not be read: timed out" in messages
    assert "memories could not be updated: timed out" in messages


async def test_mcp_server_down(openai_mock, caplog):
    pytest.importorskip("mcp")
    from brisk.tools.mcp import MCPTools
    from tests.mocks.mcp_server import free_port

    def local_clock() -> str:
        """The time."""
        return "12:00"

    tools = MCPTools(url=f"http://127.0.0.1:{free_port()}/mcp", timeout_seconds=3)
    agent = Agent(model=chat(openai_mock), tools=[tools, local_clock])
    openai_mock.script(ToolCalls([("local_clock", {})]), Text("It is 12:00; my calculator is offline."))
    out = await agent.arun("time?")
    assert out.status.value == "COMPLETED" and out.content == "It is 12:00; my calculator is offline."
    assert [t["function"]["name"] for t in openai_mock.bodies[0]["tools"]] == ["local_clock"]
    (warning,) = out.metadata["warnings"]
    assert warning["source"] == "mcp" and "is unavailable" in warning["message"]
    assert any("is unavailable" in r.getMessage() for r in caplog.records)


async def test_tool_disabled_by_configuration(openai_mock, caplog):
    agent = Agent(model=chat(openai_mock), tools=[Admin(exclude_tools=["delete_everything"])])
    openai_mock.script(ToolCalls([("delete_everything", {})]), Text("I can't do that: the tool is disabled."))
    events = [e async for e in agent.arun("wipe it all", stream=True, stream_events=True)]
    assert [t["function"]["name"] for t in openai_mock.bodies[0]["tools"]] == ["list_users"]
    # As Agno: the call is answered with an error tool message (no tool events); the model says so
    tool_msg = next(m for m in openai_mock.bodies[1]["messages"] if m["role"] == "tool")
    assert tool_msg["content"] == "Error: The requested tool does not exist or is not available."
    completed = events[-1]
    assert completed.event == "RunCompleted" and "disabled" in completed.content
    # ... and the run carries a notice, with a log line
    assert completed.metadata["warnings"] == [
        {
            "source": "tools",
            "message": "the model called the tool 'delete_everything', which is not available "
            "(not configured or disabled); it was not run",
        }
    ]
    assert any("delete_everything" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


async def test_failing_tool_is_a_tool_call_error(openai_mock):
    def flaky() -> str:
        """A tool whose backend is down."""
        raise ConnectionError("backend unreachable")

    agent = Agent(model=chat(openai_mock), tools=[flaky])
    openai_mock.script(ToolCalls([("flaky", {})]), Text("The backend is down."))
    events = [e async for e in agent.arun("go", stream=True, stream_events=True)]
    err = next(e for e in events if e.event == "ToolCallError")
    assert err.error == "backend unreachable" and err.tool.tool_call_error is True
    assert events[-1].event == "RunCompleted" and events[-1].content == "The backend is down."


# -- the same over HTTP, through AgentOS --------------------------------------------------------------
def _post_run(server, agent_id: str, message: str, stream: bool, **fields: str):
    form = {"message": message, "stream": "true" if stream else "false", **fields}
    return server.request("POST", f"/agents/{agent_id}/runs", multipart=form)


def test_over_http_through_agentos(openai_mock, tmp_path):
    from brisk.os import AgentOS

    mcp_agent_tools: list = []
    try:
        from brisk.tools.mcp import MCPTools
        from tests.mocks.mcp_server import free_port

        mcp_agent_tools = [MCPTools(url=f"http://127.0.0.1:{free_port()}/mcp", timeout_seconds=3)]
    except ImportError:  # pragma: no cover - mcp is a dev dependency
        pass

    memory_agent = Agent(
        id="memory-agent",
        model=chat(openai_mock),
        memory_manager=MemoryManager(model=chat(openai_mock, "memory-model"), db=UnreachableDb()),
        update_memory_on_run=True,
    )
    mcp_agent = Agent(id="mcp-agent", model=chat(openai_mock), tools=mcp_agent_tools)
    tool_agent = Agent(
        id="tool-agent", model=chat(openai_mock), tools=[Admin(exclude_tools=["delete_everything"])]
    )
    os_ = AgentOS(agents=[memory_agent, mcp_agent, tool_agent], db=InMemoryDb())
    with live_server(os_.get_app()) as server:
        # memory store down: streamed, the RunCompleted event carries the notice
        openai_mock.script_for("main-model", Text("Hello!"))
        ex = _post_run(server, "memory-agent", "hi", stream=True, user_id="ada")
        assert ex.status == 200
        events = parse_sse(ex.body)
        names = [n for n, _ in events]
        assert names[0] == "RunStarted" and names[-1] == "RunCompleted"
        assert ["MemoryUpdateStarted", "MemoryUpdateCompleted"] == [
            n for n in names if n.startswith("Memory")
        ]
        completed = events[-1][1]
        assert completed["content"] == "Hello!"
        assert {w["source"] for w in completed["metadata"]["warnings"]} == {"memory"}
        # not streamed: the RunOutput's metadata
        openai_mock.script_for("main-model", Text("Hello again!"))
        ex = _post_run(server, "memory-agent", "hi", stream=False, user_id="ada")
        body = ex.json()
        assert ex.status == 200 and body["status"] == "COMPLETED" and body["content"] == "Hello again!"
        assert body["metadata"]["warnings"][0]["source"] == "memory"
        # and the stored run, as the run routes show it
        run = server.request(
            "GET", f"/agents/memory-agent/runs/{body['run_id']}", query={"session_id": body["session_id"]}
        )
        assert run.status == 200 and run.json()["metadata"]["warnings"] == body["metadata"]["warnings"]

        # MCP server down
        if mcp_agent_tools:
            openai_mock.script(Text("My tools are offline."))
            ex = _post_run(server, "mcp-agent", "add 1 and 2", stream=True)
            events = parse_sse(ex.body)
            completed = events[-1][1]
            assert events[-1][0] == "RunCompleted" and completed["content"] == "My tools are offline."
            assert completed["metadata"]["warnings"][0]["source"] == "mcp"

        # a tool disabled by configuration
        openai_mock.script(ToolCalls([("delete_everything", {})]), Text("That tool is disabled."))
        ex = _post_run(server, "tool-agent", "wipe", stream=True)
        events = parse_sse(ex.body)
        assert events[-1][0] == "RunCompleted" and events[-1][1]["content"] == "That tool is disabled."
        (warning,) = events[-1][1]["metadata"]["warnings"]
        assert warning["source"] == "tools" and "delete_everything" in warning["message"]


def test_mcp_server_dies_mid_run_over_http(openai_mock):
    pytest.importorskip("mcp")
    from brisk.os import AgentOS
    from brisk.tools.mcp import MCPTools
    from tests.mocks.mcp_server import HttpServer

    mcp_server = HttpServer().start()
    try:

        def kill_server() -> str:
            """Stop the calculator server."""
            mcp_server.kill()
            return "stopped"

        agent = Agent(
            id="calc-agent", model=chat(openai_mock), tools=[MCPTools(url=mcp_server.url), kill_server]
        )
        os_ = AgentOS(agents=[agent], db=InMemoryDb())
        with live_server(os_.get_app()) as server:
            openai_mock.script(
                ToolCalls([("add", {"a": 1, "b": 2})]),
                ToolCalls([("kill_server", {})]),
                ToolCalls([("add", {"a": 3, "b": 4})]),
                Text("1 + 2 = 3; the calculator went away before 3 + 4."),
            )
            ex = server.request(
                "POST", "/agents/calc-agent/runs", multipart={"message": "sums", "stream": "true"}
            )
            events = parse_sse(ex.body)
            names = [n for n, _ in events]
            assert names[-1] == "RunCompleted" and names.count("ToolCallError") == 1
            err = dict(events)["ToolCallError"]
            assert err["tool"]["tool_name"] == "add" and mcp_server.url in err["error"]
            completed = events[-1][1]
            assert completed["content"].startswith("1 + 2 = 3")
            assert completed["metadata"]["warnings"] == [{"source": "mcp", "message": err["error"]}]
    finally:
        mcp_server.kill()
