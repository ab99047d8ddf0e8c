"""``Steps``: a named group of steps run in order (Agno's ``agno.workflow.steps``)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

from brisk.run.workflow import StepsExecutionCompletedEvent, StepsExecutionStartedEvent
from brisk.workflow._context import Execution, as_step, child_index, run_sequence
from brisk.workflow.types import HumanReview, StepInput, StepOutput, StepType, check_no_hitl


class Steps:
    """Run ``steps`` in order, each receiving the previous one's output. A failure inside is caught
    and becomes this group's failed output (as in Agno), so the workflow goes on."""

    def __init__(
        self,
        name: str | None = None,
        description: str | None = None,
        steps: list[Any] | None = None,
        human_review: HumanReview | None = None,
    ) -> None:
        self.name = name
        self.description = description
        self.steps = list(steps or [])
        self.human_review = check_no_hitl(human_review, f"Steps '{name}'")

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "Steps",
            "name": self.name,
            "description": self.description,
            "steps": [s.to_dict() for s in self.steps if hasattr(s, "to_dict")],
            "human_review": self.human_review.to_dict(),
        }

    def __repr__(self) -> str:
        return f"Steps(name={self.name!r}, steps={len(self.steps)})"

    async def _run(
        self, step_input: StepInput, ex: Execution, step_index: Any = None, parent_step_id: str | None = None
    ) -> AsyncIterator[Any]:
        steps_id = str(uuid.uuid4())
        self.steps = [as_step(s) for s in self.steps]
        count = len(self.steps)
        if ex.stream_events:
            yield StepsExecutionStartedEvent(
                **ex.base(),
                step_name=self.name,
                step_index=step_index,
                steps_count=count,
                step_id=steps_id,
                parent_step_id=parent_step_id,
            )
        if not self.steps:
            yield StepOutput(step_name=self.name or "Steps", content="No steps to execute")
            return
        results: list[StepOutput] = []
        try:
            async with aclosing(
                run_sequence(
                    self.steps,
                    step_input,
                    ex,
                    lambda i: child_index(step_index, i, 1, extend=True),
                    steps_id,
                    results,
                )
            ) as _it:
                async for event in _it:
                    yield event
        except NotImplementedError:
            raise
        except Exception as e:
            yield StepOutput(
                step_name=self.name or "Steps",
                content=f"Steps execution failed: {e}",
                success=False,
                error=str(e),
            )
            return
        if ex.stream_events:
            yield StepsExecutionCompletedEvent(
                **ex.base(),
                step_name=self.name,
                step_index=step_index,
                steps_count=count,
                executed_steps=len(results),
                step_results=results,
                step_id=steps_id,
                parent_step_id=parent_step_id,
            )
        yield StepOutput(
            step_name=self.name,
            step_id=steps_id,
            step_type=StepType.STEPS,
            content=f"Steps {self.name} completed with {len(results)} results",
            success=all(r.success for r in results),
            stop=any(r.stop for r in results),
            steps=results,
        )
