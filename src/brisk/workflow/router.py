"""``Router``: pick the step(s) to run from ``choices`` at run time (Agno's ``agno.workflow.router``)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from typing import Any

from brisk.run.workflow import RouterExecutionCompletedEvent, RouterExecutionStartedEvent
from brisk.workflow._context import Execution, accepts, as_step, call_maybe_async, run_sequence
from brisk.workflow.steps import Steps
from brisk.workflow.types import HumanReview, StepInput, StepOutput, StepType, check_no_hitl

log = logging.getLogger("brisk.workflow")


class Router:
    """``selector(step_input)`` (sync or async; may take ``step_choices`` and ``run_context``) returns
    the step(s) to run: a step, a step's name, or a list of either. The selected steps run in order,
    chained. A list inside ``choices`` becomes a ``Steps`` group named ``steps_group_<i>``. A failing
    selected step ends the route with a failed output. CEL selectors and human route selection are
    not implemented."""

    def __init__(
        self,
        choices: list[Any],
        selector: Callable[..., Any] | None = None,
        name: str | None = None,
        description: str | None = None,
        human_review: HumanReview | None = None,
    ) -> None:
        if isinstance(selector, str):
            raise NotImplementedError(
                f"Router '{name}': CEL expression selectors are not implemented in Brisk; pass a function"
            )
        self.choices = list(choices)
        self.selector = selector
        self.name = name
        self.description = description
        self.human_review = check_no_hitl(human_review, f"Router '{name}'")
        self.steps: list[Any] = []
        self._by_name: dict[str, Any] = {}

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "Router",
            "name": self.name,
            "description": self.description,
            "choices": [s.to_dict() for s in self.choices if hasattr(s, "to_dict")],
            "selector": getattr(self.selector, "__name__", None) if self.selector is not None else None,
            "selector_type": "function" if self.selector is not None else None,
            "human_review": self.human_review.to_dict(),
        }

    def __repr__(self) -> str:
        return f"Router(name={self.name!r}, choices={len(self.choices)})"

    def _prepare(self) -> None:
        prepared: list[Any] = []
        for choice in self.choices:
            if isinstance(choice, list):
                prepared.append(
                    Steps(name=f"steps_group_{len(prepared)}", steps=[as_step(s) for s in choice])
                )
            else:
                prepared.append(as_step(choice))
        self.steps = prepared
        self._by_name = {s.name: s for s in prepared if getattr(s, "name", None)}

    def _resolve(self, selected: Any) -> list[Any]:
        if selected is None:
            return []
        if isinstance(selected, str):
            step = self._by_name.get(selected)
            if step is None:
                log.warning(
                    "Router '%s' selector returned unknown step name %r; available: %s",
                    self.name,
                    selected,
                    list(self._by_name),
                )
                return []
            return [step]
        if isinstance(selected, list):
            return [s for item in selected for s in self._resolve(item)]
        if hasattr(selected, "_run"):
            return [selected]
        try:
            return [as_step(selected)]
        except (ValueError, NotImplementedError):
            log.warning("Router selector returned unexpected type: %s", type(selected))
            return []

    async def _select(self, step_input: StepInput, ex: Execution) -> list[Any]:
        if self.selector is None:
            return []
        kwargs: dict[str, Any] = {}
        if accepts(self.selector, "run_context"):
            kwargs["run_context"] = ex.run_context
        if accepts(self.selector, "step_choices"):
            kwargs["step_choices"] = self.steps
        return self._resolve(await call_maybe_async(self.selector, step_input, **kwargs))

    async def _run(
        self, step_input: StepInput, ex: Execution, step_index: Any = None, parent_step_id: str | None = None
    ) -> AsyncIterator[Any]:
        self._prepare()
        router_id = str(uuid.uuid4())
        chosen = await self._select(step_input, ex)
        names = [getattr(s, "name", f"step_{i}") for i, s in enumerate(chosen)]
        ids = {"step_id": router_id, "parent_step_id": parent_step_id}
        if ex.stream_events:
            yield RouterExecutionStartedEvent(
                **ex.base(), step_name=self.name, step_index=step_index, selected_steps=names, **ids
            )
        if not chosen:
            if not ex.stream:  # Agno's non-streaming path reports the empty route; streaming does not
                yield StepOutput(
                    step_name=self.name,
                    step_id=router_id,
                    step_type=StepType.ROUTER,
                    content=f"Router {self.name} completed with 0 results (no steps selected)",
                )
            if ex.stream_events:
                yield RouterExecutionCompletedEvent(
                    **ex.base(),
                    step_name=self.name,
                    step_index=step_index,
                    selected_steps=[],
                    executed_steps=0,
                    step_results=[],
                    **ids,
                )
            return
        results: list[StepOutput] = []

        def on_error(step: Any, i: int, e: Exception) -> StepOutput:
            name = getattr(step, "name", f"step_{i}")
            return StepOutput(step_name=name, content=f"Step {name} failed: {e}", success=False, error=str(e))

        async with aclosing(
            run_sequence(chosen, step_input, ex, lambda i: step_index, router_id, results, on_error)
        ) as _it:
            async for event in _it:
                yield event
        if ex.stream_events:
            yield RouterExecutionCompletedEvent(
                **ex.base(),
                step_name=self.name,
                step_index=step_index,
                selected_steps=names,
                executed_steps=len(chosen),
                step_results=results,
                **ids,
            )
        yield StepOutput(
            step_name=self.name,
            step_id=router_id,
            step_type=StepType.ROUTER,
            content=f"Router {self.name} completed with {len(results)} results",
            success=all(r.success for r in results),
            error=None,
            stop=any(r.stop for r in results),
            steps=results,
        )
