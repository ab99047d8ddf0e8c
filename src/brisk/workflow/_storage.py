"""Workflow sessions and runs in the database: read the session (and the history window), store the
session row and the run row together, in Agno's v3 layout."""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from typing import TYPE_CHECKING, Any

from brisk.metrics import SessionMetrics
from brisk.run.base import RunStatus
from brisk.run.workflow import WorkflowRunOutput
from brisk.session.workflow import WorkflowSession

if TYPE_CHECKING:
    from brisk.workflow._context import Execution
    from brisk.workflow.workflow import Workflow

log = logging.getLogger("brisk.workflow")

# Runtime-only keys Agno puts into session state; never persisted.
_TRANSIENT_STATE = (
    "current_session_id",
    "current_user_id",
    "current_run_id",
    "workflow_id",
    "run_id",
    "session_id",
    "workflow_name",
)


async def load_session(wf: Workflow, session_id: str, user_id: str | None) -> WorkflowSession:
    db = wf.db
    row = None
    history: list[dict[str, Any]] = []
    if db is not None:
        reads: list[Any] = [db.get_session(session_id, session_type="workflow", user_id=user_id)]
        n = wf._history_runs()
        if n:
            reads.append(
                db.get_runs(session_id, last=n, statuses=[RunStatus.completed.value], top_level_only=True)
            )
        results = await asyncio.gather(*reads)
        row = results[0]
        history = results[1] if len(results) > 1 else []
    if row is not None:
        session = WorkflowSession.from_row(row)
    else:
        session = WorkflowSession(
            session_id=session_id,
            user_id=user_id,
            workflow_id=wf.id,
            workflow_name=wf.name,
            workflow_data=wf._workflow_data(),
            session_data={"session_state": copy.deepcopy(wf.session_state)}
            if wf.session_state is not None
            else {},
            metadata=copy.deepcopy(wf.metadata) if wf.metadata is not None else {},
        )
    session.runs = [
        WorkflowRunOutput.from_dict(r["run_data"]) for r in history if r.get("run_type") == "workflow"
    ]
    if wf.metadata and session.metadata is not None:
        merged = copy.deepcopy(wf.metadata)
        _deep_merge(merged, session.metadata)
        session.metadata = merged
    return session


def session_state(wf: Workflow, session: WorkflowSession, run_state: dict[str, Any] | None) -> dict[str, Any]:
    """Run state over stored state (Agno: the stored state counts only when non-empty and not
    ``overwrite_db_session_state``); the workflow's default only seeds a new session."""
    state = dict(run_state) if run_state is not None else {}
    data = session.session_data if session.session_data is not None else {}
    stored = data.get("session_state")
    if isinstance(stored, dict) and stored and not wf.overwrite_db_session_state:
        merged = dict(stored)
        _deep_merge(merged, state)
        state = merged
    data["session_state"] = state
    session.session_data = data
    return state


def _deep_merge(a: dict[str, Any], b: dict[str, Any]) -> None:
    for key, value in b.items():
        if isinstance(a.get(key), dict) and isinstance(value, dict):
            _deep_merge(a[key], value)
        else:
            a[key] = value


def merge_metadata(*layers: dict[str, Any] | None) -> dict[str, Any] | None:
    out: dict[str, Any] | None = None
    for layer in layers:
        if layer is not None:
            out = out if out is not None else {}
            _deep_merge(out, copy.deepcopy(layer))
    return out


def merge_dependencies(own: dict[str, Any] | None, run: dict[str, Any] | None) -> dict[str, Any] | None:
    if own is None and run is None:
        return None
    out = dict(own or {})
    _deep_merge(out, dict(run or {}))
    return out


async def persist(wf: Workflow, ex: Execution) -> None:
    """Store the session row and this run's row together (one transaction where the backend can)."""
    db = wf.db
    if db is None:
        return
    run, session = ex.run, ex.session
    data = session.session_data if session.session_data is not None else {}
    state = data.get("session_state")
    if isinstance(state, dict):
        for key in _TRANSIENT_STATE:
            state.pop(key, None)
    metrics = SessionMetrics.from_dict(data.get("session_metrics"))
    if run.metrics is not None:
        for step in run.metrics.steps.values():
            if step.metrics is not None:
                metrics.add_run(step.metrics)
    data["session_metrics"] = metrics.to_dict()
    session.session_data = data
    now = int(time.time())
    session.updated_at = now
    session_row = session.to_row()
    run_row = {
        "run_id": run.run_id,
        "session_id": session.session_id,
        "run_type": "workflow",
        "agent_id": None,
        "team_id": None,
        "workflow_id": run.workflow_id,
        "user_id": session.user_id,
        "parent_run_id": run.parent_run_id,
        "status": run.status.value,
        "run_data": run.to_dict(),
        "created_at": run.created_at,
        "updated_at": now,
    }
    if not await db.save_run(session_row, run_row):
        log.warning("WorkflowSession not persisted (owned by another user): %s", session.session_id)
