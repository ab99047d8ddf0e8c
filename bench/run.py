"""Brisk vs Agno 3.1.10 AgentOS under N concurrent streaming users: ``make bench`` / ``make bench-sweep``.

``python -m bench.run [--only brisk|agno] [--users N] [--duration S] [--sweep [50,100,200,400]]``

For each system, one after the other (Agno first), on the same ports and settings: a fresh mock LLM,
the same AgentOS app (``bench/os_app.py``; Brisk's copy has ``agno.`` -> ``brisk.``) on a fresh SQLite
file, a few idle seconds, then the load generator for ``duration`` seconds, a few idle seconds again,
and the server is stopped. A sampler thread records RSS and CPU of the server tree, the mock and the
load generator every 100 ms. Results go to ``artifacts/bench/`` (see ``bench/report.py``).

Bounded: each system typically takes ``duration + ~40 s``, at most ``duration + ~220 s`` (start-up
and shutdown timeouts, the grace period); a 600 s run of both systems takes ~22 minutes, at most ~28.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from bench import pyspy, stats
from bench.report import load_doc, write_report
from bench.sampler import Sampler, thread_cpu, tree_usage
from bench.servers import (
    BRISK_PY,
    ROOT,
    SYSTEMS,
    Proc,
    free_port,
    python_version,
    start_loadgen,
    start_mock,
    start_server,
)

OUT = ROOT / "artifacts" / "bench"
MB = 1024 * 1024


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--only", choices=SYSTEMS, help="run one system (the report keeps the other's last results)"
    )
    p.add_argument("--users", type=int, default=_env_int("BENCH_USERS", 100))
    p.add_argument("--duration", type=float, default=_env_float("BENCH_DURATION", 120))
    p.add_argument(
        "--sweep",
        nargs="?",
        const=os.environ.get("BENCH_SWEEP_USERS") or "50,100,200,400",
        help="capacity sweep over these user counts (comma-separated) instead of the main run",
    )
    p.add_argument("--sweep-duration", type=float, default=_env_float("BENCH_SWEEP_DURATION", 30))
    p.add_argument(
        "--ttft", type=float, default=_env_float("BENCH_TTFT", 0.05), help="mock: s to first token"
    )
    p.add_argument("--gap", type=float, default=_env_float("BENCH_GAP", 0.015), help="mock: s between chunks")
    p.add_argument("--chunks", type=int, default=_env_int("BENCH_CHUNKS", 32), help="mock: content chunks")
    p.add_argument("--grace", type=float, default=30.0, help="s open runs get after the deadline")
    p.add_argument("--idle", type=float, default=3.0, help="s of idle sampling before and after the load")
    p.add_argument("--port", type=int, default=_env_int("BENCH_PORT", 0), help="server port (0: a free one)")
    p.add_argument("--mock-port", type=int, default=_env_int("BENCH_MOCK_PORT", 0))
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--keep-db", action="store_true", help="keep the SQLite files in the work directory")
    p.add_argument("--profile", action="store_true", help="py-spy record the Brisk server during the load")
    return p.parse_args(argv)


class Progress:
    """Reads the load generator's JSON lines in a thread; keeps the latest and when the load began."""

    def __init__(self, proc: Proc, sampler: Sampler) -> None:
        self.latest: dict[str, Any] = {}
        self.started_at: float | None = None  # sampler time of the load generator's t0
        self._proc, self._sampler = proc, sampler
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._proc.popen.stdout is not None
        with open(self._proc.log, "a") as log:
            for line in self._proc.popen.stdout:
                log.write(line)
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if msg.get("started"):
                    self.started_at = self._sampler.now()
                elif "done" in msg:
                    self.latest = msg

    def join(self) -> None:
        self._thread.join(timeout=5)


