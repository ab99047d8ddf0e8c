"""User memories on the Agent: update_memory_on_run (concurrent with the answer), memories in the system
message, agentic memory as the update_user_memory tool, Agno's events and metrics."""

from __future__ import annotations

import asyncio

import pytest
from tests.mocks.openai_server import Text, ToolCalls

from brisk.agent import Agent
from brisk.db.in_memory import InMemoryDb
from brisk.memory import MemoryManager, UserMemory
from brisk.models.function import FunctionModel, tool_call
from brisk.models.openai import OpenAIChat
from brisk.models.response import ModelResponse
from brisk.run.agent import RunContentEvent


def chat(openai_mock, model_id: str) -> OpenAIChat:
    return OpenAIChat(id=model_id, base_url=openai_mock.base_url, api_key="sk-test")


def system_of(body) -> str:
    return next(m["content"] for m in body["messages"] if m["role"] in ("system", "developer"))


async def events_of(agent: Agent, message: str, **kw) -> list:
    return [ev async for ev in agent.arun(message, stream=True, stream_events=True, **kw)]


async def test_update_memory_on_run_stores_memories_with_agnos_events(openai_mock):
    db = InMemoryDb()
    agent = Agent(
        name="Mem Agent",
        model=chat(openai_mock, "main-model"),
        memory_manager=MemoryManager(model=chat(openai_mock, "memory-model")),
        update_memory_on_run=True,
        db=db,
        user_id="ada",
    )
    openai_mock.script_for("main-model", Text("Nice to meet you, Ada."))
    openai_mock.script_for(
        "memory-model",
        ToolCalls([("add_memory", {"memory": "The user's name is Ada", "topics": ["name"]})]),
        Text("done"),
    )
    events = await events_of(agent, "Hi, my name is Ada")
    names = [e.event for e in events]
    assert names[0] == "RunStarted" and names[-1] == "RunCompleted"
    i = names.index("RunContentCompleted")
    assert names[i + 1 : i + 3] == ["MemoryUpdateStarted", "MemoryUpdateCompleted"]
    assert names[i + 3] == "RunCompleted"
    completed = events[i + 2]
    assert [m.memory for m in completed.memories] == ["The user's name is Ada"]
    wire = completed.to_dict()["memories"][0]
    assert (
        wire["memory"] == "The user's name is Ada" and wire["user_id"] == "ada" and wire["topics"] == ["name"]
    )
    # stored in agno_memories, with the agent's id and the user's message as input
    rows, total = await db.get_memories(user_id="ada")
    assert total == 1 and rows[0]["agent_id"] == "mem-agent" and rows[0]["input"] == "Hi, my name is Ada"
    # the memory model's tokens count in the run's metrics, as Agno's memory_model details
    run = (await db.get_runs(events[0].session_id))[-1]["run_data"]
    assert set(run["metrics"]["details"]) == {"model", "memory_model"}
    assert run["metrics"]["details"]["memory_model"][0]["id"] == "memory-model"
    # the memory model got the user's message, not the whole conversation
    mem_bodies = [b for b in openai_mock.bodies if b["model"] == "memory-model"]
    assert mem_bodies[0]["messages"][-1] == {"role": "user", "content": "Hi, my name is Ada"}


async def test_memories_are_added_to_the_system_message(openai_mock):
    db = InMemoryDb()
    mm = MemoryManager(db=db)
    # oldest first (rows created in the same second are ordered by id, so the times differ here)
    await mm.aadd_user_memory(
        UserMemory(memory="The user's name is Ada", created_at=1_700_000_000), user_id="ada"
    )
    await mm.aadd_user_memory(
        UserMemory(memory="The user likes tea", created_at=1_700_000_100), user_id="ada"
    )
    agent = Agent(model=chat(openai_mock, "main-model"), memory_manager=mm, instructions="Be brief.", db=db)
    await agent.arun("What do I like?", user_id="ada")
    system = system_of(openai_mock.bodies[-1])
    assert "<memories_from_previous_interactions>\n- The user's name is Ada\n- The user likes tea\n" in system
    assert system.startswith("Be brief.")
    # a user without memories: the model is told it has none yet
    await agent.arun("Hello", user_id="bob")
    system = system_of(openai_mock.bodies[-1])
    assert "<memories_from_previous_interactions>" not in system and "no memories of this user yet" in system
    # add_memories_to_context=False: no section
    agent2 = Agent(
        model=chat(openai_mock, "main-model"), memory_manager=mm, add_memories_to_context=False, db=db
    )
    await agent2.arun("Hi", user_id="ada")
    assert "memories" not in (
        system_of(openai_mock.bodies[-1])
        if any(m["role"] in ("system", "developer") for m in openai_mock.bodies[-1]["messages"])
        else ""
    )


