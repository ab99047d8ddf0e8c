"""``SqliteDb``: Brisk's embedded storage, file-compatible with Agno 3.1.10's ``SqliteDb``.

Same tables, columns, index names and JSON encodings as Agno (see ``brisk.db.schema``), so either
framework opens the other's file. How it runs (one writer thread with batched commits, reads on the
caller's thread or a small pool) is described in ``_engine.py``.

Construction does no I/O: the file is opened and the tables are created by the first call (or by
``await db.initialize()``), in the writer thread. ``db_url="sqlite://"`` (or ``db_file=":memory:"``)
gives an in-memory database, which lives in the writer's connection and so ends with ``close()``.

Foreign keys are left off (SQLite's default; Agno turns them on). The runs table still declares its
foreign key to the sessions table, as Agno's does, but Brisk deletes a session's runs itself, so a run
may be written before its session row without failing.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path
from typing import Any

from brisk.db import _rows as R
from brisk.db.base import TABLE_DEFAULTS, BaseDb, SessionType
from brisk.db.schema import (
    MEMORIES,
    METRICS,
    RUNS,
    SCHEMA_VERSION,
    SESSIONS,
    VERSIONS,
    TableSpec,
    create_statements,
    quote,
)
from brisk.db.sqlite._engine import SqliteEngine
from brisk.exceptions import DbError

__all__ = ["SqliteDb"]

# Reads of at most this many runs are cheaper done on the caller's thread than handed to a reader
# thread (see _engine.py for the measurement); longer histories go to the pool.
SMALL_RUN_READ = 50


def _sqlite_path(db_file: str | os.PathLike[str] | None, db_url: str | None) -> Path | None:
    """The database file (absolute), or None for an in-memory database."""
    if db_url is not None:
        scheme, sep, rest = db_url.partition("://")
        if not sep or scheme.split("+", 1)[0] != "sqlite":
            raise DbError(f"cannot open SQLite database {db_url}: not a sqlite:// URL")
        rest = rest.split("?", 1)[0]
        if rest in ("", "/", "/:memory:"):
            return None
        if not rest.startswith("/"):
            raise DbError(f"cannot open SQLite database {db_url}: expected sqlite:///<path>")
        target: str = rest[1:]  # sqlite:///rel.db -> rel.db, sqlite:////abs.db -> /abs.db
    else:
        target = os.fspath(db_file) if db_file is not None else "agno.db"
    if target == ":memory:":
        return None
    # abspath, not resolve(): no filesystem access here, and the file stays where it was named even if
    # the process changes directory later.
    return Path(os.path.abspath(os.path.expanduser(target)))


def _version(text: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in (text or "2.0.0").split("."))
    except ValueError:
        return (0,)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqliteDb(BaseDb):
    """SQLite storage with Agno's ``SqliteDb`` keywords: ``db_file`` (default ``./agno.db``), ``db_url``
    (``sqlite:///path``), ``id`` and every ``*_table`` name keyword of Agno's. ``db_engine`` (a SQLAlchemy
    Engine) is not supported; any other keyword raises ``TypeError`` naming it."""

    def __init__(
        self,
        db_file: str | os.PathLike[str] | None = None,
        db_engine: Any = None,
        db_url: str | None = None,
        *,
        id: str | None = None,
        **tables: str | None,
    ) -> None:
        unknown = sorted(set(tables) - set(TABLE_DEFAULTS))
        if unknown:
            raise TypeError(f"SqliteDb got unexpected keyword argument(s): {', '.join(unknown)}")
        if db_engine is not None:
            raise TypeError(
                "SqliteDb: db_engine (a SQLAlchemy Engine) is not supported by Brisk; pass db_file or db_url"
            )
        if id is None:
            # Agno's derivation, so AgentOS shows the same db_id for the same configuration.
            seed = db_url or (os.fspath(db_file) if db_file is not None else None) or "sqlite:///agno.db"
            id = str(uuid.uuid5(uuid.NAMESPACE_DNS, seed))
        super().__init__(id=id, **tables)
        self.db_url = db_url
        path = _sqlite_path(db_file, db_url)
        self.db_file: str | None = str(path) if path is not None else None
        self._engine = SqliteEngine(path, self._setup)
        self._sql = self._statements()

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "db_file": self.db_file, "db_url": self.db_url, "type": "sqlite"}

    def __repr__(self) -> str:
        return f"SqliteDb(db_file={self.db_file!r}, id={self.id!r})"

    # -- setup ------------------------------------------------------------------------------------
    def _tables(self) -> list[tuple[TableSpec, str]]:
        return [
            (VERSIONS, self.versions_table_name),
            (SESSIONS, self.session_table_name),
            (RUNS, self.runs_table_name),
            (MEMORIES, self.memory_table_name),
            (METRICS, self.metrics_table_name),
        ]

    def _setup(self, conn: sqlite3.Connection) -> None:
        """Create missing tables (stamping their schema version as Agno does) and check existing ones."""
        label = self._engine.label
        conn.execute("BEGIN IMMEDIATE")
        try:
            existing = {
                name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            created = []
            for spec, name in self._tables():
                if name in existing:
                    columns = {row[1] for row in conn.execute(f"PRAGMA table_info({quote(name)})")}
                    missing = [c for c in spec.required if c not in columns]
                    if missing:
                        raise DbError(
                            f"SQLite database {label}: table {name} lacks column(s) {', '.join(missing)}; "
                            "it was not created by Agno v3 or Brisk"
                        )
                    if spec is SESSIONS and "runs" in columns:
                        stamp = conn.execute(
                            f"SELECT version FROM {quote(self.versions_table_name)} WHERE table_name = ?",
                            (name,),
                        ).fetchone()
                        if _version(stamp[0] if stamp else None) < _version(SCHEMA_VERSION):
                            raise DbError(
                                f"SQLite database {label} was written by Agno 2.x (runs still inside {name}.runs); "
                                "migrate it with Agno first: asyncio.run(MigrationManager(db).up())"
                            )
                for statement in create_statements(spec, name, self.session_table_name):
                    conn.execute(statement)
                if name not in existing and spec is not VERSIONS:
                    created.append(name)
            stamp_time = R.schema_timestamp()
            for name in created:
                conn.execute(self._sql["stamp"], (name, SCHEMA_VERSION, stamp_time, stamp_time))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    async def initialize(self) -> None:
        await self._engine.ready()

    async def close(self) -> None:
        await self._engine.close()

    # -- SQL text, built once per instance (table names are configuration) ---------------------------
    def _statements(self) -> dict[str, str]:
        s, r, m = quote(self.session_table_name), quote(self.runs_table_name), quote(self.memory_table_name)
        scols, rcols, mcols = (
            ", ".join(R.SESSION_COLUMNS),
            ", ".join(R.RUN_COLUMNS),
            ", ".join(R.MEMORY_COLUMNS),
        )
        session_updates = ", ".join(
            f"{c} = excluded.{c}"
            for c in R.SESSION_COLUMNS
            if c not in ("session_id", "session_type", "created_at")
        )
        return {
            "stamp": f"INSERT INTO {quote(self.versions_table_name)} (table_name, version, created_at, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (table_name) DO UPDATE SET version = excluded.version, "
            "updated_at = excluded.updated_at",
            # An existing session owned by another user is not overwritten (Agno's rule).
            "upsert_session": f"INSERT INTO {s} ({scols}) VALUES ({', '.join('?' * len(R.SESSION_COLUMNS))}) "
            f"ON CONFLICT (session_id) DO UPDATE SET {session_updates} "
            f"WHERE {s}.user_id IS NULL OR {s}.user_id = excluded.user_id",
            "session_cols": f"SELECT {scols} FROM {s}",
            "delete_sessions": f"DELETE FROM {s} WHERE session_id IN (SELECT value FROM json_each(?))",
            # Runs of the given sessions whose session row is gone (deleted now, or never written).
            "delete_orphan_runs": f"DELETE FROM {r} WHERE session_id IN (SELECT value FROM json_each(?)) "
            f"AND session_id NOT IN (SELECT session_id FROM {s} WHERE session_id IN (SELECT value FROM json_each(?)))",
            # run_index: the caller's, else the session's largest + 1, else 0, computed inside the
            # statement; the single writer makes it race-free. An existing index is never replaced.
            "put_run": f"INSERT INTO {r} ({rcols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
            f"COALESCE(?, (SELECT MAX(run_index) + 1 FROM {r} WHERE session_id = ?), 0), ?, ?, ?) "
            "ON CONFLICT (run_id) DO UPDATE SET status = COALESCE(excluded.status, status), "
            "run_data = excluded.run_data, user_id = COALESCE(excluded.user_id, user_id), "
            "parent_run_id = COALESCE(excluded.parent_run_id, parent_run_id), updated_at = excluded.updated_at, "
            "run_index = COALESCE(run_index, excluded.run_index)",
            "run_cols": f"SELECT {rcols} FROM {r}",
            "upsert_memory": f"INSERT INTO {m} ({mcols}) VALUES ({', '.join('?' * len(R.MEMORY_COLUMNS))}) "
            "ON CONFLICT (memory_id) DO UPDATE SET memory = excluded.memory, topics = excluded.topics, "
            "input = excluded.input, agent_id = excluded.agent_id, team_id = excluded.team_id, "
            f"feedback = excluded.feedback, updated_at = ? RETURNING {mcols}",
            "memory_cols": f"SELECT {mcols} FROM {m}",
        }

    # -- sessions ---------------------------------------------------------------------------------
    async def upsert_session(self, row: dict[str, Any]) -> bool:
        return await self._engine.write(
            _execute_changed, self._sql["upsert_session"], self._session_params(row)
        )

    async def get_session(
        self, session_id: str, session_type: SessionType | str | None = None, user_id: str | None = None
    ) -> dict[str, Any] | None:
        sql, params = self._sql["session_cols"] + " WHERE session_id = ?", [session_id]
        if session_type is not None:
            sql += " AND session_type = ?"
            params.append(R.session_type_value(session_type))
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        row = await self._engine.read(_fetch_one, sql, tuple(params), small=True)
        return R.decode_session(dict(zip(R.SESSION_COLUMNS, row, strict=True))) if row else None

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
        where: list[str] = []
        params: list[Any] = []
        stype = R.session_type_value(session_type) if session_type is not None else None
        if stype is not None:
            where.append("session_type = ?")
            params.append(stype)
        if user_id is not None:
            where.append("user_id = ?")
            params.append(user_id)
        if component_id is not None:
            if stype is None:
                where.append("(agent_id = ? OR team_id = ? OR workflow_id = ?)")
                params += [component_id] * 3
            else:
                where.append(f"{stype}_id = ?")
                params.append(component_id)
        if session_name is not None:
            # Agno matches the name against the whole session_data text; Brisk looks at the name only.
            where.append(
                "(CASE WHEN json_valid(session_data) THEN json_extract(session_data, '$.session_name') END) "
                "LIKE ? ESCAPE '\\'"
            )
            params.append(_like(session_name))
        column, desc = R.sort_spec(sort_by, sort_order, R.SESSION_SORT, "created_at")
        order = _order(column, desc)
        sql = self._sql["session_cols"] + (" WHERE " + " AND ".join(where) if where else "")
        rows, total = await self._engine.read(_page, sql, tuple(params), order, limit, offset)
        return [R.decode_session(dict(zip(R.SESSION_COLUMNS, r, strict=True))) for r in rows], total

    async def delete_session(self, session_id: str, user_id: str | None = None) -> bool:
        return await self._engine.write(self._delete_sessions, [session_id], user_id) > 0

    async def delete_sessions(self, session_ids: list[str], user_id: str | None = None) -> None:
        if session_ids:
            await self._engine.write(self._delete_sessions, list(session_ids), user_id)

    def _delete_sessions(self, conn: sqlite3.Connection, session_ids: list[str], user_id: str | None) -> int:
        ids = R.encode(session_ids)
        sql, params = self._sql["delete_sessions"], (ids,)
        if user_id is not None:
            sql, params = sql + " AND user_id = ?", (ids, user_id)
        deleted = conn.execute(sql, params).rowcount
        conn.execute(self._sql["delete_orphan_runs"], (ids, ids))
        return deleted

    async def rename_session(
        self, session_id: str, session_name: str, user_id: str | None = None
    ) -> dict[str, Any] | None:
        row = await self._engine.write(self._rename, session_id, session_name, user_id, R.now())
        return R.decode_session(dict(zip(R.SESSION_COLUMNS, row, strict=True))) if row else None

    def _rename(
        self, conn: sqlite3.Connection, session_id: str, name: str, user_id: str | None, ts: int
    ) -> tuple[Any, ...] | None:
        sql, params = self._sql["session_cols"] + " WHERE session_id = ?", [session_id]
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        row = conn.execute(sql, params).fetchone()
        if row is None:
            return None
        data = R.decode(row[R.SESSION_COLUMNS.index("session_data")])
        data = dict(data) if isinstance(data, dict) else {}
        data["session_name"] = name
        conn.execute(
            f"UPDATE {quote(self.session_table_name)} SET session_data = ?, updated_at = ? WHERE session_id = ?",
            (R.encode(data), ts, session_id),
        )
        return conn.execute(self._sql["session_cols"] + " WHERE session_id = ?", (session_id,)).fetchone()

    # -- runs -------------------------------------------------------------------------------------
    async def add_run(self, row: dict[str, Any]) -> None:
        await self.upsert_run(row)

    async def upsert_run(self, row: dict[str, Any]) -> None:
        await self._engine.write(_execute_changed, self._sql["put_run"], self._run_params(row))

    async def save_run(self, session_row: dict[str, Any], run_row: dict[str, Any]) -> bool:
        # One write job, so the session and the run share one transaction and one commit.
        return await self._engine.write(
            self._save_run, self._session_params(session_row), self._run_params(run_row)
        )

    def _save_run(
        self, conn: sqlite3.Connection, session_params: tuple[Any, ...], run_params: tuple[Any, ...]
    ) -> bool:
        written = _execute_changed(conn, self._sql["upsert_session"], session_params)
        _execute_changed(conn, self._sql["put_run"], run_params)
        return written

    @staticmethod
    def _session_params(row: dict[str, Any]) -> tuple[Any, ...]:
        stored = R.prepare_session(row, R.now())
        return tuple(stored[c] for c in R.SESSION_COLUMNS)

    @staticmethod
    def _run_params(row: dict[str, Any]) -> tuple[Any, ...]:
        stored = R.prepare_run(row, R.now())
        params = tuple(stored[c] for c in R.RUN_COLUMNS[:10]) + (stored["session_id"],)
        return params + tuple(stored[c] for c in R.RUN_COLUMNS[10:])

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
        sql, params = self._sql["run_cols"] + " WHERE session_id = ?", [session_id]
        # The unary + keeps the planner on the (session_id, run_index) index instead of the status one.
        if statuses is not None:
            sql += " AND +status IN (SELECT value FROM json_each(?))"
            params.append(R.encode([R.enum_value(s) for s in statuses]))
        if top_level_only:
            sql += " AND +parent_run_id IS NULL"
        if last is None:
            sql += " ORDER BY run_index ASC, created_at ASC, run_id ASC"
            if first is not None:
                sql += " LIMIT ?"
                params.append(first)
            small = first is not None and first <= SMALL_RUN_READ
            rows = await self._engine.read(_fetch_runs, sql, tuple(params), False, small=small)
        else:
            # Newest first with LIMIT (served by the index, so cost does not grow with the session),
            # then reversed into chronological order.
            sql += " ORDER BY run_index DESC, created_at DESC, run_id DESC LIMIT ?"
            params.append(last)
            rows = await self._engine.read(
                _fetch_runs, sql, tuple(params), True, small=last <= SMALL_RUN_READ
            )
        return rows

    async def get_run(self, run_id: str, session_id: str | None = None) -> dict[str, Any] | None:
        sql, params = self._sql["run_cols"] + " WHERE run_id = ?", [run_id]
        if session_id is not None:
            sql += " AND session_id = ?"
            params.append(session_id)
        rows = await self._engine.read(_fetch_runs, sql, tuple(params), False, small=True)
        return rows[0] if rows else None

    # -- memories ---------------------------------------------------------------------------------
    async def upsert_memory(self, row: dict[str, Any]) -> dict[str, Any]:
        ts = R.now()
        stored = R.prepare_memory(row, ts)
        params = tuple(stored[c] for c in R.MEMORY_COLUMNS) + (ts,)
        out = await self._engine.write(_fetch_one, self._sql["upsert_memory"], params)
        return R.decode_memory(dict(zip(R.MEMORY_COLUMNS, out, strict=True)))

    async def get_memory(self, memory_id: str, user_id: str | None = None) -> dict[str, Any] | None:
        sql, params = self._sql["memory_cols"] + " WHERE memory_id = ?", [memory_id]
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        row = await self._engine.read(_fetch_one, sql, tuple(params), small=True)
        return R.decode_memory(dict(zip(R.MEMORY_COLUMNS, row, strict=True))) if row else None

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
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("user_id", user_id), ("agent_id", agent_id), ("team_id", team_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        for topic in topics or ():
            where.append(
                "EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(topics) THEN topics END) "
                "WHERE type = 'text' AND lower(value) = lower(?))"
            )
            params.append(topic)
        if search_content is not None:
            # Over the stored JSON text of the memory, as Agno does (LIKE is ASCII case-insensitive).
            where.append("memory LIKE ? ESCAPE '\\'")
            params.append(_like(search_content))
        column, desc = R.sort_spec(sort_by, sort_order, R.MEMORY_SORT, "updated_at")
        order = _order(column, desc)
        sql = self._sql["memory_cols"] + (" WHERE " + " AND ".join(where) if where else "")
        rows, total = await self._engine.read(_page, sql, tuple(params), order, limit, offset)
        return [R.decode_memory(dict(zip(R.MEMORY_COLUMNS, r, strict=True))) for r in rows], total

    async def delete_memory(self, memory_id: str, user_id: str | None = None) -> bool:
        return await self._engine.write(self._delete_memories, [memory_id], user_id) > 0

    async def delete_memories(self, memory_ids: list[str], user_id: str | None = None) -> None:
        if memory_ids:
            await self._engine.write(self._delete_memories, list(memory_ids), user_id)

    def _delete_memories(self, conn: sqlite3.Connection, memory_ids: list[str], user_id: str | None) -> int:
        sql = (
            f"DELETE FROM {quote(self.memory_table_name)} WHERE memory_id IN (SELECT value FROM json_each(?))"
        )
        params: tuple[Any, ...] = (R.encode(memory_ids),)
        if user_id is not None:
            sql, params = sql + " AND user_id = ?", (*params, user_id)
        return conn.execute(sql, params).rowcount

    async def get_all_memory_topics(self, user_id: str | None = None) -> list[str]:
        sql = (
            f"SELECT DISTINCT j.value FROM {quote(self.memory_table_name)} AS m, "
            "json_each(CASE WHEN json_valid(m.topics) THEN m.topics END) AS j WHERE j.type = 'text'"
        )
        params: tuple[Any, ...] = ()
        if user_id is not None:
            sql, params = sql + " AND m.user_id = ?", (user_id,)
        rows = await self._engine.read(_fetch_all, sql + " ORDER BY j.value", params)
        return [r[0] for r in rows]

    async def get_user_memory_stats(
        self, limit: int | None = None, page: int | None = None, user_id: str | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        offset = R.check_paging(limit, page)
        sql = (
            "SELECT user_id, COUNT(memory_id) AS total_memories, MAX(updated_at) AS last_memory_updated_at "
            f"FROM {quote(self.memory_table_name)} WHERE user_id IS NOT NULL"
        )
        params: tuple[Any, ...] = ()
        if user_id is not None:
            sql, params = sql + " AND user_id = ?", (user_id,)
        sql += " GROUP BY user_id"
        rows, total = await self._engine.read(
            _page, sql, params, "MAX(updated_at) DESC, user_id ASC", limit, offset
        )
        keys = ("user_id", "total_memories", "last_memory_updated_at")
        return [dict(zip(keys, r, strict=True)) for r in rows], total


# -- statement helpers (run on a connection inside the engine's threads) ------------------------------
def _order(column: str, desc: bool) -> str:
    direction = "DESC" if desc else "ASC"
    # As Agno: updated_at falls back to created_at for rows that never had an update.
    expr = "COALESCE(updated_at, created_at)" if column == "updated_at" else column
    # Rows with the same timestamp (same second) come in insertion order whichever the direction, as
    # Agno's lists show them.
    return f"{expr} {direction}, rowid ASC"


def _execute_changed(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> bool:
    return conn.execute(sql, params).rowcount > 0


def _fetch_one(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
    return conn.execute(sql, params).fetchone()


def _fetch_all(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    return conn.execute(sql, params).fetchall()


def _fetch_runs(
    conn: sqlite3.Connection, sql: str, params: tuple[Any, ...], reverse: bool
) -> list[dict[str, Any]]:
    rows = conn.execute(sql, params).fetchall()
    if reverse:
        rows.reverse()
    return [R.decode_run(dict(zip(R.RUN_COLUMNS, r, strict=True))) for r in rows]


def _page(
    conn: sqlite3.Connection, sql: str, params: tuple[Any, ...], order: str, limit: int | None, offset: int
) -> tuple[list[tuple[Any, ...]], int]:
    # Count and page from one snapshot, so the total matches the page even while writes land. (In the
    # writer thread of an in-memory database a transaction is already open.)
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    total = conn.execute(f"SELECT COUNT(*) FROM ({sql})", params).fetchone()[0]
    rows = conn.execute(
        f"{sql} ORDER BY {order} LIMIT ? OFFSET ?", (*params, -1 if limit is None else limit, offset)
    ).fetchall()
    if own:
        conn.execute("COMMIT")
    return rows, total
