"""Workflow run output and events, with Agno 3.1.10's names, fields and dict shapes.

A workflow event serialises as Agno's ``BaseWorkflowRunOutputEvent.to_dict``: its fields in declaration
order (None dropped), then ``metrics``, then the nested step results (``step_output``, ``step_results``,
``step_executor_runs``, ``step_response``, ``iteration_results``), each through its own ``to_dict``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import TYPE_CHECKING, Any

from brisk.run.agent import RunOutput, run_event_from_dict
from brisk.run.base import RunStatus, content_to_json

if TYPE_CHECKING:
    from brisk.workflow.types import StepOutput, WorkflowMetrics


def _now() -> int:
    return int(time.time())


class WorkflowRunEvent(str, Enum):
    """Every workflow event name Agno defines (Brisk emits all but the pause/HITL ones)."""

    workflow_started = "WorkflowStarted"
    workflow_completed = "WorkflowCompleted"
    workflow_paused = "WorkflowPaused"
    workflow_cancelled = "WorkflowCancelled"
    workflow_error = "WorkflowError"
    workflow_agent_started = "WorkflowAgentStarted"
    workflow_agent_completed = "WorkflowAgentCompleted"
    step_started = "StepStarted"
    step_completed = "StepCompleted"
    step_progress = "StepProgress"
    step_paused = "StepPaused"
    step_continued = "StepContinued"
    step_executor_paused = "StepExecutorPaused"
    step_executor_continued = "StepExecutorContinued"
    step_output_review = "StepOutputReview"
    step_error = "StepError"
    loop_execution_started = "LoopExecutionStarted"
    loop_iteration_started = "LoopIterationStarted"
    loop_iteration_completed = "LoopIterationCompleted"
    loop_execution_completed = "LoopExecutionCompleted"
    parallel_execution_started = "ParallelExecutionStarted"
    parallel_execution_completed = "ParallelExecutionCompleted"
    condition_execution_started = "ConditionExecutionStarted"
    condition_execution_completed = "ConditionExecutionCompleted"
    condition_paused = "ConditionPaused"
    router_execution_started = "RouterExecutionStarted"
    router_execution_completed = "RouterExecutionCompleted"
    router_paused = "RouterPaused"
    steps_execution_started = "StepsExecutionStarted"
    steps_execution_completed = "StepsExecutionCompleted"
    step_output = "StepOutput"
    custom_event = "CustomEvent"


# Serialised after the plain fields, in this order, each through to_dict (Agno's "deep" fields).
_DEEP = (
    "step_output",
    "step_results",
    "step_executor_runs",
    "step_requirements",
    "step_response",
    "iteration_results",
)
_NOT_PLAIN = frozenset((*_DEEP, "metrics", "run_output"))
_layout: dict[type, tuple[str, ...]] = {}


def _to_dict(value: Any) -> Any:
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if to_dict is not None else value


def workflow_event_to_dict(event: Any) -> dict[str, Any]:
    cls = type(event)
    plain = _layout.get(cls)
    if plain is None:
        plain = tuple(f.name for f in fields(cls) if f.name not in _NOT_PLAIN and not f.name.startswith("_"))
        _layout[cls] = plain
    d: dict[str, Any] = {}
    for name in plain:
        v = getattr(event, name)
        if v is None:
            continue
        if isinstance(v, Enum):
            v = v.value
        elif name == "all_results":
            v = [[_to_dict(s) for s in it] for it in v]
        elif name == "content" and not isinstance(v, (str, int, float, bool, list, dict)):
            v = content_to_json(v)
        d[name] = v
    if getattr(cls, "_free_form", False):  # CustomEvent: its keyword arguments are its fields
        for name, value in vars(event).items():
            if name not in d and value is not None and not name.startswith("_") and name not in _NOT_PLAIN:
                d[name] = value
    metrics = getattr(event, "metrics", None)
    if metrics is not None:
        d["metrics"] = _to_dict(metrics)
    for name in _DEEP:
        v = getattr(event, name, None)
        if v is None:
            continue
        d[name] = [_to_dict(x) for x in v] if isinstance(v, list) else _to_dict(v)
        if name == "step_output":
            d.pop("content", None)
    return d


@dataclass
class BaseWorkflowRunOutputEvent:
    created_at: int = field(default_factory=_now)
    event: str = ""
    workflow_id: str | None = None
    workflow_name: str | None = None
    session_id: str | None = None
    run_id: str | None = None
    step_id: str | None = None
    parent_step_id: str | None = None
    nested_depth: int = 0

    def to_dict(self) -> dict[str, Any]:
        return workflow_event_to_dict(self)

    @property
    def is_cancelled(self) -> bool:
        return False

    @property
    def is_error(self) -> bool:
        return False

    @property
    def is_paused(self) -> bool:
        return False

    @property
    def status(self) -> str:
        return "Cancelled" if self.is_cancelled else "Error" if self.is_error else "Completed"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BaseWorkflowRunOutputEvent:
        names = {f.name for f in fields(cls)}
        kw = {k: v for k, v in data.items() if k in names}
        for key in ("step_results", "iteration_results"):
            if isinstance(kw.get(key), list):
                kw[key] = [_step_output(s) for s in kw[key]]
        if isinstance(kw.get("step_response"), dict):
            kw["step_response"] = _step_output(kw["step_response"])
        if isinstance(kw.get("step_output"), dict):
            kw["step_output"] = _step_output(kw["step_output"])
        if isinstance(kw.get("all_results"), list):
            kw["all_results"] = [[_step_output(s) for s in it] for it in kw["all_results"]]
        if isinstance(kw.get("metrics"), dict):
            from brisk.workflow.types import WorkflowMetrics

            kw["metrics"] = WorkflowMetrics.from_dict(kw["metrics"])
        if isinstance(kw.get("step_index"), list):
            kw["step_index"] = tuple(kw["step_index"])
        return cls(**kw)


def _step_output(value: Any) -> Any:
    if isinstance(value, dict):
        from brisk.workflow.types import StepOutput

        return StepOutput.from_dict(value)
    return value


@dataclass
class WorkflowStartedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.workflow_started.value


@dataclass
class WorkflowCompletedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.workflow_completed.value
    content: Any = None
    content_type: str = "str"
    step_results: list[Any] = field(default_factory=list)
    step_executor_runs: list[Any] | None = None
    metadata: dict[str, Any] | None = None
    metrics: WorkflowMetrics | None = None
    run_output: WorkflowRunOutput | None = None


@dataclass
class WorkflowErrorEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.workflow_error.value
    error: str | None = None
    error_type: str | None = None
    error_id: str | None = None
    additional_data: dict[str, Any] | None = None

    @property
    def is_error(self) -> bool:
        return True


@dataclass
class WorkflowCancelledEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.workflow_cancelled.value
    reason: str | None = None
    content: str | None = None

    @property
    def is_cancelled(self) -> bool:
        return True


@dataclass
class StepStartedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.step_started.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None


@dataclass
class StepProgressEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.step_progress.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    attempt: int = 1
    content: str | None = None
    data: dict[str, Any] | None = None


@dataclass
class StepCompletedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.step_completed.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    content: Any = None
    content_type: str = "str"
    images: list[Any] | None = None
    videos: list[Any] | None = None
    audio: list[Any] | None = None
    response_audio: Any = None
    step_response: StepOutput | None = None


@dataclass
class StepErrorEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.step_error.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    error: str | None = None


@dataclass
class LoopExecutionStartedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.loop_execution_started.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    max_iterations: int | None = None


@dataclass
class LoopIterationStartedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.loop_iteration_started.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    iteration: int = 0
    max_iterations: int | None = None


@dataclass
class LoopIterationCompletedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.loop_iteration_completed.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    iteration: int = 0
    max_iterations: int | None = None
    iteration_results: list[Any] = field(default_factory=list)
    should_continue: bool = True


@dataclass
class LoopExecutionCompletedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.loop_execution_completed.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    total_iterations: int = 0
    max_iterations: int | None = None
    all_results: list[list[Any]] = field(default_factory=list)


@dataclass
class ParallelExecutionStartedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.parallel_execution_started.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    parallel_step_count: int | None = None


@dataclass
class ParallelExecutionCompletedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.parallel_execution_completed.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    parallel_step_count: int | None = None
    step_results: list[Any] = field(default_factory=list)


@dataclass
class ConditionExecutionStartedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.condition_execution_started.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    condition_result: bool | None = None


@dataclass
class ConditionExecutionCompletedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.condition_execution_completed.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    condition_result: bool | None = None
    executed_steps: int | None = None
    branch: str | None = None
    step_results: list[Any] = field(default_factory=list)


@dataclass
class RouterExecutionStartedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.router_execution_started.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    selected_steps: list[str] = field(default_factory=list)


@dataclass
class RouterExecutionCompletedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.router_execution_completed.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    selected_steps: list[str] = field(default_factory=list)
    executed_steps: int | None = None
    step_results: list[Any] = field(default_factory=list)


@dataclass
class StepsExecutionStartedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.steps_execution_started.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    steps_count: int | None = None


@dataclass
class StepsExecutionCompletedEvent(BaseWorkflowRunOutputEvent):
    event: str = WorkflowRunEvent.steps_execution_completed.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    steps_count: int | None = None
    executed_steps: int | None = None
    step_results: list[Any] = field(default_factory=list)


@dataclass
class StepOutputEvent(BaseWorkflowRunOutputEvent):
    """Sent for a top-level function step's output (not stored with the run, as in Agno)."""

    event: str = WorkflowRunEvent.step_output.value
    step_name: str | None = None
    step_index: int | tuple[int, ...] | None = None
    step_output: StepOutput | None = None

    @property
    def content(self) -> Any:
        return self.step_output.content if self.step_output else None

    @property
    def success(self) -> bool:
        return self.step_output.success if self.step_output else True

    @property
    def error(self) -> str | None:
        return self.step_output.error if self.step_output else None

    @property
    def stop(self) -> bool:
        return self.step_output.stop if self.step_output else False


