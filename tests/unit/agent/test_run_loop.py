"""The agent run loop against a scripted model: events, tools, history, state, pause, cancel, errors."""

import asyncio

import msgspec
import pytest

from brisk.agent import Agent, RunOutput, RunStatus
from brisk.db.in_memory import InMemoryDb
from brisk.exceptions import ModelProviderError
from brisk.models.function import FunctionModel, tool_call
from brisk.models.response import ModelResponse
from brisk.run.agent import RunContentEvent
from brisk.tools import tool

WEATHER = "The weather in {city} is sunny, 21 degrees C, light wind from the west."


def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: Name of the city.
    """
    return WEATHER.format(city=city)


def weather_then_answer(messages, tools):
    """Ask for the weather tool once, then answer with the tool result."""
    last = messages[-1]
    if last.role == "tool":
        return f"Tool-result: {last.content}"
    if "weather" in str(last.content).lower():
        return ModelResponse(tool_calls=[tool_call("get_weather", '{"city": "Berlin"}', "call_1")])
    return "the quick brown fox"


def make_agent(fn=weather_then_answer, **kw):
    kw.setdefault("tools", [get_weather])
    return Agent(id="bench-agent", name="Bench Agent", model=FunctionModel(function=fn), **kw)


async def collect(agen):
    return [ev async for ev in agen]


async def test_non_stream_run_returns_completed_output():
    agent = make_agent(instructions="Be brief.")
    out = await agent.arun("Hello there")
    assert isinstance(out, RunOutput)
    assert out.status is RunStatus.completed
    assert out.content == "the quick brown fox"
    assert [m.role for m in out.messages] == ["system", "user", "assistant"]
    assert out.messages[0].content == "Be brief."
    assert out.metrics.input_tokens > 0 and out.metrics.duration > 0
    assert out.to_dict()["metrics"]["details"]["model"][0]["provider"] == "Function"


async def test_stream_events_follow_agno_sequence_for_a_tool_run():
    agent = make_agent()
    events = await collect(agent.arun("What is the weather in Berlin?", stream=True, stream_events=True))
    names = [e.event for e in events]
    collapsed = [n for i, n in enumerate(names) if not (n == "RunContent" and names[i - 1] == "RunContent")]
    assert collapsed == [
        "RunStarted",
        "ModelRequestStarted",
        "ModelRequestCompleted",
        "ToolCallStarted",
        "ToolCallCompleted",
        "ModelRequestStarted",
        "RunContent",
        "ModelRequestCompleted",
        "RunContentCompleted",
        "RunCompleted",
    ]
    started = next(e for e in events if e.event == "ToolCallStarted").to_dict()["tool"]
    completed = next(e for e in events if e.event == "ToolCallCompleted")
    assert started["result"] is None and started["tool_call_error"] is None
    assert completed.tool.result == WEATHER.format(city="Berlin")
    assert completed.tool.tool_call_error is False
    assert completed.content.startswith("get_weather(city=Berlin) completed in ")
    final = events[-1]
    assert final.content == "Tool-result: " + WEATHER.format(city="Berlin")
    assert "".join(e.content for e in events if e.event == "RunContent") == final.content
    # the first request after the tool call carries the tool result in OpenAI shape
    sent = agent.model.calls[1]
    assert sent[-2].tool_calls[0]["function"]["name"] == "get_weather"
    assert sent[-1].role == "tool" and sent[-1].tool_call_id == "call_1"


async def test_plain_stream_yields_only_content_events_on_success():
    events = await collect(make_agent().arun("hi", stream=True))
    assert {e.event for e in events} == {"RunContent"}
    assert "".join(e.content for e in events) == "the quick brown fox"


async def test_tool_calls_of_one_turn_run_concurrently():
    gate = asyncio.Event()

    async def waiter() -> str:
        """Waits for the other tool."""
        await asyncio.wait_for(gate.wait(), timeout=5)
        return "waited"

    async def opener() -> str:
        """Opens the gate."""
        gate.set()
        return "opened"

    def script(messages, tools):
        if messages[-1].role == "tool":
            return "done"
        return ModelResponse(tool_calls=[tool_call("waiter", "{}", "a"), tool_call("opener", "{}", "b")])

    out = await make_agent(script, tools=[waiter, opener]).arun("go")
    # sequential execution would time out inside `waiter` and report an error instead
    assert [t.result for t in out.tools] == ["waited", "opened"]
    assert not any(t.tool_call_error for t in out.tools)


async def test_sync_tools_run_off_the_event_loop():
    import threading

    seen = []

    def where() -> str:
        """Report the thread."""
        seen.append(threading.current_thread() is threading.main_thread())
        return "ok"

    def script(messages, tools):
        return "done" if messages[-1].role == "tool" else ModelResponse(tool_calls=[tool_call("where", "{}")])

    await make_agent(script, tools=[where]).arun("go")
    assert seen == [False]


async def test_failing_tool_reports_error_to_model_and_run_continues():
    def broken(city: str) -> str:
        """Always fails."""
        raise RuntimeError(f"no data for {city}")

    def script(messages, tools):
        last = messages[-1]
        if last.role == "tool":
            return f"sorry: {last.content}"
        return ModelResponse(tool_calls=[tool_call("broken", '{"city": "Oslo"}')])

    events = await collect(make_agent(script, tools=[broken]).arun("x", stream=True, stream_events=True))
    names = [e.event for e in events]
    assert "ToolCallError" in names
    assert names.index("ToolCallError") == names.index("ToolCallCompleted") + 1
    assert events[-1].event == "RunCompleted"
    assert events[-1].content == "sorry: no data for Oslo"


async def test_malformed_arguments_and_unknown_tool_go_back_to_the_model():
    def script(messages, tools):
        if messages[-1].role == "tool":
            return "|".join(str(m.content) for m in messages if m.role == "tool")
        return ModelResponse(
            tool_calls=[tool_call("get_weather", "{not json", "a"), tool_call("nope", "{}", "b")]
        )

    agent = make_agent(script)
    events = [e async for e in agent.arun("x", stream=True, stream_events=True)]
    content = events[-1].content
    assert "Error while decoding function arguments: " in content
    assert "Error: The requested tool does not exist or is not available." in content
    # as Agno: no tool events and no tool records for calls that could not run
    assert not any(e.event.startswith("ToolCall") for e in events)
    tool_msgs = [m for m in agent.model.calls[-1] if m.role == "tool"]
    assert [(m.tool_call_id, m.tool_name, m.tool_call_error) for m in tool_msgs] == [
        ("a", "get_weather", None),
        ("b", "nope", None),
    ]


async def test_tool_call_limit_stops_executing_and_drops_tools_from_request():
    calls = []

    def count() -> str:
        """Counts."""
        calls.append(1)
        return str(len(calls))

    def script(messages, tools):
        if tools is None:
            return "final answer without tools"
        return ModelResponse(tool_calls=[tool_call("count", "{}", f"c{len(messages)}")])

    out = await make_agent(script, tools=[count], tool_call_limit=2).arun("x")
    assert len(calls) == 2
    assert out.content == "final answer without tools"


async def test_stop_after_tool_call_ends_the_run_with_the_tool_result():
    @tool(stop_after_tool_call=True)
    def final(city: str) -> str:
        """Ends."""
        return f"final for {city}"

    def script(messages, tools):
        return ModelResponse(tool_calls=[tool_call("final", '{"city": "Rome"}')])

    model = FunctionModel(function=script)
    out = await Agent(model=model, tools=[final]).arun("x")
    assert out.content == "final for Rome"
    assert len(model.calls) == 1


async def test_requires_confirmation_pauses_and_continue_runs_the_tool():
    db = InMemoryDb()

    @tool(requires_confirmation=True)
    def delete_file(path: str) -> str:
        """Delete a file."""
        return f"deleted {path}"

    def script(messages, tools):
        if messages[-1].role == "tool":
            return f"done: {messages[-1].content}"
        return ModelResponse(tool_calls=[tool_call("delete_file", '{"path": "/tmp/x"}')])

    agent = make_agent(script, tools=[delete_file], db=db)
    out = await agent.arun("delete it", session_id="s1")
    assert out.status is RunStatus.paused and out.is_paused
    assert out.tools[0].requires_confirmation and out.tools[0].result is None
    stored = await db.get_run(out.run_id)
    assert stored["status"] == "PAUSED"

    out.tools[0].confirmed = True
    final = await agent.acontinue_run(out)
    assert final.status is RunStatus.completed
    assert final.content == "done: deleted /tmp/x"
    runs = await db.get_runs("s1")
    assert len(runs) == 1 and runs[0]["status"] == "COMPLETED"


async def test_rejected_confirmation_tells_the_model():
    @tool(requires_confirmation=True)
    def risky() -> str:
        """Risky."""
        return "ran"

    def script(messages, tools):
        if messages[-1].role == "tool":
            return str(messages[-1].content)
        return ModelResponse(tool_calls=[tool_call("risky", "{}")])

    agent = make_agent(script, tools=[risky])
    out = await agent.arun("x")
    out.tools[0].confirmed = False
    final = await agent.acontinue_run(out)
    assert "rejected" in final.content


async def test_history_of_last_three_runs_is_sent_on_the_fourth():
    db = InMemoryDb()
    agent = make_agent(
        lambda m, t: f"answer {len(m)}", db=db, add_history_to_context=True, num_history_runs=3
    )
    for i in range(4):
        await agent.arun(f"question {i}", session_id="s")
    sent = agent.model.calls[-1]
    users = [m.content for m in sent if m.role == "user"]
    assert users == ["question 0", "question 1", "question 2", "question 3"]
    await agent.arun("question 4", session_id="s")
    users = [m.content for m in agent.model.calls[-1] if m.role == "user"]
    assert users == ["question 1", "question 2", "question 3", "question 4"]
    sent = agent.model.calls[-1]
    assert all(m.from_history for m in sent[:-1] if m.role != "system")
    # history messages are not stored again with the new run
    runs = await db.get_runs("s")
    assert len(runs) == 5
    assert [m["role"] for m in runs[-1]["run_data"]["messages"]] == ["user", "assistant"]


async def test_failed_runs_are_left_out_of_history():
    db = InMemoryDb()
    state = {"fail": False}

    def script(messages, tools):
        if state["fail"]:
            raise ModelProviderError("boom", status_code=500)
        return "ok"

    agent = make_agent(script, db=db, add_history_to_context=True)
    await agent.arun("first", session_id="s")
    state["fail"] = True
    bad = await agent.arun("second", session_id="s")
    assert bad.status is RunStatus.error
    state["fail"] = False
    await agent.arun("third", session_id="s")
    users = [m.content for m in agent.model.calls[-1] if m.role == "user"]
    assert users == ["first", "third"]


async def test_session_state_merges_persists_and_formats_instructions():
    db = InMemoryDb()

    def add_item(session_state: dict, item: str) -> str:
        """Add an item to the list."""
        session_state.setdefault("items", []).append(item)
        return f"added {item}"

    def script(messages, tools):
        if messages[-1].role == "tool":
            return "ok"
        return ModelResponse(tool_calls=[tool_call("add_item", '{"item": "milk"}')])

    agent = make_agent(
        script,
        tools=[add_item],
        db=db,
        session_state={"items": [], "user": "ann"},
        instructions="Help {user}. Items: {items}",
    )
    out = await agent.arun("add milk", session_id="s", session_state={"store": "corner"})
    assert out.session_state == {"items": ["milk"], "user": "ann", "store": "corner"}
    assert agent.session_state == {"items": [], "user": "ann"}  # the default is not mutated
    assert agent.model.calls[0][0].content == "Help ann. Items: []"
    assert (await agent.aget_session_state("s"))["items"] == ["milk"]
    out2 = await agent.arun("add milk", session_id="s")
    assert out2.session_state["items"] == ["milk", "milk"]


async def test_provider_error_ends_as_run_error_and_is_stored():
    db = InMemoryDb()

    def script(messages, tools):
        raise ModelProviderError("Internal server error", status_code=500)

    agent = make_agent(script, db=db)
    events = await collect(agent.arun("x", stream=True, stream_events=True, session_id="e"))
    assert [e.event for e in events] == ["RunStarted", "ModelRequestStarted", "RunError"]
    assert events[-1].content == "Internal server error"
    assert events[-1].error_type == "model_provider_error"
    runs = await db.get_runs("e")
    assert runs[0]["status"] == "ERROR"
    out = await agent.arun("x")
    assert out.status is RunStatus.error and out.content == "Internal server error"


async def test_cancel_run_interrupts_the_stream_and_stores_cancelled():
    db = InMemoryDb()
    model = FunctionModel(function=lambda m, t: " ".join(["word"] * 200), chunk_delay=0.01)
    agent = Agent(model=model, db=db)
    events = []
    async for ev in agent.arun("x", stream=True, stream_events=True, session_id="c"):
        events.append(ev)
        if sum(1 for e in events if e.event == "RunContent") == 3:
            assert Agent.cancel_run(ev.run_id)
    assert events[-1].event == "RunCancelled"
    assert sum(1 for e in events if e.event == "RunContent") < 10
    runs = await db.get_runs("c")
    assert runs[0]["status"] == "CANCELLED"
    assert Agent.cancel_run("not-running") is False


async def test_consumer_going_away_stores_partial_run_as_cancelled():
    db = InMemoryDb()
    model = FunctionModel(function=lambda m, t: " ".join(["w"] * 500), chunk_delay=0.01)
    agent = Agent(model=model, db=db)

    async def consume():
        async for _ in agent.arun("x", stream=True, stream_events=True, session_id="d"):
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    runs = await db.get_runs("d")
    assert runs[0]["status"] == "CANCELLED"


def test_sync_run_and_stream_and_print_response(capsys):
    agent = make_agent()
    assert agent.run("hello").content == "the quick brown fox"
    assert "".join(e.content for e in agent.run("hello", stream=True) if isinstance(e, RunContentEvent)) == (
        "the quick brown fox"
    )
    agent.print_response("hello", stream=True)
    agent.print_response("hello")
    assert capsys.readouterr().out == "the quick brown fox\nthe quick brown fox\n"


async def test_sync_run_works_inside_a_running_loop():
    agent = make_agent()
    assert agent.run("hello").content == "the quick brown fox"


def test_system_message_follows_agno_order():
    seen = []

    def script(messages, tools):
        seen.append(messages[0].content)
        return "x"

    agent = Agent(
        model=FunctionModel(function=script),
        name="Ann",
        description="A helper.",
        role="triage",
        instructions=["Be kind.", "Be brief."],
        markdown=True,
        add_name_to_context=True,
        expected_output="A list.",
        additional_context="Context here.",
    )
    agent.run("hi")
    assert seen[0] == (
        "A helper.\n\n<your_role>\ntriage\n</your_role>\n\n- Be kind.\n- Be brief.\n\n"
        "<additional_information>\n- Use markdown to format your answers.\n- Your name is: Ann.\n"
        "</additional_information>\n\n<expected_output>\nA list.\n</expected_output>\n\nContext here."
    )


def test_structured_output_parses_into_the_schema():
    class Weather(msgspec.Struct):
        city: str
        temp: int

    def script(messages, tools):
        assert "json_fields" in messages[0].content
        return '{"city": "Oslo", "temp": 3}'

    out = Agent(model=FunctionModel(function=script), output_schema=Weather).run("w")
    assert out.content == Weather(city="Oslo", temp=3)
    assert out.content_type == "Weather"
    assert out.to_dict()["content"] == {"city": "Oslo", "temp": 3}


def test_unimplemented_keywords_raise_clear_type_errors():
    with pytest.raises(TypeError, match="reasoning_model.*not implement"):
        Agent(reasoning_model="openai:gpt-4o")
    with pytest.raises(TypeError, match="unexpected keyword argument.*'colour'"):
        Agent(colour="blue")
    Agent(telemetry=False, update_memory_on_run=False)  # Agno defaults and no-ops are accepted
    with pytest.raises(TypeError, match="'images' argument is not implemented"):
        make_agent().run("x", images=["a.png"])


def test_construction_resolves_nothing_until_first_run():
    agent = Agent(name="Lazy One", model="openai:gpt-4o-mini", tools=[get_weather])
    assert agent.id is None and isinstance(agent.model, str) and agent._functions is None
    agent.initialize_agent()
    assert agent.id == "lazy-one"
    assert list(agent._functions) == ["get_weather"]


async def test_run_context_is_injected_and_its_state_persisted():
    from brisk.run import RunContext

    db = InMemoryDb()

    def remember(run_context: RunContext, fact: str) -> str:
        """Remember a fact."""
        run_context.session_state.setdefault("facts", []).append(fact)
        return f"{run_context.user_id} {run_context.session_id} {len(run_context.messages)}"

    def script(messages, tools):
        if messages[-1].role == "tool":
            return str(messages[-1].content)
        return ModelResponse(tool_calls=[tool_call("remember", '{"fact": "sky is blue"}')])

    agent = make_agent(script, tools=[remember], db=db)
    out = await agent.arun("x", session_id="rc", user_id="u1")
    assert out.content == "u1 rc 2"  # the live messages: user, assistant with the call
    assert (await agent.aget_session_state("rc")) == {"facts": ["sky is blue"]}


async def test_tools_are_sent_sorted_by_name_and_instructions_in_agno_order():
    from brisk.tools import Toolkit

    class Kit(Toolkit):
        def __init__(self):
            super().__init__(
                name="kit", tools=[self.zeta, self.alpha], instructions="Kit rules.", add_instructions=True
            )

        def zeta(self) -> str:
            """Z."""
            return "z"

        def alpha(self) -> str:
            """A."""
            return "a"

    @tool(instructions="Use beta wisely.")
    def beta() -> str:
        """B."""
        return "b"

    seen = {}

    def script(messages, tools):
        seen["names"] = [t["function"]["name"] for t in tools]
        seen["system"] = messages[0].content
        return "ok"

    await Agent(model=FunctionModel(function=script), tools=[Kit(), beta]).arun("x")
    assert seen["names"] == ["alpha", "beta", "zeta"]
    assert seen["system"] == "Kit rules.\nUse beta wisely."
