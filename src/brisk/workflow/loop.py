"""``Loop``: repeat steps until an end condition or ``max_iterations`` (Agno's ``agno.workflow.loop``)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from typing import Any

from brisk.run.workflow import (
    LoopExecutionCompletedEvent,
    LoopExecutionStartedEvent,
    LoopIterationCompletedEvent,
    LoopIterationStartedEvent,
)
from brisk.workflow._context import (
    Execution,
    as_step,
    call_maybe_async,
    child_index,
    next_input,
    run_sequence,
)
from brisk.workflow.types import HumanReview, StepInput, StepOutput, StepType, check_no_hitl

log = logging.getLogger("brisk.workflow")


class Loop:
    """Run ``steps`` (chained, as in ``Steps``) up to ``max_iterations`` times. After each iteration
    ``end_condition(iteration_results)`` (sync or async) may end the loop; a step output with ``stop``
    ends it too. Each iteration gets the loop's input unless ``forward_iteration_output`` is set.
    A failing inner step fails the loop (and so the workflow), as in Agno."""

    def __init__(
        self,
        steps: list[Any],
        name: str | None = None,
        description: str | None = None,
        max_iterations: int = 3,
        end_condition: Callable[..., Any] | None = None,
        forward_iteration_output: bool = False,
        human_review: HumanReview | None = None,
    ) -> None:
        if isinstance(end_condition, str):
            raise NotImplementedError(
                f"Loop '{name}': CEL expression end conditions are not implemented in Brisk; pass a function"
            )
        self.steps = list(steps)
        self.name = name
        self.description = description
        self.max_iterations = max_iterations
        self.end_condition = end_condition
        self.forward_iteration_output = forward_iteration_output
        self.human_review = check_no_hitl(human_review, f"Loop '{name}'")

    def to_dict(self) -> dict[str, Any]:
        end = self.end_condition
        return {
            "type": "Loop",
            "name": self.name,
            "description": self.description,
            "steps": [s.to_dict() for s in self.steps if hasattr(s, "to_dict")],
            "max_iterations": self.max_iterations,
            "end_condition": getattr(end, "__name__", None) if end is not None else None,
            "end_condition_type": "function" if end is not None else None,
            "forward_iteration_output": self.forward_iteration_output,
            "human_review": self.human_review.to_dict(),
        }

    def __repr__(self) -> str:
        return f"Loop(name={self.name!r}, steps={len(self.steps)}, max_iterations={self.max_iterations})"

    async def _should_end(self, results: list[StepOutput]) -> bool:
        if self.end_condition is None:
            return False
        try:
            return bool(await call_maybe_async(self.end_condition, results))
        except Exception as e:  # noqa: BLE001 - Agno logs a failing end condition and keeps looping
            log.warning("End condition evaluation failed: %s", e)
            return False

    async def _run(
        self, step_input: StepInput, ex: Execution, step_index: Any = None, parent_step_id: str | None = None
    ) -> AsyncIterator[Any]:
        loop_id = str(uuid.uuid4())
        self.steps = [as_step(s) for s in self.steps]
        ids = {"step_id": loop_id, "parent_step_id": parent_step_id}
        if ex.stream_events:
            yield LoopExecutionStartedEvent(
                **ex.base(),
                step_name=self.name,
                step_index=step_index,
                max_iterations=self.max_iterations,
                **ids,
            )
        all_results: list[list[StepOutput]] = []
        iteration = 0
        current = step_input
        while iteration < self.max_iterations:
            ex.check_cancelled()
            if ex.stream_events:
                yield LoopIterationStartedEvent(
                    **ex.base(),
                    step_name=self.name,
                    step_index=step_index,
                    iteration=iteration + 1,
                    max_iterations=self.max_iterations,
                    **ids,
                )
            results: list[StepOutput] = []
            async with aclosing(
                run_sequence(
                    self.steps,
                    current,
                    ex,
                    lambda i: child_index(step_index, i, 0, extend=True),
                    loop_id,
                    results,
                )
            ) as _it:
                async for event in _it:
                    yield event
            all_results.append(results)
            iteration += 1
            stopped = any(r.stop for r in results)
            keep_going = not (await self._should_end(results)) and not stopped
            if ex.stream_events:
                yield LoopIterationCompletedEvent(
                    **ex.base(),
                    step_name=self.name,
                    step_index=step_index,
                    iteration=iteration,
                    max_iterations=self.max_iterations,
                    iteration_results=results,
                    should_continue=keep_going,
                    **ids,
                )
            if not keep_going:
                break
            if self.forward_iteration_output and results:
                current = next_input(current, results, {r.step_name or "": r for r in results})
        if ex.stream_events:
            yield LoopExecutionCompletedEvent(
                **ex.base(),
                step_name=self.name,
                step_index=step_index,
                total_iterations=iteration,
                max_iterations=self.max_iterations,
                all_results=all_results,
                **ids,
            )
        flat = [r for it in all_results for r in it]
        yield StepOutput(
            step_name=self.name,
            step_id=loop_id,
            step_type=StepType.LOOP,
            content=f"Loop {self.name} completed {iteration} iterations with {len(flat)} total steps",
            success=all(r.success for r in flat),
            stop=any(r.stop for r in flat),
            steps=flat,
        )
