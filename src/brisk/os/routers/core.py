"""``/``, ``/health``, ``/info``, ``/config``, the (empty) team routes, and the routes Brisk answers
without implementing them: Agno's 503 feature placeholders and 501 for features Brisk lacks.

The static bodies (``/``, ``/info``, ``/config``) are encoded once, when first asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from brisk.os._http import Request, Response, iso, json
from brisk.os.errors import HTTPError
from brisk.os.router import Route
from brisk.os.routers.workflows import workflow_summary

if TYPE_CHECKING:
    from brisk.os.app import AgentOS

__all__ = ["routes"]

API_VERSION = "3.1.10"  # the AgentOS API Brisk implements; reported as ``agno_version`` for clients


def _cached(build: Any) -> Any:
    """A handler answering the JSON of ``build(os)``, computed on the first request."""
    cache: dict[int, Response] = {}

    async def handler(req: Request) -> Response:
        resp = cache.get(id(req.os))
        if resp is None:
            resp = cache[id(req.os)] = json(build(req.os))
        return resp

    return handler


def _home(os: AgentOS) -> dict[str, Any]:
    return {"name": os.name or "AgentOS", "health": "/health", "info": "/info", "docs": "/docs"}


async def health(req: Request) -> Response:
    return json({"status": "ok", "instantiated_at": iso(req.os.instantiated_at)})


def _info(os: AgentOS) -> dict[str, Any]:
    return {
        "os_id": os.id or "Unnamed OS",
        "name": os.name,
        "os_version": os.version or "1.0.0",
        "agno_version": API_VERSION,
        "agent_count": len(os.agents),
        "team_count": len(os.teams),
        "workflow_count": len(os.workflows),
        "mcp": {"enabled": False, "path": None, "oauth": None, "tool_run_endpoint": False},
        "auth_mode": "security_key" if os.security_key else "none",
        "user_isolation": False,
    }


def _domain(os: AgentOS, table_attr: str | None) -> dict[str, Any]:
    dbs = []
    for db_id, members in os.dbs.items():
        entry: dict[str, Any] = {"db_id": db_id, "domain_config": {"display_name": db_id}}
        if table_attr is not None:
            entry["tables"] = list(
                dict.fromkeys(getattr(db, table_attr) for db in members if getattr(db, table_attr, None))
            )
        dbs.append(entry)
    return {"dbs": dbs}


def _config(os: AgentOS) -> dict[str, Any]:
    models: dict[tuple[str, str], dict[str, str]] = {}
    agents = []
    for agent in os.agents:
        model = agent.model
        mid, provider = getattr(model, "id", None), getattr(model, "provider", None)
        if mid is not None and provider is not None:
            models.setdefault((mid, provider), {"id": mid, "provider": provider})
        summary: dict[str, Any] = {"id": agent.id, "name": agent.name}
        if agent.description is not None:
            summary["description"] = agent.description
        if agent.db is not None:
            summary["db_id"] = agent.db.id
        if mid is not None or provider is not None:
            summary["model"] = {k: v for k, v in (("id", mid), ("provider", provider)) if v is not None}
        summary["sandboxed"] = False
        agents.append({k: v for k, v in summary.items() if v is not None})
    out: dict[str, Any] = {"os_id": os.id or "Unnamed OS"}
    if os.name is not None:
        out["name"] = os.name
    if os.description is not None:
        out["description"] = os.description
    out["available_models"] = list(models.values())
    if os.db is not None:
        out["os_database"] = os.db.id
    out["databases"] = list(os.dbs)
    out["session"] = _domain(os, "session_table_name")
    out["metrics"] = _domain(os, "metrics_table_name")
    out["memory"] = _domain(os, "memory_table_name")
    out["learning"] = _domain(os, "learnings_table_name")
    out["filesystem"] = {"namespaces": []}
    out["knowledge"] = {"dbs": [], "knowledge_instances": []}
    out["evals"] = _domain(os, "eval_table_name")
    out["traces"] = _domain(os, None)
    out["queue"] = {"durable": False, "queue_per_session": False}
    out["agents"] = agents
    out["teams"] = []
    out["workflows"] = [workflow_summary(w) for w in os.workflows]
    out["interfaces"] = []
    out["company"] = None
    return out


async def empty_list(req: Request) -> Response:
    return json([])


def _not_found(kind: str) -> Any:
    async def handler(req: Request) -> Response:
        raise HTTPError(404, f"{kind} not found")

    return handler


def _placeholder(tag: str, requires: str) -> Any:
    detail = f"{tag} not available: pass a `{requires}` to AgentOS to enable this feature."

    async def handler(req: Request) -> Response:
        raise HTTPError(503, detail)

    return handler


def _unsupported(what: str) -> Any:
    detail = f"{what} is not implemented in Brisk yet"

    async def handler(req: Request) -> Response:
        raise HTTPError(501, detail)

    return handler


_ALL = ("GET", "POST", "PUT", "PATCH", "DELETE")

# Agno routes Brisk does not implement (yet): answered 501 with what is missing, instead of a bare 404.
_UNSUPPORTED: list[tuple[tuple[str, ...], str, str]] = [
    (("POST",), "/agents/{agent_id}/sessions/{session_id}/fork", "Forking sessions"),
    (("POST",), "/agents/{agent_id}/sessions/{session_id}/compact", "Compacting sessions"),
    (("GET",), "/agents/{agent_id}/runs/{run_id}/checkpoints", "Run checkpoints"),
    (("GET",), "/agents/{agent_id}/runs/{run_id}/checkpoints/{message_index}", "Run checkpoints"),
    (("POST",), "/agents/{agent_id}/runs/{run_id}/resume", "Resuming run streams"),
    (("POST",), "/workflows/{workflow_id}/runs/{run_id}/resume", "Resuming run streams"),
    (("POST",), "/workflows/{workflow_id}/runs/{run_id}/continue", "Continuing paused workflow runs"),
    (("POST",), "/optimize-memories", "Memory optimization"),
    (("GET", "POST"), "/learnings", "Learnings"),
    (("GET",), "/learnings/users", "Learnings"),
    (("DELETE",), "/learnings/users/{user_id}", "Learnings"),
    (("GET", "PATCH", "DELETE"), "/learnings/{learning_id}", "Learnings"),
    (("GET", "POST", "DELETE"), "/eval-runs", "Evaluations"),
    (("GET", "PATCH"), "/eval-runs/{eval_run_id}", "Evaluations"),
    (("GET", "POST", "DELETE"), "/knowledge/content", "Knowledge"),
    (("POST",), "/knowledge/remote-content", "Knowledge"),
    (("GET", "PATCH", "DELETE"), "/knowledge/content/{content_id}", "Knowledge"),
    (("POST",), "/knowledge/content/{content_id}/refresh", "Knowledge"),
    (("GET",), "/knowledge/content/{content_id}/status", "Knowledge"),
    (("POST",), "/knowledge/search", "Knowledge"),
    (("GET",), "/knowledge/config", "Knowledge"),
    (("GET",), "/knowledge/{knowledge_id}/sources", "Knowledge"),
    (("GET",), "/knowledge/{knowledge_id}/sources/{source_id}/files", "Knowledge"),
    (("GET",), "/traces", "Tracing"),
    (("GET",), "/traces/filter-schema", "Tracing"),
    (("GET",), "/traces/{trace_id}", "Tracing"),
    (("POST",), "/traces/search", "Tracing"),
    (("GET",), "/trace_session_stats", "Tracing"),
    (("POST",), "/databases/all/migrate", "Database migrations"),
    (("POST",), "/databases/{db_id}/migrate", "Database migrations"),
    (("GET",), "/filesystem/files", "Filesystems"),
    (("GET",), "/filesystem/entries", "Filesystems"),
    (("GET",), "/filesystem/content", "Filesystems"),
    (("GET",), "/filesystem/search", "Filesystems"),
    (("GET",), "/registry", "The component registry"),
]


def routes(os: AgentOS) -> list[Route]:
    out = [
        Route("GET", "/", _cached(_home)),
        Route("GET", "/health", health),
        Route("GET", "/info", _cached(_info)),
        Route("GET", "/config", _cached(_config)),
        Route("GET", "/teams", empty_list),
        Route("GET", "/teams/{team_id}", _not_found("Team")),
    ]
    requires_db = "db" if os.db is None else None
    for prefix, tag, requires in (
        ("/queue", "Queue", "queue=QueueConfig(durable=True)"),
        ("/components", "Components", requires_db),
        ("/schedules", "Schedules", requires_db),
        ("/approvals", "Approvals", requires_db),
        ("/service-accounts", "Service Accounts", requires_db),
    ):
        handler = _placeholder(tag, requires) if requires else _unsupported(tag)
        out.append(Route(_ALL, prefix, handler))
        out.append(Route(_ALL, prefix + "/{path:path}", handler))
    for methods, path, what in _UNSUPPORTED:
        out.append(Route(methods, path, _unsupported(what)))
    for methods, suffix in (
        (("GET", "POST"), "/{cid}/runs"),
        (("GET",), "/{cid}/runs/{run_id}"),
        (("POST",), "/{cid}/runs/{run_id}/cancel"),
        (("POST",), "/{cid}/runs/{run_id}/continue"),
        (("POST",), "/{cid}/runs/{run_id}/resume"),
    ):
        out.append(Route(methods, f"/teams{suffix}", _not_found("Team")))
    return out
