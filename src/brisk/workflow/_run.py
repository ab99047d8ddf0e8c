"""The workflow run loop: one async generator behind every way of running a workflow.

It yields events (when streaming) and, last, the ``WorkflowRunOutput``. ``Workflow.arun`` drains it
(non-streaming) or filters it (streaming); the sync API wraps that. On a failure it yields the error
events, stores the run and raises, as Agno does; on ``cancel_run`` it stores the run as CANCELLED
and ends with WorkflowCancelled and WorkflowCompleted (Agno's terminal pair).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from brisk.run import cancel
from brisk.run.agent import RunContentEvent
from brisk.run.base import RunContext, RunStatus
from brisk.run.workflow import (
    StepErrorEvent,
    StepOutputEvent,
    WorkflowCancelledEvent,
    WorkflowCompletedEvent,
    WorkflowErrorEvent,
    WorkflowRunOutput,
    WorkflowStartedEvent,
)
from brisk.workflow._context import Execution
from brisk.workflow._storage import load_session, merge_dependencies, merge_metadata, persist, session_state
from brisk.workflow.types import (
    OnError,
    StepInput,
    StepMetrics,
    StepOutput,
    StepType,
    WorkflowExecutionInput,
    WorkflowMetrics,
    deepest_content,
)

if TYPE_CHECKING:
    from brisk.workflow.workflow import Workflow

log = logging.getLogger("brisk.workflow")


@dataclass(slots=True)
class WorkflowRequest:
    input: Any
    stream: bool
    stream_events: bool
    additional_data: dict[str, Any] | None = None
    session_id: str | None = None
    user_id: str | None = None
    session_state: dict[str, Any] | None = None
    dependencies: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    run_id: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)


async def run_workflow(wf: Workflow, req: WorkflowRequest) -> AsyncIterator[Any]:
    wf.initialize_workflow()
    run_id = req.run_id or str(uuid.uuid4())
    session_id = req.session_id or wf.session_id
    if session_id is None:
        session_id = wf.session_id = str(uuid.uuid4())  # sticky, as in Agno
    user_id = req.user_id or wf.user_id
    entry = cancel.register(run_id)
    try:
        session = await load_session(wf, session_id, user_id)
        run = WorkflowRunOutput(
            run_id=run_id,
            input=req.input,
            session_id=session_id,
            user_id=user_id,
            workflow_id=wf.id,
            workflow_name=wf.name,
            # Agno's layers: workflow < session (read only with a db) < this run.
            metadata=merge_metadata(
                wf.metadata, session.metadata if wf.db is not None else None, req.metadata
            ),
            metrics=WorkflowMetrics(),
            status=RunStatus.running,
        )
        state = session_state(wf, session, req.session_state)
        ex = Execution(
            workflow=wf,
            run=run,
            run_context=RunContext(
                run_id=run_id,
                session_id=session_id,
                user_id=user_id,
                workflow_id=wf.id,
                workflow_name=wf.name,
                dependencies=merge_dependencies(wf.dependencies, req.dependencies),
                metadata=run.metadata,
                session_state=state,
            ),
            session=session,
            cancel_entry=entry,
            stream=req.stream,
            stream_events=req.stream and req.stream_events,
            stream_executor_events=wf.stream_executor_events,
            store_executor_outputs=wf.store_executor_outputs,
            add_workflow_history_to_steps=wf.add_workflow_history_to_steps,
            num_history_runs=wf.num_history_runs,
        )
        async with aclosing(_execute(wf, req, ex)) as _it:
            async for item in _it:
                yield item
    finally:
        cancel.unregister(run_id)


async def _execute(wf: Workflow, req: WorkflowRequest, ex: Execution) -> AsyncIterator[Any]:
    run = ex.run
    started = time.perf_counter()
    if req.stream:
        yield _handle(wf, run, WorkflowStartedEvent(
            run_id=run.run_id or "", workflow_name=run.workflow_name, workflow_id=run.workflow_id,
            session_id=run.session_id,
        ))  # fmt: skip
    collected: list[StepOutput] = []
    current: Any = None  # the top-level step running now
    partial = ""  # streamed content of the running step, kept if the run is cancelled
    try:
        if callable(wf.steps):
            async with aclosing(_run_callable(wf, req, ex)) as _it:
                async for item in _it:
                    yield item
        else:
            steps = wf._prepared_steps()
            previous: dict[str, StepOutput] = {}
            for i, step in enumerate(steps):
                ex.check_cancelled()
                name = getattr(step, "name", f"step_{i + 1}")
                current, partial = step, ""
                last = list(previous.values())[-1] if previous else None
                step_input = StepInput(
                    input=req.input,
                    previous_step_content=last.content if last else None,
                    previous_step_outputs=dict(previous),
                    additional_data=req.additional_data,
                    images=[],
                    videos=[],
                    audio=[],
                    files=[],
                )
                failure: Exception | None = None
                stop = False
                agen = step._run(step_input, ex, i, None)
                try:
                    async for item in agen:
                        if isinstance(item, StepOutput):
                            if ex.cancel_entry.requested:
                                # Cancelled while the step ran. As Agno: a stream keeps the step's output
                                # marked as cancelled, a non-streaming run records a placeholder instead.
                                if req.stream:
                                    item.success, item.error = False, "Cancelled during execution"
                                    collected.append(item)
                                raise asyncio.CancelledError
                            collected.append(item)
                            _check_failed(step, item)
                            previous[name] = item
                            if req.stream and getattr(step, "executor_type", None) == "function":
                                yield _step_output_event(run, item, i)
                            if item.stop:
                                stop = True
                                break
                        else:
                            if isinstance(item, RunContentEvent) and isinstance(item.content, str):
                                partial += item.content
                            ex.check_cancelled()
                            yield _handle(wf, run, item)
                except NotImplementedError:
                    raise  # a Brisk gap: fails the run, whatever on_error says
                except Exception as e:
                    failure = e
                finally:
                    await agen.aclose()
                if failure is not None:
                    if _on_error(step) == OnError.skip.value:
                        skipped = StepOutput(
                            step_name=name,
                            step_id=getattr(step, "step_id", None) or str(uuid.uuid4()),
                            step_type=StepType.STEP,
                            content=f"Step skipped due to error: {failure}",
                            success=False,
                            error=str(failure),
                        )
                        collected.append(skipped)
                        previous[name] = skipped
                    else:
                        _record_failure(step, failure, collected)
                        raise failure
                if stop:
                    log.info("Early termination requested by step %s", name)
                    break
            run.content = deepest_content(collected[-1]) if collected else "No steps executed"
            run.step_results = collected
            run.images, run.videos, run.audio, run.files = [], [], [], []
        _finish_metrics(run, collected, started)
        run.status = RunStatus.completed
        completed = _handle(wf, run, WorkflowCompletedEvent(
            run_id=run.run_id or "", content=run.content, workflow_name=run.workflow_name,
            workflow_id=run.workflow_id, session_id=run.session_id, step_results=run.step_results,
            step_executor_runs=run.step_executor_runs, metadata=run.metadata, run_output=run,
        )) if req.stream else None  # fmt: skip
        await persist(wf, ex)
    except (asyncio.CancelledError, GeneratorExit) as e:
        task = asyncio.current_task()
        run.status = RunStatus.cancelled
        if current is not None and not any(o.step_name == getattr(current, "name", None) for o in collected):
            collected.append(_cancelled_output(current, partial if req.stream else None))
        if collected:
            run.step_results = collected
        _finish_metrics(run, collected, started)
        if isinstance(e, GeneratorExit) or not ex.cancel_entry.requested:
            # Not our cancel_run (the consumer went away, shutdown): keep the partial run, then propagate.
            run.content = "Operation cancelled by user"
            await asyncio.shield(persist(wf, ex))
            raise
        await _absorb_cancel(task)
        reason = ex.cancel_entry.reason or f"Run {run.run_id} was cancelled"
        run.content = reason
        run.cancellation_stage = "EXECUTING"
        events = []
        if req.stream:
            events.append(_handle(wf, run, WorkflowCancelledEvent(
                run_id=run.run_id or "", workflow_id=wf.id, workflow_name=wf.name, session_id=run.session_id,
                reason=reason, content=reason,
            )))  # fmt: skip
            events.append(_handle(wf, run, WorkflowCompletedEvent(
                run_id=run.run_id or "", content=run.content, workflow_name=run.workflow_name,
                workflow_id=run.workflow_id, session_id=run.session_id, step_results=run.step_results,
                metadata=run.metadata, run_output=run,
            )))  # fmt: skip
        await persist(wf, ex)
        for ev in events:
            yield ev
        yield run
        return
    except Exception as e:
        log.exception("Workflow execution failed")
        run.status = RunStatus.error
        run.step_results = list(collected)
        run.content = str(e) if req.stream else f"Workflow execution failed: {e}"
        _finish_metrics(run, collected, started)
        events = _error_events(wf, run, e, current) if req.stream else []
        try:
            await persist(wf, ex)
        except Exception as store_err:  # noqa: BLE001 - never mask the run's own error
            log.warning("Failed to persist errored run: %s", store_err)
        for ev in events:
            yield ev
        raise
    # Sent only once the run is stored, outside the handlers above: a consumer that stops reading
    # after WorkflowCompleted must not turn a stored COMPLETED run into a CANCELLED one.
    if completed is not None:
        yield completed
    yield run


async def _absorb_cancel(task: asyncio.Task[Any] | None) -> None:
    """After our own cancel_run: let a task.cancel() still queued by cancel_run land here, harmlessly,
    then clear the task's cancellation so the run can be stored and its last events sent."""
    try:
        await asyncio.sleep(0)
    except asyncio.CancelledError:
        pass
    if task is not None:
        while task.cancelling():
            task.uncancel()


