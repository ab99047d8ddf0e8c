"""Agent run input, output and events, with Agno 3.1.10's names, fields and field order."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from brisk.metrics import RunMetrics
from brisk.models.message import Message
from brisk.models.response import ToolExecution
from brisk.run.base import RunStatus, content_to_json, event_to_dict


def _now() -> int:
    return int(time.time())


@dataclass(slots=True)
class RunInput:
    """The input exactly as the caller passed it to ``run``."""

    input_content: Any

    def input_content_string(self) -> str:
        c = self.input_content
        if isinstance(c, str):
            return c
        if isinstance(c, Message):
            return json.dumps(c.to_dict(), ensure_ascii=False)
        try:
            return json.dumps(self.to_dict().get("input_content"), ensure_ascii=False)
        except (TypeError, ValueError):
            return str(c)

    def to_dict(self) -> dict[str, Any]:
        c = self.input_content
        if c is None:
            return {}
        if isinstance(c, Message):
            return {"input_content": c.to_dict()}
        if isinstance(c, list):
            return {"input_content": [m.to_dict() if isinstance(m, Message) else m for m in c]}
        if isinstance(c, (str, dict, int, float, bool)):
            return {"input_content": c}
        return {"input_content": content_to_json(c)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunInput:
        return cls(input_content=data.get("input_content", ""))


class RunEvent(str, Enum):
    run_started = "RunStarted"
    run_content = "RunContent"
    run_content_completed = "RunContentCompleted"
    run_intermediate_content = "RunIntermediateContent"
    run_completed = "RunCompleted"
    run_error = "RunError"
    run_cancelled = "RunCancelled"
    run_paused = "RunPaused"
    run_continued = "RunContinued"
    tool_call_started = "ToolCallStarted"
    tool_call_completed = "ToolCallCompleted"
    tool_call_error = "ToolCallError"
    memory_update_started = "MemoryUpdateStarted"
    memory_update_completed = "MemoryUpdateCompleted"
    session_summary_started = "SessionSummaryStarted"
    session_summary_completed = "SessionSummaryCompleted"
    model_request_started = "ModelRequestStarted"
    model_request_completed = "ModelRequestCompleted"
    custom_event = "CustomEvent"


@dataclass(slots=True)
class BaseAgentRunEvent:
    created_at: int = field(default_factory=_now)
    event: str = ""
    agent_id: str = ""
    agent_name: str = ""
    run_id: str | None = None
    parent_run_id: str | None = None
    session_id: str | None = None
    workflow_id: str | None = None
    workflow_run_id: str | None = None
    step_id: str | None = None
    step_name: str | None = None
    step_index: int | None = None
    nested_depth: int = 0
    tools: list[ToolExecution] | None = None
    content: Any = None

    def to_dict(self) -> dict[str, Any]:
        return event_to_dict(self)

    @property
    def is_paused(self) -> bool:
        return False

    @property
    def is_cancelled(self) -> bool:
        return False


@dataclass(slots=True)
class RunStartedEvent(BaseAgentRunEvent):
    event: str = RunEvent.run_started.value
    model: str = ""
    model_provider: str = ""


@dataclass(slots=True)
class RunContentEvent(BaseAgentRunEvent):
    event: str = RunEvent.run_content.value
    workflow_agent: bool = False
    content_type: str = "str"
    reasoning_content: str | None = None
    model_provider_data: dict[str, Any] | None = None
    citations: Any = None
    response_audio: Any = None
    image: Any = None
    references: Any = None
    additional_input: list[Message] | None = None
    reasoning_steps: Any = None
    reasoning_messages: list[Message] | None = None


@dataclass(slots=True)
class RunContentCompletedEvent(BaseAgentRunEvent):
    event: str = RunEvent.run_content_completed.value


@dataclass(slots=True)
class IntermediateRunContentEvent(BaseAgentRunEvent):
    event: str = RunEvent.run_intermediate_content.value
    content_type: str = "str"


@dataclass(slots=True)
class RunCompletedEvent(BaseAgentRunEvent):
    event: str = RunEvent.run_completed.value
    content_type: str = "str"
    reasoning_content: str | None = None
    citations: Any = None
    model_provider_data: dict[str, Any] | None = None
    images: Any = None
    videos: Any = None
    audio: Any = None
    files: Any = None
    response_audio: Any = None
    references: Any = None
    additional_input: list[Message] | None = None
    reasoning_steps: Any = None
    reasoning_messages: list[Message] | None = None
    metadata: dict[str, Any] | None = None
    metrics: RunMetrics | None = None
    session_state: dict[str, Any] | None = None


@dataclass(slots=True)
class RunPausedEvent(BaseAgentRunEvent):
    event: str = RunEvent.run_paused.value
    requirements: list[Any] | None = None

    @property
    def is_paused(self) -> bool:
        return True


@dataclass(slots=True)
class RunContinuedEvent(BaseAgentRunEvent):
    event: str = RunEvent.run_continued.value


@dataclass(slots=True)
class RunErrorEvent(BaseAgentRunEvent):
    event: str = RunEvent.run_error.value
    error_type: str | None = None
    error_id: str | None = None
    additional_data: dict[str, Any] | None = None


@dataclass(slots=True)
class RunCancelledEvent(BaseAgentRunEvent):
    event: str = RunEvent.run_cancelled.value
    reason: str | None = None

    @property
    def is_cancelled(self) -> bool:
        return True


@dataclass(slots=True)
class ToolCallStartedEvent(BaseAgentRunEvent):
    event: str = RunEvent.tool_call_started.value
    tool: ToolExecution | None = None


@dataclass(slots=True)
class ToolCallCompletedEvent(BaseAgentRunEvent):
    event: str = RunEvent.tool_call_completed.value
    tool: ToolExecution | None = None
    images: Any = None
    videos: Any = None
    audio: Any = None
    files: Any = None


@dataclass(slots=True)
class ToolCallErrorEvent(BaseAgentRunEvent):
    event: str = RunEvent.tool_call_error.value
    tool: ToolExecution | None = None
    error: str | None = None


@dataclass(slots=True)
class MemoryUpdateStartedEvent(BaseAgentRunEvent):
    event: str = RunEvent.memory_update_started.value


@dataclass(slots=True)
class MemoryUpdateCompletedEvent(BaseAgentRunEvent):
    event: str = RunEvent.memory_update_completed.value
    memories: list[Any] | None = None


@dataclass(slots=True)
class SessionSummaryStartedEvent(BaseAgentRunEvent):
    event: str = RunEvent.session_summary_started.value


@dataclass(slots=True)
class SessionSummaryCompletedEvent(BaseAgentRunEvent):
    event: str = RunEvent.session_summary_completed.value
    session_summary: Any = None


@dataclass(slots=True)
class ModelRequestStartedEvent(BaseAgentRunEvent):
    event: str = RunEvent.model_request_started.value
    model: str | None = None
    model_provider: str | None = None


@dataclass(slots=True)
class ModelRequestCompletedEvent(BaseAgentRunEvent):
    event: str = RunEvent.model_request_completed.value
    model: str | None = None
    model_provider: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    time_to_first_token: float | None = None
    reasoning_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None


@dataclass(slots=True)
class CustomEvent(BaseAgentRunEvent):
    event: str = RunEvent.custom_event.value
    tool_call_id: str | None = None


RunOutputEvent = BaseAgentRunEvent

RUN_EVENT_TYPES: dict[str, type[BaseAgentRunEvent]] = {
    cls.__dataclass_fields__["event"].default: cls  # type: ignore[misc]
    for cls in (
        RunStartedEvent,
        RunContentEvent,
        RunContentCompletedEvent,
        IntermediateRunContentEvent,
        RunCompletedEvent,
        RunPausedEvent,
        RunContinuedEvent,
        RunErrorEvent,
        RunCancelledEvent,
        ToolCallStartedEvent,
        ToolCallCompletedEvent,
        ToolCallErrorEvent,
        MemoryUpdateStartedEvent,
        MemoryUpdateCompletedEvent,
        SessionSummaryStartedEvent,
        SessionSummaryCompletedEvent,
        ModelRequestStartedEvent,
        ModelRequestCompletedEvent,
        CustomEvent,
    )
}


def run_event_from_dict(data: dict[str, Any]) -> BaseAgentRunEvent:
    """Rebuild an event from its dict (stored events, SSE payloads)."""
    cls = RUN_EVENT_TYPES.get(data.get("event", ""))
    if cls is None:
        raise ValueError(f"Unknown event type: {data.get('event')!r}")
    names = cls.__dataclass_fields__
    kw = {k: v for k, v in data.items() if k in names}
    if isinstance(kw.get("tool"), dict):
        kw["tool"] = ToolExecution.from_dict(kw["tool"])
    if isinstance(kw.get("tools"), list):
        kw["tools"] = [ToolExecution.from_dict(t) if isinstance(t, dict) else t for t in kw["tools"]]
    if isinstance(kw.get("metrics"), dict):
        kw["metrics"] = RunMetrics.from_dict(kw["metrics"])
    return cls(**kw)


# RunOutput: plain fields first (None dropped), then these in this order (Agno's to_dict).
_OUTPUT_PLAIN = (
    "run_id",
    "agent_id",
    "agent_name",
    "session_id",
    "parent_run_id",
    "workflow_id",
    "user_id",
    "content",
    "content_type",
    "reasoning_content",
    "model_provider_data",
    "model",
    "model_provider",
    "session_state",
    "created_at",
    "status",
    "cancellation_stage",
    "workflow_step_id",
)


@dataclass(slots=True)
class RunOutput:
    """The result of one agent run, and the row stored in ``agno_runs.run_data``."""

    run_id: str | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    session_id: str | None = None
    parent_run_id: str | None = None
    workflow_id: str | None = None
    user_id: str | None = None
    input: RunInput | None = None
    content: Any = None
    content_type: str = "str"
    reasoning_content: str | None = None
    model_provider_data: dict[str, Any] | None = None
    model: str | None = None
    model_provider: str | None = None
    messages: list[Message] | None = None
    metrics: RunMetrics | None = None
    tools: list[ToolExecution] | None = None
    metadata: dict[str, Any] | None = None
    session_state: dict[str, Any] | None = None
    created_at: int = field(default_factory=_now)
    events: list[BaseAgentRunEvent] | None = None
    status: RunStatus = RunStatus.running
    cancellation_stage: str | None = None
    requirements: list[Any] | None = None
    # Set when the run is a workflow step's executor run: the step's id (Agno's foreign key).
    workflow_step_id: str | None = None

    @property
    def is_paused(self) -> bool:
        return self.status == RunStatus.paused

    @property
    def is_cancelled(self) -> bool:
        return self.status == RunStatus.cancelled

    @property
    def tools_requiring_confirmation(self) -> list[ToolExecution]:
        return [t for t in self.tools or () if t.requires_confirmation]

    def get_content_as_string(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return json.dumps(content_to_json(self.content), ensure_ascii=False)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for name in _OUTPUT_PLAIN:
            v = getattr(self, name)
            if v is not None:
                d[name] = v.value if isinstance(v, Enum) else v
        if self.content is not None and not isinstance(self.content, (str, int, float, bool, list, dict)):
            d["content"] = content_to_json(self.content)
        if self.metrics is not None:
            d["metrics"] = self.metrics.to_dict()
        if self.events is not None:
            d["events"] = [e.to_dict() for e in self.events]
        if self.messages is not None:
            d["messages"] = [m.to_dict() for m in self.messages]
        if self.metadata is not None:
            d["metadata"] = self.metadata
        if self.tools is not None:
            d["tools"] = [t.to_dict() for t in self.tools]
        if self.requirements is not None:
            d["requirements"] = [r.to_dict() if hasattr(r, "to_dict") else r for r in self.requirements]
        if self.input is not None:
            d["input"] = self.input.to_dict()
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunOutput:
        kw = {k: data[k] for k in _OUTPUT_PLAIN if k in data}
        if "status" in kw:
            try:
                kw["status"] = RunStatus(kw["status"])
            except ValueError:
                pass
        out = cls(**kw)
        if data.get("messages"):
            out.messages = [Message.from_dict(m) for m in data["messages"]]
        if data.get("metrics"):
            out.metrics = RunMetrics.from_dict(data["metrics"])
        if data.get("tools"):
            out.tools = [ToolExecution.from_dict(t) for t in data["tools"]]
        # As Agno's from_dict: an empty tools list reads back as None, and events always as a list.
        out.events = []
        if data.get("events"):
            for e in data["events"]:
                try:
                    out.events.append(run_event_from_dict(e))
                except ValueError:
                    continue  # an event type Brisk does not model (e.g. a newer Agno's); keep the rest
        if data.get("input"):
            out.input = RunInput.from_dict(data["input"])
        out.metadata = data.get("metadata")
        out.requirements = data.get("requirements")
        return out
