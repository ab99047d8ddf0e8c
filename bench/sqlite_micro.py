"""Measurements behind SqliteDb's threading choices (not a test; pytest does not collect it).

    .venv/bin/python tests/unit/db/bench_sqlite.py

Reads: the last 3 runs of a session (~7 KB of JSON each, Agno's reference run), read and decoded,
(a) on the calling thread, (b) through a SqliteDb reader thread, (c) through ``loop.run_in_executor``.
Writes: ``add_run`` of that run, one caller at a time and from 100 concurrent callers, with
``PRAGMA synchronous`` FULL and NORMAL. Prints wall and CPU time per operation.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from brisk.db.sqlite import SqliteDb, _engine
from brisk.db.sqlite.sqlite import _fetch_runs

REFERENCE = Path(__file__).resolve().parent.parent / "contracts/reference/agno-3.1.10/sqlite-session-row.json"
N = 5_000


def reference_run() -> dict[str, Any]:
    if REFERENCE.exists():
        return json.loads(REFERENCE.read_text())["agno_runs_rows"][1]["run_data"]
    return {"agent_id": "a", "status": "COMPLETED", "content": "x" * 7_000}


async def timed(label: str, n: int, make: Any) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        await make(i)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  {label:<34} wall {wall / n * 1e6:7.1f} us   cpu {cpu / n * 1e6:7.1f} us")


async def bench_reads(folder: str) -> None:
    db = SqliteDb(db_file=f"{folder}/reads.db")
    run = reference_run()
    await asyncio.gather(
        *(
            db.add_run({"session_id": f"s{i % 100}", "run_data": {**run, "run_id": f"r{i}"}})
            for i in range(2_000)
        )
    )
    engine = db._engine
    sql = (
        db._sql["run_cols"]
        + " WHERE session_id = ? ORDER BY run_index DESC, created_at DESC, run_id DESC LIMIT 3"
    )
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(2)
    print("reads: last 3 runs, decoded")
    await timed(
        "on the calling thread",
        N,
        lambda i: engine.read(_fetch_runs, sql, (f"s{i % 100}",), True, small=True),
    )
    await timed("via a reader thread", N, lambda i: engine.read(_fetch_runs, sql, (f"s{i % 100}",), True))

    def in_executor(i: int) -> Any:
        return engine._read_here(_fetch_runs, (sql, (f"s{i % 100}",), True))

    await timed("via loop.run_in_executor", N, lambda i: loop.run_in_executor(pool, in_executor, i))
    pool.shutdown()
    await db.close()


async def bench_writes(folder: str, synchronous: str) -> None:
    _engine.SYNCHRONOUS = synchronous
    db = SqliteDb(db_file=f"{folder}/writes-{synchronous}.db")
    run = reference_run()
    await db.initialize()
    latencies: list[float] = []
    cpu = time.process_time()
    for i in range(500):
        start = time.perf_counter()
        await db.add_run({"session_id": "seq", "run_data": {**run, "run_id": f"seq{i}"}})
        latencies.append(time.perf_counter() - start)
    cpu = time.process_time() - cpu
    print(
        f"writes, synchronous={synchronous}, one at a time: p50 {statistics.median(latencies) * 1e3:.2f} ms, "
        f"p95 {sorted(latencies)[475] * 1e3:.2f} ms, cpu {cpu / 500 * 1e6:.0f} us/write"
    )
    latencies.clear()

    async def user(k: int) -> None:
        for j in range(50):
            start = time.perf_counter()
            await db.add_run({"session_id": f"c{k}", "run_data": {**run, "run_id": f"c{k}-{j}"}})
            latencies.append(time.perf_counter() - start)

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(user(k) for k in range(100)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"writes, synchronous={synchronous}, 100 concurrent: {5_000 / wall:,.0f}/s, "
        f"p50 {statistics.median(latencies) * 1e3:.2f} ms, p95 {sorted(latencies)[4_750] * 1e3:.2f} ms, "
        f"cpu {cpu / 5_000 * 1e6:.0f} us/write"
    )
    await db.close()


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        await bench_reads(folder)
        for synchronous in ("FULL", "NORMAL"):
            await bench_writes(folder, synchronous)


if __name__ == "__main__":
    asyncio.run(main())
