"""Shared helpers of the workflow tests: scripted agents, step functions, event collection."""

from __future__ import annotations

import asyncio
from typing import Any

from brisk.agent import Agent
from brisk.models.function import FunctionModel, tool_call
from brisk.models.response import ModelResponse
from brisk.run.workflow import WorkflowRunOutput
from brisk.workflow import StepInput, StepOutput, Workflow


def echo_agent(name: str = "Echo", prefix: str = "echo", **kw: Any) -> Agent:
    """An agent answering ``<prefix>: <its input>``."""

    def answer(messages, tools):
        return f"{prefix}: {messages[-1].content}"

    return Agent(name=name, model=FunctionModel(function=answer), **kw)


def state_agent(name: str = "Shopper") -> Agent:
    """An agent that calls ``add_item`` once (changing session state), then reports the state."""

    def add_item(run_context, item: str) -> str:
        """Add an item to the shopping list.

        Args:
            item: The item.
        """
        state = run_context.session_state
        state.setdefault("items", []).append(item)
        state["count"] = len(state["items"])
        return f"added {item}"

    def script(messages, tools):
        if messages[-1].role == "tool":
            return f"done: {messages[-1].content}"
        return ModelResponse(tool_calls=[tool_call("add_item", '{"item": "bread"}', "call_1")])

    return Agent(name=name, model=FunctionModel(function=script), tools=[add_item])


def upper(step_input: StepInput) -> StepOutput:
    return StepOutput(content=str(step_input.previous_step_content or step_input.input).upper())


def suffix(step_input: StepInput) -> str:
    return f"{step_input.previous_step_content or step_input.input}!"


async def run_async(
    wf: Workflow, stream: bool, *args: Any, **kw: Any
) -> tuple[list[Any], WorkflowRunOutput | None]:
    """Run async; for a stream return (events, the stored last run), else ([], output)."""
    if not stream:
        return [], await wf.arun(*args, **kw)
    events = [e async for e in wf.arun(*args, stream=True, **kw)]
    return events, None


def run_sync(wf: Workflow, stream: bool, *args: Any, **kw: Any) -> tuple[list[Any], WorkflowRunOutput | None]:
    if not stream:
        return [], wf.run(*args, **kw)
    return list(wf.run(*args, stream=True, **kw)), None


async def run_any(mode: str, wf: Workflow, *args: Any, **kw: Any) -> tuple[list[Any], Any]:
    """``mode`` is ``async|sync`` x ``stream|plain``: the events (streams) and the run's final content."""
    api, kind = mode.split("-")
    stream = kind == "stream"
    if stream:
        kw.setdefault("stream_events", True)
    if api == "async":
        events, out = await run_async(wf, stream, *args, **kw)
    else:
        events, out = await asyncio.to_thread(run_sync, wf, stream, *args, **kw)
    if out is not None:
        return events, out
    completed = [e for e in events if e.event == "WorkflowCompleted"]
    assert len(completed) == 1, [e.event for e in events]
    return events, completed[0]


MODES = ["async-plain", "async-stream", "sync-plain", "sync-stream"]


def names(events: list[Any]) -> list[str]:
    return [e.event for e in events]