def _db_figures(db_file: Path, keep: bool) -> dict[str, Any]:
    # Both systems write Agno's v3 layout; the row count checks that every completed run was stored.
    # The file is deleted afterwards unless asked to keep it: a 600 s Brisk run writes ~0.5 GB.
    out: dict[str, Any] = {"db_mb": None, "db_runs": None}
    try:
        size = sum(p.stat().st_size for p in db_file.parent.glob(db_file.name + "*"))
        out["db_mb"] = round(size / MB, 1)
        con = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=10)
        try:
            out["db_runs"] = con.execute("SELECT count(*) FROM agno_runs").fetchone()[0]
        finally:
            con.close()
    except (OSError, sqlite3.Error) as e:
        out["db_error"] = str(e)
    if not keep:
        for p in db_file.parent.glob(db_file.name + "*"):
            p.unlink(missing_ok=True)
    return out


def run_system(
    system: str, users: int, duration: float, args: argparse.Namespace, ctx: dict[str, Any]
) -> dict[str, Any]:
    """One system under load; returns its summary (with the raw data under ``_raw``)."""
    tag = f"{system}-{users}u"
    workdir: Path = ctx["workdir"]
    sampler: Sampler = ctx["sampler"]
    port, mock_port = ctx["port"], ctx["mock_port"]
    mock = start_mock(workdir, mock_port, args.ttft, args.gap, args.chunks, tag)
    server: Proc | None = None
    loadgen: Proc | None = None
    try:
        server, db_file = start_server(
            system, workdir, port, f"http://127.0.0.1:{mock_port}/v1", ctx.get("agno_python")
        )
        sampler.watch("server", server.pid)
        sampler.watch("mock", mock.pid)
        t_idle0 = sampler.now()
        time.sleep(args.idle)
        cpu0, _ = tree_usage(ctx["descendants"](server.pid))
        threads0 = thread_cpu(server.pid)
        load_out = workdir / f"loadgen-{tag}.json"
        loadgen = start_loadgen(
            workdir, f"http://127.0.0.1:{port}", users, duration, args.grace, load_out, tag
        )
        sampler.watch("loadgen", loadgen.pid)
        progress = Progress(loadgen, sampler)
        t_spawn = sampler.now()
        spy = None
        if args.profile and system == "brisk":
            spy = pyspy.record(server.pid, duration, args.out / f"profile-{tag}.txt")
        limit = duration + args.grace + 30
        next_print = time.monotonic() + 5
        while loadgen.popen.poll() is None:
            if sampler.now() - t_spawn > limit:
                print(f"[bench] {tag}: load generator over its time bound; stopping it", flush=True)
                loadgen.stop(5)
                break
            time.sleep(0.2)
            if time.monotonic() >= next_print:
                next_print += 5
                p = progress.latest
                _, rss, cpu = sampler.last("server")
                print(
                    f"[bench] {tag:>11} t={p.get('t', 0):6.0f}s users={users} active={p.get('active', 0):4d} "
                    f"done={p.get('done', 0):6d} errors={p.get('errors', 0)} truncated={p.get('truncated', 0)} "
                    f"server rss={rss / MB:6.1f} MB cpu={cpu:7.1f} s",
                    flush=True,
                )
        cpu1, _ = tree_usage(ctx["descendants"](server.pid))
        threads1 = thread_cpu(server.pid)
        t_load1 = sampler.now()
        progress.join()
        t_load0 = progress.started_at if progress.started_at is not None else t_spawn
        time.sleep(args.idle)
        t_after = sampler.now()
        if spy is not None:
            spy.wait(30)
            md = pyspy.write_summary(args.out / f"profile-{tag}.txt")
            print(f"[bench] profile summary: {md}", flush=True)
        if loadgen.popen.returncode not in (0, None) or not load_out.exists():
            raise RuntimeError(f"load generator failed ({loadgen.popen.returncode}):\n{loadgen.tail()}")
        result = json.loads(load_out.read_text())
    finally:
        sampler.unwatch("loadgen")
        sampler.unwatch("server")
        sampler.unwatch("mock")
        for proc in (loadgen, server, mock):
            if proc is not None:
                proc.stop()
    records = result["records"]
    finished = [r for r in records if r[6] != "cut"]
    ran = [r for r in records if r[6] in ("ok", "run_error", "truncated")]
    outcomes = stats.outcomes(records)
    srv = sampler.series["server"]
    idle = sampler.window("server", t_idle0, t_load0)
    load = sampler.window("server", t_load0, t_load1)
    after = sampler.window("server", t_load1, t_after)
    ok = outcomes.get("ok", 0)
    window = max(1e-9, min(result["elapsed"], duration + args.grace))

    def peak(name: str) -> float | None:
        s = sampler.window(name, t_load0, t_load1)
        return round(max(s.rss) / MB, 1) if s.rss else None

    def cpu_of(name: str, t_from: float) -> float | None:
        # max, not last: a process that has exited reads as 0 in /proc (the load generator does).
        s = sampler.window(name, t_from, t_after)
        return round(max(s.cpu) - s.cpu[0], 2) if len(s.cpu) > 1 else None

    summary: dict[str, Any] = {
        "system": system,
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "run_id": ctx["run_id"],  # one per `bench.run` invocation: ratios only within one
        "users": users,
        "duration_s": duration,
        "elapsed_s": result["elapsed"],
        "requests": len(finished),
        "outcomes": outcomes,
        "errors": sum(v for k, v in outcomes.items() if k not in ("ok", "truncated", "cut")),
        "truncated": outcomes.get("truncated", 0),
        "cut_at_end": outcomes.get("cut", 0),
        "throughput_rps": round(ok / window, 2),
        "latency": stats.latency(records),
        "memory": stats.memory(idle, load, after),
        "cpu_s_total": round(cpu1 - cpu0, 2),
        # Per run that the server actually ran (a 200 stream), not per refused request.
        "cpu_s_per_1000_runs": round((cpu1 - cpu0) / len(ran) * 1000, 2) if ran else None,
        # The event loop's thread vs the rest (SQLite writer, thread pools) of the server's root process.
        "cpu_s_by_thread": {k: round(threads1[k] - threads0[k], 2) for k in threads0},
        "mock": {"peak_rss_mb": peak("mock"), "cpu_s": cpu_of("mock", t_load0)},
        # The load generator's CPU counts from its spawn (start-up included).
        "loadgen": {"peak_rss_mb": peak("loadgen"), "cpu_s": cpu_of("loadgen", 0.0)},
        **_db_figures(db_file, keep=args.keep_db),
        "slices": stats.slices(records, load, duration),
        "series": stats.downsample(sampler.window("server", t_idle0, t_after), t_load0),
        "error_samples": result["error_samples"],
        "_raw": {
            "records": records,
            "fields": result["fields"],
            "server_samples": {
                "t": [round(t - t_load0, 3) for t in srv.t],
                "rss": srv.rss,
                "cpu": srv.cpu,
            },
        },
    }
    lat = summary["latency"]
    print(
        f"[bench] {tag}: {summary['requests']} runs, {summary['throughput_rps']} runs/s, "
        f"errors={summary['errors']} truncated={summary['truncated']} cut={summary['cut_at_end']}, "
        f"TTFC p50/p95 {lat['ttfc']['p50']}/{lat['ttfc']['p95']} ms, "
        f"total p50/p95 {lat['total']['p50']}/{lat['total']['p95']} ms, "
        f"RSS idle/peak {summary['memory']['idle_mb']}/{summary['memory']['peak_mb']} MB, "
        f"CPU {summary['cpu_s_per_1000_runs']} s/1000 runs",
        flush=True,
    )
    return summary


