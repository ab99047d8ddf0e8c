"""A chat message as the run loop, the db and the API see it (Agno's ``Message`` dict shape)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from brisk.metrics import MessageMetrics

# Order of keys in Agno's Message.to_dict(); None and empty containers are dropped.
_DICT_FIELDS = (
    "id",
    "content",
    "reasoning_content",
    "from_history",
    "stop_after_tool_call",
    "role",
    "name",
    "tool_call_id",
    "tool_name",
    "tool_args",
    "tool_call_error",
    "tool_calls",
    "provider_data",
)


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(slots=True)
class Message:
    role: str
    content: Any = None
    name: str | None = None
    tool_call_id: str | None = None
    # OpenAI shape: [{"id", "type": "function", "function": {"name", "arguments": "<json>"}}]
    tool_calls: list[dict[str, Any]] | None = None
    tool_name: str | None = None
    tool_args: dict[str, Any] | None = None
    tool_call_error: bool | None = None
    reasoning_content: str | None = None
    provider_data: dict[str, Any] | None = None
    metrics: MessageMetrics | None = None
    from_history: bool = False
    stop_after_tool_call: bool = False
    id: str = field(default_factory=new_id)
    created_at: int = field(default_factory=lambda: int(time.time()))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for k in _DICT_FIELDS:
            v = getattr(self, k)
            if v is None or (isinstance(v, (list, dict)) and not v):
                continue
            d[k] = v
        if self.metrics is not None:
            m = self.metrics.to_dict()
            if m:
                d["metrics"] = m
        d["created_at"] = self.created_at
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        metrics = data.get("metrics")
        return cls(
            role=data.get("role", "user"),
            content=data.get("content"),
            name=data.get("name"),
            tool_call_id=data.get("tool_call_id"),
            tool_calls=data.get("tool_calls"),
            tool_name=data.get("tool_name"),
            tool_args=data.get("tool_args"),
            tool_call_error=data.get("tool_call_error"),
            reasoning_content=data.get("reasoning_content"),
            provider_data=data.get("provider_data"),
            metrics=MessageMetrics.from_dict(metrics) if metrics else None,
            from_history=bool(data.get("from_history", False)),
            stop_after_tool_call=bool(data.get("stop_after_tool_call", False)),
            id=data.get("id") or new_id(),
            created_at=data.get("created_at") or int(time.time()),
        )