class CustomEvent(BaseWorkflowRunOutputEvent):
    """A user event: any keyword arguments become attributes (and dict keys)."""

    _free_form = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(event=WorkflowRunEvent.custom_event.value)
        for key, value in kwargs.items():
            setattr(self, key, value)


WORKFLOW_EVENT_TYPES: dict[str, type[BaseWorkflowRunOutputEvent]] = {
    cls.__dataclass_fields__["event"].default: cls  # type: ignore[misc]
    for cls in (
        WorkflowStartedEvent,
        WorkflowCompletedEvent,
        WorkflowErrorEvent,
        WorkflowCancelledEvent,
        StepStartedEvent,
        StepProgressEvent,
        StepCompletedEvent,
        StepErrorEvent,
        LoopExecutionStartedEvent,
        LoopIterationStartedEvent,
        LoopIterationCompletedEvent,
        LoopExecutionCompletedEvent,
        ParallelExecutionStartedEvent,
        ParallelExecutionCompletedEvent,
        ConditionExecutionStartedEvent,
        ConditionExecutionCompletedEvent,
        RouterExecutionStartedEvent,
        RouterExecutionCompletedEvent,
        StepsExecutionStartedEvent,
        StepsExecutionCompletedEvent,
        StepOutputEvent,
    )
}
WorkflowRunOutputEvent = BaseWorkflowRunOutputEvent