def _handle(wf: Workflow, run: WorkflowRunOutput, event: Any) -> Any:
    """Agno's event bookkeeping: WorkflowCompleted gets the run metrics; events are kept on the run
    when ``store_events`` (minus ``events_to_skip``)."""
    if isinstance(event, WorkflowCompletedEvent) and event.metrics is None:
        event.metrics = run.metrics
    if wf.store_events and event.event not in wf._skip_events:
        if run.events is None:
            run.events = []
        run.events.append(event)
    return event


def _step_output_event(run: WorkflowRunOutput, output: StepOutput, index: int | None) -> StepOutputEvent:
    return StepOutputEvent(
        step_output=output,
        run_id=run.run_id or "",
        workflow_name=run.workflow_name,
        workflow_id=run.workflow_id,
        session_id=run.session_id,
        step_name=output.step_name,
        step_index=index,
    )


def _on_error(step: Any) -> str:
    from brisk.workflow.condition import Condition
    from brisk.workflow.step import Step

    if isinstance(step, (Step, Condition)):
        value = step.human_review.on_error
        return getattr(value, "value", value)
    return OnError.fail.value


def _check_failed(step: Any, output: StepOutput) -> None:
    """A Step whose policy is ``on_error='fail'`` (and no skip_on_failure) fails the run on a failed output."""
    from brisk.workflow.step import Step

    if (
        not output.success
        and isinstance(step, Step)
        and _on_error(step) == OnError.fail.value
        and not step.skip_on_failure
    ):
        raise RuntimeError(output.error or f"Step {output.step_name} reported failure")


