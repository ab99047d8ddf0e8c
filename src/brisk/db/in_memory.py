"""``InMemoryDb``: the storage interface over plain dicts, for tests and throwaway agents.

It keeps rows in the same "stored form" as the SQLite file (``brisk.db._rows``: JSON columns as text) and
decodes on every read, so callers never share mutable state with the store, and both backends return
identical values. Filters and sorting follow SQLite's rules (NULLs first when ascending, LIKE folding
ASCII case only) so one conformance suite holds for both.

A lock guards every operation, because the sync API may call in from other threads and loops.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from brisk.db import _rows as R
from brisk.db.base import BaseDb, SessionType

__all__ = ["InMemoryDb"]

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _fold(text: str) -> str:
    # SQLite's LIKE and lower() fold ASCII letters only; do the same.
    return text.translate(_ASCII_LOWER)


def _sorted(rows: Iterable[dict[str, Any]], column: str, desc: bool) -> list[dict[str, Any]]:
    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        value = row[column]  # (updated_at is never NULL here, so SQLite's COALESCE has nothing to do)
        # SQLite orders NULL before any value.
        return (value is not None, value if value is not None else 0)

    # Ties keep insertion order in both directions (as the SQLite backend's rowid tie-break, and
    # Agno): stable sort on the primary key, then reversed groups are avoided by sorting on it alone.
    return sorted(rows, key=key, reverse=desc)


def _page(rows: list[Any], limit: int | None, offset: int) -> list[Any]:
    return rows[offset:] if limit is None else rows[offset : offset + limit]


class InMemoryDb(BaseDb):
    def __init__(self, *, id: str | None = None) -> None:
        # Agno's InMemoryDb takes no arguments and gets a random id; ``id`` is Brisk's addition.
        super().__init__(id=id or str(uuid.uuid4()))
        self._lock = threading.RLock()
        self._sessions: dict[str, dict[str, Any]] = {}
        self._runs: dict[str, dict[str, Any]] = {}  # run_id -> stored row
        self._session_runs: dict[str, dict[str, None]] = {}  # session_id -> run ids (ordered set)
        self._memories: dict[str, dict[str, Any]] = {}

    async def close(self) -> None:
        return None

    # -- sessions ---------------------------------------------------------------------------------
    async def upsert_session(self, row: dict[str, Any]) -> bool:
        stored = R.prepare_session(row, R.now())
        with self._lock:
            old = self._sessions.get(stored["session_id"])
            if old is None:
                self._sessions[stored["session_id"]] = stored
                return True
            if old["user_id"] is not None and old["user_id"] != stored["user_id"]:
                return False  # owned by another user: left alone, as Agno does
            for column in R.SESSION_COLUMNS:
                if column not in ("session_id", "session_type", "created_at"):
                    old[column] = stored[column]
            return True

    async def get_session(
        self, session_id: str, session_type: SessionType | str | None = None, user_id: str | None = None
    ) -> dict[str, Any] | None:
        stype = R.session_type_value(session_type) if session_type is not None else None
        with self._lock:
            row = self._sessions.get(session_id)
            if row is None or (stype is not None and row["session_type"] != stype):
                return None
            if user_id is not None and row["user_id"] != user_id:
                return None
            return R.decode_session(row)

    async def get_sessions(
        self,
        *,
        session_type: SessionType | str | None = None,
        component_id: str | None = None,
        user_id: str | None = None,
        session_name: str | None = None,
        limit: int | None = 20,
        page: int | None = 1,
        sort_by: str | None = "created_at",
        sort_order: str | None = "desc",
    ) -> tuple[list[dict[str, Any]], int]:
        offset = R.check_paging(limit, page)
        stype = R.session_type_value(session_type) if session_type is not None else None
        needle = _fold(session_name) if session_name is not None else None

        def keep(row: dict[str, Any]) -> bool:
            if stype is not None and row["session_type"] != stype:
                return False
            if user_id is not None and row["user_id"] != user_id:
                return False
            if component_id is not None:
                columns = (f"{stype}_id",) if stype else ("agent_id", "team_id", "workflow_id")
                if all(row[c] != component_id for c in columns):
                    return False
            if needle is not None:
                data = R.decode(row["session_data"])
                name = data.get("session_name") if isinstance(data, dict) else None
                if name is None:
                    return False
                if needle not in _fold(name if isinstance(name, str) else R.encode(name)):
                    return False
            return True

        column, desc = R.sort_spec(sort_by, sort_order, R.SESSION_SORT, "created_at")
        with self._lock:
            matched = [row for row in self._sessions.values() if keep(row)]
            rows = _page(_sorted(matched, column, desc), limit, offset)
            return [R.decode_session(row) for row in rows], len(matched)

    async def delete_session(self, session_id: str, user_id: str | None = None) -> bool:
        with self._lock:
            return self._delete_sessions([session_id], user_id) > 0

    async def delete_sessions(self, session_ids: list[str], user_id: str | None = None) -> None:
        with self._lock:
            self._delete_sessions(session_ids, user_id)

    def _delete_sessions(self, session_ids: list[str], user_id: str | None) -> int:
        deleted = 0
        for session_id in session_ids:
            row = self._sessions.get(session_id)
            if row is not None and (user_id is None or row["user_id"] == user_id):
                del self._sessions[session_id]
                deleted += 1
            if session_id not in self._sessions:  # its runs go with it (or were orphans)
                for run_id in self._session_runs.pop(session_id, {}):
                    self._runs.pop(run_id, None)
        return deleted

    async def rename_session(
        self, session_id: str, session_name: str, user_id: str | None = None
    ) -> dict[str, Any] | None:
        with self._lock:
            row = self._sessions.get(session_id)
            if row is None or (user_id is not None and row["user_id"] != user_id):
                return None
            data = R.decode(row["session_data"])
            data = data if isinstance(data, dict) else {}
            data["session_name"] = session_name
            row["session_data"] = R.encode(data)
            row["updated_at"] = R.now()
            return R.decode_session(row)

    # -- runs -------------------------------------------------------------------------------------
    async def add_run(self, row: dict[str, Any]) -> None:
        await self.upsert_run(row)

    async def upsert_run(self, row: dict[str, Any]) -> None:
        stored = R.prepare_run(row, R.now())
        with self._lock:
            old = self._runs.get(stored["run_id"])
            if old is None:
                if stored["run_index"] is None:
                    stored["run_index"] = self._next_index(stored["session_id"])
                self._runs[stored["run_id"]] = stored
                self._session_runs.setdefault(stored["session_id"], {})[stored["run_id"]] = None
                return
            # Same columns as the SQLite upsert; session, type and ids stay as first written.
            if stored["status"] is not None:
                old["status"] = stored["status"]
            old["run_data"] = stored["run_data"]
            for column in ("user_id", "parent_run_id"):
                if stored[column] is not None:
                    old[column] = stored[column]
            old["updated_at"] = stored["updated_at"]  # run_index stays: it is never NULL here

    def _next_index(self, session_id: str) -> int:
        indexes = [self._runs[r]["run_index"] for r in self._session_runs.get(session_id, ())]
        present = [i for i in indexes if i is not None]
        return max(present) + 1 if present else 0

    async def get_runs(
        self,
        session_id: str,
        *,
        last: int | None = None,
        first: int | None = None,
        statuses: list[str] | None = None,
        top_level_only: bool = False,
    ) -> list[dict[str, Any]]:
        R.check_window(last, first)
        wanted = {R.enum_value(s) for s in statuses} if statuses is not None else None
        with self._lock:
            rows = [self._runs[r] for r in self._session_runs.get(session_id, ())]
            rows = [
                r
                for r in rows
                if (wanted is None or r["status"] in wanted)
                and not (top_level_only and r["parent_run_id"] is not None)
            ]
            rows.sort(
                key=lambda r: (r["run_index"] is not None, r["run_index"] or 0, r["created_at"], r["run_id"])
            )
            if last is not None:
                rows = rows[len(rows) - last :] if last else []
            elif first is not None:
                rows = rows[:first]
            return [R.decode_run(r) for r in rows]

    async def get_run(self, run_id: str, session_id: str | None = None) -> dict[str, Any] | None:
        with self._lock:
            row = self._runs.get(run_id)
            if row is None or (session_id is not None and row["session_id"] != session_id):
                return None
            return R.decode_run(row)

    # -- memories ---------------------------------------------------------------------------------
    async def upsert_memory(self, row: dict[str, Any]) -> dict[str, Any]:
        ts = R.now()
        stored = R.prepare_memory(row, ts)
        with self._lock:
            old = self._memories.get(stored["memory_id"])
            if old is None:
                self._memories[stored["memory_id"]] = stored
                return R.decode_memory(stored)
            for column in ("memory", "topics", "input", "agent_id", "team_id", "feedback"):
                old[column] = stored[column]
            old["updated_at"] = ts
            return R.decode_memory(old)

    async def get_memory(self, memory_id: str, user_id: str | None = None) -> dict[str, Any] | None:
        with self._lock:
            row = self._memories.get(memory_id)
            if row is None or (user_id is not None and row["user_id"] != user_id):
                return None
            return R.decode_memory(row)

    async def get_memories(
        self,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        team_id: str | None = None,
        topics: list[str] | None = None,
        search_content: str | None = None,
        limit: int | None = None,
        page: int | None = None,
        sort_by: str | None = "updated_at",
        sort_order: str | None = "desc",
    ) -> tuple[list[dict[str, Any]], int]:
        offset = R.check_paging(limit, page)
        wanted_topics = [_fold(t) for t in topics or ()]
        needle = _fold(search_content) if search_content is not None else None
        filters: list[Callable[[dict[str, Any]], bool]] = []
        for column, value in (("user_id", user_id), ("agent_id", agent_id), ("team_id", team_id)):
            if value is not None:
                filters.append(lambda row, c=column, v=value: row[c] == v)
        if wanted_topics:

            def has_topics(row: dict[str, Any]) -> bool:
                stored = R.decode(row["topics"])
                have = {_fold(t) for t in stored if isinstance(t, str)} if isinstance(stored, list) else set()
                return all(t in have for t in wanted_topics)

            filters.append(has_topics)
        if needle is not None:
            filters.append(lambda row: needle in _fold(row["memory"]))
        column, desc = R.sort_spec(sort_by, sort_order, R.MEMORY_SORT, "updated_at")
        with self._lock:
            matched = [row for row in self._memories.values() if all(f(row) for f in filters)]
            rows = _page(_sorted(matched, column, desc), limit, offset)
            return [R.decode_memory(row) for row in rows], len(matched)

    async def delete_memory(self, memory_id: str, user_id: str | None = None) -> bool:
        with self._lock:
            return self._delete_memories([memory_id], user_id) > 0

    async def delete_memories(self, memory_ids: list[str], user_id: str | None = None) -> None:
        with self._lock:
            self._delete_memories(memory_ids, user_id)

    def _delete_memories(self, memory_ids: list[str], user_id: str | None) -> int:
        deleted = 0
        for memory_id in memory_ids:
            row = self._memories.get(memory_id)
            if row is not None and (user_id is None or row["user_id"] == user_id):
                del self._memories[memory_id]
                deleted += 1
        return deleted

    async def get_all_memory_topics(self, user_id: str | None = None) -> list[str]:
        found: set[str] = set()
        with self._lock:
            for row in self._memories.values():
                if user_id is not None and row["user_id"] != user_id:
                    continue
                topics = R.decode(row["topics"])
                if isinstance(topics, list):
                    found.update(t for t in topics if isinstance(t, str))
        return sorted(found)

    async def get_user_memory_stats(
        self, limit: int | None = None, page: int | None = None, user_id: str | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        offset = R.check_paging(limit, page)
        stats: dict[str, dict[str, Any]] = {}
        with self._lock:
            for row in self._memories.values():
                uid = row["user_id"]
                if uid is None or (user_id is not None and uid != user_id):
                    continue
                entry = stats.setdefault(
                    uid, {"user_id": uid, "total_memories": 0, "last_memory_updated_at": None}
                )
                entry["total_memories"] += 1
                updated = row["updated_at"]
                if updated is not None and (
                    entry["last_memory_updated_at"] is None or updated > entry["last_memory_updated_at"]
                ):
                    entry["last_memory_updated_at"] = updated
        # Most recently updated first (NULL last, as SQLite's DESC), then by user id.
        rows = sorted(stats.values(), key=lambda e: e["user_id"])
        last_updated = "last_memory_updated_at"
        rows.sort(key=lambda e: (e[last_updated] is not None, e[last_updated] or 0), reverse=True)
        return _page(rows, limit, offset), len(rows)