async def test_first_content_event_is_not_later_with_memory_updates():
    """The memory model blocks until the main stream has produced its first RunContent: if the memory
    update delayed the answer, the run would deadlock. The events before the first content are the
    same with and without memory updates."""
    first_content = asyncio.Event()
    memory_calls: list[int] = []

    async def memory_fn(messages, tools):
        memory_calls.append(1)
        await first_content.wait()
        if len(memory_calls) == 1:
            return ModelResponse(
                tool_calls=[tool_call("add_memory", '{"memory": "The user is Ada", "topics": null}')]
            )
        return "ok"

    def main_fn(messages, tools):
        return "Hello Ada, nice to meet you"

    async def run(update: bool) -> list[str]:
        first_content.clear()
        agent = Agent(
            model=FunctionModel(function=main_fn),
            db=InMemoryDb(),
            memory_manager=MemoryManager(model=FunctionModel(id="memory-fn", function=memory_fn)),
            update_memory_on_run=update,
            add_memories_to_context=False,
        )
        names = []
        async for ev in agent.arun("I am Ada", stream=True, stream_events=True):
            names.append(ev.event)
            if isinstance(ev, RunContentEvent):
                first_content.set()
        return names

    with_memory = await asyncio.wait_for(run(True), 10)
    without = await asyncio.wait_for(run(False), 10)
    assert memory_calls, "the memory model was called"
    k = with_memory.index("RunContent")
    assert k == without.index("RunContent")
    assert with_memory[:k] == without[:k]
    assert with_memory.count("RunContent") == without.count("RunContent")
    assert [n for n in with_memory if n.startswith("Memory")] == [
        "MemoryUpdateStarted",
        "MemoryUpdateCompleted",
    ]
    assert "MemoryUpdateStarted" not in without


async def test_first_content_event_order_over_http(openai_mock):
    """Same, over real HTTP: a slow memory model (its reply takes 0.5 s to start) does not move the
    first content event of the answer."""

    async def run(update: bool) -> list[str]:
        agent = Agent(
            model=chat(openai_mock, "main-model"),
            memory_manager=MemoryManager(model=chat(openai_mock, "memory-model")),
            update_memory_on_run=update,
            add_memories_to_context=False,
            db=InMemoryDb(),
        )
        openai_mock.script_for("main-model", Text("one two three"))
        openai_mock.script_for("memory-model", Text("nothing to remember", ttft=0.5))
        order = []
        async for ev in agent.arun("hello", stream=True, stream_events=True):
            order.append(ev.event)
            if ev.event == "RunContent":
                # the memory request is still pending when the first token arrives
                order.append(
                    f"memory_requests={sum(1 for b in openai_mock.bodies if b['model'] == 'memory-model')}"
                )
        return order

    with_memory = await run(True)
    without = await run(False)
    k = with_memory.index("RunContent")
    assert with_memory[:k] == without[:k]
    assert with_memory[k + 1] in (
        "memory_requests=0",
        "memory_requests=1",
    )  # started or about to, not awaited
    assert with_memory.index("MemoryUpdateStarted") > with_memory.index("RunContentCompleted")


async def test_agentic_memory_tool(openai_mock):
    db = InMemoryDb()
    agent = Agent(
        model=chat(openai_mock, "main-model"),
        memory_manager=MemoryManager(model=chat(openai_mock, "memory-model")),
        enable_agentic_memory=True,
        db=db,
    )
    openai_mock.script_for(
        "main-model",
        ToolCalls([("update_user_memory", {"task": "Remember that the user's name is Ada"})]),
        Text("I'll remember that."),
    )
    openai_mock.script_for(
        "memory-model",
        ToolCalls([("add_memory", {"memory": "The user's name is Ada", "topics": ["name"]})]),
        Text("Memory added"),
    )
    events = await events_of(agent, "Please remember my name is Ada", user_id="ada")
    names = [e.event for e in events]
    assert "MemoryUpdateStarted" not in names  # agentic memory replaces the automatic update (Agno)
    tool_done = next(e for e in events if e.event == "ToolCallCompleted")
    assert tool_done.tool.tool_name == "update_user_memory" and tool_done.tool.result == "Memory added"
    assert [m.memory for m in await agent.aget_user_memories("ada")] == ["The user's name is Ada"]
    first = next(b for b in openai_mock.bodies if b["model"] == "main-model")
    tool = next(t["function"] for t in first["tools"] if t["function"]["name"] == "update_user_memory")
    assert list(tool["parameters"]["properties"]) == ["task"] and tool["parameters"]["required"] == ["task"]
    assert "<updating_user_memories>" in system_of(first)
    mem_first = next(b for b in openai_mock.bodies if b["model"] == "memory-model")
    assert mem_first["messages"][-1]["content"] == "Remember that the user's name is Ada"


def test_keywords_are_accepted_and_defaults_as_agno():
    agent = Agent(model=FunctionModel(function=lambda m, t: "hi"), update_memory_on_run=True, db=InMemoryDb())
    agent.initialize_agent()
    assert isinstance(agent.memory_manager, MemoryManager)
    assert agent.memory_manager.model is agent.model and agent.memory_manager.db is agent.db
    assert agent.add_memories_to_context is True
    plain = Agent(model=FunctionModel(function=lambda m, t: "hi"))
    plain.initialize_agent()
    assert plain.memory_manager is None and plain.add_memories_to_context is None


def test_sync_run_with_memory(openai_mock):
    agent = Agent(
        model=chat(openai_mock, "main-model"),
        memory_manager=MemoryManager(model=chat(openai_mock, "memory-model")),
        update_memory_on_run=True,
        db=InMemoryDb(),
    )
    openai_mock.script_for("main-model", Text("hello"))
    openai_mock.script_for(
        "memory-model",
        ToolCalls([("add_memory", {"memory": "The user says hi", "topics": None})]),
        Text("ok"),
    )
    out = agent.run("hi there")
    assert out.content == "hello" and out.status.value == "COMPLETED"
    assert [m.memory for m in agent.get_user_memories()] == ["The user says hi"]


@pytest.mark.parametrize("stream", [False, True])
async def test_no_memory_events_without_memory(stream, openai_mock):
    agent = Agent(model=chat(openai_mock, "main-model"), db=InMemoryDb())
    if stream:
        names = [e.event for e in await events_of(agent, "hi")]
        assert not [n for n in names if n.startswith(("Memory", "SessionSummary"))]
    else:
        out = await agent.arun("hi")
        assert out.metadata is None
