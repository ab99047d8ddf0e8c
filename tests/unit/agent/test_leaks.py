"""Agents and runs are freed when the caller drops them (weakref + gc), streamed or not.

Run outputs and events are slotted dataclasses without a weakref slot (memory per event matters on
the hot path), so those are counted among the objects the collector tracks instead.
"""

import gc
import weakref

from brisk.agent import Agent
from brisk.db.in_memory import InMemoryDb
from brisk.models.function import FunctionModel, tool_call
from brisk.models.response import ModelResponse
from brisk.run import cancel
from brisk.run.agent import BaseAgentRunEvent, RunOutput


def alive(cls: type) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, cls))


def get_weather(city: str) -> str:
    """Weather.

    Args:
        city: City.
    """
    return f"sunny in {city}"


def script(messages, tools):
    if messages[-1].role == "tool":
        return "done"
    return ModelResponse(tool_calls=[tool_call("get_weather", '{"city": "Rome"}')])


async def test_agent_and_run_outputs_are_collected_after_runs():
    db = InMemoryDb()
    before = (alive(RunOutput), alive(BaseAgentRunEvent))
    agent = Agent(
        model=FunctionModel(function=script), tools=[get_weather], db=db, add_history_to_context=True
    )
    out = await agent.arun("weather?", session_id="s")
    events = [e async for e in agent.arun("again", stream=True, stream_events=True, session_id="s")]
    refs = [weakref.ref(agent), weakref.ref(agent.model)]
    assert alive(RunOutput) > before[0] and alive(BaseAgentRunEvent) > before[1]
    assert not cancel._active  # finished runs leave no entry behind
    del agent, out, events
    gc.collect()
    assert [r() for r in refs] == [None, None]
    assert (alive(RunOutput), alive(BaseAgentRunEvent)) == before
    assert len(await db.get_runs("s")) == 2  # what was stored stays stored


async def test_an_abandoned_stream_frees_its_run():
    before = alive(BaseAgentRunEvent)
    agent = Agent(model=FunctionModel(function=lambda m, t: " ".join(["w"] * 50)))
    stream = agent.arun("x", stream=True, stream_events=True)
    await stream.__anext__()
    await stream.aclose()
    del stream
    assert alive(BaseAgentRunEvent) == before
    assert not cancel._active
