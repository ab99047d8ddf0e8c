"""Run status and the event serialisation shared by agent, team and workflow events."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import Enum
from typing import Any


class RunStatus(str, Enum):
    pending = "PENDING"
    running = "RUNNING"
    completed = "COMPLETED"
    paused = "PAUSED"
    cancelled = "CANCELLED"
    error = "ERROR"


@dataclass(slots=True)
class RunContext:
    """What a tool (or instructions callable) can see of the run it is called in (Agno's ``RunContext``).

    ``session_state`` is the live state of the run: mutations are persisted with the run.
    """

    run_id: str
    session_id: str
    user_id: str | None = None
    workflow_id: str | None = None
    workflow_name: str | None = None
    dependencies: dict[str, Any] | None = None
    knowledge_filters: Any = None
    metadata: dict[str, Any] | None = None
    session_state: dict[str, Any] | None = None
    output_schema: Any = None
    messages: list[Any] | None = None


# Agno serialises an event as: its plain fields in declaration order (None dropped), then these
# "hand-serialised" fields in this order. Reproducing the order keeps SSE payloads byte-compatible.
HAND_SERIALISED = (
    "metadata",
    "additional_input",
    "reasoning_messages",
    "reasoning_steps",
    "references",
    "followups",
    "member_responses",
    "images",
    "videos",
    "audio",
    "files",
    "response_audio",
    "image",
    "citations",
    "tools",
    "tool",
    "metrics",
    "session_summary",
    "run_input",
    "requirements",
    "memories",
    "tasks",
)
_HAND_SET = frozenset(HAND_SERIALISED)
_layout: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _serialise(value: Any) -> Any:
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    if isinstance(value, list):
        return [_serialise(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


def event_to_dict(event: Any) -> dict[str, Any]:
    """Serialise a run event (a dataclass) to Agno's dict shape, field order included."""
    cls = type(event)
    layout = _layout.get(cls)
    if layout is None:
        names = [f.name for f in fields(cls) if not f.name.startswith("_")]
        layout = (
            tuple(n for n in names if n not in _HAND_SET),
            tuple(n for n in HAND_SERIALISED if n in names),
        )
        _layout[cls] = layout
    plain, hand = layout
    d: dict[str, Any] = {}
    for name in plain:
        v = getattr(event, name)
        if v is not None:
            d[name] = v.value if isinstance(v, Enum) else v
    for name in hand:
        v = getattr(event, name)
        if v is not None:
            d[name] = _serialise(v)
    content = d.get("content")
    if content is not None and not isinstance(content, (str, int, float, bool, list, dict)):
        d["content"] = content_to_json(content)
    return d


def content_to_json(content: Any) -> Any:
    """Structured output (a pydantic model or a dataclass) as a JSON-able value."""
    dump = getattr(content, "model_dump", None)
    if dump is not None:
        return dump(exclude_none=True, mode="json")
    import msgspec

    try:
        return msgspec.to_builtins(content)  # msgspec Structs, dataclasses, enums, ...
    except TypeError:
        return str(content)
