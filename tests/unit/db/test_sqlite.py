"""SQLite-specific behaviour: the file layout Agno 3.1.10 reads and writes, WAL, durability, bad paths."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from tests.reference import REFERENCE

from brisk.db.sqlite import SqliteDb
from brisk.exceptions import DbError

needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason="Agno reference material not found")

OUR_TABLES = ("agno_sessions", "agno_runs", "agno_memories", "agno_metrics", "agno_schema_versions")


def reference_schema() -> str:
    return (REFERENCE / "sqlite-schema.sql").read_text()


def reference_rows() -> dict[str, Any]:
    return json.loads((REFERENCE / "sqlite-session-row.json").read_text())


def table_layout(conn: sqlite3.Connection, table: str) -> dict[str, Any]:
    # name, type, notnull, default, pk of every column
    columns = [tuple(r[1:6]) for r in conn.execute(f"PRAGMA table_info({table})")]
    indexes = {}
    for _, name, unique, origin, _partial in conn.execute(f"PRAGMA index_list({table})"):
        cols = [r[2] for r in conn.execute(f'PRAGMA index_info("{name}")')]
        indexes[name if origin == "c" else (origin, tuple(cols))] = (unique, tuple(cols))
    fks = [tuple(r[2:5]) + (r[6],) for r in conn.execute(f"PRAGMA foreign_key_list({table})")]
    return {"columns": columns, "indexes": indexes, "foreign_keys": fks}


def agno_file(path: Path, with_rows: bool = True) -> None:
    """A database as Agno 3.1.10 leaves it: its exact DDL, its version stamps, its JSON encoding."""
    conn = sqlite3.connect(path)
    conn.executescript(reference_schema())
    stamp = "2026-11-25T11:35:10.123456"
    for table in ("agno_sessions", "agno_runs", "agno_memories", "agno_metrics"):
        conn.execute("INSERT INTO agno_schema_versions VALUES (?, '3.0.0', ?, ?)", (table, stamp, stamp))
    if with_rows:
        ref = reference_rows()
        session = ref["agno_sessions_row"]
        conn.execute(
            "INSERT INTO agno_sessions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            tuple(
                json.dumps(session[c]) if c in ("session_data", "agent_data") else session[c]
                for c in (
                    "session_id",
                    "session_type",
                    "agent_id",
                    "team_id",
                    "workflow_id",
                    "user_id",
                    "session_data",
                    "agent_data",
                    "team_data",
                    "workflow_data",
                    "metadata",
                    "summary",
                    "created_at",
                    "updated_at",
                )
            ),
        )
        for run in ref["agno_runs_rows"]:
            columns = list(run)
            values = [json.dumps(run[c]) if c == "run_data" else run[c] for c in columns]
            conn.execute(
                f"INSERT INTO agno_runs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                values,
            )
    conn.commit()
    conn.close()


# -- file layout ----------------------------------------------------------------------------------
@needs_reference
async def test_tables_match_agno_ddl(tmp_path: Path) -> None:
    db = SqliteDb(db_file=str(tmp_path / "brisk.db"))
    await db.initialize()
    await db.close()
    ours = sqlite3.connect(tmp_path / "brisk.db")
    theirs = sqlite3.connect(":memory:")
    theirs.executescript(reference_schema())
    for table in OUR_TABLES:
        assert table_layout(ours, table) == table_layout(theirs, table), table


async def test_schema_versions_stamped_like_agno(tmp_path: Path) -> None:
    path = tmp_path / "brisk.db"
    db = SqliteDb(db_file=str(path))
    await db.initialize()
    await db.close()
    rows = sqlite3.connect(path).execute(
        "SELECT table_name, version, created_at, updated_at FROM agno_schema_versions"
    )
    stamped = {name: (version, created, updated) for name, version, created, updated in rows}
    assert sorted(stamped) == ["agno_memories", "agno_metrics", "agno_runs", "agno_sessions"]
    for version, created, updated in stamped.values():
        assert version == "3.0.0" and created == updated
        datetime.fromisoformat(created)  # local ISO time, as Agno writes it


async def test_wal_mode_and_lazy_creation(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "brisk.db"
    db = SqliteDb(db_file=str(path))
    assert not path.parent.exists()  # construction does no I/O
    await db.get_session("nothing")  # a read is enough to create the tables
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    await db.close()


async def test_json_columns_stored_as_agno_stores_them(tmp_path: Path) -> None:
    path = tmp_path / "brisk.db"
    db = SqliteDb(db_file=str(path))
    await db.upsert_session(
        {"session_id": "s", "session_type": "agent", "session_data": {"session_state": {}}}
    )
    await db.upsert_memory({"memory_id": "m", "memory": "text"})
    await db.close()
    conn = sqlite3.connect(path)
    row = conn.execute(
        "SELECT typeof(session_data), session_data, metadata, summary, agent_data, typeof(team_data) FROM agno_sessions"
    ).fetchone()
    # JSON NULL for the session's own columns (SQLAlchemy's JSON type), SQL NULL for the other types'.
    assert row == ("text", '{"session_state":{}}', "null", "null", "null", "null")
    assert conn.execute("SELECT memory, topics FROM agno_memories").fetchone() == ('"text"', "null")


# -- Agno-written files ---------------------------------------------------------------------------
@needs_reference
async def test_reads_a_file_written_by_agno(tmp_path: Path) -> None:
    path = tmp_path / "agno.db"
    agno_file(path)
    ref = reference_rows()
    db = SqliteDb(db_file=str(path))
    session = await db.get_session("sess-stream-1", session_type="agent", user_id="user-1")
    assert session is not None
    assert session["session_data"] == ref["agno_sessions_row"]["session_data"]
    assert session["agent_data"] == ref["agno_sessions_row"]["agent_data"]
    assert session["metadata"] is None and session["summary"] is None and session["team_data"] is None
    assert (session["created_at"], session["updated_at"]) == (1795606510, 1795606515)

    runs = await db.get_runs("sess-stream-1")
    assert [r["run_id"] for r in runs] == [r["run_id"] for r in ref["agno_runs_rows"]]
    assert runs[0]["run_data"] == ref["agno_runs_rows"][0]["run_data"]
    history = await db.get_runs("sess-stream-1", last=1, statuses=["COMPLETED"], top_level_only=True)
    assert [r["run_id"] for r in history] == [ref["agno_runs_rows"][1]["run_id"]]
    assert history[0]["run_data"]["messages"] == ref["agno_runs_rows"][1]["run_data"]["messages"]

    listed, total = await db.get_sessions(session_type="agent", component_id="bench-agent")
    assert total == 1 and listed[0]["session_id"] == "sess-stream-1"

    # A run appended by Brisk continues Agno's numbering and is visible to any other reader at once.
    new_run = {
        "run_id": "brisk-run",
        "agent_id": "bench-agent",
        "session_id": "sess-stream-1",
        "status": "COMPLETED",
    }
    await db.add_run({"session_id": "sess-stream-1", "user_id": "user-1", "run_data": new_run})
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT run_index FROM agno_runs WHERE run_id = 'brisk-run'").fetchone() == (2,)
    assert [r["run_id"] for r in await db.get_runs("sess-stream-1", last=2)] == [
        ref["agno_runs_rows"][1]["run_id"],
        "brisk-run",
    ]
    # Existing tables are not stamped again, and Agno's other tables are left alone.
    assert conn.execute("SELECT DISTINCT created_at FROM agno_schema_versions").fetchall() == [
        ("2026-11-25T11:35:10.123456",)
    ]
    assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone() == (16,)
    await db.close()


async def test_rejects_tables_with_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "odd.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE agno_sessions (session_id VARCHAR PRIMARY KEY, created_at BIGINT)")
    conn.commit()
    db = SqliteDb(db_file=str(path))
    with pytest.raises(DbError, match="agno_sessions lacks column"):
        await db.get_session("x")


async def test_rejects_unmigrated_agno_v2_file(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    db = SqliteDb(db_file=str(path))
    await db.initialize()
    await db.close()
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE agno_sessions ADD COLUMN runs JSON")
    conn.execute("DELETE FROM agno_schema_versions WHERE table_name = 'agno_sessions'")
    conn.commit()
    with pytest.raises(DbError, match="Agno 2.x"):
        await SqliteDb(db_file=str(path)).get_session("x")
    # Migrated (stamped 3.0.0) files keep the legacy column as a backup; they open fine.
    conn.execute("INSERT INTO agno_schema_versions VALUES ('agno_sessions', 'garbled', 'x', 'x')")
    conn.commit()
    with pytest.raises(DbError, match="Agno 2.x"):
        await SqliteDb(db_file=str(path)).get_session("x")
    conn.execute("UPDATE agno_schema_versions SET version = '3.0.0' WHERE table_name = 'agno_sessions'")
    conn.commit()
    migrated = SqliteDb(db_file=str(path))
    assert await migrated.get_session("x") is None
    await migrated.close()


# -- durability and concurrency -------------------------------------------------------------------
async def test_row_is_committed_when_add_run_returns(tmp_path: Path) -> None:
    path = tmp_path / "durable.db"
    db = SqliteDb(db_file=str(path))
    seen: list[bool] = []

    async def write_then_look(i: int) -> None:
        await db.add_run({"session_id": "s", "run_data": {"run_id": f"r{i}", "agent_id": "a"}})
        other = sqlite3.connect(path)  # a different connection, as another process would have
        seen.append(
            other.execute("SELECT 1 FROM agno_runs WHERE run_id = ?", (f"r{i}",)).fetchone() is not None
        )
        other.close()

    await asyncio.gather(*(write_then_look(i) for i in range(50)))
    assert seen == [True] * 50
    await db.close()


async def test_close_commits_queued_writes(tmp_path: Path) -> None:
    path = tmp_path / "flush.db"
    db = SqliteDb(db_file=str(path))
    await db.initialize()
    tasks = [
        asyncio.ensure_future(db.add_run({"session_id": "s", "run_data": {"run_id": f"r{i}"}}))
        for i in range(100)
    ]
    await asyncio.sleep(0)  # let every task enqueue its write
    await db.close()
    await asyncio.gather(*tasks)
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM agno_runs").fetchone() == (100,)


async def test_cancelled_caller_still_gets_its_write(tmp_path: Path) -> None:
    db = SqliteDb(db_file=str(tmp_path / "c.db"))
    await db.initialize()
    task = asyncio.ensure_future(db.add_run({"session_id": "s", "run_data": {"run_id": "r0"}}))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await db.add_run({"session_id": "s", "run_data": {"run_id": "r1"}})  # same queue: r0 is committed by now
    assert [r["run_id"] for r in await db.get_runs("s")] == ["r0", "r1"]
    await db.close()


async def test_a_failing_write_does_not_spoil_its_batch(tmp_path: Path) -> None:
    db = SqliteDb(db_file=str(tmp_path / "batch.db"))
    await db.initialize()

    def bad(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO agno_runs (run_id) VALUES ('half-written')")  # violates NOT NULL

    def buggy(conn: sqlite3.Connection) -> None:
        raise RuntimeError("bug in a job")

    results = await asyncio.gather(
        *(db.add_run({"session_id": "s", "run_data": {"run_id": f"r{i}"}}) for i in range(5)),
        db._engine.write(bad),
        db._engine.write(buggy),
        *(db.add_run({"session_id": "s", "run_data": {"run_id": f"q{i}"}}) for i in range(5)),
        return_exceptions=True,
    )
    assert isinstance(results[5], DbError) and "NOT NULL" in str(results[5])
    assert isinstance(results[6], RuntimeError)
    assert [r for i, r in enumerate(results) if i not in (5, 6)] == [None] * 10
    assert len(await db.get_runs("s")) == 10
    await db.close()


async def test_large_reads_run_off_the_event_loop_thread(tmp_path: Path) -> None:
    import threading

    db = SqliteDb(db_file=str(tmp_path / "pool.db"))
    await db.initialize()
    threads: list[str] = []

    def probe(conn: sqlite3.Connection) -> int:
        threads.append(threading.current_thread().name)
        return conn.execute("SELECT COUNT(*) FROM agno_runs").fetchone()[0]

    assert await db._engine.read(probe) == 0
    assert await db._engine.read(probe, small=True) == 0
    assert threads[0].startswith("brisk-sqlite-read") and threads[1] == threading.current_thread().name
    await db.close()


async def test_read_errors_are_db_errors(tmp_path: Path) -> None:
    db = SqliteDb(db_file=str(tmp_path / "r.db"))

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("SELECT * FROM no_such_table")

    with pytest.raises(DbError, match="no such table"):
        await db._engine.read(broken, small=True)
    with pytest.raises(DbError, match="no such table"):
        await db._engine.read(broken)
    assert await db.get_session("x") is None  # connections stay usable
    await db.close()


# -- bad paths ------------------------------------------------------------------------------------
async def test_directory_given_as_file(tmp_path: Path) -> None:
    db = SqliteDb(db_file=str(tmp_path))
    with pytest.raises(DbError) as info:
        await db.get_session("x")
    assert str(tmp_path) in str(info.value) and "directory" in str(info.value)
    assert _unchained(info.value)


async def test_directory_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    path = blocker / "sub" / "x.db"
    db = SqliteDb(db_file=str(path))
    with pytest.raises(DbError) as info:
        await db.upsert_session({"session_id": "s"})
    assert str(path) in str(info.value)
    assert _unchained(info.value)


async def test_not_a_sqlite_file_then_fixed(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are plain notes, not a database " * 100)
    db = SqliteDb(db_file=str(path))
    with pytest.raises(DbError) as info:
        await db.initialize()
    assert str(path) in str(info.value) and "not a database" in str(info.value)
    assert _unchained(info.value)
    # The error does not drag the writer thread's frames along: only the caller's own awaits.
    assert all("_engine.py" not in f.filename or f.name in ("write", "ready") for f in _frames(info.value))
    path.unlink()
    await db.upsert_session({"session_id": "s"})  # the next call tries again
    assert await db.get_session("s") is not None
    await db.close()


def _unchained(exc: BaseException) -> bool:
    return exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__)


def _frames(exc: BaseException) -> list[Any]:
    import traceback

    return traceback.extract_tb(exc.__traceback__)


def test_db_url_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert SqliteDb(db_url="sqlite:///rel/x.db").db_file == str(tmp_path / "rel" / "x.db")
    assert SqliteDb(db_url=f"sqlite:///{tmp_path}/abs.db").db_file == str(tmp_path / "abs.db")
    assert SqliteDb(db_url="sqlite+pysqlite:///y.db?mode=rwc").db_file == str(tmp_path / "y.db")
    assert SqliteDb(db_url="sqlite://").db_file is None
    assert SqliteDb(db_url="sqlite:///:memory:").db_file is None
    assert SqliteDb(db_file=":memory:").db_file is None
    assert SqliteDb().db_file == str(tmp_path / "agno.db")
    assert SqliteDb(db_file=Path("p.db")).db_file == str(tmp_path / "p.db")
    with pytest.raises(DbError, match="postgresql://x"):
        SqliteDb(db_url="postgresql://x")
    with pytest.raises(DbError, match="sqlite:x.db"):
        SqliteDb(db_url="sqlite:x.db")
    with pytest.raises(DbError, match="sqlite://host/x.db"):
        SqliteDb(db_url="sqlite://host/x.db")


# -- constructor ----------------------------------------------------------------------------------
def test_db_id_derived_as_agno_does() -> None:
    assert SqliteDb(db_file="tmp/agno.db").id == str(uuid.uuid5(uuid.NAMESPACE_DNS, "tmp/agno.db"))
    assert SqliteDb(db_url="sqlite:///x.db").id == str(uuid.uuid5(uuid.NAMESPACE_DNS, "sqlite:///x.db"))
    assert SqliteDb().id == str(uuid.uuid5(uuid.NAMESPACE_DNS, "sqlite:///agno.db"))
    assert SqliteDb(db_file="x.db", id="my-db").id == "my-db"


def test_unknown_keywords_raise_type_error_naming_them() -> None:
    with pytest.raises(TypeError, match="bogus, colour"):
        SqliteDb(db_file="x.db", colour="red", bogus=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="db_engine"):
        SqliteDb(db_engine=object())


async def test_custom_table_names(tmp_path: Path) -> None:
    path = tmp_path / "custom.db"
    db = SqliteDb(
        db_file=str(path), session_table="my_sessions", memory_table="my memories", eval_table="evals"
    )
    assert (db.session_table, db.runs_table, db.memory_table, db.metrics_table) == (
        "my_sessions",
        "my_sessions_runs",  # Agno's rule: a custom session table gets its own runs table
        "my memories",
        "agno_metrics",
    )
    assert db.to_dict()["eval_table"] == "evals" and db.to_dict()["type"] == "sqlite"
    assert db.to_dict()["db_file"] == str(path) and db.to_dict()["id"] == db.id
    await db.upsert_session({"session_id": "s"})
    await db.add_run({"session_id": "s", "run_data": {"run_id": "r"}})
    await db.upsert_memory({"memory": "m", "topics": ["t"]})
    assert len(await db.get_runs("s", last=1)) == 1
    assert await db.get_all_memory_topics() == ["t"]
    await db.close()
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {
        "my_sessions",
        "my_sessions_runs",
        "my memories",
        "agno_metrics",
        "agno_schema_versions",
    }
    indexes = {
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    }
    assert "idx_my_sessions_runs_session_id_run_index" in indexes and "idx_my memories_user_id" in indexes
    fk = conn.execute("PRAGMA foreign_key_list(my_sessions_runs)").fetchone()
    assert fk[2] == "my_sessions"
    assert SqliteDb(db_file="x.db", session_table="s", runs_table="r").runs_table == "r"


def test_repr_and_lazy_package_attributes() -> None:
    import brisk.db

    assert brisk.db.SqliteDb is SqliteDb
    assert brisk.db.InMemoryDb.__name__ == "InMemoryDb"
    with pytest.raises(AttributeError):
        brisk.db.NoSuchDb  # noqa: B018
    assert "x.db" in repr(SqliteDb(db_file="x.db"))


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = "import sys, brisk.db; print(any(m.startswith('brisk.db.sqlite') for m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    assert out.stdout.strip() == "False"


# -- engine edge cases ----------------------------------------------------------------------------
async def test_legacy_run_without_index_gets_one_on_update(tmp_path: Path) -> None:
    path = tmp_path / "legacy.db"
    db = SqliteDb(db_file=str(path))
    await db.add_run({"session_id": "s", "run_data": {"run_id": "r0", "agent_id": "a"}})
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO agno_runs (run_id, session_id, run_type, run_data, created_at, updated_at) "
        "VALUES ('old', 's', 'agent', '{\"run_id\": \"old\"}', 1, NULL)"
    )
    conn.commit()
    assert [r["run_id"] for r in await db.get_runs("s")] == ["old", "r0"]  # NULL index sorts first
    await db.upsert_run(
        {"session_id": "s", "run_data": {"run_id": "old", "agent_id": "a", "status": "COMPLETED"}}
    )
    assert [(r["run_id"], r["run_index"]) for r in await db.get_runs("s")] == [("r0", 0), ("old", 1)]
    await db.close()


async def test_waits_for_another_writer_then_reports_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brisk.db.sqlite import _engine

    monkeypatch.setattr(_engine, "BUSY_TIMEOUT_S", 0.05)
    path = tmp_path / "locked.db"
    db = SqliteDb(db_file=str(path))
    await db.initialize()
    other = sqlite3.connect(path, isolation_level=None)  # e.g. an Agno process writing the same file
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(DbError, match="locked"):
        await db.add_run({"session_id": "s", "run_data": {"run_id": "r0"}})
    other.execute("ROLLBACK")
    await db.add_run({"session_id": "s", "run_data": {"run_id": "r0"}})
    assert len(await db.get_runs("s")) == 1
    await db.close()


async def test_failed_read_leaves_no_open_snapshot(tmp_path: Path) -> None:
    db = SqliteDb(db_file=str(tmp_path / "snap.db"))
    await db.initialize()

    def half_read(conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN")
        conn.execute("SELECT COUNT(*) FROM agno_runs").fetchone()
        conn.execute("SELECT * FROM missing_table")

    with pytest.raises(DbError):
        await db._engine.read(half_read, small=True)
    await db.add_run({"session_id": "s", "run_data": {"run_id": "r0"}})
    assert len(await db.get_runs("s", last=5)) == 1  # same thread, same connection: sees the new commit
    await db.close()


async def test_read_connections_of_finished_threads_are_closed(tmp_path: Path) -> None:
    db = SqliteDb(db_file=str(tmp_path / "threads.db"))
    await db.initialize()
    import threading

    for _ in range(3):  # short-lived threads, like the sync API's
        thread = threading.Thread(target=asyncio.run, args=(db.get_session("x"),))
        thread.start()
        await asyncio.to_thread(thread.join)
    await db.get_session("x")
    alive = [t for t in db._engine._direct if t.is_alive()]
    assert len(db._engine._direct) <= 2 and alive == [threading.current_thread()]
    await db.close()
    assert db._engine._direct == {}


async def test_read_connection_failure_is_a_db_error(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "vanishing"
    db = SqliteDb(db_file=str(folder / "x.db"))
    await db.initialize()
    shutil.rmtree(folder)  # the writer keeps its open file; a new reader cannot open the path
    with pytest.raises(DbError, match="read connection"):
        await asyncio.to_thread(asyncio.run, db.get_session("x"))
    await db.close()


def test_answer_to_a_closed_loop_is_dropped() -> None:
    from brisk.db.sqlite._engine import _post

    loop = asyncio.new_event_loop()
    fut = loop.create_future()
    loop.close()
    _post(loop, [(fut, True, None)])  # no exception: nobody is waiting any more
    assert not fut.done()


async def test_writer_survives_a_broken_transaction(tmp_path: Path) -> None:
    db = SqliteDb(db_file=str(tmp_path / "broken.db"))
    await db.initialize()

    def sabotage(conn: sqlite3.Connection) -> None:
        conn.execute("RELEASE job")  # drops the savepoint the writer wraps every job in
        raise RuntimeError("then fails")

    results = await asyncio.gather(
        db.add_run({"session_id": "s", "run_data": {"run_id": "lost"}}),
        db._engine.write(sabotage),
        return_exceptions=True,
    )
    # The whole transaction was rolled back, and every caller in it was told so.
    assert all(isinstance(r, DbError) for r in results)
    assert await db.get_run("lost") is None
    await db.add_run({"session_id": "s", "run_data": {"run_id": "after"}})
    assert [r["run_id"] for r in await db.get_runs("s")] == ["after"]
    await db.close()
