"""A workflow session: one ``agno_sessions`` row (``session_type='workflow'``) and, when loaded, its runs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from brisk.run.base import RunStatus
from brisk.run.workflow import WorkflowRunOutput


@dataclass
class WorkflowSession:
    session_id: str
    user_id: str | None = None
    workflow_id: str | None = None
    workflow_name: str | None = None
    # Only the runs someone asked for (``Workflow.get_session``, or the history window of a run).
    runs: list[WorkflowRunOutput] | None = None
    session_data: dict[str, Any] | None = None
    workflow_data: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    created_at: int = field(default_factory=lambda: int(time.time()))
    updated_at: int | None = None

    @property
    def session_state(self) -> dict[str, Any]:
        return (self.session_data or {}).get("session_state") or {}

    @property
    def session_name(self) -> str | None:
        return (self.session_data or {}).get("session_name")

    def get_run(self, run_id: str) -> WorkflowRunOutput | None:
        for run in self.runs or ():
            if run.run_id == run_id:
                return run
        return None

    def upsert_run(self, run: WorkflowRunOutput) -> None:
        runs = self.runs if self.runs is not None else []
        for i, existing in enumerate(runs):
            if existing.run_id == run.run_id:
                runs[i] = run
                break
        else:
            runs.append(run)
        self.runs = runs

    def get_workflow_history(self, num_runs: int | None = None) -> list[tuple[str, str]]:
        """(input, output) of the completed runs, oldest first; the last ``num_runs`` when given."""
        done = [r for r in self.runs or () if r.status == RunStatus.completed]
        if num_runs is not None:
            if num_runs <= 0:
                return []
            done = done[-num_runs:]
        return [(_text(r.input), _text(r.content)) for r in done]

    def get_workflow_history_context(self, num_runs: int | None = None) -> str | None:
        """The history as the ``<workflow_history_context>`` block Agno prepends to a step's input."""
        history = self.get_workflow_history(num_runs)
        if not history:
            return None
        lines = ["<workflow_history_context>"]
        for i, (inp, out) in enumerate(history, 1):
            lines.append(f"[Workflow Run-{i}]")
            if inp:
                lines.append(f"User input: {inp}")
            if out:
                lines.append(f"Workflow output: {out}")
            lines.append("")
        lines.append("</workflow_history_context>")
        lines.append("")
        return "\n".join(lines)

    def to_row(self) -> dict[str, Any]:
        """The ``agno_sessions`` row (JSON columns as Python values)."""
        return {
            "session_id": self.session_id,
            "session_type": "workflow",
            "agent_id": None,
            "team_id": None,
            "workflow_id": self.workflow_id,
            "user_id": self.user_id,
            "session_data": self.session_data,
            "agent_data": None,
            "team_data": None,
            "workflow_data": self.workflow_data,
            "metadata": self.metadata,
            "summary": None,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "session_id": self.session_id,
            "user_id": self.user_id,
            "workflow_id": self.workflow_id,
            "workflow_name": self.workflow_name,
            "session_data": self.session_data,
            "workflow_data": self.workflow_data,
            "metadata": self.metadata,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        if self.runs is not None:
            d["runs"] = [r.to_dict() for r in self.runs]
        return d

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> WorkflowSession:
        workflow_data = row.get("workflow_data") or {}
        return cls(
            session_id=row["session_id"],
            user_id=row.get("user_id"),
            workflow_id=row.get("workflow_id"),
            workflow_name=workflow_data.get("name") if isinstance(workflow_data, dict) else None,
            session_data=row.get("session_data") or {},
            workflow_data=row.get("workflow_data") or {},
            metadata=row.get("metadata") or {},
            created_at=row.get("created_at") or int(time.time()),
            updated_at=row.get("updated_at"),
        )


def _text(value: Any) -> str:
    if not value:
        return ""
    return value if isinstance(value, str) else str(value)
