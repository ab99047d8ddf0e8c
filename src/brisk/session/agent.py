"""An agent session: one row of ``agno_sessions``, with its runs read on demand from ``agno_runs``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from brisk.run.agent import RunOutput


@dataclass(slots=True)
class AgentSession:
    session_id: str
    agent_id: str | None = None
    team_id: str | None = None
    workflow_id: str | None = None
    user_id: str | None = None
    session_data: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    agent_data: dict[str, Any] | None = None
    summary: Any = None  # a SessionSummary (Agno's type) when the row has one
    # Only filled when asked for (``Agent.get_session``); the run loop never loads a whole session.
    runs: list[RunOutput] | None = None
    created_at: int = field(default_factory=lambda: int(time.time()))
    updated_at: int | None = None

    @property
    def session_state(self) -> dict[str, Any]:
        return (self.session_data or {}).get("session_state") or {}

    @property
    def session_name(self) -> str | None:
        return (self.session_data or {}).get("session_name")

    def to_row(self) -> dict[str, Any]:
        """The ``agno_sessions`` row (JSON columns as Python values)."""
        return {
            "session_id": self.session_id,
            "session_type": "agent",
            "agent_id": self.agent_id,
            "team_id": self.team_id,
            "workflow_id": self.workflow_id,
            "user_id": self.user_id,
            "session_data": self.session_data,
            "agent_data": self.agent_data,
            "team_data": None,
            "workflow_data": None,
            "metadata": self.metadata,
            "summary": self.summary.to_dict() if hasattr(self.summary, "to_dict") else self.summary,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    def to_dict(self) -> dict[str, Any]:
        d = self.to_row()
        d.pop("session_type")
        if self.runs is not None:
            d["runs"] = [r.to_dict() for r in self.runs]
        return d

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AgentSession:
        return cls(
            session_id=row["session_id"],
            agent_id=row.get("agent_id"),
            team_id=row.get("team_id"),
            workflow_id=row.get("workflow_id"),
            user_id=row.get("user_id"),
            session_data=row.get("session_data") or {},
            metadata=row.get("metadata"),
            agent_data=row.get("agent_data"),
            summary=_summary(row.get("summary")),
            created_at=row.get("created_at") or int(time.time()),
            updated_at=row.get("updated_at"),
        )


def _summary(stored: Any) -> Any:
    if isinstance(stored, dict) and "summary" in stored:
        from brisk.session.summary import SessionSummary

        return SessionSummary.from_dict(dict(stored))
    return stored
