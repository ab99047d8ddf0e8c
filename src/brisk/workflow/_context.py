"""Per-run execution state shared by every primitive, and the helpers they have in common.

Every primitive implements one async generator, ``_run(step_input, ex, step_index, parent_step_id)``,
that yields events (only when the run streams) and exactly one ``StepOutput`` for its own result
(the Router yields none when it selects nothing). Streaming and non-streaming runs go through the same
generators: ``Execution.stream_events`` / ``forward`` decide whether events are made at all.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from brisk.run.base import RunContext
from brisk.workflow.types import StepInput, StepOutput

if TYPE_CHECKING:
    from brisk.run.cancel import _Active
    from brisk.run.workflow import WorkflowRunOutput
    from brisk.session.workflow import WorkflowSession
    from brisk.workflow.workflow import Workflow


@dataclass(eq=False)
class Execution:
    workflow: Workflow
    run: WorkflowRunOutput
    run_context: RunContext
    session: WorkflowSession
    cancel_entry: _Active
    # True for arun(stream=True): agents stream their model and events are produced.
    stream: bool = False
    # Workflow step events (StepStarted, LoopIterationStarted, ...): only when streaming with events.
    stream_events: bool = False
    stream_executor_events: bool = True
    store_executor_outputs: bool = True
    add_workflow_history_to_steps: bool = False
    num_history_runs: int = 3
    _base: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        run = self.run
        # Step-level events carry "" rather than None for unset ids, as Agno's do.
        self._base = {
            "run_id": run.run_id or "",
            "workflow_name": run.workflow_name or "",
            "workflow_id": run.workflow_id or "",
            "session_id": run.session_id or "",
        }

    @property
    def state(self) -> dict[str, Any]:
        state = self.run_context.session_state
        assert state is not None
        return state

    @property
    def forward(self) -> bool:
        """Whether executor (agent) events are passed through to the caller."""
        return self.stream and self.stream_executor_events

    def base(self) -> dict[str, Any]:
        return dict(self._base)

    def check_cancelled(self) -> None:
        """Cooperative cancellation point (between steps): ``cancel_run`` may not have been able to
        interrupt the task driving this run (the sync streaming API drives it from several tasks)."""
        if self.cancel_entry.requested:
            raise asyncio.CancelledError


def child_index(step_index: Any, i: int, default: int, extend: bool) -> Any:
    """Agno's step index of a composite's i-th child: ``(parent, i)`` under a top-level composite;
    deeper down either the parent's tuple extended by ``i`` (``extend``) or the parent's index as is."""
    if step_index is None or isinstance(step_index, int):
        return (step_index if step_index is not None else default, i)
    return step_index + (i,) if extend else step_index


def next_input(
    step_input: StepInput, outputs: list[StepOutput], named: dict[str, StepOutput] | None
) -> StepInput:
    """The input of the next step in a chain: the last output's content, every output so far."""
    previous: dict[str, StepOutput] = dict(step_input.previous_step_outputs or {})
    if named:
        previous.update(named)
    return StepInput(
        input=step_input.input,
        previous_step_content=outputs[-1].content if outputs else None,
        previous_step_outputs=previous,
        additional_data=step_input.additional_data,
        images=(step_input.images or []) + [m for o in outputs for m in o.images or ()],
        videos=(step_input.videos or []) + [m for o in outputs for m in o.videos or ()],
        audio=(step_input.audio or []) + [m for o in outputs for m in o.audio or ()],
        files=(step_input.files or []) + [m for o in outputs for m in o.files or ()],
    )


async def run_sequence(
    steps: list[Any],
    step_input: StepInput,
    ex: Execution,
    index_of: Callable[[int], Any],
    parent_step_id: str | None,
    results: list[StepOutput],
    on_error: Callable[[Any, int, Exception], StepOutput] | None = None,
) -> Any:
    """Run ``steps`` in order, each getting the previous one's output; yield their events.

    Every ``StepOutput`` is appended to ``results``. A step asking to ``stop`` ends the sequence.
    A step that raises propagates, unless ``on_error`` turns the error into an output (which also ends
    the sequence) or raises itself.
    """
    current = step_input
    named: dict[str, StepOutput] = {}
    for i, step in enumerate(steps):
        ex.check_cancelled()
        outs: list[StepOutput] = []
        try:
            async with aclosing(step._run(current, ex, index_of(i), parent_step_id)) as _it:
                async for item in _it:
                    if isinstance(item, StepOutput):
                        outs.append(item)
                        results.append(item)
                    else:
                        yield item
        except NotImplementedError:
            raise  # a Brisk gap, never turned into a failed output
        except Exception as e:
            if on_error is None:
                raise
            results.append(on_error(step, i, e))
            return
        if outs:
            named[getattr(step, "name", f"step_{i + 1}")] = outs[-1]
            if any(o.stop for o in outs):
                return
            current = next_input(current, outs, named)


def as_step(obj: Any) -> Any:
    """Agno's step preparation: a function or an Agent becomes a ``Step``; primitives stay as they are."""
    from brisk.workflow.step import Step

    if isinstance(obj, _PRIMITIVES()):
        return obj
    from brisk.agent.agent import Agent

    if isinstance(obj, Agent):
        return Step(name=obj.name, description=obj.description, agent=obj)
    from brisk.workflow.workflow import Workflow

    if isinstance(obj, Workflow):
        raise NotImplementedError(
            "a Workflow used as a step (nested workflow) is not implemented in Brisk yet"
        )
    if _looks_like_team(obj):
        raise NotImplementedError(
            "a Team used as a step is not implemented in Brisk yet (there is no brisk Team)"
        )
    if callable(obj) and hasattr(obj, "__name__"):
        return Step(name=obj.__name__, description="User-defined callable step", executor=obj)
    raise ValueError(f"Invalid step type: {type(obj).__name__}")


def _looks_like_team(obj: Any) -> bool:
    return type(obj).__name__ == "Team" and hasattr(obj, "members")


_primitives: tuple[type, ...] | None = None


def _PRIMITIVES() -> tuple[type, ...]:  # noqa: N802 - a lazily built constant
    global _primitives
    if _primitives is None:
        from brisk.workflow.condition import Condition
        from brisk.workflow.loop import Loop
        from brisk.workflow.parallel import Parallel
        from brisk.workflow.router import Router
        from brisk.workflow.step import Step
        from brisk.workflow.steps import Steps

        _primitives = (Step, Steps, Loop, Parallel, Condition, Router)
    return _primitives


def accepts(fn: Callable[..., Any], name: str) -> bool:
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


async def call_maybe_async(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a user callback (evaluator, selector, end condition): awaited when it is async."""
    result = fn(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


def snapshot(state: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of session state, to see later what an agent step changed."""
    import msgspec

    try:
        return msgspec.json.decode(msgspec.json.encode(state))
    except (TypeError, msgspec.EncodeError):
        return copy.deepcopy(state)


def merge_back(state: dict[str, Any], before: dict[str, Any], after: dict[str, Any] | None) -> None:
    """Apply what an agent changed in its copy of the session state to the workflow's state.

    Only keys the agent added, changed or removed are touched, so concurrent steps (Parallel) that
    changed other keys keep their changes."""
    if after is None or after is state:
        return
    for key, value in after.items():
        if key not in before or before[key] != value:
            state[key] = value
    for key in before:
        if key not in after:
            state.pop(key, None)
