"""MCPTools against a real MCP server written with the official SDK (tests/mocks/mcp_server.py), over
stdio and streamable HTTP on loopback, with the OpenAI mock as the model (real HTTP): tools listed with
the server's schemas, called inside the run loop, reconnection after the server drops, and a clear
ToolCallError (never a hang) when it is gone."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("mcp")

from tests.mocks.mcp_server import HttpServer, free_port, stdio_params  # noqa: E402
from tests.mocks.openai_server import Text, ToolCalls  # noqa: E402

from brisk.agent import Agent  # noqa: E402
from brisk.models.openai import OpenAIChat  # noqa: E402
from brisk.tools.mcp import MCPServerUnavailable, MCPTools, StreamableHTTPClientParams  # noqa: E402

SERVER_TOOLS = ["add", "crash", "echo", "fail", "slow", "whoami"]


def chat(openai_mock) -> OpenAIChat:
    return OpenAIChat(id="main-model", base_url=openai_mock.base_url, api_key="sk-test")


def tool_results(body) -> list[str]:
    return [m["content"] for m in body["messages"] if m["role"] == "tool"]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped) counts as gone
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


def wait_gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def http_server():
    server = HttpServer().start()
    yield server
    server.kill()


# -- listing and calling ---------------------------------------------------------------------------
async def test_stdio_lists_tools_with_the_servers_schemas(tmp_path):
    pid_file = tmp_path / "pid"
    async with MCPTools(server_params=stdio_params(MCP_PID_FILE=str(pid_file))) as tools:
        assert tools.initialized
        assert sorted(tools.functions) == SERVER_TOOLS
        add = tools.functions["add"].to_dict()
        assert add["name"] == "add" and add["description"] == "Add two integers and return the sum."
        # the server's input schema, verbatim (as Agno passes it)
        assert add["parameters"] == {
            "properties": {"a": {"title": "A", "type": "integer"}, "b": {"title": "B", "type": "integer"}},
            "required": ["a", "b"],
            "title": "addArguments",
            "type": "object",
        }
        assert await tools.functions["add"].acall({"a": 2, "b": 40}) == "42"
        pid = int(pid_file.read_text())
        assert alive(pid)
    assert not tools.initialized
    assert wait_gone(pid), "close() ends the server process"


async def test_command_string_and_filters():
    command = f"{sys.executable} -m tests.mocks.mcp_server"
    tools = MCPTools(command, env={"PYTHONPATH": str(Path(__file__).resolve().parents[3])},
                     include_tools=["add", "echo"], tool_name_prefix="calc")  # fmt: skip
    assert tools.name.startswith("mcp_") and tools.transport == "stdio"
    await tools.connect()
    try:
        assert sorted(tools.functions) == ["calc_add", "calc_echo"]
        assert await tools.functions["calc_echo"].acall({"text": "hi"}) == "hi"
    finally:
        await tools.close()
    bad = MCPTools(server_params=stdio_params(), include_tools=["nope"])
    with pytest.raises(ValueError, match="nope"):
        async with bad:
            pass


async def test_agent_calls_a_stdio_tool_inside_the_run(openai_mock):
    tools = MCPTools(server_params=stdio_params())
    agent = Agent(model=chat(openai_mock), tools=[tools])
    openai_mock.script(ToolCalls([("add", {"a": 2, "b": 3})]), Text("2 + 3 = 5"))
    events = [e async for e in agent.arun("What is 2 + 3?", stream=True, stream_events=True)]
    names = [e.event for e in events]
    assert "ToolCallCompleted" in names and "ToolCallError" not in names and names[-1] == "RunCompleted"
    first, second = openai_mock.bodies
    offered = sorted(t["function"]["name"] for t in first["tools"])
    assert offered == SERVER_TOOLS
    assert tool_results(second) == ["5"]
    # connected for the run, closed after it (the agent opened it)
    assert not tools.initialized


async def test_streamable_http(openai_mock, http_server):
    tools = MCPTools(url=http_server.url)
    assert tools.transport == "streamable-http" and tools.name == f"mcp_127_0_0_1_{http_server.port}_mcp"
    agent = Agent(model=chat(openai_mock), tools=[tools])
    openai_mock.script(ToolCalls([("echo", {"text": "over http"})]), Text("ok"))
    out = await agent.arun("echo it")
    assert out.status.value == "COMPLETED"
    assert tool_results(openai_mock.bodies[1]) == ["over http"]
    async with MCPTools(server_params=StreamableHTTPClientParams(url=http_server.url)) as t2:
        assert await t2.functions["add"].acall({"a": 1, "b": 1}) == "2"


async def test_a_tool_error_is_a_tool_call_error(openai_mock):
    async with MCPTools(server_params=stdio_params()) as tools:
        agent = Agent(model=chat(openai_mock), tools=[tools])
        openai_mock.script(ToolCalls([("fail", {"message": "disk full"})]), Text("The tool failed."))
        events = [e async for e in agent.arun("go", stream=True, stream_events=True)]
        err = next(e for e in events if e.event == "ToolCallError")
        assert err.error == "Error from MCP tool 'fail': Error executing tool fail: disk full"
        assert events[-1].event == "RunCompleted" and events[-1].content == "The tool failed."
        assert tool_results(openai_mock.bodies[1]) == [err.error]
        assert tools.initialized  # the user's connection stays open


# -- the server goes away ---------------------------------------------------------------------------
async def test_stdio_server_killed_mid_run_reconnects_once(openai_mock, tmp_path):
    pid_file = tmp_path / "pid"
    tools = MCPTools(server_params=stdio_params(MCP_PID_FILE=str(pid_file)))

    def kill_server() -> str:
        """Kill the MCP server process."""
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        return "killed"

    agent = Agent(model=chat(openai_mock), tools=[tools, kill_server])
    openai_mock.script(
        ToolCalls([("whoami", {})]),
        ToolCalls([("kill_server", {})]),
        ToolCalls([("whoami", {})]),
        Text("done"),
    )
    events = [e async for e in agent.arun("go", stream=True, stream_events=True)]
    assert "ToolCallError" not in [e.event for e in events]
    first_pid, _, second_pid = (r for b in openai_mock.bodies[1:4] for r in tool_results(b)[-1:])
    assert first_pid != second_pid  # the server was started again and the call retried
    assert events[-1].event == "RunCompleted" and events[-1].metadata is None


async def test_stdio_server_gone_for_good_is_a_clear_tool_error(openai_mock, tmp_path, caplog):
    pid_file, refuse = tmp_path / "pid", tmp_path / "refuse"
    tools = MCPTools(server_params=stdio_params(MCP_PID_FILE=str(pid_file), MCP_REFUSE_FILE=str(refuse)))

    def kill_server() -> str:
        """Kill the MCP server process and keep it from starting again."""
        refuse.write_text("x")
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        return "killed"

    agent = Agent(model=chat(openai_mock), tools=[tools, kill_server])
    openai_mock.script(
        ToolCalls([("kill_server", {})]),
        ToolCalls([("add", {"a": 1, "b": 2})]),
        Text("The calculator is down."),
    )
    t0 = time.monotonic()
    events = [e async for e in agent.arun("add 1 and 2", stream=True, stream_events=True)]
    assert time.monotonic() - t0 < 20
    err = next(e for e in events if e.event == "ToolCallError")
    assert err.tool.tool_name == "add" and err.tool.tool_call_error is True
    assert f"MCP server '{tools.name}'" in err.error and "is unavailable" in err.error
    assert "The call to its tool 'add' failed" in err.error
    completed = events[-1]
    assert completed.event == "RunCompleted" and completed.content == "The calculator is down."
    assert completed.metadata["warnings"] == [{"source": "mcp", "message": err.error}]
    assert any("MCP server" in r.getMessage() for r in caplog.records)


async def test_http_server_killed_mid_run(openai_mock, http_server):
    tools = MCPTools(url=http_server.url, timeout_seconds=5)

    def kill_server() -> str:
        """Kill the MCP server."""
        http_server.kill()
        return "killed"

    agent = Agent(model=chat(openai_mock), tools=[tools, kill_server])
    openai_mock.script(
        ToolCalls([("add", {"a": 1, "b": 2})]),
        ToolCalls([("kill_server", {})]),
        ToolCalls([("add", {"a": 3, "b": 4})]),
        Text("Only the first sum worked."),
    )
    t0 = time.monotonic()
    out = await agent.arun("sums")
    assert time.monotonic() - t0 < 20
    assert out.status.value == "COMPLETED" and out.content == "Only the first sum worked."
    by_name = [(t.tool_name, t.tool_call_error, t.result) for t in out.tools]
    assert by_name[0] == ("add", False, "3")
    name, failed, result = by_name[2]
    assert name == "add" and failed is True
    assert http_server.url in result and "is unavailable" in result
    assert out.metadata["warnings"][0]["source"] == "mcp"


async def test_http_server_restarted_mid_run_reconnects(openai_mock, http_server):
    async with MCPTools(url=http_server.url) as tools:

        def restart_server() -> str:
            """Restart the MCP server."""
            http_server.restart()
            return "restarted"

        agent = Agent(model=chat(openai_mock), tools=[tools, restart_server])
        openai_mock.script(
            ToolCalls([("whoami", {})]),
            ToolCalls([("restart_server", {})]),
            ToolCalls([("whoami", {})]),
            Text("done"),
        )
        out = await agent.arun("go")
        assert [t.tool_call_error for t in out.tools] == [False, False, False]
        assert out.tools[0].result != out.tools[2].result
        assert tools.initialized


async def test_unreachable_server_at_run_start(openai_mock, caplog):
    tools = MCPTools(url=f"http://127.0.0.1:{free_port()}/mcp", timeout_seconds=3)
    agent = Agent(model=chat(openai_mock), tools=[tools])
    openai_mock.script(Text("I can't use my tools right now."))
    t0 = time.monotonic()
    out = await agent.arun("add 1 and 2")
    assert time.monotonic() - t0 < 10
    assert out.status.value == "COMPLETED" and out.content == "I can't use my tools right now."
    assert "tools" not in openai_mock.bodies[0]  # nothing offered
    (warning,) = out.metadata["warnings"]
    assert (
        warning["source"] == "mcp"
        and "is unavailable" in warning["message"]
        and tools.url in warning["message"]
    )
    assert any("is unavailable" in r.getMessage() for r in caplog.records)
    with pytest.raises(MCPServerUnavailable):
        async with tools:
            pass
    await tools.connect()  # Agno's connect(): logs instead of raising
    assert not tools.initialized and tools.last_error is not None


async def test_a_slow_tool_times_out(openai_mock):
    async with MCPTools(server_params=stdio_params()) as tools:
        tools.timeout_seconds = 1  # after connecting: starting the server may take longer on a busy box
        agent = Agent(model=chat(openai_mock), tools=[tools])
        openai_mock.script(ToolCalls([("slow", {"seconds": 30})]), Text("too slow"))
        t0 = time.monotonic()
        out = await agent.arun("wait")
        assert time.monotonic() - t0 < 8
        assert out.tools[0].tool_call_error and "no answer within 1 s" in out.tools[0].result
        assert out.status.value == "COMPLETED"


# -- lifecycle ------------------------------------------------------------------------------------
async def test_concurrent_runs_share_one_connection(openai_mock, tmp_path):
    pid_file = tmp_path / "pid"
    tools = MCPTools(server_params=stdio_params(MCP_PID_FILE=str(pid_file)))
    agent = Agent(model=chat(openai_mock), tools=[tools])
    openai_mock.script(
        ToolCalls([("slow", {"seconds": 0.5})]), ToolCalls([("slow", {"seconds": 0.5})]), Text("a"), Text("b")
    )
    outs = await asyncio.gather(agent.arun("one"), agent.arun("two"))
    assert all(o.status.value == "COMPLETED" and not o.tools[0].tool_call_error for o in outs)
    assert not tools.initialized  # the last run closed it
    assert wait_gone(int(pid_file.read_text()))


def test_sync_run(openai_mock):
    tools = MCPTools(server_params=stdio_params())
    agent = Agent(model=chat(openai_mock), tools=[tools])
    openai_mock.script(ToolCalls([("add", {"a": 20, "b": 22})]), Text("42"))
    out = agent.run("add")
    assert out.content == "42" and out.tools[0].result == "42"
    assert not tools.initialized


def test_unimplemented_keywords_and_bad_arguments():
    with pytest.raises(TypeError, match="header_provider"):
        MCPTools(url="http://127.0.0.1:1/mcp", header_provider=lambda: {})
    with pytest.raises(TypeError, match="protocol_mode"):
        MCPTools(url="http://127.0.0.1:1/mcp", protocol_mode="auto")
    with pytest.raises(ValueError, match="metacharacters"):
        MCPTools("python -m x; rm -rf /")
    with pytest.raises(ValueError):
        MCPTools()
    with pytest.raises(ValueError, match="headers"):
        MCPTools(server_params=stdio_params(), headers={"a": "b"})
    t = MCPTools(url="http://user:pw@example.com:8080/mcp?token=secret")
    assert t.name == "mcp_example_com_8080_mcp" and "secret" not in t.name
