"""The data that flows between workflow steps (Agno's ``agno.workflow.types``).

``StepInput`` is what a step receives, ``StepOutput`` what it produces. Both serialise to Agno's dict
shapes because step outputs are stored inside ``agno_runs.run_data.step_results``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from brisk.metrics import RunMetrics

if TYPE_CHECKING:
    from brisk.session.workflow import WorkflowSession

__all__ = [
    "HumanReview",
    "OnError",
    "OnReject",
    "OnTimeout",
    "StepInput",
    "StepMetrics",
    "StepOutput",
    "StepProgress",
    "StepType",
    "WorkflowExecutionInput",
    "WorkflowMetrics",
]


class OnReject(str, Enum):
    skip = "skip"
    cancel = "cancel"
    else_branch = "else"
    retry = "retry"


class OnTimeout(str, Enum):
    cancel = "cancel"
    skip = "skip"
    approve = "approve"


class OnError(str, Enum):
    """What the workflow does when a step raises: ``skip`` (Agno's default) records a failed output and
    goes on, ``fail`` ends the run with an error, ``pause`` (human review) is not implemented."""

    fail = "fail"
    skip = "skip"
    pause = "pause"


class StepType(str, Enum):
    FUNCTION = "Function"
    STEP = "Step"
    STEPS = "Steps"
    LOOP = "Loop"
    PARALLEL = "Parallel"
    CONDITION = "Condition"
    ROUTER = "Router"
    WORKFLOW = "Workflow"


# Human-in-the-loop switches of HumanReview and their "off" values. Brisk runs workflows without
# pausing, so any of these switched on is refused when the primitive is built.
_HITL_OFF: dict[str, Any] = {
    "requires_confirmation": False,
    "requires_user_input": False,
    "requires_output_review": False,
    "requires_iteration_review": False,
    "timeout": None,
}


@dataclass
class HumanReview:
    """Agno's per-primitive human-review settings. Brisk honours ``on_error``; the pause/confirm
    switches are accepted only when off (see ``check_no_hitl``)."""

    requires_confirmation: bool = False
    confirmation_message: str | None = None
    requires_user_input: bool = False
    user_input_message: str | None = None
    user_input_schema: list[dict[str, Any]] | None = None
    allow_multiple_selections: bool = False
    requires_output_review: Any = False
    output_review_message: str | None = None
    requires_iteration_review: bool = False
    iteration_review_message: str | None = None
    on_reject: OnReject | str = OnReject.skip
    on_error: OnError | str = OnError.skip
    max_retries: int = 3
    timeout: int | None = None
    on_timeout: OnTimeout | str = OnTimeout.cancel

    def to_dict(self) -> dict[str, Any]:
        return {
            "requires_confirmation": self.requires_confirmation,
            "confirmation_message": self.confirmation_message,
            "requires_user_input": self.requires_user_input,
            "user_input_message": self.user_input_message,
            "user_input_schema": self.user_input_schema,
            "allow_multiple_selections": self.allow_multiple_selections,
            "requires_output_review": self.requires_output_review
            if isinstance(self.requires_output_review, bool)
            else True,
            "output_review_message": self.output_review_message,
            "requires_iteration_review": self.requires_iteration_review,
            "iteration_review_message": self.iteration_review_message,
            "on_reject": _value(self.on_reject),
            "on_error": _value(self.on_error),
            "max_retries": self.max_retries,
            "timeout": self.timeout,
            "on_timeout": _value(self.on_timeout),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HumanReview:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


def check_no_hitl(review: HumanReview | None, owner: str) -> HumanReview:
    """Refuse human-in-the-loop settings (Brisk never pauses a workflow); return the review to keep."""
    review = review or HumanReview()
    on = [k for k, off in _HITL_OFF.items() if getattr(review, k) not in (off, None)]
    if _value(review.on_error) == OnError.pause.value:
        on.append("on_error='pause'")
    if on:
        raise NotImplementedError(
            f"{owner}: human-in-the-loop ({', '.join(on)}) is not implemented in Brisk; "
            "workflows run to completion without pausing"
        )
    return review


def _value(v: Any) -> Any:
    return v.value if isinstance(v, Enum) else v


def content_as_string(value: Any) -> str | None:
    """Agno's rendering of an input or content value as text (pydantic/dict/list as indented JSON)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    dump_json = getattr(value, "model_dump_json", None)
    if dump_json is not None:
        return dump_json(indent=2, exclude_none=True)
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2, default=str, ensure_ascii=False)
    return str(value)


