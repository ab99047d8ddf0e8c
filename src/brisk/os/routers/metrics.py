"""``/metrics``: daily aggregates (runs, sessions, users, tokens, models) in Agno 3.1.10's shape.

Agno stores the aggregates in ``agno_metrics`` and recomputes them lazily. Brisk computes them when
asked, from the sessions of the requested days: sessions are bucketed by their creation day (as
Agno does), token counts come from each session's ``session_metrics`` and run and model counts from
its runs. This is an admin view, off the hot path; its cost grows with the data of the days asked for.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from brisk.os._http import Query, Request, Response, iso, json
from brisk.os.router import Route
from brisk.os.routers.sessions import resolve_db

if TYPE_CHECKING:
    from brisk.db.base import BaseDb
    from brisk.os.app import AgentOS

__all__ = ["compute_daily_metrics", "routes"]

_TOKEN_FIELDS = (
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "audio_total_tokens",
    "audio_input_tokens",
    "audio_output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
)


def _date_param(q: Query, name: str) -> date | None:
    raw = q.raw(name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    if "T" in raw or raw.isdigit():
        q.errors.add(
            {
                "type": "date_from_datetime_inexact",
                "loc": ["query", name],
                "msg": "Datetimes provided to dates should have zero time - e.g. be exact dates",
                "input": raw,
            }
        )
    else:
        error = "input is too short" if len(raw) < 10 else "invalid date"
        q.errors.add(
            {
                "type": "date_from_datetime_parsing",
                "loc": ["query", name],
                "msg": f"Input should be a valid date or datetime, {error}",
                "input": raw,
                "ctx": {"error": error},
            }
        )
    return None


async def compute_daily_metrics(
    db: BaseDb, start: date | None = None, end: date | None = None, user_id: str | None = None
) -> list[dict[str, Any]]:
    rows, _ = await db.get_sessions(user_id=user_id, limit=None, sort_by="created_at", sort_order="asc")
    days: dict[date, list[dict[str, Any]]] = {}
    for row in rows:
        day = datetime.fromtimestamp(row.get("created_at") or 0, tz=UTC).date()
        if (start is None or day >= start) and (end is None or day <= end):
            days.setdefault(day, []).append(row)
    limit = asyncio.Semaphore(8)

    async def runs_of(session_id: str) -> list[dict[str, Any]]:
        async with limit:
            return await db.get_runs(session_id)

    now = int(time.time())
    out = []
    for day in sorted(days):
        sessions = days[day]
        all_runs = await asyncio.gather(*(runs_of(s["session_id"]) for s in sessions))
        counts = {"agent": [0, 0], "team": [0, 0], "workflow": [0, 0]}
        tokens = dict.fromkeys(_TOKEN_FIELDS, 0)
        models: dict[tuple[str, str], int] = {}
        users = set()
        for session, runs in zip(sessions, all_runs, strict=True):
            kind = session.get("session_type") or "agent"
            counts.setdefault(kind, [0, 0])
            counts[kind][0] += 1
            counts[kind][1] += len(runs)
            if session.get("user_id"):
                users.add(session["user_id"])
            metrics = (session.get("session_data") or {}).get("session_metrics") or {}
            for f in _TOKEN_FIELDS:
                tokens[f] += metrics.get(f) or 0
            for r in runs:
                data = r.get("run_data") or r
                if data.get("model"):
                    key = (data["model"], data.get("model_provider") or "")
                    models[key] = models.get(key, 0) + 1
        out.append(
            {
                "id": f"{day.isoformat()}_daily",
                "agent_runs_count": counts["agent"][1],
                "agent_sessions_count": counts["agent"][0],
                "team_runs_count": counts["team"][1],
                "team_sessions_count": counts["team"][0],
                "workflow_runs_count": counts["workflow"][1],
                "workflow_sessions_count": counts["workflow"][0],
                "users_count": len(users),
                "token_metrics": tokens,
                "model_metrics": [
                    {"model_id": m, "model_provider": p, "count": c} for (m, p), c in models.items()
                ],
                "date": iso(datetime(day.year, day.month, day.day, tzinfo=UTC)),
                "created_at": iso(now),
                "updated_at": iso(now),
            }
        )
    return out


async def get_metrics(req: Request) -> Response:
    q = req.query
    start, end = _date_param(q, "starting_date"), _date_param(q, "ending_date")
    user_id = q.str("user_id")
    q.check()
    db = resolve_db(req.os, q)
    metrics = await compute_daily_metrics(db, start, end, user_id)
    return json({"metrics": metrics, "updated_at": metrics[-1]["updated_at"] if metrics else None})


async def refresh_metrics(req: Request) -> Response:
    q = req.query
    user_id = q.str("user_id")
    q.bool("background")
    q.check()
    db = resolve_db(req.os, q)
    return json(await compute_daily_metrics(db, user_id=user_id))


async def refresh_status(req: Request) -> Response:
    q = req.query
    q.check()
    resolve_db(req.os, q)
    # Metrics are computed on request, so there is never a refresh in flight.
    return json({"status": "idle", "started_at": None, "finished_at": None, "error": None})


def routes(os: AgentOS) -> list[Route]:
    return [
        Route("GET", "/metrics", get_metrics),
        Route("POST", "/metrics/refresh", refresh_metrics),
        Route("GET", "/metrics/refresh/status", refresh_status),
    ]
