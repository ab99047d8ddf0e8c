"""Threads and connections behind ``SqliteDb``.

Writes: one writer thread owns the only write connection. Callers put jobs on a queue; the writer drains
whatever has queued up (up to ``MAX_BATCH``), runs the jobs in ONE transaction (each under a savepoint,
so a failing job does not take the others down), commits, and only then resolves each caller's future
through ``loop.call_soon_threadsafe``. So when ``await db.add_run(...)`` returns, the row is committed,
and under load many callers share one commit (and one fsync).

Reads, measured with ``tests/unit/db/bench_sqlite.py`` on the 2-core dev box (the last 3 runs of a
session, ~7 KB of JSON each, read and decoded through SqliteDb): 63 us on the calling thread, 94 us
through a reader thread (queue + ``call_soon_threadsafe``), 111 us through ``loop.run_in_executor``.
The hop costs about half as much again as the read itself, so small bounded reads (one session, one
run, the last few runs) run directly on the caller's thread over a per-thread read connection: WAL
readers never wait for the writer, so this holds the loop only for the read itself. Reads whose cost
grows with the data (lists with counts, whole histories) go to a small pool of reader threads, so they
cannot stall the event loop.

Nothing here belongs to an event loop: every job carries the loop of its caller, so the database can be
used from several loops and threads at once (the sync API runs private loops in worker threads).

An in-memory database exists only inside its one connection, so there every read also goes through
the writer thread.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from brisk.exceptions import DbError

T = TypeVar("T")

MAX_BATCH = 256  # jobs per transaction; bounds how long one commit keeps the first caller waiting
READ_THREADS = 2
BUSY_TIMEOUT_S = 5.0  # another process (e.g. Agno on the same file) may hold the write lock briefly
# FULL: a commit is on disk before the caller continues (power-loss safe), as Agno leaves it; batching
# spreads one fsync over every job of a batch. Measured (tests/unit/db/bench_sqlite.py, 7 KB runs):
# one caller at a time, p50 0.24 ms per add_run with FULL vs 0.08 ms with NORMAL; 100 concurrent
# callers, ~13k writes/s and ~65 us CPU per write either way. The latency is worth the guarantee.
SYNCHRONOUS = "FULL"

Job = tuple[Callable[..., Any] | None, tuple[Any, ...], asyncio.AbstractEventLoop, "asyncio.Future[Any]"]


def _deliver(items: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    # Runs on the caller's loop. A caller that was cancelled meanwhile has a done future: skip it.
    for fut, ok, value in items:
        if fut.done():
            continue
        if ok:
            fut.set_result(value)
        else:
            fut.set_exception(value)


def _post(loop: asyncio.AbstractEventLoop, items: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    try:
        loop.call_soon_threadsafe(_deliver, items)
    except RuntimeError:  # the caller's loop is closed: nobody is waiting for the answer
        pass


class SqliteEngine:
    def __init__(self, path: Path | None, setup: Callable[[sqlite3.Connection], None]) -> None:
        self.path = path  # None: in-memory
        self.label = str(path) if path is not None else ":memory:"
        self._setup = setup
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[Job] | None = None
        self._ready = False
        self._gen = 0  # bumped by close(); per-thread read connections of older generations are stale
        self._read_queue: queue.SimpleQueue[Job] | None = None
        self._local = threading.local()
        self._direct: dict[threading.Thread, sqlite3.Connection] = {}

    # -- connections ------------------------------------------------------------------------------
    def _error(self, what: str, exc: BaseException | str) -> DbError:
        return DbError(f"SQLite database {self.label}: {what}: {exc}")

    def _open_writer(self) -> sqlite3.Connection:
        if self.path is None:
            return sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        path = self.path
        if path.is_dir():
            raise DbError(f"cannot open SQLite database {path}: it is a directory")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DbError(
                f"cannot open SQLite database {path}: cannot create directory {path.parent}: {e.strerror or e}"
            ) from None
        try:
            conn = sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S
            )
            try:
                # The first statement is what touches the file: a non-SQLite file fails here.
                conn.execute("PRAGMA journal_mode=WAL").fetchone()
                conn.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
            except BaseException:
                conn.close()
                raise
        except sqlite3.Error as e:
            raise DbError(f"cannot open SQLite database {path}: {e}") from None
        return conn

    def _open_reader(self) -> sqlite3.Connection:
        assert self.path is not None
        try:
            conn = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S
            )
            conn.execute("PRAGMA query_only=1")
        except sqlite3.Error as e:
            raise self._error("cannot open a read connection", e) from None
        return conn

    # -- writer -----------------------------------------------------------------------------------
    def _ensure_writer(self) -> queue.SimpleQueue[Job]:
        # Called with self._lock held.
        if self._queue is None:
            q: queue.SimpleQueue[Job] = queue.SimpleQueue()
            self._queue = q
            threading.Thread(
                target=self._writer_main, args=(q,), name="brisk-sqlite-writer", daemon=True
            ).start()
        return self._queue

    def _writer_main(self, q: queue.SimpleQueue[Job]) -> None:
        try:
            conn = self._open_writer()
            try:
                self._setup(conn)
            except BaseException:
                conn.close()
                raise
        except BaseException as e:  # noqa: BLE001 - handed to every waiting caller
            err = e if isinstance(e, DbError) else self._error("cannot set up tables", e)
            err = err.with_traceback(None)  # the caller needs the message, not the writer's frames
            with self._lock:
                if self._queue is q:
                    self._queue = None  # the next call starts a new writer and tries again
            self._fail_all(q, err)
            return
        with self._lock:
            if self._queue is q:
                self._ready = True
        try:
            while True:
                batch = [q.get()]
                while len(batch) < MAX_BATCH:
                    try:
                        batch.append(q.get_nowait())
                    except queue.Empty:
                        break
                stop = next((i for i, job in enumerate(batch) if job[0] is None), None)
                work = batch if stop is None else batch[:stop]
                if work:
                    self._run_batch(conn, work)
                if stop is not None:
                    conn.close()
                    _post(batch[stop][2], [(batch[stop][3], True, None)])
                    return
        except BaseException:  # pragma: no cover - a bug in the loop itself; do not leave callers hanging
            conn.close()
            with self._lock:
                if self._queue is q:
                    self._queue = None
                    self._ready = False
            self._fail_all(q, self._error("writer stopped", "internal error"))
            raise

    def _fail_all(self, q: queue.SimpleQueue[Job], err: BaseException) -> None:
        while True:
            try:
                job = q.get_nowait()
            except queue.Empty:
                return
            # A fresh exception per caller: one instance raised in many tasks would pile up tracebacks.
            _post(job[2], [(job[3], job[0] is None, None if job[0] is None else DbError(*err.args))])

    def _run_batch(self, conn: sqlite3.Connection, batch: list[Job]) -> None:
        try:
            results = self._execute(conn, batch)
        except BaseException as e:  # noqa: BLE001 - the transaction itself failed: every job hears of it
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            what = "write failed" if isinstance(e, sqlite3.Error) else "write failed (internal error)"
            results = [(job, False, self._error(what, e)) for job in batch]
        self._send(results)

    def _execute(self, conn: sqlite3.Connection, batch: list[Job]) -> list[tuple[Job, bool, Any]]:
        results: list[tuple[Job, bool, Any]] = []
        conn.execute("BEGIN IMMEDIATE")  # waits up to BUSY_TIMEOUT_S for another process's write
        for job in batch:
            fn, args = job[0], job[1]
            assert fn is not None
            conn.execute("SAVEPOINT job")
            try:
                value = fn(conn, *args)
            except BaseException as e:  # noqa: BLE001 - returned to its caller
                conn.execute("ROLLBACK TO job")
                conn.execute("RELEASE job")
                results.append(
                    (job, False, self._error("write failed", e) if isinstance(e, sqlite3.Error) else e)
                )
            else:
                conn.execute("RELEASE job")
                results.append((job, True, value))
        conn.execute("COMMIT")
        return results

    @staticmethod
    def _send(results: list[tuple[Job, bool, Any]]) -> None:
        # One wake-up per event loop per batch, not one per job.
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], bool, Any]]] = {}
        for job, ok, value in results:
            by_loop.setdefault(job[2], []).append((job[3], ok, value))
        for loop, items in by_loop.items():
            _post(loop, items)

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` in the writer's next transaction; returns after the commit."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[T] = loop.create_future()
        with self._lock:
            self._ensure_writer().put((fn, args, loop, fut))
        return await fut

    async def ready(self) -> None:
        """Open the file and create the tables (once); raises DbError when that is impossible."""
        if not self._ready:
            await self.write(_noop)

    # -- reads ------------------------------------------------------------------------------------
    async def read(self, fn: Callable[..., T], *args: Any, small: bool = False) -> T:
        """Run ``fn(conn, *args)`` on a read connection; ``small`` reads run on the caller's thread."""
        if not self._ready:
            await self.ready()
        if self.path is None:
            return await self.write(fn, *args)
        if small:
            return self._read_here(fn, args)
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[T] = loop.create_future()
        with self._lock:
            if self._read_queue is None:
                self._read_queue = queue.SimpleQueue()
                for i in range(READ_THREADS):
                    threading.Thread(
                        target=self._reader_main,
                        args=(self._read_queue,),
                        name=f"brisk-sqlite-read-{i}",
                        daemon=True,
                    ).start()
            self._read_queue.put((fn, args, loop, fut))
        return await fut

    def _run_read(self, conn: sqlite3.Connection, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        try:
            return fn(conn, *args)
        except sqlite3.Error as e:
            raise self._error("read failed", e) from e
        finally:
            if conn.in_transaction:  # never leave a snapshot open: it would hide later commits
                conn.rollback()

    def _read_here(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is None or local.gen != self._gen:
            conn = self._open_reader()
            me = threading.current_thread()
            with self._lock:
                # Drop connections of threads that have ended (the sync API's short-lived threads).
                for thread in [t for t in self._direct if not t.is_alive()]:
                    self._direct.pop(thread).close()
                self._direct[me] = conn  # close() empties this map, so no older connection of ours is left
                local.conn, local.gen = conn, self._gen
        return self._run_read(conn, fn, args)

    def _reader_main(self, q: queue.SimpleQueue[Job]) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while True:
                fn, args, loop, fut = q.get()
                if fn is None:
                    return
                try:
                    if conn is None:
                        conn = self._open_reader()
                    item = (fut, True, self._run_read(conn, fn, args))
                except BaseException as e:  # noqa: BLE001 - returned to its caller
                    item = (fut, False, e)
                _post(loop, [item])
        finally:
            if conn is not None:
                conn.close()

    # -- shutdown ---------------------------------------------------------------------------------
    async def close(self) -> None:
        with self._lock:
            q, self._queue = self._queue, None
            read_queue, self._read_queue = self._read_queue, None
            direct = list(self._direct.values())
            self._direct.clear()
            self._ready = False
            self._gen += 1
        if read_queue is not None:
            loop = asyncio.get_running_loop()
            for _ in range(READ_THREADS):
                read_queue.put((None, (), loop, loop.create_future()))
        for conn in direct:
            conn.close()
        if q is not None:
            loop = asyncio.get_running_loop()
            fut: asyncio.Future[None] = loop.create_future()
            q.put((None, (), loop, fut))  # queued writes before this one are committed first
            await fut


def _noop(conn: sqlite3.Connection) -> None:
    return None