def _jsonable_input(value: Any) -> Any:
    if value is None:
        return None
    dump = getattr(value, "model_dump", None)
    if dump is not None:
        return dump(exclude_none=True, mode="json")
    if isinstance(value, (dict, list)):
        return value
    return str(value)


def _media(items: list[Any] | None) -> list[Any] | None:
    return [m.to_dict() if hasattr(m, "to_dict") else m for m in items] if items else None


@dataclass
class WorkflowExecutionInput:
    """What the caller passed to ``Workflow.run`` (given to a callable ``steps``)."""

    input: Any = None
    additional_data: dict[str, Any] | None = None
    images: list[Any] | None = None
    videos: list[Any] | None = None
    audio: list[Any] | None = None
    files: list[Any] | None = None

    def get_input_as_string(self) -> str | None:
        return content_as_string(self.input)

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": _jsonable_input(self.input),
            "additional_data": self.additional_data,
            "images": _media(self.images),
            "videos": _media(self.videos),
            "audio": _media(self.audio),
            "files": _media(self.files),
        }


@dataclass
class StepProgress:
    """Yield this from a function step to report progress (a ``StepProgress`` event)."""

    content: str | None = None
    data: dict[str, Any] | None = None


@dataclass
class StepOutput:
    """What a step produced. Composite steps (Steps, Loop, Parallel, ...) put their children's
    outputs in ``steps``. ``stop=True`` ends the workflow after this step."""

    step_name: str | None = None
    step_id: str | None = None
    step_type: str | None = None
    executor_type: str | None = None
    executor_name: str | None = None
    content: Any = None
    step_run_id: str | None = None
    images: list[Any] | None = None
    videos: list[Any] | None = None
    audio: list[Any] | None = None
    files: list[Any] | None = None
    metrics: RunMetrics | None = None
    success: bool = True
    error: str | None = None
    stop: bool = False
    is_paused: bool = False
    steps: list[StepOutput] | None = None

    def to_dict(self) -> dict[str, Any]:
        c = self.content
        if c is not None:
            dump = getattr(c, "model_dump", None)
            if dump is not None:
                c = dump(exclude_none=True, mode="json")
            elif not isinstance(c, (dict, list)):
                c = str(c)
        d: dict[str, Any] = {
            "content": c,
            "step_name": self.step_name,
            "step_id": self.step_id,
            "step_type": _value(self.step_type),
            "executor_type": self.executor_type,
            "executor_name": self.executor_name,
            "step_run_id": self.step_run_id,
            "images": _media(self.images),
            "videos": _media(self.videos),
            "audio": _media(self.audio),
            "files": _media(self.files),
            "metrics": self.metrics.to_dict() if self.metrics else None,
            "success": self.success,
            "error": self.error,
            "stop": self.stop,
            "is_paused": self.is_paused,
        }
        if self.steps:
            d["steps"] = [s.to_dict() for s in self.steps]
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StepOutput:
        metrics = data.get("metrics")
        steps = data.get("steps")
        return cls(
            step_name=data.get("step_name"),
            step_id=data.get("step_id"),
            step_type=data.get("step_type"),
            executor_type=data.get("executor_type"),
            executor_name=data.get("executor_name"),
            content=data.get("content"),
            step_run_id=data.get("step_run_id"),
            images=data.get("images"),
            videos=data.get("videos"),
            audio=data.get("audio"),
            files=data.get("files"),
            metrics=RunMetrics.from_dict(metrics) if isinstance(metrics, dict) else metrics,
            success=data.get("success", True),
            error=data.get("error"),
            stop=data.get("stop", False),
            is_paused=data.get("is_paused", False),
            steps=[cls.from_dict(s) for s in steps] if steps else None,
        )


def deepest_content(output: StepOutput) -> Any:
    """The content of the last leaf under a (possibly composite) step output."""
    while output.steps:
        output = output.steps[-1]
    return output.content