def _record_failure(step: Any, error: Exception, collected: list[StepOutput]) -> None:
    step_id = getattr(step, "step_id", None)
    if not collected or collected[-1].step_id != step_id:
        collected.append(
            StepOutput(
                step_name=getattr(step, "name", None),
                step_id=step_id,
                success=False,
                error=str(error),
                content=str(error),
            )
        )


def _cancelled_output(step: Any, partial: str | None) -> StepOutput:
    return StepOutput(
        step_name=getattr(step, "name", None),
        step_id=getattr(step, "step_id", None),
        step_type=StepType.STEP,
        executor_type=getattr(step, "executor_type", None),
        executor_name=getattr(step, "executor_name", None),
        content=partial or None,
        success=False,
        error="Cancelled during execution",
    )


def _error_events(wf: Workflow, run: WorkflowRunOutput, error: Exception, step: Any) -> list[Any]:
    events: list[Any] = []
    last = run.step_results[-1] if run.step_results else None
    steps = wf._steps_cache or []
    if (
        step is not None
        and isinstance(last, StepOutput)
        and not last.success
        and last.step_id == getattr(step, "step_id", None)
        and (last.step_id is not None or last.step_name == getattr(step, "name", None))
    ):
        index = next((i for i, s in enumerate(steps) if s is step), None)
        if index is not None:
            if last.executor_type == "function":
                events.append(_step_output_event(run, last, index))
            events.append(
                StepErrorEvent(
                    run_id=run.run_id or "",
                    workflow_id=wf.id,
                    workflow_name=wf.name,
                    session_id=run.session_id,
                    step_name=last.step_name,
                    step_index=index,
                    step_id=last.step_id,
                    error=str(error),
                )
            )
    events.append(
        WorkflowErrorEvent(
            run_id=run.run_id or "",
            workflow_id=wf.id,
            workflow_name=wf.name,
            session_id=run.session_id,
            error=str(error),
            error_type=getattr(error, "type", None),
            error_id=getattr(error, "error_id", None),
            additional_data=getattr(error, "additional_data", None),
        )
    )
    return [_handle(wf, run, ev) for ev in events]


