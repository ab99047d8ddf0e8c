"""``Workflow``: configuration plus the public run API. The run loop lives in ``_run.py``."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from typing import Any

from brisk.db.base import BaseDb
from brisk.run.agent import RunContentEvent
from brisk.run.cancel import cancel_run as _cancel_run
from brisk.run.workflow import StepOutputEvent, WorkflowRunOutput
from brisk.session.workflow import WorkflowSession
from brisk.utils.aio import iter_sync, run_sync
from brisk.workflow._context import as_step

# Agno run keywords Brisk does not act on; None/False/empty are accepted, anything else is refused.
_RUN_NOT_IMPLEMENTED = ("audio", "images", "videos", "files", "background", "websocket", "enable_websocket")
_RUN_IGNORED = ("background_tasks",)


class Workflow:
    """A pipeline of steps (Agno's ``Workflow``): ``steps`` is a list of ``Step``, ``Steps``,
    ``Parallel``, ``Condition``, ``Loop``, ``Router``, agents or functions of ``StepInput`` — or a single
    function that runs the whole workflow. Runs are stored in ``db`` as workflow sessions and runs."""

    def __init__(
        self,
        *,
        id: str | None = None,
        name: str | None = None,
        description: str | None = None,
        db: BaseDb | None = None,
        steps: list[Any] | Callable[..., Any] | None = None,
        agent: Any = None,
        session_id: str | None = None,
        session_state: dict[str, Any] | None = None,
        overwrite_db_session_state: bool = False,
        user_id: str | None = None,
        debug_level: int = 1,
        debug_mode: bool | None = False,
        stream: bool | None = None,
        stream_events: bool = False,
        stream_executor_events: bool = True,
        store_events: bool = False,
        store_media: bool = True,
        media_storage: Any = None,
        events_to_skip: list[Any] | None = None,
        store_executor_outputs: bool = True,
        input_schema: Any = None,
        metadata: dict[str, Any] | None = None,
        dependencies: dict[str, Any] | None = None,
        add_dependencies_to_context: bool | None = None,
        add_session_state_to_context: bool | None = None,
        cache_session: bool = False,
        telemetry: bool = True,
        add_workflow_history_to_steps: bool = False,
        num_history_runs: int = 3,
        **unknown: Any,
    ) -> None:
        if unknown:
            raise TypeError(
                f"Workflow() got unexpected keyword argument(s): {', '.join(repr(k) for k in unknown)}"
            )
        not_impl = [
            k
            for k, v in (
                ("agent", agent),
                ("media_storage", media_storage),
                ("add_dependencies_to_context", add_dependencies_to_context),
                ("add_session_state_to_context", add_session_state_to_context),
            )
            if v
        ]
        if not_impl:
            raise TypeError(
                f"Workflow(): {', '.join(repr(k) for k in not_impl)} "
                f"{'is an Agno option' if len(not_impl) == 1 else 'are Agno options'} that Brisk does not "
                "implement yet; remove or leave at Agno's default"
            )
        self.id = id
        self.name = name
        self.description = description
        self.db = db
        self.steps = steps
        self.agent = None
        self.session_id = session_id
        self.session_state = session_state
        self.overwrite_db_session_state = overwrite_db_session_state
        self.user_id = user_id
        self.debug_level = debug_level
        self.debug_mode = debug_mode
        self.stream = stream
        self.stream_events = stream_events
        self.stream_executor_events = stream_executor_events
        self.store_events = store_events
        self.store_media = store_media
        self.media_storage = None
        self.events_to_skip = events_to_skip or []
        self.store_executor_outputs = store_executor_outputs
        self.input_schema = input_schema
        self.metadata = metadata
        self.dependencies = dependencies
        self.add_dependencies_to_context = add_dependencies_to_context
        self.add_session_state_to_context = add_session_state_to_context
        self.cache_session = cache_session
        self.telemetry = telemetry
        self.add_workflow_history_to_steps = add_workflow_history_to_steps
        self.num_history_runs = num_history_runs
        self._steps_cache: list[Any] | None = None

    # -- identity and step preparation --------------------------------------------------------------
    def set_id(self) -> None:
        if self.id is None:
            from brisk.agent.agent import _id_from_name

            self.id = _id_from_name(self.name)

    def initialize_workflow(self) -> None:
        self.set_id()

    @property
    def _skip_events(self) -> frozenset[str]:
        return frozenset(getattr(e, "value", e) for e in self.events_to_skip or ())

    def _prepared_steps(self) -> list[Any]:
        """The steps as primitives (functions and agents wrapped in ``Step``), prepared once."""
        if self._steps_cache is None or self._steps_cache is not self.steps:
            self.steps = [as_step(s) for s in self.steps or []]  # type: ignore[union-attr]
            self._steps_cache = self.steps
        return self._steps_cache

    def _history_runs(self) -> int:
        """How many past runs the steps may need as history (0: do not read any)."""
        if self.steps is None or callable(self.steps):
            return 0
        wanted = [self.num_history_runs] if self.add_workflow_history_to_steps else []
        for step in _walk(self.steps):
            if getattr(step, "add_workflow_history", None):
                wanted.append(step.num_history_runs or self.num_history_runs)
        return max(wanted, default=0)

    def _workflow_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"workflow_id": self.id, "name": self.name}
        if callable(self.steps):
            data["steps"] = [
                {
                    "name": "Custom Function",
                    "description": "User-defined callable workflow",
                    "type": "Callable",
                }
            ]
        elif self.steps:
            data["steps"] = [_step_summary(s) for s in self.steps]
        return data

    @property
    def run_parameters(self) -> dict[str, Any]:
        """What a run takes (AgentOS shows it): ``message``, or a callable ``steps``' own parameters."""
        if self.steps is None:
            return {}
        if not callable(self.steps):
            return {"message": {"name": "message", "default": None, "annotation": "str", "required": True}}
        import inspect

        params: dict[str, Any] = {}
        for name, p in inspect.signature(self.steps).parameters.items():
            if name in ("workflow", "execution_input", "self"):
                continue
            ann = p.annotation
            if ann is inspect.Parameter.empty:
                ann_name = None
            elif hasattr(ann, "__name__"):
                ann_name = ann.__name__
            else:
                ann_name = str(ann).replace("typing.Optional[", "").replace("]", "")
            params[name] = {
                "name": name,
                "default": None if p.default is inspect.Parameter.empty else p.default,
                "annotation": ann_name,
                "required": p.default is inspect.Parameter.empty,
            }
        return params

    def _validate_input(self, input: Any) -> Any:
        schema = self.input_schema
        if schema is None:
            return input
        if input is None:
            raise ValueError("Input is required when input_schema is provided")
        if isinstance(input, str):
            try:
                input = json.loads(input)
            except ValueError as e:
                raise ValueError(f"Failed to parse input. Is it a valid JSON string?: {e}") from e
        if isinstance(schema, type) and isinstance(input, schema):
            return input
        if isinstance(input, dict):
            validate = getattr(schema, "model_validate", None)
            return validate(input) if validate is not None else schema(**input)
        raise ValueError(f"Expected {getattr(schema, '__name__', schema)} but got {type(input).__name__}")

    # -- running ------------------------------------------------------------------------------------
    def arun(
        self,
        input: Any = None,
        additional_data: dict[str, Any] | None = None,
        user_id: str | None = None,
        run_id: str | None = None,
        session_id: str | None = None,
        session_state: dict[str, Any] | None = None,
        stream: bool | None = None,
        stream_events: bool | None = None,
        dependencies: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        add_dependencies_to_context: bool | None = None,
        add_session_state_to_context: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run the workflow. ``stream=False`` (default): a coroutine giving a ``WorkflowRunOutput``
        (raising if the run fails). ``stream=True``: an async iterator of events (``stream_events=True``
        for the step-level events too)."""
        from brisk.workflow._run import WorkflowRequest

        for k in _RUN_NOT_IMPLEMENTED:
            if kwargs.pop(k, None):
                raise TypeError(f"Workflow.run(): the {k!r} argument is not implemented in Brisk yet")
        for k in _RUN_IGNORED:
            kwargs.pop(k, None)
        if add_dependencies_to_context or add_session_state_to_context:
            raise TypeError(
                "Workflow.run(): add_dependencies_to_context / add_session_state_to_context are not "
                "implemented in Brisk yet"
            )
        input = self._validate_input(input)
        stream = bool(self.stream if stream is None else stream)
        req = WorkflowRequest(
            input=input,
            stream=stream,
            stream_events=bool(stream and (stream_events or self.stream_events)),
            additional_data=additional_data,
            session_id=session_id,
            user_id=user_id,
            session_state=session_state,
            dependencies=dependencies,
            metadata=metadata,
            run_id=run_id,
            kwargs=kwargs,
        )
        return self._stream(req) if stream else self._drain(req)

    def run(self, input: Any = None, *, stream: bool | None = None, **kwargs: Any) -> Any:
        """Sync ``arun``: a ``WorkflowRunOutput``, or an iterator of events with ``stream=True``."""
        stream = bool(self.stream if stream is None else stream)
        result = self.arun(input, stream=stream, **kwargs)
        return iter_sync(result) if stream else run_sync(result)

    async def _drain(self, req: Any) -> WorkflowRunOutput:
        from brisk.workflow._run import run_workflow

        output: WorkflowRunOutput | None = None
        async with aclosing(run_workflow(self, req)) as _it:
            async for item in _it:
                if isinstance(item, WorkflowRunOutput):
                    output = item
        assert output is not None
        return output

    async def _stream(self, req: Any) -> AsyncIterator[Any]:
        from brisk.workflow._run import run_workflow

        agen = run_workflow(self, req)
        try:
            async for item in agen:
                if not isinstance(item, WorkflowRunOutput):
                    yield item
        finally:
            await agen.aclose()

    @staticmethod
    def cancel_run(run_id: str) -> bool:
        """Cancel a running workflow run: it stops at once and is stored as CANCELLED."""
        return _cancel_run(run_id)

    @staticmethod
    async def acancel_run(run_id: str) -> bool:
        return _cancel_run(run_id)

    # -- printing -----------------------------------------------------------------------------------
    def print_response(self, input: Any = None, *, stream: bool | None = None, **kwargs: Any) -> None:
        stream = bool(self.stream if stream is None else stream)
        if stream:
            for event in self.run(input, stream=True, **kwargs):
                _print_event(event)
            sys.stdout.write("\n")
        else:
            sys.stdout.write(f"{self.run(input, stream=False, **kwargs).get_content_as_string()}\n")

    async def aprint_response(self, input: Any = None, *, stream: bool | None = None, **kwargs: Any) -> None:
        stream = bool(self.stream if stream is None else stream)
        if stream:
            async for event in self.arun(input, stream=True, **kwargs):
                _print_event(event)
            sys.stdout.write("\n")
        else:
            result = await self.arun(input, stream=False, **kwargs)
            sys.stdout.write(f"{result.get_content_as_string()}\n")

    # -- sessions and stored runs -------------------------------------------------------------------
    async def aget_session(
        self, session_id: str | None = None, user_id: str | None = None
    ) -> WorkflowSession | None:
        """The stored session with all its workflow runs (for inspection; runs never load this)."""
        sid = session_id or self.session_id
        if sid is None:
            raise ValueError("No session_id provided")
        if self.db is None:
            return None
        row = await self.db.get_session(sid, session_type="workflow", user_id=user_id)
        if row is None:
            return None
        session = WorkflowSession.from_row(row)
        rows = await self.db.get_runs(sid)
        session.runs = [
            WorkflowRunOutput.from_dict(r["run_data"]) for r in rows if r.get("run_type") == "workflow"
        ]
        return session

    def get_session(
        self, session_id: str | None = None, user_id: str | None = None
    ) -> WorkflowSession | None:
        return run_sync(self.aget_session(session_id, user_id))

    async def aget_session_state(self, session_id: str | None = None) -> dict[str, Any]:
        sid = session_id or self.session_id
        if self.db is None or sid is None:
            return dict(self.session_state or {})
        row = await self.db.get_session(sid, session_type="workflow")
        return dict(((row or {}).get("session_data") or {}).get("session_state") or {})

    def get_session_state(self, session_id: str | None = None) -> dict[str, Any]:
        return run_sync(self.aget_session_state(session_id))

    async def aget_run_output(self, run_id: str, session_id: str | None = None) -> WorkflowRunOutput | None:
        if self.db is None:
            return None
        row = await self.db.get_run(run_id, session_id=session_id or self.session_id)
        if row is None or row.get("run_type") != "workflow":
            return None
        return WorkflowRunOutput.from_dict(row["run_data"])

    def get_run_output(self, run_id: str, session_id: str | None = None) -> WorkflowRunOutput | None:
        return run_sync(self.aget_run_output(run_id, session_id))

    aget_run = aget_run_output
    get_run = get_run_output

    async def aget_last_run_output(self, session_id: str | None = None) -> WorkflowRunOutput | None:
        sid = session_id or self.session_id
        if self.db is None or sid is None:
            return None
        rows = [
            r for r in await self.db.get_runs(sid, top_level_only=True) if r.get("run_type") == "workflow"
        ]
        return WorkflowRunOutput.from_dict(rows[-1]["run_data"]) if rows else None

    def get_last_run_output(self, session_id: str | None = None) -> WorkflowRunOutput | None:
        return run_sync(self.aget_last_run_output(session_id))

    # -- description ----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The configuration, as Agno's ``Workflow.to_dict``."""
        d: dict[str, Any] = {}
        for key in ("name", "id", "description", "user_id", "session_id", "session_state"):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
        d["overwrite_db_session_state"] = self.overwrite_db_session_state
        if self.db is not None:
            d["db"] = self.db.to_dict()
        d["add_workflow_history_to_steps"] = self.add_workflow_history_to_steps
        d["num_history_runs"] = self.num_history_runs
        if self.stream is not None:
            d["stream"] = self.stream
        d["stream_events"] = self.stream_events
        d["stream_executor_events"] = self.stream_executor_events
        d["store_events"] = self.store_events
        d["store_media"] = self.store_media
        d["store_executor_outputs"] = self.store_executor_outputs
        if self.input_schema is not None:
            d["input_schema"] = getattr(self.input_schema, "__name__", self.input_schema)
        for key in (
            "metadata",
            "dependencies",
            "add_dependencies_to_context",
            "add_session_state_to_context",
        ):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
        d["debug_mode"] = self.debug_mode
        d["telemetry"] = self.telemetry
        if isinstance(self.steps, list):
            d["steps"] = [s.to_dict() for s in self.steps if hasattr(s, "to_dict")]
        return d

    def to_dict_for_steps(self) -> dict[str, Any]:
        """The steps as AgentOS describes them (Agno's ``to_dict_for_steps``): name, description and
        type per step, the agent of agent steps, nested steps of the primitives."""
        steps = [] if self.steps is None or callable(self.steps) else self.steps
        return {
            "name": self.name,
            "workflow_id": self.id,
            "description": self.description,
            "steps": [_step_for_os(s) for s in steps],
            "session_id": self.session_id,
        }

    def __repr__(self) -> str:
        return f"Workflow(name={self.name!r}, id={self.id!r})"


def _walk(steps: list[Any]) -> Any:
    for step in steps:
        if isinstance(step, list):
            yield from _walk(step)
            continue
        yield step
        for attr in ("steps", "else_steps", "choices"):
            children = getattr(step, attr, None)
            if isinstance(children, list):
                yield from _walk(children)


def _step_summary(step: Any) -> dict[str, Any]:
    from brisk.agent.agent import Agent

    kind = type(step).__name__
    if kind not in ("Step", "Steps", "Loop", "Parallel", "Condition", "Router") or isinstance(step, Agent):
        kind = "Step"
    return {
        "name": step.name if hasattr(step, "name") else getattr(step, "__name__", None),
        "description": step.description if hasattr(step, "description") else "User-defined callable step",
        "type": kind,
    }


_PRIMITIVES = frozenset({"Step", "Steps", "Loop", "Parallel", "Condition", "Router"})


def _step_for_os(step: Any) -> dict[str, Any]:
    from brisk.agent.agent import Agent

    if isinstance(step, Agent):
        return {
            "name": step.name or "unnamed_agent",
            "description": step.description or "Agent step",
            "type": "Step",
            "agent": step,
        }
    kind = type(step).__name__
    if kind not in _PRIMITIVES and callable(step) and hasattr(step, "__name__"):
        return {"name": step.__name__, "description": "User-defined callable step", "type": "Step"}
    out: dict[str, Any] = {
        "name": step.name if hasattr(step, "name") else f"unnamed_{kind.lower()}",
        "description": step.description if hasattr(step, "description") else "User-defined callable step",
        "type": kind if kind in _PRIMITIVES else "Step",
    }
    if hasattr(step, "agent"):
        out["agent"] = step.agent
    if hasattr(step, "team"):
        out["team"] = step.team
    if kind == "Router":
        out["steps"] = [_step_for_os(s) for s in step.choices]
    elif kind in ("Loop", "Condition", "Steps", "Parallel"):
        out["steps"] = [_step_for_os(s) for s in step.steps]
        if kind == "Condition" and getattr(step, "else_steps", None):
            out["else_steps"] = [_step_for_os(s) for s in step.else_steps]
    return out


def _print_event(event: Any) -> None:
    if isinstance(event, RunContentEvent) and isinstance(event.content, str):
        sys.stdout.write(event.content)
    elif isinstance(event, StepOutputEvent) and event.content is not None:
        sys.stdout.write(f"{event.content}\n")
    sys.stdout.flush()
