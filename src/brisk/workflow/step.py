"""``Step``: one unit of work, run by an agent or a function (Agno's ``agno.workflow.step``)."""

from __future__ import annotations

import asyncio
import copy
import inspect
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from brisk.run.agent import BaseAgentRunEvent, RunContentEvent, RunOutput
from brisk.run.base import RunStatus
from brisk.run.workflow import StepCompletedEvent, StepProgressEvent, StepStartedEvent
from brisk.workflow._context import Execution, accepts, merge_back, snapshot
from brisk.workflow.types import HumanReview, StepInput, StepOutput, StepProgress, StepType, check_no_hitl

if TYPE_CHECKING:
    from brisk.agent.agent import Agent

_END = object()


class Step:
    """A step run by exactly one executor: ``agent=`` or ``executor=`` (a function of ``StepInput``
    returning a ``StepOutput``, a string, or a generator of those). ``team=`` and ``workflow=`` are
    Agno executors Brisk does not implement yet; passing them raises ``NotImplementedError``.

    A step that raises is retried ``max_retries`` times; then, with ``skip_on_failure``, it gives a
    failed output and the workflow goes on; without it the error reaches the workflow, which applies
    ``human_review.on_error`` (Agno's default ``skip``: record the failure and go on; ``fail``: end the
    run with an error).
    """

    def __init__(
        self,
        name: str | None = None,
        agent: Agent | None = None,
        team: Any = None,
        executor: Callable[..., Any] | None = None,
        workflow: Any = None,
        step_id: str | None = None,
        description: str | None = None,
        max_retries: int = 3,
        skip_on_failure: bool = False,
        strict_input_validation: bool = False,
        add_workflow_history: bool | None = None,
        num_history_runs: int = 3,
        human_review: HumanReview | None = None,
    ) -> None:
        given = [
            k
            for k, v in (("agent", agent), ("team", team), ("executor", executor), ("workflow", workflow))
            if v is not None
        ]
        if name is None and executor is not None:
            name = getattr(executor, "__name__", None)
        if not given:
            raise ValueError(f"Step '{name}' must have one executor: agent=, team=, executor=, or workflow=")
        if len(given) > 1:
            raise ValueError(
                f"Step '{name}' can only have one executor type. Provided: {', '.join(given)}. "
                "Please use only one of: agent=, team=, executor=, or workflow="
            )
        if team is not None:
            raise NotImplementedError(f"Step '{name}': team executors are not implemented in Brisk yet")
        if workflow is not None:
            raise NotImplementedError(
                f"Step '{name}': nested workflow executors are not implemented in Brisk yet"
            )
        self.name = name
        self.agent = agent
        self.team = None
        self.executor = executor
        self.workflow = None
        self.step_id = step_id or str(uuid.uuid4())
        self.description = description
        self.max_retries = max_retries
        self.skip_on_failure = skip_on_failure
        self.strict_input_validation = strict_input_validation
        self.add_workflow_history = add_workflow_history
        self.num_history_runs = num_history_runs
        self.human_review = check_no_hitl(human_review, f"Step '{name}'")
        self.active_executor: Any = agent if agent is not None else executor
        self._executor_type = "agent" if agent is not None else "function"
        self._wants_run_context = executor is not None and accepts(executor, "run_context")

    @property
    def executor_type(self) -> str:
        return self._executor_type

    @property
    def executor_name(self) -> str:
        ex = self.active_executor
        if self._executor_type == "agent":
            return ex.name or "unnamed_executor"
        return getattr(ex, "__name__", "anonymous_function")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "type": "Step",
            "name": self.name,
            "step_id": self.step_id,
            "description": self.description,
            "max_retries": self.max_retries,
            "skip_on_failure": self.skip_on_failure,
            "strict_input_validation": self.strict_input_validation,
            "add_workflow_history": self.add_workflow_history,
            "num_history_runs": self.num_history_runs,
            "human_review": self.human_review.to_dict(),
        }
        if self.agent is not None:
            d["agent_id"] = self.agent.id
        if self.executor is not None:
            d["executor_ref"] = getattr(self.executor, "__name__", None)
        return d

    def __repr__(self) -> str:
        return f"Step(name={self.name!r}, executor_type={self._executor_type!r})"

    # -- running ------------------------------------------------------------------------------------
    async def _run(
        self, step_input: StepInput, ex: Execution, step_index: Any = None, parent_step_id: str | None = None
    ) -> AsyncIterator[Any]:
        if step_input.previous_step_outputs:
            step_input.previous_step_content = step_input.get_last_step_content()
        step_input.workflow_session = ex.session
        if ex.stream_events:
            yield StepStartedEvent(
                **ex.base(),
                step_name=self.name,
                step_index=step_index,
                step_id=self.step_id,
                parent_step_id=parent_step_id,
            )
        for attempt in range(self.max_retries + 1):
            try:
                result: Any = None
                async with aclosing(
                    self._execute(step_input, ex, step_index, parent_step_id, attempt)
                ) as _it:
                    async for item in _it:
                        if isinstance(item, (StepOutput, RunOutput)):
                            result = item
                        else:
                            yield item
                output = self._process_output(result)
            except NotImplementedError:
                raise
            except Exception as e:
                if attempt < self.max_retries:
                    continue
                if self.skip_on_failure:
                    yield StepOutput(
                        content=f"Step {self.name} failed but skipped", success=False, error=str(e)
                    )
                    return
                raise
            yield output
            if ex.stream_events:
                yield StepCompletedEvent(
                    **ex.base(),
                    step_name=self.name,
                    step_index=step_index,
                    step_id=self.step_id,
                    content=output.content,
                    step_response=output,
                    parent_step_id=parent_step_id,
                )
            return

    def _execute(
        self, step_input: StepInput, ex: Execution, step_index: Any, parent_step_id: str | None, attempt: int
    ) -> AsyncIterator[Any]:
        if self._executor_type == "agent":
            return self._run_agent(step_input, ex, step_index)
        return self._run_function(step_input, ex, step_index, parent_step_id, attempt)

    async def _run_function(
        self, step_input: StepInput, ex: Execution, step_index: Any, parent_step_id: str | None, attempt: int
    ) -> AsyncIterator[Any]:
        fn = self.executor
        assert fn is not None
        kwargs = {"run_context": ex.run_context} if self._wants_run_context else {}
        if (
            inspect.isasyncgenfunction(fn)
            or inspect.iscoroutinefunction(fn)
            or inspect.isgeneratorfunction(fn)
        ):
            result = fn(step_input, **kwargs)  # a coroutine or a generator: nothing has run yet
        else:
            # A plain sync function runs in a worker thread so it cannot stall the event loop.
            result = await asyncio.to_thread(fn, step_input, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        if hasattr(result, "__anext__") or inspect.isgenerator(result):
            content: Any = ""
            final: StepOutput | None = None
            async with aclosing(_iterate(result, ex)) as _it:
                async for item in _it:
                    if isinstance(item, StepProgress):
                        if ex.stream_events:
                            yield StepProgressEvent(
                                run_id=ex.run.run_id,
                                workflow_id=ex.run.workflow_id,
                                workflow_name=ex.run.workflow_name,
                                session_id=ex.run.session_id,
                                step_name=self.name,
                                step_id=self.step_id,
                                parent_step_id=parent_step_id,
                                step_index=step_index,
                                attempt=attempt + 1,
                                content=item.content,
                                data=item.data,
                            )
                    elif isinstance(item, BaseAgentRunEvent):
                        if isinstance(item, RunContentEvent) and item.content is not None:
                            c = item.content
                            content = content + c if isinstance(c, str) and isinstance(content, str) else c
                        if ex.forward:
                            yield self._enrich(item, ex, step_index)
                    elif isinstance(item, RunOutput):
                        content = item.content
                    elif isinstance(item, StepOutput):
                        final = item
                        break
                    elif _is_workflow_event(item):
                        if ex.forward:
                            yield item
                    else:
                        content = content + str(item) if isinstance(content, str) else str(item)
            yield final if final is not None else StepOutput(content=content)
            return
        if isinstance(result, StepOutput):
            yield result
        elif isinstance(result, RunOutput):
            yield StepOutput(content=result.content)
        else:
            yield StepOutput(content=str(result))

    async def _run_agent(self, step_input: StepInput, ex: Execution, step_index: Any) -> AsyncIterator[Any]:
        from brisk.agent._loop import ALWAYS_STREAMED, RunRequest, run_events

        agent = self.agent
        assert agent is not None
        agent.initialize_agent()
        # The agent runs inside the workflow's session: like Agno, it neither reads nor writes a session
        # of its own (its run is stored with the workflow run, in step_executor_runs).
        member = copy.copy(agent)
        member.db = None
        member.workflow_id = ex.workflow.id
        state = ex.state
        before = snapshot(state)
        req = RunRequest(
            input=self._message(step_input, ex),
            stream_model=ex.stream,
            session_id=ex.run.session_id,
            user_id=ex.run_context.user_id,
            session_state=state,
            dependencies=ex.run_context.dependencies,
            metadata=ex.run_context.metadata,
            run_id=str(uuid.uuid4()),
        )
        out: RunOutput | None = None
        agen = run_events(member, req)
        try:
            async for item in agen:
                if isinstance(item, RunOutput):
                    out = item
                elif ex.forward and (
                    ex.stream_events or isinstance(item, RunContentEvent) or item.event in ALWAYS_STREAMED
                ):
                    yield self._enrich(item, ex, step_index)
        finally:
            await agen.aclose()
        assert out is not None
        merge_back(state, before, out.session_state)
        if ex.store_executor_outputs:
            out.parent_run_id = ex.run.run_id
            out.workflow_step_id = self.step_id
            if ex.run.step_executor_runs is None:
                ex.run.step_executor_runs = []
            ex.run.step_executor_runs.append(out)
        if out.status is RunStatus.paused:
            raise NotImplementedError(
                f"Step '{self.name}': the agent paused for tool confirmation; human-in-the-loop inside "
                "workflows is not implemented in Brisk"
            )
        yield out

    def _message(self, step_input: StepInput, ex: Execution) -> Any:
        """The agent's input: the previous step's (deepest) content, else the workflow input; with the
        workflow history in front when history is on."""
        message = step_input.input
        if step_input.previous_step_outputs:
            last = list(step_input.previous_step_outputs.values())[-1]
            deepest = _deepest_for_message(last)
            if deepest:
                message = deepest
        use_history = (
            self.add_workflow_history
            if self.add_workflow_history is not None
            else ex.add_workflow_history_to_steps
        )
        if use_history:
            context = ex.session.get_workflow_history_context(
                num_runs=self.num_history_runs or ex.num_history_runs
            )
            if context:
                message = f"{context}{message}"
        extra = step_input.additional_data or {}
        if extra.get("user_input"):
            prefs = "\n".join(f"- {k}: {v}" for k, v in extra["user_input"].items())
            message = f"{message}\n\nUser preferences:\n{prefs}" if message else f"User preferences:\n{prefs}"
        return message

    def _enrich(self, event: Any, ex: Execution, step_index: Any) -> Any:
        """Stamp an executor's event with where it happened in the workflow."""
        run = ex.run
        if getattr(event, "workflow_id", None) in (None, run.workflow_id):
            event.workflow_id = run.workflow_id
            if hasattr(event, "workflow_run_id"):
                event.workflow_run_id = run.run_id
            if hasattr(event, "step_id"):
                event.step_id = self.step_id
            if hasattr(event, "step_name") and event.step_name is None:
                event.step_name = self.name
        if hasattr(event, "session_id") and run.session_id:
            event.session_id = run.session_id
        if hasattr(event, "step_index") and step_index is not None and event.step_index is None:
            event.step_index = step_index
        return event

    def _process_output(self, result: Any) -> StepOutput:
        name = self.name or "unnamed_step"
        if isinstance(result, StepOutput):
            result.step_name = name
            result.step_id = self.step_id
            if result.step_type is None:
                result.step_type = StepType.STEP
            result.executor_type = self._executor_type
            result.executor_name = self.executor_name
            return result
        if result is None:
            return StepOutput(
                step_name=name,
                step_id=self.step_id,
                step_type=StepType.STEP,
                executor_type=self._executor_type,
                executor_name=self.executor_name,
                content="",
            )
        success = result.status not in (RunStatus.cancelled, RunStatus.error)
        return StepOutput(
            step_name=name,
            step_id=self.step_id,
            step_type=StepType.STEP,
            executor_type=self._executor_type,
            executor_name=self.executor_name,
            content=result.content,
            step_run_id=result.run_id,
            metrics=result.metrics,
            success=success,
            error=None if success else result.content,
        )


def _is_workflow_event(item: Any) -> bool:
    from brisk.run.workflow import BaseWorkflowRunOutputEvent

    return isinstance(item, BaseWorkflowRunOutputEvent)


def _deepest_for_message(output: StepOutput) -> Any:
    """The content an agent step receives from the previous step: for a Parallel, every branch."""
    if output.steps:
        if output.step_type in (StepType.PARALLEL, StepType.PARALLEL.value):
            parts = []
            for i, inner in enumerate(output.steps):
                c = _deepest_for_message(inner)
                if c is not None and str(c).strip():
                    parts.append(f"=== {inner.step_name or f'Step {i + 1}'} ===\n{c}")
            return "\n\n".join(parts) if parts else output.content
        return _deepest_for_message(output.steps[-1])
    return output.content


async def _iterate(source: Any, ex: Execution) -> AsyncIterator[Any]:
    """Iterate a function step's generator, checking for cancellation between items. A sync generator
    is advanced on one dedicated worker thread, so a blocking generator cannot stall the event loop."""
    if hasattr(source, "__anext__"):
        try:
            async for item in source:
                yield item
                ex.check_cancelled()
        finally:
            await source.aclose()
        return
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brisk-step")
    try:
        while True:
            item = await loop.run_in_executor(pool, next, source, _END)
            if item is _END:
                return
            yield item
            ex.check_cancelled()
    finally:
        try:
            await loop.run_in_executor(pool, source.close)
        finally:
            pool.shutdown(wait=False)
