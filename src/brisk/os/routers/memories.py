"""``/memories``, ``/memory_topics``, ``/user_memory_stats``: user memories, as Agno 3.1.10 serves them
(create is 200, not 201; delete is 204 even for an unknown id; lists are paginated like sessions)."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

from brisk.os import _shapes
from brisk.os._http import Request, Response, json, no_content, read_json_body, validate_fields
from brisk.os.errors import HTTPError
from brisk.os.router import Route
from brisk.os.routers.sessions import SORT_ORDERS, resolve_db

if TYPE_CHECKING:
    from brisk.os.app import AgentOS

__all__ = ["routes"]

_MEMORY_FIELDS = [
    ("memory", "str", True, {"min_length": 1, "max_length": 5000}),
    ("user_id", "str", False, {}),
    ("topics", "list[str]", False, {}),
]


async def _upsert(req: Request, memory_id: str) -> Response:
    q = req.query
    q.check()
    body = validate_fields(await read_json_body(req), _MEMORY_FIELDS)
    db = resolve_db(req.os, q)
    if body.get("user_id") is None:
        raise HTTPError(400, "User ID is required")
    now = int(time.time())
    row = await db.upsert_memory(
        {
            "memory_id": memory_id,
            "memory": body["memory"],
            "topics": body.get("topics") or [],
            "user_id": body["user_id"],
            "agent_id": None,
            "team_id": None,
            "input": None,
            "feedback": None,
            "created_at": now,
            "updated_at": now,
        }
    )
    if not row:
        raise HTTPError(500, "Failed to create memory")
    return json(_shapes.memory(row))


async def create_memory(req: Request) -> Response:
    return await _upsert(req, str(uuid.uuid4()))


async def update_memory(req: Request) -> Response:
    return await _upsert(req, req.params["memory_id"])


async def get_memory(req: Request) -> Response:
    q = req.query
    user_id = q.str("user_id")
    q.check()
    db = resolve_db(req.os, q)
    memory_id = req.params["memory_id"]
    row = await db.get_memory(memory_id, user_id=user_id)
    if row is None:
        raise HTTPError(404, f"Memory with ID {memory_id} not found")
    return json(_shapes.memory(row))


async def delete_memory(req: Request) -> Response:
    q = req.query
    user_id = q.str("user_id")
    q.check()
    db = resolve_db(req.os, q)
    await db.delete_memory(req.params["memory_id"], user_id=user_id)
    return no_content()


async def delete_memories(req: Request) -> Response:
    q = req.query
    q.check()
    body = validate_fields(
        await read_json_body(req),
        [("memory_ids", "list[str]", True, {"min_length": 1}), ("user_id", "str", False, {})],
    )
    db = resolve_db(req.os, q)
    await db.delete_memories(body["memory_ids"], user_id=body.get("user_id"))
    return no_content()


async def list_memories(req: Request) -> Response:
    q = req.query
    user_id, agent_id, team_id = q.str("user_id"), q.str("agent_id"), q.str("team_id")
    search = q.str("search_content")
    limit = q.int("limit", 20, ge=1)
    page = q.int("page", 1, ge=0)
    sort_by = q.str("sort_by", "updated_at")
    sort_order = q.enum("sort_order", SORT_ORDERS, "desc")
    raw_topics = q.list("topics")
    q.check()
    # Agno reads the first ``topics`` value as a comma-separated list.
    topics = [t.strip() for t in raw_topics[0].split(",") if t.strip()] if raw_topics else None
    db = resolve_db(req.os, q)
    rows, total = await db.get_memories(
        user_id=user_id,
        agent_id=agent_id,
        team_id=team_id,
        topics=topics or None,
        search_content=search,
        limit=limit,
        page=max(page or 1, 1),
        sort_by=sort_by,
        sort_order=sort_order,
    )
    data = [m for m in (_shapes.memory(r) for r in rows) if m is not None]
    return json(_shapes.paginated(data, page, limit, total))


async def memory_topics(req: Request) -> Response:
    q = req.query
    user_id = q.str("user_id")
    q.check()
    db = resolve_db(req.os, q)
    return json(await db.get_all_memory_topics(user_id=user_id))


async def user_memory_stats(req: Request) -> Response:
    q = req.query
    limit = q.int("limit", 20, ge=1)
    page = q.int("page", 1, ge=0)
    user_id = q.str("user_id")
    q.check()
    db = resolve_db(req.os, q)
    rows, total = await db.get_user_memory_stats(limit=limit, page=max(page or 1, 1), user_id=user_id)
    return json(_shapes.paginated([_shapes.user_stats(r) for r in rows], page, limit, total))


def routes(os: AgentOS) -> list[Route]:
    return [
        Route("POST", "/memories", create_memory),
        Route("GET", "/memories", list_memories),
        Route("DELETE", "/memories", delete_memories),
        Route("GET", "/memories/{memory_id}", get_memory),
        Route("PATCH", "/memories/{memory_id}", update_memory),
        Route("DELETE", "/memories/{memory_id}", delete_memory),
        Route("GET", "/memory_topics", memory_topics),
        Route("GET", "/user_memory_stats", user_memory_stats),
    ]