async def _run_callable(wf: Workflow, req: WorkflowRequest, ex: Execution) -> AsyncIterator[Any]:
    """``Workflow(steps=fn)``: the function is the whole workflow. It may take ``workflow``,
    ``execution_input`` and ``session_state`` (the run's live state), plus the run's extra keywords."""
    from brisk.workflow.step import _iterate

    fn = wf.steps
    assert callable(fn)
    execution_input = WorkflowExecutionInput(input=req.input, additional_data=req.additional_data)
    offered = {"workflow": wf, "execution_input": execution_input, "session_state": ex.state, **req.kwargs}
    try:
        params = inspect.signature(fn).parameters
        var_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
    except (TypeError, ValueError):
        params, var_kw = {}, True  # type: ignore[assignment]
    kwargs = {k: v for k, v in offered.items() if var_kw or k in params}
    if var_kw:
        kwargs.update(req.kwargs)
    run = ex.run
    if inspect.isasyncgenfunction(fn) or inspect.iscoroutinefunction(fn) or inspect.isgeneratorfunction(fn):
        result = fn(**kwargs)
    else:
        result = await asyncio.to_thread(fn, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    if hasattr(result, "__anext__") or inspect.isgenerator(result):
        content = ""
        async with aclosing(_iterate(result, ex)) as _it:
            async for chunk in _it:
                text = getattr(chunk, "content", None)
                if isinstance(text, str):
                    content += text
                    if req.stream:
                        yield chunk  # as Agno: passed through, not stored with the run
                else:
                    content += str(chunk)
        run.content = content
    else:
        run.content = result


def _finish_metrics(run: WorkflowRunOutput, collected: list[StepOutput], started: float) -> None:
    """Agno's WorkflowMetrics: per agent/team step (nested ones too) by step name, and the duration."""
    steps: dict[str, StepMetrics] = {}

    def visit(out: StepOutput) -> None:
        for child in out.steps or ():
            visit(child)
        if out.step_name and out.metrics and out.executor_type in ("agent", "team"):
            steps[out.step_name] = StepMetrics(
                step_name=out.step_name,
                executor_type=out.executor_type or "unknown",
                executor_name=out.executor_name or "unknown",
                metrics=out.metrics,
            )

    for out in collected:
        visit(out)
    run.metrics = WorkflowMetrics(steps=steps, duration=time.perf_counter() - started)
