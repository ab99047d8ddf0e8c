"""The JSON shapes of AgentOS 3.1.10 for sessions, runs and memories, built from stored rows.

Plain functions over plain dicts: key order, defaults (``""`` vs ``null`` vs ``[]``) and which
``null`` fields are dropped follow the captured responses in ``reference/agno-3.1.10/exchanges``.
Routes that Agno declares with ``response_model_exclude_none`` call :func:`drop_none`; the others
return nulls, as Agno does.

Storage keeps epoch seconds; the API shows ISO-8601 UTC (:func:`brisk.os._http.iso`).
"""

from __future__ import annotations

import json
from typing import Any

from brisk.os._http import iso

__all__ = [
    "chat_history",
    "drop_none",
    "memory",
    "paginated",
    "run_preview",
    "run_schema",
    "session_detail",
    "session_item",
    "session_name",
    "user_stats",
    "workflow_run_schema",
]

_PREVIEW_CHARS = 280


def drop_none(d: dict[str, Any]) -> dict[str, Any]:
    """``response_model_exclude_none``: top-level nulls go, nested values stay as stored."""
    return {k: v for k, v in d.items() if v is not None}


def paginated(data: list[Any], page: int | None, limit: int | None, total: int) -> dict[str, Any]:
    pages = (total + limit - 1) // limit if limit else 0
    return {
        "data": data,
        "meta": {
            "page": page,
            "limit": limit,
            "total_pages": pages,
            "total_count": total,
            "search_time_ms": 0.0,
        },
    }


def session_type(row: dict[str, Any]) -> str:
    st = row.get("session_type")
    if st:
        return getattr(st, "value", st)
    if row.get("agent_id"):
        return "agent"
    if row.get("team_id"):
        return "team"
    if row.get("workflow_id"):
        return "workflow"
    return "agent"


def stringify_input(content: Any) -> str:
    """A run input as text: strings as they are, objects as indented JSON, user messages by content."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return json.dumps(content, indent=2, default=str)
    if isinstance(content, list):
        if content and isinstance(content[0], dict) and content[0].get("role") == "user":
            return content[0].get("content", str(content))
        return str(content)
    return str(content)


def run_input(run: dict[str, Any]) -> str:
    data = run.get("input")
    if isinstance(data, dict) and data.get("input_content") is not None:
        return stringify_input(data["input_content"])
    for message in reversed(run.get("messages") or []):
        if message.get("role") == "user":
            return message.get("content", "")
    return ""


def session_name(row: dict[str, Any], first_run: dict[str, Any] | None) -> str:
    """The stored name, else the first user message of the first run (what Agno shows); a workflow
    session is named by its first run's input, or ``New <workflow name> Session``."""
    data = row.get("session_data")
    if data is not None and data.get("session_name") is not None:
        return data["session_name"]
    if session_type(row) == "workflow":
        return _workflow_session_name(row, first_run)
    if first_run is None:
        return ""
    for message in first_run.get("messages") or []:
        if message.get("role") == "user" and message.get("content"):
            return message["content"]
    if first_run.get("input") is not None:
        return stringify_input(first_run["input"])
    return ""


def _workflow_session_name(row: dict[str, Any], first_run: dict[str, Any] | None) -> str:
    if first_run is None:
        return ""
    value = first_run.get("input")
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        try:
            return json.dumps(value)
        except (TypeError, ValueError):
            pass
    name = (row.get("workflow_data") or {}).get("name")
    return f"New {name} Session" if name else ""


def _agent_metadata(metadata: Any, agent_data: Any) -> dict[str, Any] | None:
    sdk = (agent_data.get("sdk") or agent_data.get("framework")) if isinstance(agent_data, dict) else None
    if isinstance(sdk, str) and sdk:
        return {**(metadata or {}), "sdk": sdk}
    return dict(metadata) if metadata is not None else None


