"""``Condition``: run steps only when an evaluator says so (Agno's ``agno.workflow.condition``)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from typing import Any

from brisk.run.workflow import ConditionExecutionCompletedEvent, ConditionExecutionStartedEvent
from brisk.workflow._context import Execution, accepts, as_step, call_maybe_async, child_index, run_sequence
from brisk.workflow.types import (
    HumanReview,
    OnError,
    OnReject,
    StepInput,
    StepOutput,
    StepType,
    check_no_hitl,
)


class Condition:
    """Run ``steps`` when ``evaluator`` (a bool, or a function of ``StepInput`` returning a bool, sync or
    async, optionally taking ``run_context``) is true; otherwise ``else_steps`` if given.

    A failing inner step ends the branch with a failed output (``human_review.on_error='skip'``, the
    default) or fails the workflow (``on_error='fail'``). CEL expression strings are not implemented.
    """

    def __init__(
        self,
        steps: list[Any] | None = None,
        evaluator: bool | Callable[..., Any] = True,
        else_steps: list[Any] | None = None,
        name: str | None = None,
        description: str | None = None,
        human_review: HumanReview | None = None,
    ) -> None:
        if isinstance(evaluator, str):
            raise NotImplementedError(
                f"Condition '{name}': CEL expression evaluators are not implemented in Brisk; pass a bool "
                "or a function of StepInput"
            )
        if not isinstance(evaluator, bool) and not callable(evaluator):
            raise ValueError(f"Invalid evaluator type: {type(evaluator).__name__}")
        self.steps = list(steps or [])
        self.evaluator = evaluator
        self.else_steps = list(else_steps) if else_steps else None
        self.name = name
        self.description = description
        self.human_review = check_no_hitl(
            human_review or HumanReview(on_reject=OnReject.else_branch), f"Condition '{name}'"
        )

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "type": "Condition",
            "name": self.name,
            "description": self.description,
            "steps": [s.to_dict() for s in self.steps if hasattr(s, "to_dict")],
            "else_steps": [s.to_dict() for s in self.else_steps or () if hasattr(s, "to_dict")],
        }
        if isinstance(self.evaluator, bool):
            d["evaluator"], d["evaluator_type"] = self.evaluator, "bool"
        else:
            d["evaluator"], d["evaluator_type"] = getattr(self.evaluator, "__name__", None), "function"
        d["human_review"] = self.human_review.to_dict()
        return d

    def __repr__(self) -> str:
        return f"Condition(name={self.name!r}, steps={len(self.steps)})"

    async def _evaluate(self, step_input: StepInput, ex: Execution) -> bool:
        if isinstance(self.evaluator, bool):
            return self.evaluator
        kwargs = {"run_context": ex.run_context} if accepts(self.evaluator, "run_context") else {}
        result = await call_maybe_async(self.evaluator, step_input, **kwargs)
        return result if isinstance(result, bool) else False

    async def _run(
        self, step_input: StepInput, ex: Execution, step_index: Any = None, parent_step_id: str | None = None
    ) -> AsyncIterator[Any]:
        condition_id = str(uuid.uuid4())
        self.steps = [as_step(s) for s in self.steps]
        if self.else_steps:
            self.else_steps = [as_step(s) for s in self.else_steps]
        result = await self._evaluate(step_input, ex)
        ids = {"step_id": condition_id, "parent_step_id": parent_step_id}
        if ex.stream_events:
            yield ConditionExecutionStartedEvent(
                **ex.base(), step_name=self.name, step_index=step_index, condition_result=result, **ids
            )
        if result:
            branch, chosen = "if", self.steps
        elif self.else_steps:
            branch, chosen = "else", self.else_steps
        else:
            if not ex.stream:  # Agno's non-streaming path reports the skipped condition; streaming does not
                yield StepOutput(
                    step_name=self.name,
                    step_id=condition_id,
                    step_type=StepType.CONDITION,
                    content=f"Condition {self.name} not met - skipped {len(self.steps)} steps",
                )
            if ex.stream_events:
                yield ConditionExecutionCompletedEvent(
                    **ex.base(),
                    step_name=self.name,
                    step_index=step_index,
                    condition_result=False,
                    executed_steps=0,
                    branch=None,
                    step_results=[],
                    **ids,
                )
            return
        results: list[StepOutput] = []

        def on_error(step: Any, i: int, e: Exception) -> StepOutput:
            if (
                str(getattr(self.human_review.on_error, "value", self.human_review.on_error))
                == OnError.fail.value
            ):
                raise e
            name = getattr(step, "name", f"step_{i}")
            return StepOutput(step_name=name, content=f"Step {name} failed: {e}", success=False, error=str(e))

        async with aclosing(
            run_sequence(
                chosen,
                step_input,
                ex,
                lambda i: child_index(step_index, i, 1, extend=False),
                condition_id,
                results,
                on_error,
            )
        ) as _it:
            async for event in _it:
                yield event
        if ex.stream_events:
            yield ConditionExecutionCompletedEvent(
                **ex.base(),
                step_name=self.name,
                step_index=step_index,
                condition_result=result,
                executed_steps=len(chosen),
                branch=branch,
                step_results=results,
                **ids,
            )
        yield StepOutput(
            step_name=self.name,
            step_id=condition_id,
            step_type=StepType.CONDITION,
            content=f"Condition {self.name} completed with {len(results)} results ({branch} branch)",
            success=all(r.success for r in results),
            stop=any(r.stop for r in results),
            steps=results,
        )