@dataclass
class StepInput:
    """What a step receives: the workflow input, the previous step's content and every earlier output."""

    input: Any = None
    previous_step_content: Any = None
    previous_step_outputs: dict[str, StepOutput] | None = None
    additional_data: dict[str, Any] | None = None
    images: list[Any] | None = None
    videos: list[Any] | None = None
    audio: list[Any] | None = None
    files: list[Any] | None = None
    workflow_session: WorkflowSession | None = None

    def get_input_as_string(self) -> str | None:
        return content_as_string(self.input)

    def get_step_output(self, step_name: str) -> StepOutput | None:
        """The output of an earlier step by name, searched through nested (composite) outputs too."""
        outputs = self.previous_step_outputs
        if not outputs:
            return None
        found = outputs.get(step_name)
        if found:
            return found
        for out in outputs.values():
            found = _find_nested(out, step_name)
            if found:
                return found
        return None

    def get_step_content(self, step_name: str) -> Any:
        """An earlier step's content. For a Parallel step: ``{sub-step name: content}``; for other
        composite steps: the deepest content of their last child."""
        out = self.get_step_output(step_name)
        if not out:
            return None
        if _value(out.step_type) == StepType.PARALLEL.value and out.steps:
            by_name: dict[str, str] = {}
            for sub in out.steps:
                if not (sub.step_name and _has_text(sub.content)):
                    continue
                if sub.steps:
                    for leaf in sub.steps:
                        if leaf.step_name and _has_text(leaf.content):
                            by_name[leaf.step_name] = str(leaf.content)
                else:
                    by_name[sub.step_name] = str(sub.content)
            return by_name or str(out.content)
        if out.steps:
            return deepest_content(out.steps[-1])
        return out.content

    def get_all_previous_content(self) -> str:
        """Every earlier step's content, each under a ``=== name ===`` header."""
        if not self.previous_step_outputs:
            return ""
        parts = [
            f"=== {name} ===\n{out.content}"
            for name, out in self.previous_step_outputs.items()
            if _has_text(out.content)
        ]
        return "\n\n".join(parts)

    def get_last_step_content(self) -> Any:
        if not self.previous_step_outputs:
            return None
        last = list(self.previous_step_outputs.values())[-1]
        return deepest_content(last) if last else None

    def get_workflow_history(self, num_runs: int | None = None) -> list[tuple[str, str]]:
        if self.workflow_session is None:
            return []
        return self.workflow_session.get_workflow_history(num_runs=num_runs)

    def get_workflow_history_context(self, num_runs: int | None = None) -> str | None:
        if self.workflow_session is None:
            return None
        return self.workflow_session.get_workflow_history_context(num_runs=num_runs)

    def to_dict(self) -> dict[str, Any]:
        prev = self.previous_step_content
        if hasattr(prev, "model_dump_json") or isinstance(prev, dict):
            prev = content_as_string(prev)
        else:
            prev = str(prev) if prev else None
        return {
            "input": _jsonable_input(self.input),
            "previous_step_outputs": {k: v.to_dict() for k, v in (self.previous_step_outputs or {}).items()},
            "previous_step_content": prev,
            "additional_data": self.additional_data,
            "images": _media(self.images),
            "videos": _media(self.videos),
            "audio": _media(self.audio),
            "files": _media(self.files),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StepInput:
        prev = data.get("previous_step_outputs")
        return cls(
            input=data.get("input"),
            previous_step_content=data.get("previous_step_content"),
            previous_step_outputs={k: StepOutput.from_dict(v) for k, v in prev.items()} if prev else None,
            additional_data=data.get("additional_data"),
            images=data.get("images"),
            videos=data.get("videos"),
            audio=data.get("audio"),
            files=data.get("files"),
        )


def _has_text(value: Any) -> bool:
    return value is not None and bool(str(value).strip())


def _find_nested(output: StepOutput, name: str) -> StepOutput | None:
    for child in output.steps or ():
        if child.step_name == name:
            return child
        found = _find_nested(child, name)
        if found:
            return found
    return None


@dataclass
class StepMetrics:
    step_name: str
    executor_type: str
    executor_name: str
    metrics: RunMetrics | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "step_name": self.step_name,
            "executor_type": self.executor_type,
            "executor_name": self.executor_name,
            "metrics": self.metrics.to_dict() if self.metrics else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StepMetrics:
        m = data.get("metrics")
        return cls(
            step_name=data["step_name"],
            executor_type=data["executor_type"],
            executor_name=data["executor_name"],
            metrics=RunMetrics.from_dict(m) if isinstance(m, dict) else m,
        )


@dataclass
class WorkflowMetrics:
    """Per-step metrics of the agent (and team) steps of a run, keyed by step name, and the duration."""

    steps: dict[str, StepMetrics] = field(default_factory=dict)
    duration: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"steps": {k: v.to_dict() for k, v in self.steps.items()}, "duration": self.duration}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorkflowMetrics:
        steps = data.get("steps") or {}
        return cls(
            steps={k: StepMetrics.from_dict(v) for k, v in steps.items()}, duration=data.get("duration")
        )