def workflow_run_output_event_from_dict(data: dict[str, Any]) -> Any:
    """Rebuild a stored event: a workflow event, or an agent event forwarded from a step."""
    name = data.get("event", "")
    cls = WORKFLOW_EVENT_TYPES.get(name)
    if cls is not None:
        return cls.from_dict(data)
    if name == WorkflowRunEvent.custom_event.value and "agent_id" not in data:
        return CustomEvent(**{k: v for k, v in data.items() if k != "event"})
    return run_event_from_dict(data)


# WorkflowRunOutput.to_dict: these plain fields in this order (None dropped), then the rest by hand.
_OUTPUT_PLAIN = (
    "input",
    "content",
    "content_type",
    "workflow_id",
    "workflow_name",
    "run_id",
    "session_id",
    "user_id",
    "parent_run_id",
    "workflow_step_id",
    "created_at",
    "status",
    "queue_attempt",
    "cancellation_stage",
    "paused_step_index",
    "paused_step_name",
    "pause_kind",
)


@dataclass
class WorkflowRunOutput:
    """The result of one workflow run, and the ``run_data`` of its ``agno_runs`` row."""

    input: Any = None
    content: Any = None
    content_type: str = "str"
    workflow_id: str | None = None
    workflow_name: str | None = None
    run_id: str | None = None
    session_id: str | None = None
    user_id: str | None = None
    parent_run_id: str | None = None
    workflow_step_id: str | None = None
    images: list[Any] | None = None
    videos: list[Any] | None = None
    audio: list[Any] | None = None
    files: list[Any] | None = None
    response_audio: Any = None
    step_results: list[Any] = field(default_factory=list)
    step_executor_runs: list[Any] | None = None
    workflow_agent_run: Any = None
    events: list[Any] | None = None
    metrics: WorkflowMetrics | None = None
    metadata: dict[str, Any] | None = None
    created_at: int = field(default_factory=_now)
    status: RunStatus = RunStatus.pending
    queue_attempt: int | None = None
    cancellation_stage: str | None = None
    step_requirements: list[Any] | None = None
    error_requirements: list[Any] | None = None
    paused_step_index: int | None = None
    paused_step_name: str | None = None
    pause_kind: str | None = None

    @property
    def is_paused(self) -> bool:
        return self.status == RunStatus.paused

    @property
    def is_cancelled(self) -> bool:
        return self.status == RunStatus.cancelled

    def has_completed(self) -> bool:
        return self.status in (RunStatus.completed, RunStatus.error)

    def get_content_as_string(self, **kwargs: Any) -> str:
        if isinstance(self.content, str):
            return self.content
        dump_json = getattr(self.content, "model_dump_json", None)
        if dump_json is not None:
            return dump_json(exclude_none=True, **kwargs)
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.content, default=str, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for name in _OUTPUT_PLAIN:
            v = getattr(self, name)
            if v is not None:
                d[name] = v.value if isinstance(v, Enum) else v
        if "input" in d and not isinstance(d["input"], (str, int, float, bool, list, dict)):
            d["input"] = content_to_json(d["input"])
        if "content" in d and not isinstance(d["content"], (str, int, float, bool, list, dict)):
            d["content"] = content_to_json(d["content"])
        if self.metadata is not None:
            d["metadata"] = self.metadata
        for name in ("images", "videos", "audio", "files"):
            v = getattr(self, name)
            if v is not None:
                d[name] = [_to_dict(x) for x in v]
        if self.response_audio is not None:
            d["response_audio"] = _to_dict(self.response_audio)
        if self.step_results:
            flat: list[Any] = []
            for r in self.step_results:
                flat.extend(_to_dict(x) for x in r) if isinstance(r, list) else flat.append(_to_dict(r))
            d["step_results"] = flat
        if self.step_executor_runs:
            d["step_executor_runs"] = [_to_dict(r) for r in self.step_executor_runs]
        if self.workflow_agent_run is not None:
            d["workflow_agent_run"] = _to_dict(self.workflow_agent_run)
        if self.metrics is not None:
            d["metrics"] = _to_dict(self.metrics)
        if self.events is not None:
            d["events"] = [_to_dict(e) for e in self.events]
        if self.step_requirements is not None:
            d["step_requirements"] = [_to_dict(r) for r in self.step_requirements]
        if self.error_requirements is not None:
            d["error_requirements"] = [_to_dict(r) for r in self.error_requirements]
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorkflowRunOutput:
        from brisk.workflow.types import StepOutput, WorkflowMetrics

        names = {f.name for f in fields(cls)}
        special = {"step_results", "step_executor_runs", "events", "metrics", "status", "workflow_agent_run"}
        kw = {k: v for k, v in data.items() if k in names and k not in special}
        out = cls(**kw)
        try:
            out.status = RunStatus(data.get("status") or RunStatus.pending.value)
        except ValueError:
            pass
        out.step_results = [StepOutput.from_dict(s) for s in data.get("step_results") or []]
        runs = data.get("step_executor_runs")
        if runs:
            out.step_executor_runs = [
                RunOutput.from_dict(r) if ("agent_id" in r or "agent_name" in r) else r for r in runs
            ]
        if data.get("metrics"):
            out.metrics = WorkflowMetrics.from_dict(data["metrics"])
        if data.get("workflow_agent_run"):
            out.workflow_agent_run = RunOutput.from_dict(data["workflow_agent_run"])
        # As Agno's from_dict: empty media lists read back as None, events always as a list.
        for name in ("images", "videos", "audio", "files"):
            if not getattr(out, name):
                setattr(out, name, None)
        out.events = []
        if data.get("events") is not None:
            for e in data["events"]:
                try:
                    out.events.append(workflow_run_output_event_from_dict(e))
                except (ValueError, TypeError):
                    continue  # an event type Brisk does not model; keep the rest
        return out
