"""``/sessions``: list, create, read, rename, update and delete sessions, and read their runs.

Shapes and status codes as Agno 3.1.10 (``POST`` is 201 without nulls, rename/PATCH answer with
nulls, deleting an unknown session is 204). A session row is written when its first run ends, so
``/sessions/{id}/runs`` is a 404 while that run still streams, which is what Agno's Agent UI expects.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import TYPE_CHECKING, Any

from brisk.os import _shapes
from brisk.os._http import (
    Query,
    Request,
    Response,
    is_missing,
    json,
    no_content,
    read_json_body,
    validate_fields,
)
from brisk.os.errors import HTTPError, ValidationError, missing
from brisk.os.router import Route

if TYPE_CHECKING:
    from brisk.db.base import BaseDb
    from brisk.os.app import AgentOS

__all__ = ["routes"]

SESSION_TYPES = ("agent", "team", "workflow")
SORT_ORDERS = ("asc", "desc")
RUN_STATUSES = ("PENDING", "RUNNING", "COMPLETED", "PAUSED", "CANCELLED", "ERROR", "REGENERATED")


def resolve_db(os: AgentOS, q: Query) -> BaseDb:
    """The database a request addresses: ``db_id`` (and ``table``), or the only one (Agno's get_db)."""
    db_id, table = q.raw("db_id") or None, q.raw("table") or None
    if table and not db_id:
        raise HTTPError(400, "The db_id query parameter is required when passing a table")
    if db_id:
        members = os.dbs.get(db_id)
        if not members:
            raise HTTPError(404, f"No database found with id '{db_id}'")
        if table:
            for db in members:
                if table in _tables(db):
                    return db
            raise HTTPError(404, f"No database with id '{db_id}' has table '{table}'")
        return members[0]
    if len(os.dbs) > 1:
        raise HTTPError(400, "The db_id query parameter is required when using multiple databases")
    for members in os.dbs.values():
        if members:
            return members[0]
    raise HTTPError(400, "No database is configured on this AgentOS")


async def assert_session_writable(
    db: BaseDb | None, session_id: str | None, user_id: str | None, session_type: str | None = None
) -> None:
    """A run must not write into a session another user owns (Agno's ``assert_session_writable``):
    404 when ``session_id`` exists with another owner; unowned and new sessions are writable."""
    if db is None or not session_id:
        return
    row = await db.get_session(session_id, session_type=session_type)
    owner = row.get("user_id") if row else None
    if owner is not None and owner != user_id:
        raise HTTPError(404, "Session not found")


def _tables(db: Any) -> set[str]:
    names = (
        "session_table_name",
        "memory_table_name",
        "metrics_table_name",
        "eval_table_name",
        "knowledge_table_name",
        "learnings_table_name",
    )
    return {getattr(db, n) for n in names if getattr(db, n, None)}


async def _first_runs(db: BaseDb, rows: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """The first run of each unnamed session (its name is that run's input)."""

    async def first(row: dict[str, Any]) -> dict[str, Any] | None:
        if (row.get("session_data") or {}).get("session_name") is not None:
            return None
        runs = await db.get_runs(row["session_id"], first=1)
        return (runs[0].get("run_data") or runs[0]) if runs else None

    return list(await asyncio.gather(*(first(r) for r in rows)))


def _run_data(row: dict[str, Any]) -> dict[str, Any]:
    return row.get("run_data") or row


# -- list / create / bulk delete ------------------------------------------------------------------------
async def list_sessions(req: Request) -> Response:
    q = req.query
    session_type = q.enum("type", SESSION_TYPES)
    component_id, user_id, name = q.str("component_id"), q.str("user_id"), q.str("session_name")
    limit = q.int("limit", 20, ge=1)
    page = q.int("page", 1, ge=0)
    sort_by = q.str("sort_by", "created_at")
    sort_order = q.enum("sort_order", SORT_ORDERS, "desc")
    q.check()
    db = resolve_db(req.os, q)
    rows, total = await db.get_sessions(
        session_type=session_type,
        component_id=component_id,
        user_id=user_id,
        session_name=name,
        limit=limit,
        page=max(page or 1, 1),
        sort_by=sort_by,
        sort_order=sort_order,
    )
    firsts = await _first_runs(db, rows)
    data = [
        _shapes.session_item(row, _shapes.session_name(row, first))
        for row, first in zip(rows, firsts, strict=True)
    ]
    return json(_shapes.paginated(data, page, limit, total))


_CREATE_FIELDS = [
    ("session_id", "str", False, {}),
    ("session_name", "str", False, {}),
    ("session_state", "dict", False, {}),
    ("metadata", "dict", False, {}),
    ("user_id", "str", False, {}),
    ("agent_id", "str", False, {}),
    ("team_id", "str", False, {}),
    ("workflow_id", "str", False, {}),
]


async def create_session(req: Request) -> Response:
    q = req.query
    session_type = q.enum("type", SESSION_TYPES, "agent")
    q.check()
    body = validate_fields(await read_json_body(req), _CREATE_FIELDS)
    db = resolve_db(req.os, q)
    session_id = body.get("session_id") or str(uuid.uuid4())
    if body.get("session_id") is not None and await db.get_session(session_id) is not None:
        raise HTTPError(
            409,
            f"Session with id '{session_id}' already exists. Use PATCH /sessions/{session_id} to update it.",
        )
    session_data: dict[str, Any] = {}
    if body.get("session_state") is not None:
        session_data["session_state"] = body["session_state"]
    if body.get("session_name") is not None:
        session_data["session_name"] = body["session_name"]
    now = int(time.time())
    row = {
        "session_id": session_id,
        "session_type": session_type,
        "agent_id": body.get("agent_id") if session_type == "agent" else None,
        "team_id": body.get("team_id") if session_type == "team" else None,
        "workflow_id": body.get("workflow_id") if session_type == "workflow" else None,
        "user_id": body.get("user_id"),
        "session_data": session_data or None,
        "agent_data": None,
        "team_data": None,
        "workflow_data": None,
        "metadata": body.get("metadata"),
        "summary": None,
        "created_at": now,
        "updated_at": now,
    }
    if not await db.upsert_session(row):
        raise HTTPError(500, "Failed to create session")
    stored = await db.get_session(session_id) or row
    return json(_shapes.drop_none(_detail(stored, [])), 201)


_DELETE_FIELDS = [
    ("session_ids", "list[str]", True, {"min_length": 1}),
    ("session_types", "list[enum]", True, {"min_length": 1, "allowed": SESSION_TYPES}),
]


async def delete_sessions(req: Request) -> Response:
    q = req.query
    user_id = q.str("user_id")
    delete_media = q.bool("delete_media")
    q.check()
    body = validate_fields(await read_json_body(req), _DELETE_FIELDS)
    if len(body["session_ids"]) != len(body["session_types"]):
        raise HTTPError(400, "Session IDs and session types must have the same length")
    db = resolve_db(req.os, q)
    if delete_media:
        raise HTTPError(503, "Media storage is not configured on AgentOS")
    await db.delete_sessions(body["session_ids"], user_id=user_id)
    return no_content()


# -- one session --------------------------------------------------------------------------------------
def _detail(row: dict[str, Any], runs: list[dict[str, Any]]) -> dict[str, Any]:
    kind = _shapes.session_type(row)
    detail = _shapes.session_detail(row, runs)
    if kind == "agent":
        return detail
    data = row.get("session_data")
    if kind == "team":
        return {
            "session_id": detail["session_id"],
            "session_name": detail["session_name"],
            "user_id": detail["user_id"],
            "team_id": row.get("team_id"),
            "session_summary": detail["session_summary"],
            "session_state": detail["session_state"],
            "metrics": detail["metrics"],
            "team_data": row.get("team_data"),
            "metadata": row.get("metadata"),
            "chat_history": detail["chat_history"],
            "created_at": detail["created_at"],
            "updated_at": detail["updated_at"],
            "total_tokens": detail["total_tokens"],
        }
    return {
        "user_id": detail["user_id"],
        "workflow_id": row.get("workflow_id"),
        # Agno reads a ``workflow_name`` column that the v3 sessions table does not have: always null.
        "workflow_name": row.get("workflow_name"),
        "session_id": detail["session_id"],
        "session_name": detail["session_name"],
        "session_data": data,
        "session_state": detail["session_state"],
        "workflow_data": row.get("workflow_data"),
        "metadata": row.get("metadata"),
        "created_at": detail["created_at"],
        "updated_at": detail["updated_at"],
    }


def _scoped(q: Query) -> tuple[str | None, str | None]:
    session_type = q.enum("type", SESSION_TYPES)
    user_id = q.str("user_id")
    return session_type, user_id


async def get_session(req: Request) -> Response:
    q = req.query
    session_type, user_id = _scoped(q)
    q.check()
    db = resolve_db(req.os, q)
    sid = req.params["session_id"]
    row = await db.get_session(sid, session_type=session_type, user_id=user_id)
    if row is None:
        prefix = f"{session_type.title()} Session" if session_type else "Session"
        raise HTTPError(404, f"{prefix} with id '{sid}' not found")
    runs = await db.get_runs(sid)
    return json(_shapes.drop_none(_detail(row, runs)))


async def delete_session(req: Request) -> Response:
    q = req.query
    user_id = q.str("user_id")
    delete_media = q.bool("delete_media")
    q.check()
    db = resolve_db(req.os, q)
    if delete_media:
        raise HTTPError(503, "Media storage is not configured on AgentOS")
    await db.delete_session(req.params["session_id"], user_id=user_id)
    return no_content()


async def rename_session(req: Request) -> Response:
    q = req.query
    _session_type, user_id = _scoped(q)
    q.check()
    body = validate_fields(await read_json_body(req), [("session_name", "str", True, {})], embed=True)
    db = resolve_db(req.os, q)
    sid = req.params["session_id"]
    row = await db.rename_session(sid, body["session_name"], user_id=user_id)
    if row is None:
        raise HTTPError(404, f"Session with id '{sid}' not found")
    return json(_detail(row, await db.get_runs(sid)))


_UPDATE_FIELDS = [
    ("session_name", "str", False, {}),
    ("session_state", "dict", False, {}),
    ("metadata", "dict", False, {}),
    ("summary", "dict", False, {}),
]


async def update_session(req: Request) -> Response:
    q = req.query
    session_type, user_id = _scoped(q)
    q.check()
    raw = await read_json_body(req)
    if is_missing(raw):  # the update model has no default: an empty body is an error, unlike POST /sessions
        raise ValidationError([missing(("body",))])
    body = validate_fields(raw, _UPDATE_FIELDS)
    db = resolve_db(req.os, q)
    sid = req.params["session_id"]
    row = await db.get_session(sid, session_type=session_type, user_id=user_id)
    if row is None:
        raise HTTPError(404, f"Session with id '{sid}' not found")
    row = dict(row)
    data = dict(row.get("session_data") or {})
    if body.get("session_name") is not None:
        data["session_name"] = body["session_name"]
    if body.get("session_state") is not None:
        data["session_state"] = body["session_state"]
    row["session_data"] = data or row.get("session_data")
    if body.get("metadata") is not None:
        row["metadata"] = body["metadata"]
    if body.get("summary") is not None:
        row["summary"] = body["summary"]
    if not await db.upsert_session(row):
        raise HTTPError(500, "Failed to update session")
    stored = await db.get_session(sid) or row
    return json(_detail(stored, await db.get_runs(sid)))


# -- runs of a session ----------------------------------------------------------------------------------
async def _session_runs(req: Request) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    q = req.query
    session_type, user_id = _scoped(q)
    created_after = q.int("created_after")
    created_before = q.int("created_before")
    statuses = q.list("status")
    q.check()
    wanted = None
    if statuses:
        wanted = {s.upper() for s in statuses}
        unknown = sorted(wanted - set(RUN_STATUSES))
        if unknown:
            raise HTTPError(400, f"Invalid status value(s) {unknown}; expected one of {sorted(RUN_STATUSES)}")
    db = resolve_db(req.os, q)
    sid = req.params["session_id"]
    row = await db.get_session(sid, session_type=session_type, user_id=user_id)
    if row is None:
        raise HTTPError(404, f"Session with ID {sid} not found")
    out = []
    for r in await db.get_runs(sid):
        data = _run_data(r)
        created = data.get("created_at")
        if created is not None and (
            (created_after is not None and created < created_after)
            or (created_before is not None and created > created_before)
        ):
            continue
        if wanted is not None and (data.get("status") or "").upper() not in wanted:
            continue
        out.append(data)
    return row, out


async def get_session_runs(req: Request) -> Response:
    row, runs = await _session_runs(req)
    agent_data = row.get("agent_data") if _shapes.session_type(row) == "agent" else None
    return json([_shapes.drop_none(_run_for(row, r, agent_data)) for r in runs])


def _run_for(row: dict[str, Any], run: dict[str, Any], agent_data: Any) -> dict[str, Any]:
    # Runs are shown by their own kind in a workflow session (Agno's classify_session_run).
    if run.get("workflow_id") is not None and _shapes.session_type(row) == "workflow":
        return _shapes.workflow_run_schema(run)
    # Member runs must not inherit the session owner's identity (Agno's RunSchema.from_dict rule).
    same_agent = run.get("agent_id") in (None, row.get("agent_id"))
    return _shapes.run_schema(run, agent_data if same_agent else None)


async def get_run_previews(req: Request) -> Response:
    row, runs = await _session_runs(req)
    return json([_shapes.run_preview(_run_for(row, r, None)) for r in runs])


async def get_session_run(req: Request) -> Response:
    q = req.query
    session_type, user_id = _scoped(q)
    q.check()
    db = resolve_db(req.os, q)
    sid, run_id = req.params["session_id"], req.params["run_id"]
    row = await db.get_session(sid, session_type=session_type, user_id=user_id)
    if row is None:
        raise HTTPError(404, f"Session with ID {sid} not found")
    run = await db.get_run(run_id, session_id=sid)
    if run is None:
        if not await db.get_runs(sid, last=1):
            raise HTTPError(404, f"Session with ID {sid} has no runs")
        raise HTTPError(404, f"Run with ID {run_id} not found in session {sid}")
    data = _run_data(run)
    if data.get("workflow_id") is not None:
        return json(_shapes.workflow_run_schema(data))
    agent_data = row.get("agent_data") if _shapes.session_type(row) == "agent" else None
    return json(_run_for(row, data, agent_data))


def routes(os: AgentOS) -> list[Route]:
    return [
        Route("GET", "/sessions", list_sessions),
        Route("POST", "/sessions", create_session),
        Route("DELETE", "/sessions", delete_sessions),
        Route("GET", "/sessions/{session_id}", get_session),
        Route("DELETE", "/sessions/{session_id}", delete_session),
        Route("PATCH", "/sessions/{session_id}", update_session),
        Route("GET", "/sessions/{session_id}/runs", get_session_runs),
        Route("GET", "/sessions/{session_id}/run-previews", get_run_previews),
        Route("GET", "/sessions/{session_id}/runs/{run_id}", get_session_run),
        Route("POST", "/sessions/{session_id}/rename", rename_session),
    ]
