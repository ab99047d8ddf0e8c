"""Row shaping shared by the backends (``brisk.db._rows``) and the ``BaseDb`` configuration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from brisk.db import _rows as R
from brisk.db.base import BaseDb
from brisk.db.in_memory import InMemoryDb


class WithToDict:
    def to_dict(self) -> dict[str, Any]:
        return {"kind": "to_dict"}


class PydanticLike:
    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        return {"kind": "model_dump", "mode": mode}


class Point(msgspec.Struct):
    x: int
    y: int


def test_encode_handles_objects_the_run_loop_produces() -> None:
    value = {"a": WithToDict(), "b": PydanticLike(), "c": int, "d": Point(1, 2), "e": frozenset({"z"})}
    assert msgspec.json.decode(R.encode(value)) == {
        "a": {"kind": "to_dict"},
        "b": {"kind": "model_dump", "mode": "json"},
        "c": "<class 'int'>",
        "d": {"x": 1, "y": 2},
        "e": ["z"],
    }
    assert R.encode(None) == "null"
    with pytest.raises(TypeError, match="object"):
        R.encode({"x": object()})


def test_decode_accepts_what_sqlite_returns() -> None:
    assert R.decode(None) is None
    assert R.decode("null") is None
    assert R.decode(b'{"a": 1}') == {"a": 1}
    assert R.decode(42) == 42  # a bare JSON number comes back as a number (NUMERIC affinity)


def test_prepare_run_accepts_objects_and_datetimes() -> None:
    stamp = datetime(2026, 1, 1, tzinfo=UTC)

    class RunOutputLike:
        def to_dict(self) -> dict[str, Any]:
            return {"run_id": "r1", "session_id": "s1", "team_id": "t", "created_at": stamp}

    stored = R.prepare_run({"run_data": RunOutputLike()}, 7)
    assert (stored["run_id"], stored["run_type"], stored["created_at"]) == (
        "r1",
        "team",
        int(stamp.timestamp()),
    )

    class StructRun(msgspec.Struct):
        run_id: str
        session_id: str
        agent_id: str

    stored = R.prepare_run({"run_data": StructRun("r2", "s2", "a"), "created_at": "12"}, 7)
    assert (stored["run_type"], stored["created_at"], stored["updated_at"]) == ("agent", 12, 7)
    with pytest.raises(TypeError, match="run_data must be a dict"):
        R.prepare_run({"run_data": 5}, 7)


def test_paging_and_sorting_rules() -> None:
    assert R.check_paging(None, None) == 0
    assert R.check_paging(None, 3) == 0  # page without limit means nothing
    assert R.check_paging(10, None) == 0
    assert R.check_paging(10, 3) == 20
    assert R.sort_spec("updated_at", "ASC", R.SESSION_SORT, "created_at") == ("updated_at", False)
    assert R.sort_spec("session_data", None, R.SESSION_SORT, "created_at") == ("created_at", True)
    assert R.sort_spec(None, "sideways", R.MEMORY_SORT, "updated_at") == ("updated_at", True)


def test_base_db_table_names_and_keywords() -> None:
    db = InMemoryDb(id="fixed")
    assert db.id == "fixed"
    assert db.to_dict()["session_table"] == "agno_sessions"
    assert db.to_dict()["traces_table"] == "agno_traces"
    assert db.trace_table_name == "agno_traces" and db.versions_table_name == "agno_schema_versions"

    class Minimal(InMemoryDb):
        def __init__(self, **tables: Any) -> None:
            BaseDb.__init__(self, id="m", **tables)

    assert Minimal(session_table="x").runs_table == "x_runs"
    with pytest.raises(TypeError, match="nonsense"):
        Minimal(nonsense="y")


async def test_in_memory_initialize_is_a_no_op() -> None:
    db = InMemoryDb()
    await db.initialize()
    assert await db.get_sessions() == ([], 0)
