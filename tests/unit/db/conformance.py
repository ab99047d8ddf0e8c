"""The storage conformance suite: one specification every ``BaseDb`` backend must pass.

The ``db`` fixture is parametrized over ``BACKENDS``; a new backend (PostgresDb, ...) joins by adding a
factory there. ``test_conformance.py`` imports this module so pytest collects it.

Timestamps: ``brisk.db._rows.now`` is the only clock the backends read, so the ``clock`` fixture
replaces it with a counter and the tests can assert exact ``created_at``/``updated_at`` values.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from brisk.db import BaseDb, SessionType
from brisk.db import _rows as rows_module
from brisk.db.in_memory import InMemoryDb
from brisk.db.sqlite import SqliteDb
from brisk.utils.aio import run_sync

BACKENDS: dict[str, Callable[[Path], BaseDb]] = {
    "sqlite-file": lambda tmp: SqliteDb(db_file=str(tmp / "conformance.db")),
    "sqlite-memory": lambda tmp: SqliteDb(db_url="sqlite://"),
    "in-memory": lambda tmp: InMemoryDb(),
}


@pytest.fixture(params=sorted(BACKENDS))
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BaseDb]:
    backend = BACKENDS[request.param](tmp_path)
    yield backend
    await backend.close()


class Clock:
    def __init__(self, start: int = 1_000) -> None:
        self.value = start

    def __call__(self) -> int:
        return self.value

    def tick(self, seconds: int = 1) -> int:
        self.value += seconds
        return self.value


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(rows_module, "now", fake)
    return fake


def session_row(session_id: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"session_id": session_id, "session_type": "agent", "agent_id": "agent-1"}
    row.update(extra)
    return row


def run_row(session_id: str, run_id: str, *, status: str = "COMPLETED", **data: Any) -> dict[str, Any]:
    run_data = {"run_id": run_id, "session_id": session_id, "agent_id": "agent-1", "status": status, **data}
    return {"session_id": session_id, "run_data": run_data}


# -- sessions -------------------------------------------------------------------------------------
async def test_session_round_trip(db: BaseDb, clock: Clock) -> None:
    row = session_row(
        "s1",
        user_id="u1",
        session_data={"session_state": {"cart": ["tea", 2, 3.5, None]}, "session_name": "Zürich ☕"},
        agent_data={"name": "Bench Agent", "model": {"id": "gpt-4o-mini"}},
        metadata={"tier": "gold"},
        created_at=500,
    )
    assert await db.upsert_session(row) is True
    got = await db.get_session("s1")
    assert got == {
        "session_id": "s1",
        "session_type": "agent",
        "agent_id": "agent-1",
        "team_id": None,
        "workflow_id": None,
        "user_id": "u1",
        "session_data": row["session_data"],
        "agent_data": row["agent_data"],
        "team_data": None,
        "workflow_data": None,
        "metadata": {"tier": "gold"},
        "summary": None,
        "created_at": 500,
        "updated_at": 1_000,
    }
    assert await db.get_session("missing") is None


async def test_session_created_at_defaults_to_now(db: BaseDb, clock: Clock) -> None:
    await db.upsert_session(session_row("s1", session_type=SessionType.TEAM, team_id="t1"))
    got = await db.get_session("s1")
    assert got is not None
    assert (got["session_type"], got["created_at"], got["updated_at"]) == ("team", 1_000, 1_000)


async def test_session_update_keeps_created_at_and_sets_updated_at(db: BaseDb, clock: Clock) -> None:
    await db.upsert_session(session_row("s1", session_data={"session_state": {"n": 1}}))
    clock.tick(30)
    await db.upsert_session(session_row("s1", session_data={"session_state": {"n": 2}}, created_at=99_999))
    got = await db.get_session("s1")
    assert got is not None
    assert got["created_at"] == 1_000
    assert got["updated_at"] == 1_030
    assert got["session_data"] == {"session_state": {"n": 2}}


async def test_session_owned_by_another_user_is_not_overwritten(db: BaseDb) -> None:
    await db.upsert_session(session_row("s1", user_id="alice", session_data={"v": 1}))
    assert await db.upsert_session(session_row("s1", user_id="bob", session_data={"v": 2})) is False
    assert await db.upsert_session(session_row("s1", session_data={"v": 3})) is False
    got = await db.get_session("s1")
    assert got is not None and got["session_data"] == {"v": 1} and got["user_id"] == "alice"
    assert await db.upsert_session(session_row("s1", user_id="alice", session_data={"v": 4})) is True
    # A session without an owner can be claimed.
    await db.upsert_session(session_row("s2"))
    assert await db.upsert_session(session_row("s2", user_id="bob")) is True
    claimed = await db.get_session("s2")
    assert claimed is not None and claimed["user_id"] == "bob"


async def test_get_session_filters_by_type_and_user(db: BaseDb) -> None:
    await db.upsert_session(session_row("s1", user_id="u1"))
    assert await db.get_session("s1", session_type="agent") is not None
    assert await db.get_session("s1", session_type=SessionType.AGENT, user_id="u1") is not None
    assert await db.get_session("s1", session_type="team") is None
    assert await db.get_session("s1", user_id="u2") is None
    with pytest.raises(ValueError):
        await db.get_session("s1", session_type="robot")


async def test_session_row_needs_id_and_known_type(db: BaseDb) -> None:
    with pytest.raises(ValueError):
        await db.upsert_session({"session_type": "agent"})
    with pytest.raises(ValueError):
        await db.upsert_session({"session_id": "x", "session_type": "robot"})


async def test_get_sessions_filters(db: BaseDb) -> None:
    await db.upsert_session(
        session_row("a1", agent_id="shared", user_id="u1", session_data={"session_name": "Trip to Rome"})
    )
    await db.upsert_session(
        session_row("a2", agent_id="other", user_id="u2", session_data={"session_name": "100% done"})
    )
    await db.upsert_session(
        {"session_id": "t1", "session_type": "team", "team_id": "shared", "user_id": "u1"}
    )
    await db.upsert_session(
        {
            "session_id": "w1",
            "session_type": "workflow",
            "workflow_id": "wf",
            "session_data": {"session_name": "a_b"},
        }
    )

    async def ids(**filters: Any) -> list[str]:
        found, total = await db.get_sessions(limit=None, sort_order="asc", **filters)
        assert total == len(found)
        return sorted(r["session_id"] for r in found)

    assert await ids() == ["a1", "a2", "t1", "w1"]
    assert await ids(session_type="agent") == ["a1", "a2"]
    assert await ids(session_type=SessionType.WORKFLOW) == ["w1"]
    assert await ids(component_id="shared") == ["a1", "t1"]
    assert await ids(component_id="shared", session_type="team") == ["t1"]
    assert await ids(component_id="shared", session_type="workflow") == []
    assert await ids(user_id="u1") == ["a1", "t1"]
    assert await ids(session_name="rome") == ["a1"]
    assert await ids(session_name="TRIP TO") == ["a1"]
    # LIKE wildcards in the search text are literal.
    assert await ids(session_name="%") == ["a2"]
    assert await ids(session_name="_") == ["w1"]
    assert await ids(session_name="zzz") == []


async def test_get_sessions_paging_and_sorting(db: BaseDb, clock: Clock) -> None:
    for i in range(25):
        await db.upsert_session(session_row(f"s{i:02d}", created_at=100 + i))
    page1, total = await db.get_sessions()
    assert total == 25
    assert [r["session_id"] for r in page1] == [f"s{i:02d}" for i in range(24, 4, -1)]
    page2, total = await db.get_sessions(page=2)
    assert total == 25 and [r["session_id"] for r in page2] == [f"s{i:02d}" for i in range(4, -1, -1)]
    page3, total = await db.get_sessions(page=3)
    assert page3 == [] and total == 25
    ascending, _ = await db.get_sessions(limit=3, page=2, sort_order="asc")
    assert [r["session_id"] for r in ascending] == ["s03", "s04", "s05"]
    everything, _ = await db.get_sessions(limit=None)
    assert len(everything) == 25
    zero, total = await db.get_sessions(limit=0)
    assert zero == [] and total == 25
    # Unknown sort columns fall back to created_at (and never reach SQL).
    fallback, _ = await db.get_sessions(limit=2, sort_by="session_data; DROP TABLE x")
    assert [r["session_id"] for r in fallback] == ["s24", "s23"]
    # updated_at: touch two sessions later, they come first.
    clock.tick(10)
    await db.upsert_session(session_row("s03"))
    clock.tick(10)
    await db.upsert_session(session_row("s07"))
    recent, _ = await db.get_sessions(limit=3, sort_by="updated_at")
    # the untouched ones share one updated_at: they follow in insertion order (as Agno lists them)
    assert [r["session_id"] for r in recent] == ["s07", "s03", "s00"]
    with pytest.raises(ValueError):
        await db.get_sessions(page=0)
    with pytest.raises(ValueError):
        await db.get_sessions(limit=-1)


async def test_rename_session(db: BaseDb, clock: Clock) -> None:
    await db.upsert_session(session_row("s1", user_id="u1", session_data={"session_state": {"k": "v"}}))
    clock.tick(5)
    renamed = await db.rename_session("s1", "Holiday plans")
    assert renamed is not None
    assert renamed["session_data"] == {"session_state": {"k": "v"}, "session_name": "Holiday plans"}
    assert renamed["updated_at"] == 1_005 and renamed["created_at"] == 1_000
    assert await db.get_session("s1") == renamed
    assert await db.rename_session("missing", "x") is None
    assert await db.rename_session("s1", "x", user_id="intruder") is None
    # A session stored without session_data gets one.
    await db.upsert_session(session_row("s2"))
    named = await db.rename_session("s2", "Second")
    assert named is not None and named["session_data"] == {"session_name": "Second"}


async def test_delete_session_removes_its_runs(db: BaseDb) -> None:
    await db.upsert_session(session_row("s1", user_id="u1"))
    await db.upsert_session(session_row("s2"))
    for i in range(3):
        await db.add_run(run_row("s1", f"r{i}"))
    await db.add_run(run_row("s2", "keep"))
    assert await db.delete_session("s1", user_id="someone-else") is False
    assert len(await db.get_runs("s1")) == 3
    assert await db.delete_session("s1") is True
    assert await db.get_session("s1") is None
    assert await db.get_runs("s1") == []
    assert await db.get_run("r0") is None
    assert [r["run_id"] for r in await db.get_runs("s2")] == ["keep"]
    assert await db.delete_session("s1") is False


async def test_delete_sessions(db: BaseDb) -> None:
    for sid, user in (("a", "u1"), ("b", "u2"), ("c", "u1")):
        await db.upsert_session(session_row(sid, user_id=user))
        await db.add_run(run_row(sid, f"run-{sid}"))
    await db.delete_sessions(["a", "b", "missing"], user_id="u1")
    # same created_at: insertion order
    assert [r["session_id"] for r in (await db.get_sessions(limit=None))[0]] == ["b", "c"]
    assert await db.get_run("run-a") is None and await db.get_run("run-b") is not None
    await db.delete_sessions(["b", "c"])
    assert (await db.get_sessions())[1] == 0
    assert await db.get_runs("b") == [] and await db.get_runs("c") == []
    await db.delete_sessions([])


# -- runs -----------------------------------------------------------------------------------------
async def test_add_run_assigns_run_index_and_derives_columns(db: BaseDb, clock: Clock) -> None:
    await db.upsert_session(session_row("s1", user_id="u1"))
    for i in range(5):
        await db.add_run(run_row("s1", f"r{i}", user_id="u1", created_at=2_000 + i, content=f"answer {i}"))
    runs = await db.get_runs("s1")
    assert [(r["run_id"], r["run_index"]) for r in runs] == [(f"r{i}", i) for i in range(5)]
    first = runs[0]
    assert {k: v for k, v in first.items() if k != "run_data"} == {
        "run_id": "r0",
        "session_id": "s1",
        "run_type": "agent",
        "agent_id": "agent-1",
        "team_id": None,
        "workflow_id": None,
        "user_id": "u1",
        "parent_run_id": None,
        "status": "COMPLETED",
        "run_index": 0,
        "created_at": 2_000,
        "updated_at": 1_000,
    }
    assert first["run_data"] == {
        "run_id": "r0",
        "session_id": "s1",
        "agent_id": "agent-1",
        "status": "COMPLETED",
        "user_id": "u1",
        "created_at": 2_000,
        "content": "answer 0",
    }
    # Indexes are per session.
    await db.add_run(run_row("s2", "other"))
    assert (await db.get_runs("s2"))[0]["run_index"] == 0


async def test_run_types_follow_run_data(db: BaseDb) -> None:
    await db.add_run(
        {"session_id": "s", "run_data": {"run_id": "t", "team_id": "team-1", "status": "COMPLETED"}}
    )
    await db.add_run(
        {"session_id": "s", "run_data": {"run_id": "w", "workflow_id": "wf", "status": "COMPLETED"}}
    )
    await db.add_run({"session_id": "s", "run_type": "team", "run_data": {"run_id": "x", "agent_name": "A"}})
    kinds = {r["run_id"]: (r["run_type"], r["team_id"], r["workflow_id"]) for r in await db.get_runs("s")}
    assert kinds == {"t": ("team", "team-1", None), "w": ("workflow", None, "wf"), "x": ("team", None, None)}


async def test_get_runs_last_returns_newest_in_chronological_order(db: BaseDb) -> None:
    for i in range(10):
        await db.add_run(run_row("s1", f"r{i}"))
    assert [r["run_id"] for r in await db.get_runs("s1", last=3)] == ["r7", "r8", "r9"]
    assert [r["run_index"] for r in await db.get_runs("s1", last=3)] == [7, 8, 9]
    assert await db.get_runs("s1", last=0) == []
    assert len(await db.get_runs("s1", last=100)) == 10
    assert len(await db.get_runs("s1", last=60)) == 10  # past the small-read threshold
    assert await db.get_runs("nobody", last=3) == []
    with pytest.raises(ValueError):
        await db.get_runs("s1", last=-1)


async def test_get_runs_status_and_member_filters(db: BaseDb) -> None:
    statuses = ["COMPLETED", "ERROR", "COMPLETED", "CANCELLED", "PAUSED", "COMPLETED", "COMPLETED"]
    for i, status in enumerate(statuses):
        await db.add_run(run_row("s1", f"r{i}", status=status))
    await db.add_run(run_row("s1", "member", parent_run_id="r6"))
    completed = await db.get_runs("s1", statuses=["COMPLETED"])
    assert [r["run_id"] for r in completed] == ["r0", "r2", "r5", "r6", "member"]
    assert [r["run_id"] for r in await db.get_runs("s1", statuses=["COMPLETED"], last=2)] == ["r6", "member"]
    top = await db.get_runs("s1", statuses=["COMPLETED"], last=2, top_level_only=True)
    assert [r["run_id"] for r in top] == ["r5", "r6"]
    assert [r["run_id"] for r in await db.get_runs("s1", statuses=["ERROR", "PAUSED"])] == ["r1", "r4"]
    assert await db.get_runs("s1", statuses=[]) == []


async def test_upsert_run_updates_in_place(db: BaseDb, clock: Clock) -> None:
    await db.add_run(run_row("s1", "r0"))
    await db.add_run(run_row("s1", "r1", status="RUNNING", created_at=1_500))
    await db.add_run(run_row("s1", "r2"))
    clock.tick(60)
    await db.upsert_run(
        run_row("s1", "r1", status="PAUSED", created_at=1_500, tools=[{"name": "get_weather"}])
    )
    run = await db.get_run("r1")
    assert run is not None
    assert (run["status"], run["run_index"], run["created_at"], run["updated_at"]) == (
        "PAUSED",
        1,
        1_500,
        1_060,
    )
    assert run["run_data"]["tools"] == [{"name": "get_weather"}]
    assert [r["run_id"] for r in await db.get_runs("s1")] == ["r0", "r1", "r2"]
    # A new run through upsert_run is appended; an explicit index is honoured.
    await db.upsert_run(run_row("s1", "r3"))
    await db.upsert_run({**run_row("s1", "imported"), "run_index": 40})
    indexes = [(r["run_id"], r["run_index"]) for r in await db.get_runs("s1")]
    assert indexes == [("r0", 0), ("r1", 1), ("r2", 2), ("r3", 3), ("imported", 40)]
    await db.add_run(run_row("s1", "next"))
    assert (await db.get_run("next"))["run_index"] == 41  # type: ignore[index]


async def test_upsert_run_keeps_user_when_update_has_none(db: BaseDb) -> None:
    await db.add_run({**run_row("s1", "r0"), "user_id": "u1"})
    await db.upsert_run(run_row("s1", "r0", status="CANCELLED"))
    run = await db.get_run("r0")
    assert run is not None and run["user_id"] == "u1" and run["status"] == "CANCELLED"
    await db.upsert_run({**run_row("s1", "r0", parent_run_id="team-run"), "status": None, "user_id": "u2"})
    run = await db.get_run("r0")
    assert run is not None and (run["user_id"], run["parent_run_id"]) == ("u2", "team-run")


async def test_get_run(db: BaseDb) -> None:
    await db.add_run(run_row("s1", "r0"))
    assert (await db.get_run("r0"))["session_id"] == "s1"  # type: ignore[index]
    assert await db.get_run("r0", session_id="s1") is not None
    assert await db.get_run("r0", session_id="s2") is None
    assert await db.get_run("nope") is None


async def test_run_rows_are_validated(db: BaseDb) -> None:
    with pytest.raises(ValueError):
        await db.add_run({"session_id": "s1"})
    with pytest.raises(ValueError):
        await db.add_run({"session_id": "s1", "run_data": {"agent_id": "a"}})
    with pytest.raises(ValueError):
        await db.add_run({"run_data": {"run_id": "r"}})
    with pytest.raises(TypeError):
        await db.add_run({"session_id": "s1", "run_data": {"run_id": "r", "x": object()}})


async def test_storage_is_not_aliased_with_callers(db: BaseDb) -> None:
    row = run_row("s1", "r0", messages=[{"role": "user", "content": "hi"}])
    await db.add_run(row)
    row["run_data"]["messages"].append({"role": "assistant", "content": "changed after the write"})
    read = await db.get_run("r0")
    assert read is not None and len(read["run_data"]["messages"]) == 1
    read["run_data"]["messages"].clear()
    again = await db.get_run("r0")
    assert again is not None and len(again["run_data"]["messages"]) == 1

    session = session_row("s1", session_data={"session_state": {"items": [1]}})
    await db.upsert_session(session)
    session["session_data"]["session_state"]["items"].append(2)
    got = await db.get_session("s1")
    assert got is not None and got["session_data"] == {"session_state": {"items": [1]}}
    got["session_data"]["session_state"]["items"].append(3)
    assert (await db.get_session("s1"))["session_data"] == {"session_state": {"items": [1]}}  # type: ignore[index]


async def test_json_values_round_trip_like_json(db: BaseDb) -> None:
    from datetime import UTC, datetime
    from enum import StrEnum

    class Colour(StrEnum):
        RED = "red"

    data = {
        "run_id": "r0",
        "agent_id": "a",
        "tuple": (1, 2),
        "when": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "colour": Colour.RED,
        "tags": {"only"},
        "nested": {"float": 0.1, "big": 2**53, "unicode": "naïve ✓", "none": None},
    }
    await db.add_run({"session_id": "s", "run_data": data})
    stored = (await db.get_run("r0"))["run_data"]  # type: ignore[index]
    assert stored["tuple"] == [1, 2]
    assert stored["when"].startswith("2026-01-02T03:04:05")
    assert stored["colour"] == "red" and stored["tags"] == ["only"]
    assert stored["nested"] == data["nested"]


# -- memories -------------------------------------------------------------------------------------
async def test_memory_crud(db: BaseDb, clock: Clock) -> None:
    created = await db.upsert_memory({"memory": "Likes green tea", "topics": ["drinks"], "user_id": "u1"})
    memory_id = created["memory_id"]
    assert isinstance(memory_id, str) and len(memory_id) == 36
    assert created == {
        "memory_id": memory_id,
        "memory": "Likes green tea",
        "input": None,
        "agent_id": None,
        "team_id": None,
        "user_id": "u1",
        "topics": ["drinks"],
        "feedback": None,
        "created_at": 1_000,
        "updated_at": 1_000,
    }
    assert await db.get_memory(memory_id) == created
    assert await db.get_memory(memory_id, user_id="u1") == created
    assert await db.get_memory(memory_id, user_id="u2") is None
    clock.tick(50)
    updated = await db.upsert_memory(
        {
            "memory_id": memory_id,
            "memory": "Likes oolong",
            "topics": ["drinks", "tea"],
            "user_id": "u1",
            "input": "q",
        }
    )
    assert (updated["memory"], updated["topics"], updated["input"]) == (
        "Likes oolong",
        ["drinks", "tea"],
        "q",
    )
    assert (updated["created_at"], updated["updated_at"]) == (1_000, 1_050)
    assert await db.get_memory(memory_id) == updated
    assert await db.delete_memory(memory_id, user_id="u2") is False
    assert await db.delete_memory(memory_id) is True
    assert await db.get_memory(memory_id) is None
    assert await db.delete_memory(memory_id) is False
    with pytest.raises(ValueError):
        await db.upsert_memory({"topics": ["x"]})


async def test_memory_without_topics(db: BaseDb) -> None:
    created = await db.upsert_memory({"memory_id": "m1", "memory": {"fact": "structured"}, "user_id": "u"})
    assert created["topics"] is None and created["memory"] == {"fact": "structured"}
    assert await db.get_all_memory_topics() == []


async def test_get_memories_filters_and_paging(db: BaseDb) -> None:
    specs = [
        ("m1", "u1", "agent-a", None, ["Food", "travel"], "Loves Italian FOOD"),
        ("m2", "u1", "agent-b", None, ["food"], "Vegetarian"),
        ("m3", "u2", None, "team-x", ["work"], "Works 100% remote"),
        ("m4", None, None, None, None, "Anonymous note"),
    ]
    for i, (mid, user, agent, team, topics, text) in enumerate(specs):
        await db.upsert_memory(
            {
                "memory_id": mid,
                "user_id": user,
                "agent_id": agent,
                "team_id": team,
                "topics": topics,
                "memory": text,
                "created_at": 10 + i,
            }
        )

    async def ids(**filters: Any) -> list[str]:
        found, total = await db.get_memories(**filters)
        assert total == len(found) or "limit" in filters
        return [m["memory_id"] for m in found]

    assert await ids() == ["m4", "m3", "m2", "m1"]  # updated_at desc
    assert await ids(sort_order="asc") == ["m1", "m2", "m3", "m4"]
    assert await ids(sort_by="memory_id", sort_order="asc") == ["m1", "m2", "m3", "m4"]
    assert await ids(user_id="u1") == ["m2", "m1"]
    assert await ids(agent_id="agent-a") == ["m1"]
    assert await ids(team_id="team-x") == ["m3"]
    assert await ids(topics=["food"]) == ["m2", "m1"]
    assert await ids(topics=["FOOD", "travel"]) == ["m1"]
    assert await ids(topics=["missing"]) == []
    assert await ids(search_content="italian food") == ["m1"]
    assert await ids(search_content="%") == ["m3"]
    assert await ids(search_content="note", user_id="u1") == []
    page, total = await db.get_memories(limit=2, page=2)
    assert [m["memory_id"] for m in page] == ["m2", "m1"] and total == 4
    with pytest.raises(ValueError):
        await db.get_memories(page=0, limit=1)


async def test_delete_memories(db: BaseDb) -> None:
    for mid, user in (("m1", "u1"), ("m2", "u2"), ("m3", "u1")):
        await db.upsert_memory({"memory_id": mid, "memory": mid, "user_id": user})
    await db.delete_memories(["m1", "m2"], user_id="u1")
    assert [m["memory_id"] for m in (await db.get_memories(sort_by="memory_id", sort_order="asc"))[0]] == [
        "m2",
        "m3",
    ]
    await db.delete_memories(["m2", "m3"])
    assert (await db.get_memories())[1] == 0
    await db.delete_memories([])


async def test_memory_topics(db: BaseDb) -> None:
    await db.upsert_memory({"memory": "a", "topics": ["travel", "food"], "user_id": "u1"})
    await db.upsert_memory({"memory": "b", "topics": ["food", "Work"], "user_id": "u2"})
    await db.upsert_memory({"memory": "c", "user_id": "u2"})
    assert await db.get_all_memory_topics() == ["Work", "food", "travel"]
    assert await db.get_all_memory_topics(user_id="u1") == ["food", "travel"]
    assert await db.get_all_memory_topics(user_id="nobody") == []


async def test_user_memory_stats(db: BaseDb, clock: Clock) -> None:
    for user, count in (("u1", 3), ("u2", 1), (None, 2), ("u3", 2)):
        for i in range(count):
            clock.tick()
            await db.upsert_memory({"memory": f"{user}-{i}", "user_id": user})
    stats, total = await db.get_user_memory_stats()
    assert total == 3
    assert stats == [
        {"user_id": "u3", "total_memories": 2, "last_memory_updated_at": 1_008},
        {"user_id": "u2", "total_memories": 1, "last_memory_updated_at": 1_004},
        {"user_id": "u1", "total_memories": 3, "last_memory_updated_at": 1_003},
    ]
    page, total = await db.get_user_memory_stats(limit=1, page=2)
    assert [s["user_id"] for s in page] == ["u2"] and total == 3
    only, total = await db.get_user_memory_stats(user_id="u1")
    assert [s["user_id"] for s in only] == ["u1"] and total == 1


# -- concurrency ----------------------------------------------------------------------------------
async def test_concurrent_add_run_all_land_with_unique_indexes(db: BaseDb) -> None:
    await db.upsert_session(session_row("busy"))
    await asyncio.gather(*(db.add_run(run_row("busy", f"r{i:03d}")) for i in range(200)))
    runs = await db.get_runs("busy")
    assert len(runs) == 200
    assert sorted(r["run_index"] for r in runs) == list(range(200))
    assert {r["run_id"] for r in runs} == {f"r{i:03d}" for i in range(200)}


async def test_usable_from_several_threads_and_loops(db: BaseDb) -> None:
    await db.upsert_session(session_row("shared"))
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        async def go() -> None:
            for i in range(25):
                await db.add_run(run_row("shared", f"t{n}-{i}"))
                assert await db.get_run(f"t{n}-{i}") is not None

        try:
            asyncio.run(go())
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    await asyncio.gather(*(db.add_run(run_row("shared", f"main-{i}")) for i in range(25)))
    for t in threads:
        await asyncio.to_thread(t.join)
    assert errors == []
    # The sync wrapper runs the coroutine on a private loop in a worker thread.
    run_sync(db.add_run(run_row("shared", "from-sync")))
    runs = await db.get_runs("shared")
    assert len(runs) == 4 * 25 + 25 + 1
    assert sorted(r["run_index"] for r in runs) == list(range(len(runs)))


async def test_close_then_reuse(db: BaseDb) -> None:
    await db.upsert_session(session_row("s1"))
    await db.close()
    await db.close()
    await db.add_run(run_row("s1", "after-close"))
    assert [r["run_id"] for r in await db.get_runs("s1")] == ["after-close"]


async def test_save_run_stores_session_and_run_together(db: BaseDb) -> None:
    assert await db.save_run(session_row("sr", user_id="u"), run_row("sr", "r1")) is True
    assert (await db.get_session("sr"))["user_id"] == "u"
    assert [r["run_id"] for r in await db.get_runs("sr")] == ["r1"]
    # a second save of the same run (pause, then completion) keeps one row and its index
    await db.save_run(session_row("sr", user_id="u"), run_row("sr", "r1", status="PAUSED"))
    await db.save_run(session_row("sr", user_id="u"), run_row("sr", "r2"))
    runs = await db.get_runs("sr")
    assert [(r["run_id"], r["run_index"], r["status"]) for r in runs] == [
        ("r1", 0, "PAUSED"),
        ("r2", 1, "COMPLETED"),
    ]
    # a session owned by another user is not taken over
    assert await db.save_run(session_row("sr", user_id="other"), run_row("sr", "r3")) is False


async def test_get_runs_first_returns_the_oldest(db: BaseDb) -> None:
    await db.upsert_session(session_row("fw"))
    for i in range(5):
        await db.add_run(run_row("fw", f"r{i}"))
    assert [r["run_id"] for r in await db.get_runs("fw", first=2)] == ["r0", "r1"]
    assert await db.get_runs("fw", first=0) == []
    with pytest.raises(ValueError):
        await db.get_runs("fw", first=1, last=1)
    with pytest.raises(ValueError):
        await db.get_runs("fw", first=-1)


async def test_sessions_with_equal_timestamps_keep_insertion_order(db: BaseDb) -> None:
    for sid in ("m", "z", "a"):
        await db.upsert_session(session_row(sid, created_at=500))
    for order in ("desc", "asc"):
        rows, _ = await db.get_sessions(sort_order=order)
        assert [r["session_id"] for r in rows] == ["m", "z", "a"]
