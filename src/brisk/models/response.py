"""What a provider call produces (``ModelResponse``, ``ModelChunk``) and what a tool call records
(``ToolExecution``, Agno's dict shape)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from brisk.metrics import MessageMetrics, ToolCallMetrics


@dataclass(slots=True)
class ModelResponse:
    """A whole (non-streamed) answer of one provider call."""

    content: str | None = None
    reasoning_content: str | None = None
    # OpenAI shape: [{"id", "type": "function", "function": {"name", "arguments": "<json string>"}}]
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    metrics: MessageMetrics = field(default_factory=MessageMetrics)
    provider_data: dict[str, Any] | None = None


@dataclass(slots=True)
class ModelChunk:
    """One piece of a streamed answer.

    Content deltas arrive in order. ``tool_calls`` (assembled, complete) and ``metrics`` (usage) come
    on the last chunks; providers reassemble argument fragments themselves so the run loop never sees
    partial tool calls.
    """

    content: str | None = None
    reasoning_content: str | None = None
    provider_data: dict[str, Any] | None = None
    tool_calls: list[dict[str, Any]] | None = None
    metrics: MessageMetrics | None = None


_TOOL_FIELDS = (
    "tool_call_id",
    "tool_name",
    "tool_args",
    "tool_call_error",
    "result",
    "metrics",
    "child_run_id",
    "stop_after_tool_call",
    "created_at",
    "requires_confirmation",
    "confirmed",
    "confirmation_note",
    "requires_user_input",
    "user_input_schema",
    "user_feedback_schema",
    "answered",
    "external_execution_required",
    "external_execution_silent",
    "approval_type",
    "approval_id",
    "parent_tool_call_id",
)


@dataclass(slots=True)
class ToolExecution:
    """One tool call of a run. Serialises every field (nulls included), as Agno does."""

    tool_call_id: str | None = None
    tool_name: str | None = None
    tool_args: dict[str, Any] | None = None
    tool_call_error: bool | None = None
    result: str | None = None
    metrics: ToolCallMetrics | None = None
    child_run_id: str | None = None
    stop_after_tool_call: bool = False
    created_at: int = field(default_factory=lambda: int(time.time()))
    requires_confirmation: bool | None = None
    confirmed: bool | None = None
    confirmation_note: str | None = None
    requires_user_input: bool | None = None
    user_input_schema: list[Any] | None = None
    user_feedback_schema: list[Any] | None = None
    answered: bool | None = None
    external_execution_required: bool | None = None
    external_execution_silent: bool | None = None
    approval_type: str | None = None
    approval_id: str | None = None
    parent_tool_call_id: str | None = None

    @property
    def is_paused(self) -> bool:
        return bool(
            self.requires_confirmation or self.requires_user_input or self.external_execution_required
        )

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in _TOOL_FIELDS}
        if self.metrics is not None:
            d["metrics"] = self.metrics.to_dict()
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ToolExecution:
        kw = {k: data[k] for k in _TOOL_FIELDS if k in data and k != "metrics"}
        t = cls(**kw)
        if data.get("metrics"):
            t.metrics = ToolCallMetrics.from_dict(data["metrics"])
        return t