def session_item(row: dict[str, Any], name: str) -> dict[str, Any]:
    """One entry of ``GET /sessions`` (nulls dropped)."""
    data = row.get("session_data") or {}
    metrics = data.get("session_metrics")
    created = row.get("created_at", 0)
    kind = session_type(row)
    summary = row.get("summary")
    return drop_none(
        {
            "session_id": row.get("session_id", ""),
            "session_name": name,
            "session_state": data.get("session_state"),
            "created_at": iso(created),
            "updated_at": iso(row.get("updated_at", created)),
            "session_type": kind,
            "user_id": row.get("user_id"),
            "agent_id": row.get("agent_id"),
            "team_id": row.get("team_id"),
            "workflow_id": row.get("workflow_id"),
            "session_summary": summary,
            "metrics": metrics,
            "total_tokens": metrics.get("total_tokens") if metrics else None,
            "metadata": _agent_metadata(row.get("metadata"), row.get("agent_data"))
            if kind == "agent"
            else row.get("metadata"),
        }
    )


def chat_history(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """User and assistant messages of a session's top-level runs, history copies excluded."""
    out: list[dict[str, Any]] = []
    for run in runs:
        data = run.get("run_data", run)
        if data.get("parent_run_id") is not None:
            continue
        for message in data.get("messages") or []:
            if message.get("from_history") or message.get("role") in ("system", "tool"):
                continue
            out.append(message)
    return out


def session_detail(row: dict[str, Any], runs: list[dict[str, Any]]) -> dict[str, Any]:
    """``AgentSessionDetailSchema`` with nulls; the routes that exclude them call :func:`drop_none`."""
    data = row.get("session_data")
    created = row.get("created_at")
    updated = row.get("updated_at") or created
    first = runs[0].get("run_data", runs[0]) if runs else None
    metrics = (data.get("session_metrics") or {}) if data else None
    summary = row.get("summary")
    return {
        "user_id": row.get("user_id"),
        "agent_session_id": row["session_id"],
        "session_id": row["session_id"],
        "session_name": session_name(row, first),
        "session_summary": summary if summary else None,
        "session_state": data.get("session_state") if data else None,
        "agent_id": row.get("agent_id") or None,
        "total_tokens": metrics.get("total_tokens") if metrics is not None else None,
        "agent_data": row.get("agent_data"),
        "metrics": metrics,
        "metadata": _agent_metadata(row.get("metadata"), row.get("agent_data")),
        "chat_history": chat_history(runs),
        "created_at": iso(created) if created else None,
        "updated_at": iso(updated) if updated else None,
    }


def run_schema(run: dict[str, Any], agent_data: dict[str, Any] | None = None) -> dict[str, Any]:
    """``RunSchema`` of an agent run (``run`` is the stored ``run_data``), with nulls."""
    media = run.get("input") if isinstance(run.get("input"), dict) else {}
    return {
        "run_id": run.get("run_id", ""),
        "parent_run_id": run.get("parent_run_id", ""),
        "agent_id": run.get("agent_id", ""),
        "user_id": run.get("user_id", ""),
        "status": run.get("status"),
        "cancellation_stage": run.get("cancellation_stage"),
        "run_input": run_input(run),
        "content": run.get("content", ""),
        "run_response_format": "text" if run.get("content_type", "str") == "str" else "json",
        "reasoning_content": run.get("reasoning_content", ""),
        "reasoning_steps": run.get("reasoning_steps", []),
        "metrics": run.get("metrics", {}),
        "metadata": _agent_metadata(run.get("metadata"), agent_data),
        "messages": list(run["messages"]) if run.get("messages") else None,
        "tools": list(run["tools"]) if run.get("tools") else None,
        "events": list(run["events"]) if run.get("events") else None,
        "created_at": iso(run.get("created_at")),
        "references": run.get("references", []),
        "citations": run.get("citations"),
        "reasoning_messages": run.get("reasoning_messages", []),
        "session_state": run.get("session_state"),
        "images": run.get("images", []),
        "videos": run.get("videos", []),
        "audio": run.get("audio", []),
        "files": run.get("files", []),
        "response_audio": run.get("response_audio"),
        "input_media": {
            "images": list(media.get("images", [])),
            "videos": list(media.get("videos", [])),
            "audios": list(media.get("audios", [])),
            "files": list(media.get("files", [])),
        },
        "followups": run.get("followups"),
        "forked_from_run_id": run.get("forked_from_run_id"),
        "forked_from_message_index": run.get("forked_from_message_index"),
        "forked_from_session_id": run.get("forked_from_session_id"),
        "regenerated_from": run.get("regenerated_from"),
        "last_checkpoint_at_message_index": run.get("last_checkpoint_at_message_index"),
    }


def workflow_run_input(run: dict[str, Any]) -> str:
    if run.get("input") is not None:
        return stringify_input(run["input"])
    executor_runs = run.get("step_executor_runs") or []
    if executor_runs:
        for message in reversed(executor_runs[0].get("messages") or []):
            if message.get("role") == "user":
                return message.get("content", "")
    for message in reversed(run.get("messages") or []):
        if message.get("role") == "user":
            return message.get("content", "")
    return ""


def workflow_run_schema(run: dict[str, Any]) -> dict[str, Any]:
    """``WorkflowRunSchema`` of a workflow run (``run`` is the run's dict), with nulls."""
    return {
        "run_id": run.get("run_id", ""),
        "run_input": workflow_run_input(run),
        "events": run.get("events", []),
        "workflow_id": run.get("workflow_id", ""),
        "user_id": run.get("user_id", ""),
        "content": run.get("content", ""),
        "content_type": run.get("content_type", ""),
        "status": run.get("status", ""),
        "cancellation_stage": run.get("cancellation_stage"),
        "step_results": run.get("step_results", []),
        "step_executor_runs": run.get("step_executor_runs", []),
        "step_requirements": run.get("step_requirements"),
        "pause_kind": run.get("pause_kind"),
        "paused_step_name": run.get("paused_step_name"),
        "paused_step_index": run.get("paused_step_index"),
        "metrics": run.get("metrics", {}),
        "created_at": iso(run.get("created_at")),
        "reasoning_content": run.get("reasoning_content", ""),
        "reasoning_steps": run.get("reasoning_steps", []),
        "references": run.get("references", []),
        "citations": run.get("citations"),
        "reasoning_messages": run.get("reasoning_messages", []),
        "images": run.get("images", []),
        "videos": run.get("videos", []),
        "audio": run.get("audio", []),
        "files": run.get("files", []),
        "response_audio": run.get("response_audio"),
    }


def _preview(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text[:_PREVIEW_CHARS]


def run_preview(schema: dict[str, Any]) -> dict[str, Any]:
    """A ``run-previews`` entry from a :func:`run_schema` dict (nulls dropped)."""
    return drop_none(
        {
            "run_id": schema["run_id"],
            "parent_run_id": schema.get("parent_run_id"),
            "agent_id": schema.get("agent_id"),
            "team_id": schema.get("team_id"),
            "workflow_id": schema.get("workflow_id"),
            "user_id": schema.get("user_id"),
            "status": schema.get("status"),
            "run_input": _preview(schema.get("run_input")),
            "content_preview": _preview(schema.get("content")),
            "created_at": schema.get("created_at"),
        }
    )


def memory(row: dict[str, Any]) -> dict[str, Any] | None:
    """``UserMemorySchema``; None for an empty memory (Agno hides those from lists)."""
    content = row.get("memory")
    if content == "":
        return None
    if isinstance(content, dict):
        content = str(content["memory"]) if content.get("memory") is not None else json.dumps(content)
    return {
        "memory_id": row["memory_id"],
        "memory": content,
        "topics": row.get("topics", []),
        "agent_id": row.get("agent_id"),
        "team_id": row.get("team_id"),
        "user_id": str(row.get("user_id")),
        "updated_at": iso(row.get("updated_at")),
    }


def user_stats(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "user_id": str(row["user_id"]),
        "total_memories": row["total_memories"],
        "last_memory_updated_at": iso(row.get("last_memory_updated_at")),
    }
