"""``Parallel``: independent steps run concurrently (Agno's ``agno.workflow.parallel``)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

from brisk.metrics import ModelMetrics, RunMetrics
from brisk.run.workflow import ParallelExecutionCompletedEvent, ParallelExecutionStartedEvent
from brisk.workflow._context import Execution, as_step, child_index
from brisk.workflow.types import HumanReview, StepInput, StepOutput, StepType, check_no_hitl

_DONE = object()


class Parallel:
    """Run steps at the same time, each on the same input; their outputs are aggregated in declaration
    order. A branch that fails gives a failed output; the others are unaffected.

    ``Parallel(step_a, step_b)``, ``Parallel(step_a, step_b, name="n")`` or ``Parallel("n", step_a, ...)``.
    """

    def __init__(
        self,
        *args: Any,
        name: str | None = None,
        description: str | None = None,
        human_review: HumanReview | None = None,
    ) -> None:
        steps = list(args)
        if steps and isinstance(steps[0], str):
            name = name if name is not None else steps[0]
            steps = steps[1:]
        self.name = name
        self.description = description
        self.steps = steps
        self.human_review = check_no_hitl(human_review, f"Parallel '{name}'")

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "Parallel",
            "name": self.name,
            "description": self.description,
            "steps": [s.to_dict() for s in self.steps if hasattr(s, "to_dict")],
        }

    def __repr__(self) -> str:
        return f"Parallel(name={self.name!r}, steps={len(self.steps)})"

    async def _run(
        self, step_input: StepInput, ex: Execution, step_index: Any = None, parent_step_id: str | None = None
    ) -> AsyncIterator[Any]:
        ex.check_cancelled()
        parallel_id = str(uuid.uuid4())
        self.steps = [as_step(s) for s in self.steps]
        count = len(self.steps)
        if ex.stream_events:
            yield ParallelExecutionStartedEvent(
                **ex.base(),
                step_name=self.name,
                step_index=step_index,
                parallel_step_count=count,
                step_id=parallel_id,
                parent_step_id=parent_step_id,
            )
        queue: asyncio.Queue[Any] = asyncio.Queue()
        outputs: list[list[StepOutput]] = [[] for _ in self.steps]

        async def branch(i: int, step: Any) -> None:
            try:
                async for item in step._run(
                    step_input, ex, child_index(step_index, i, 0, extend=False), parallel_id
                ):
                    if isinstance(item, StepOutput):
                        outputs[i].append(item)
                    else:
                        queue.put_nowait(item)
            except NotImplementedError:
                raise
            except Exception as e:
                name = getattr(step, "name", f"step_{i}")
                outputs[i] = [
                    StepOutput(
                        step_name=name, content=f"Step {name} failed: {e}", success=False, error=str(e)
                    )
                ]

        tasks = [asyncio.create_task(branch(i, s)) for i, s in enumerate(self.steps)]
        for t in tasks:
            t.add_done_callback(lambda _t: queue.put_nowait(_DONE))
        try:
            remaining = len(tasks)
            while remaining:
                item = await queue.get()
                if item is _DONE:
                    remaining -= 1
                else:
                    yield item
            for t in tasks:
                if t.cancelled():
                    raise asyncio.CancelledError
                t.result()
        finally:
            for t in tasks:
                if not t.done():
                    t.cancel()
            if any(not t.done() for t in tasks):
                await asyncio.gather(*tasks, return_exceptions=True)
        results = [o for outs in outputs for o in outs]
        aggregated = self._aggregate(results)
        yield aggregated
        if ex.stream_events:
            yield ParallelExecutionCompletedEvent(
                **ex.base(),
                step_name=self.name,
                step_index=step_index,
                parallel_step_count=count,
                step_results=results,
                step_id=parallel_id,
                parent_step_id=parent_step_id,
            )

    def _aggregate(self, results: list[StepOutput]) -> StepOutput:
        name = self.name or "Parallel"
        if not results:
            return StepOutput(
                step_name=name,
                step_id=str(uuid.uuid4()),
                step_type="Parallel",
                content="No parallel steps executed",
                steps=[],
            )
        metrics = _sum_metrics(results)
        if len(results) == 1:
            only = results[0]
            return StepOutput(
                step_name=name,
                step_id=str(uuid.uuid4()),
                step_type=StepType.PARALLEL,
                content=_aggregate_content(results),
                executor_name=name,
                images=only.images,
                videos=only.videos,
                audio=only.audio,
                files=only.files,
                metrics=metrics,
                success=only.success,
                error=only.error,
                stop=only.stop,
                steps=results,
            )
        images = [m for r in results for m in r.images or ()]
        videos = [m for r in results for m in r.videos or ()]
        audio = [m for r in results for m in r.audio or ()]
        files = [m for r in results for m in r.files or ()]
        return StepOutput(
            step_name=name,
            step_id=str(uuid.uuid4()),
            step_type=StepType.PARALLEL,
            executor_type="parallel",
            executor_name=name,
            content=_aggregate_content(results),
            images=images or None,
            videos=videos or None,
            audio=audio or None,
            files=files or None,
            success=all(r.success is not False for r in results),
            stop=any(r.stop for r in results),
            metrics=metrics,
            steps=results,
        )


def _aggregate_content(results: list[StepOutput]) -> str:
    text = "## Parallel Execution Results\n\n"
    for i, r in enumerate(results):
        status = "❌ FAILURE:" if r.success is False else "✅ SUCCESS:"
        text += f"### {status} {r.step_name or f'Step {i + 1}'}\n"
        text += (
            f"{r.content}\n\n" if r.content is not None and str(r.content).strip() else "*(No content)*\n\n"
        )
    return text.strip()


def _sum_metrics(results: list[StepOutput]) -> RunMetrics | None:
    """The branches' metrics added up (tokens, durations, per-model details), or None if there are none."""
    total = RunMetrics()
    for r in results:
        m = r.metrics
        if m is None:
            continue
        total.add_tokens(m)
        if m.duration is not None:
            total.duration = (total.duration or 0.0) + m.duration
        if m.details and total.details is None:
            total.details = {}
        for kind, entries in (m.details or {}).items():
            mine = total.details.setdefault(kind, [])  # type: ignore[union-attr]
            for e in entries:
                match = next((x for x in mine if x.id == e.id and x.provider == e.provider), None)
                if match is None:
                    match = ModelMetrics(id=e.id, provider=e.provider)
                    mine.append(match)
                match.add_tokens(e)
    if (
        total.input_tokens == 0
        and total.output_tokens == 0
        and total.total_tokens == 0
        and total.duration is None
    ):
        return None
    return total