def _guarded(
    system: str, users: int, duration: float, args: argparse.Namespace, ctx: dict[str, Any]
) -> dict[str, Any] | None:
    """run_system, but a system that fails (server does not start, ...) does not end the whole run."""
    try:
        return run_system(system, users, duration, args, ctx)
    except Exception as e:  # reported, and the other system still runs
        print(f"[bench] {system}-{users}u FAILED: {e}", flush=True)
        return None


def _save_raw(out: Path, summary: dict[str, Any]) -> None:
    raw = summary.pop("_raw")
    (out / "raw").mkdir(parents=True, exist_ok=True)
    path = out / "raw" / f"{summary['system']}-{summary['users']}u.json.gz"
    with gzip.open(path, "wt") as f:
        json.dump(raw, f, separators=(",", ":"))


def _machine(ctx: dict[str, Any]) -> dict[str, Any]:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    return {
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "platform": platform.platform(),
        "python_brisk": python_version(BRISK_PY),
        "python_agno": python_version(ctx["agno_python"]) if ctx.get("agno_python") else None,
        "brisk_commit": commit.stdout.strip(),
        "brisk_dirty": bool(dirty.stdout.strip()),
        "loadavg_at_start": list(os.getloadavg()),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    systems = [args.only] if args.only else list(SYSTEMS)
    ctx: dict[str, Any] = {
        "workdir": Path(tempfile.mkdtemp(prefix="brisk-bench-")),
        "port": args.port or free_port(),
        "mock_port": args.mock_port or free_port(),
        "run_id": uuid.uuid4().hex[:12],
    }
    from bench.sampler import descendants

    ctx["descendants"] = descendants
    if "agno" in systems:
        from bench.agno_env import ensure_agno_os

        ctx["agno_python"] = ensure_agno_os()
    sampler = Sampler(0.1)
    sampler.start()
    ctx["sampler"] = sampler
    machine = _machine(ctx)
    settings = {
        "ttft_s": args.ttft,
        "gap_s": args.gap,
        "chunks": args.chunks,
        "grace_s": args.grace,
        "idle_s": args.idle,
        "server_port": ctx["port"],
        "workdir": str(ctx["workdir"]),
    }
    print(f"[bench] work directory {ctx['workdir']} (logs, databases); results in {args.out}", flush=True)
    doc = load_doc(args.out)
    started = time.monotonic()
    try:
        if args.sweep:
            counts = [int(x) for x in str(args.sweep).split(",") if x.strip()]
            sweep: dict[str, Any] = dict(doc.get("sweep") or {})
            sweep.update({"duration_s": args.sweep_duration, "machine": machine, "settings": settings})
            rows = {(r["system"], r["users"]): r for r in sweep.get("rows", [])}
            for n in counts:
                for system in systems:
                    s = _guarded(system, n, args.sweep_duration, args, ctx)
                    if s is None:
                        continue
                    s.pop("_raw")
                    rows[(system, n)] = {
                        k: s[k]
                        for k in ("system", "users", "requests", "errors", "truncated", "throughput_rps")
                    } | {
                        "outcomes": s["outcomes"],
                        "p95_ttfc_ms": s["latency"]["ttfc"]["p95"],
                        "p95_total_ms": s["latency"]["total"]["p95"],
                        "p50_total_ms": s["latency"]["total"]["p50"],
                        "peak_rss_mb": s["memory"]["peak_mb"],
                        "cpu_s_per_1000_runs": s["cpu_s_per_1000_runs"],
                    }
            sweep["rows"] = sorted(rows.values(), key=lambda r: (r["users"], r["system"]))
            doc["sweep"] = sweep
        else:
            load: dict[str, Any] = dict(doc.get("load") or {})
            load.pop("failed", None)
            for system in systems:
                summary = _guarded(system, args.users, args.duration, args, ctx)
                if summary is None:
                    load.pop(system, None)  # never leave an older run's figures under this run's name
                    load.setdefault("failed", []).append(system)
                    continue
                _save_raw(args.out, summary)
                load[system] = summary
            load.pop("comparison", None)
            if "agno" in load and "brisk" in load:
                load["comparison"] = stats.compare(load["brisk"], load["agno"])
            load.update({"machine": machine, "settings": settings})
            doc["load"] = load
    finally:
        sampler.stop()
    machine["elapsed_s"] = round(time.monotonic() - started, 1)
    machine["loadavg_at_end"] = list(os.getloadavg())
    paths = write_report(args.out, doc, plots=not args.no_plots)
    print("[bench] wrote " + ", ".join(os.path.relpath(p) for p in paths), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
