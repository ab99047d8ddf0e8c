"""``UserMemory``: one row of ``agno_memories``, with Agno's dict shape."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["UserMemory"]


def _epoch(value: Any) -> int | None:
    """Seconds since the epoch from an int/float, a ``datetime`` or an ISO 8601 string."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("a timestamp cannot be a bool")
    if isinstance(value, (int, float)):
        # Milliseconds (13 digits) are accepted too, as Agno's to_epoch_s does.
        return int(value / 1000) if value > 10_000_000_000 else int(value)
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, str):
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    raise TypeError(f"cannot read a timestamp from {value!r}")


@dataclass(slots=True)
class UserMemory:
    """A fact about a user, written in the third person, with topics (Agno's ``UserMemory``).

    ``created_at``/``updated_at`` are epoch seconds; ``to_dict()`` shows them as ISO 8601 local time,
    as Agno does, and ``to_row()`` gives the ``agno_memories`` row.
    """

    memory: str
    memory_id: str | None = None
    topics: list[str] | None = None
    user_id: str | None = None
    input: str | None = None
    created_at: int | None = None
    updated_at: int | None = None
    feedback: str | None = None
    agent_id: str | None = None
    team_id: str | None = None

    def __post_init__(self) -> None:
        self.created_at = int(time.time()) if self.created_at is None else _epoch(self.created_at)
        if self.updated_at is not None:
            self.updated_at = _epoch(self.updated_at)

    def to_dict(self) -> dict[str, Any]:
        """Agno's ``UserMemory.to_dict``: ISO timestamps, ``updated_at`` falls back to ``created_at``,
        None values left out."""
        created = datetime.fromtimestamp(self.created_at).isoformat() if self.created_at is not None else None
        updated = (
            datetime.fromtimestamp(self.updated_at).isoformat() if self.updated_at is not None else created
        )
        d = {
            "memory_id": self.memory_id,
            "memory": self.memory,
            "topics": self.topics,
            "created_at": created,
            "updated_at": updated,
            "input": self.input,
            "user_id": self.user_id,
            "agent_id": self.agent_id,
            "team_id": self.team_id,
            "feedback": self.feedback,
        }
        return {k: v for k, v in d.items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UserMemory:
        names = cls.__dataclass_fields__  # type: ignore[attr-defined]
        return cls(**{k: v for k, v in data.items() if k in names})

    def to_row(self) -> dict[str, Any]:
        """The ``agno_memories`` row (epoch timestamps)."""
        return {
            "memory_id": self.memory_id,
            "memory": self.memory,
            "input": self.input,
            "agent_id": self.agent_id,
            "team_id": self.team_id,
            "user_id": self.user_id,
            "topics": self.topics,
            "feedback": self.feedback,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> UserMemory:
        memory = row.get("memory")
        if isinstance(memory, dict) and "memory" in memory:
            memory = memory["memory"]
        return cls(
            memory="" if memory is None else str(memory),
            memory_id=row.get("memory_id"),
            topics=row.get("topics"),
            user_id=row.get("user_id"),
            input=row.get("input"),
            created_at=row.get("created_at"),
            updated_at=row.get("updated_at"),
            feedback=row.get("feedback"),
            agent_id=row.get("agent_id"),
            team_id=row.get("team_id"),
        )
