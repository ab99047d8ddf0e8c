"""Row shaping shared by every backend, so they store and return exactly the same values.

A row is prepared once, in the caller's thread, into "stored form": every column present, scalars
normalised, JSON columns encoded to text the way the SQLite file holds them. The SQLite backend binds
stored form as statement parameters; the in-memory backend keeps it as is. Reading decodes the JSON
columns again, which also hands every reader a fresh copy.

JSON NULL vs SQL NULL follows what Agno writes: a session's own JSON columns (``session_data``,
``metadata``, ``summary`` and the ``*_data`` column of its type) hold the text ``null`` when empty
(SQLAlchemy's JSON type stores Python None that way), the other types' ``*_data`` columns stay SQL NULL.
Both decode to None.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any

import msgspec

from brisk.db.base import SessionType

# The column tuples live with the table layout; re-exported here for the backends.
from brisk.db.schema import MEMORY_COLUMNS as MEMORY_COLUMNS
from brisk.db.schema import RUN_COLUMNS as RUN_COLUMNS
from brisk.db.schema import SESSION_COLUMNS as SESSION_COLUMNS

SESSION_JSON = ("session_data", "agent_data", "team_data", "workflow_data", "metadata", "summary")
MEMORY_JSON = ("memory", "topics")

# Columns a caller may sort by; anything else falls back to the default (Agno silently skips sorting
# for unknown names, which leaves the order undefined). Whitelisting also keeps SQL injection out.
SESSION_SORT = frozenset(c for c in SESSION_COLUMNS if c not in SESSION_JSON)
MEMORY_SORT = frozenset(c for c in MEMORY_COLUMNS if c != "topics")

_TYPE_DATA = {"agent": "agent_data", "team": "team_data", "workflow": "workflow_data"}


def _enc_hook(obj: Any) -> Any:
    # Types msgspec does not know: Agno-style objects (to_dict), pydantic models, classes. (Sets,
    # dataclasses, enums, datetimes, UUIDs and msgspec Structs it encodes itself.)
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    model_dump = getattr(obj, "model_dump", None)
    if callable(model_dump):
        return model_dump(mode="json")
    if isinstance(obj, type):
        return str(obj)
    raise TypeError(f"cannot store a value of type {type(obj).__name__} as JSON")


_encoder = msgspec.json.Encoder(enc_hook=_enc_hook)
_decode = msgspec.json.decode


def encode(value: Any) -> str:
    """JSON text for a JSON column (None becomes the text ``null``)."""
    return _encoder.encode(value).decode()


def decode(value: Any) -> Any:
    """Decode a stored JSON column. SQL NULL and ``null`` give None; a bare JSON number comes back
    from SQLite as a number (the column's NUMERIC affinity converts it) and is returned as is."""
    if value is None:
        return None
    if isinstance(value, str | bytes):
        return _decode(value)
    return value


def now() -> int:
    return int(time.time())


def enum_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def session_type_value(value: Any) -> str:
    value = enum_value(value)
    if value not in _TYPE_DATA:
        raise ValueError(f"session_type must be one of agent, team, workflow; got {value!r}")
    return value


def check_paging(limit: int | None, page: int | None) -> int:
    """Validate limit/page and return the row offset. ``page`` without ``limit`` means nothing."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    if page is not None and page < 1:
        raise ValueError(f"page must be >= 1 (pages are 1-indexed), got {page}")
    if limit is None:
        return 0
    return ((page or 1) - 1) * limit


def sort_spec(
    sort_by: str | None, sort_order: str | None, allowed: frozenset[str], default: str
) -> tuple[str, bool]:
    """(column, descending). As in Agno, only ``"asc"`` sorts ascending."""
    column = sort_by if sort_by in allowed else default
    return column, (sort_order or "desc").lower() != "asc"


def _epoch(value: Any, fallback: int) -> int:
    if value is None:
        return fallback
    if isinstance(value, int | float):
        return int(value)
    timestamp = getattr(value, "timestamp", None)  # datetime
    if callable(timestamp):
        return int(timestamp())
    return int(value)


def _as_dict(value: Any, what: str) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if isinstance(value, msgspec.Struct):
        return msgspec.structs.asdict(value)
    raise TypeError(f"{what} must be a dict, got {type(value).__name__}")


def prepare_session(row: Mapping[str, Any], ts: int) -> dict[str, Any]:
    session_id = row.get("session_id")
    if not session_id:
        raise ValueError("a session row needs a session_id")
    stype = session_type_value(row.get("session_type") or SessionType.AGENT)
    own = ("session_data", "metadata", "summary", _TYPE_DATA[stype])
    out: dict[str, Any] = {
        "session_id": session_id,
        "session_type": stype,
        "agent_id": row.get("agent_id"),
        "team_id": row.get("team_id"),
        "workflow_id": row.get("workflow_id"),
        "user_id": row.get("user_id"),
    }
    for column in SESSION_JSON:
        value = row.get(column)
        out[column] = encode(value) if value is not None or column in own else None
    out["created_at"] = _epoch(row.get("created_at"), ts)
    out["updated_at"] = ts
    return out


def _run_type(row: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    explicit = enum_value(row.get("run_type"))
    if explicit:
        return explicit
    # Agno's rule for a run stored as a dict: who produced it, judged by the ids/names it carries.
    if data.get("agent_id") or data.get("agent_name"):
        return "agent"
    if data.get("team_id") or data.get("team_name"):
        return "team"
    return "workflow"


def prepare_run(row: Mapping[str, Any], ts: int) -> dict[str, Any]:
    """Stored form of an ``agno_runs`` row; columns missing from the row are taken from ``run_data``."""
    if row.get("run_data") is None:
        raise ValueError("a run row needs run_data (the full run dict)")
    data = _as_dict(row["run_data"], "run_data")

    def pick(column: str) -> Any:
        value = row.get(column)
        return enum_value(value if value is not None else data.get(column))

    run_id = pick("run_id")
    session_id = pick("session_id")
    if not run_id or not session_id:
        raise ValueError("a run row needs run_id and session_id (as columns or inside run_data)")
    run_index = row.get("run_index")
    return {
        "run_id": run_id,
        "session_id": session_id,
        "run_type": _run_type(row, data),
        "agent_id": pick("agent_id"),
        "team_id": pick("team_id"),
        "workflow_id": pick("workflow_id"),
        "user_id": pick("user_id"),
        "parent_run_id": pick("parent_run_id"),
        "status": pick("status"),
        "run_index": int(run_index) if run_index is not None else None,
        "run_data": encode(data),
        "created_at": _epoch(pick("created_at"), ts),
        "updated_at": ts,
    }


def prepare_memory(row: Mapping[str, Any], ts: int) -> dict[str, Any]:
    if row.get("memory") is None:
        raise ValueError("a memory row needs memory")
    topics = row.get("topics")
    created_at = _epoch(row.get("created_at"), ts)
    return {
        "memory_id": row.get("memory_id") or str(uuid.uuid4()),
        "memory": encode(row["memory"]),
        "input": row.get("input"),
        "agent_id": row.get("agent_id"),
        "team_id": row.get("team_id"),
        "user_id": row.get("user_id"),
        # None is stored as the text ``null``, as Agno's JSON column does.
        "topics": encode(list(topics) if topics is not None else None),
        "feedback": row.get("feedback"),
        "created_at": created_at,
        # A new memory's updated_at is its created_at (Agno); updates set it to now.
        "updated_at": _epoch(row.get("updated_at"), created_at),
    }


def decode_row(stored: Mapping[str, Any], json_columns: Iterable[str]) -> dict[str, Any]:
    out = dict(stored)
    for column in json_columns:
        out[column] = decode(out.get(column))
    return out


def decode_session(stored: Mapping[str, Any]) -> dict[str, Any]:
    return decode_row(stored, SESSION_JSON)


def decode_run(stored: Mapping[str, Any]) -> dict[str, Any]:
    return decode_row(stored, ("run_data",))


def decode_memory(stored: Mapping[str, Any]) -> dict[str, Any]:
    return decode_row(stored, MEMORY_JSON)


def schema_timestamp() -> str:
    """What Agno writes into ``agno_schema_versions.created_at``: local time, ISO 8601, no zone."""
    return datetime.now().isoformat()


def check_window(last: int | None, first: int | None) -> None:
    """``get_runs`` takes either the newest (``last``) or the oldest (``first``) n runs."""
    if last is not None and first is not None:
        raise ValueError("get_runs: pass last or first, not both")
    for name, value in (("last", last), ("first", first)):
        if value is not None and value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
