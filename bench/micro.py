"""In-process micro-benchmarks: Brisk vs Agno 3.1.10 on the same program (``make bench-micro``).

1. makes sure ``.venv-agno`` exists (Agno 3.1.10 + what its OpenAIChat and SqliteDb import);
2. starts the loopback mock OpenAI server (``bench/mock_openai.py``, or ``tests.mocks.openai_server`` with
   ``--mock tests``; no delays) as a subprocess;
3. runs ``bench/scenarios/agent_program.py`` (an Agno program) under ``.venv-agno/bin/python`` and the
   same file after ``s/agno\\./brisk./`` under ``.venv/bin/python``, one fresh process per scenario and
   side, the two sides interleaved; plus the import-time measurement in fresh interpreters;
4. writes ``artifacts/bench/micro.json`` and ``artifacts/bench/micro.md`` and prints the table.

Options: ``--quick`` (smaller counts, for checking the rig), ``--only SCENARIO[,SCENARIO]``,
``--sides agno,brisk``, ``--mock tests|bench``, ``--profile`` (cProfile files next to the results). See ``bench/README.md`` for what each figure means.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.agno_venv import AGNO_VERSION, ensure_agno_venv  # noqa: E402

PROGRAM = ROOT / "bench" / "scenarios" / "agent_program.py"
MOCKS = {
    # the bench's own (bench/mock_openai.py, the default): deterministic, plus GET /stats, which lets the
    # workload checks compare the last request each side sent
    "bench": [str(ROOT / "bench" / "mock_openai.py")],
    # the project's mock (tests/mocks), the one the contract tests use: same wire shape, no /stats
    "tests": ["-m", "tests.mocks.openai_server"],
}
BRISK_PY = ROOT / ".venv" / "bin" / "python"
OUT_DIR = ROOT / "artifacts" / "bench"
SCENARIOS = ("import", "construct", "memory", "runs", "sync", "conversation")


def log(msg: str) -> None:
    print(f"[bench-micro] {msg}", flush=True)


def migrate(source: str) -> str:
    """The whole migration from Agno to Brisk: ``s/agno\\./brisk./``."""
    return re.sub(r"\bagno\.", "brisk.", source)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["AGNO_TELEMETRY"] = "false"
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    for k in ("PYTHONPATH", "PYTHONSTARTUP", "VIRTUAL_ENV"):
        env.pop(k, None)
    env["PYTHONDONTWRITEBYTECODE"] = "0"
    return env


class MockServer:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> MockServer:
        self.proc = subprocess.Popen(
            [str(BRISK_PY), *MOCKS[self.kind], "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=child_env(),
            cwd=ROOT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mock server exited: {self.proc.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                time.sleep(0.1)
                continue
            log(f"mock OpenAI server ({self.kind}: {' '.join(MOCKS[self.kind])}) on {self.base_url}")
            return self
        raise RuntimeError("mock server did not come up within 20 s")

    def stats(self) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats", timeout=2) as r:
                return json.loads(r.read())
        except (OSError, ValueError):
            return {}

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def run_program(
    python: Path, program: Path, scenario: str, args: list[str], timeout: float
) -> dict[str, Any]:
    cmd = [str(python), str(program), scenario, *args]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=child_env(), timeout=timeout, cwd=program.parent
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH_RESULT "):
            return json.loads(line[len("BENCH_RESULT ") :])
    tail = (proc.stderr or proc.stdout)[-4000:]
    return {"error": f"exit {proc.returncode}", "traceback": tail, "cmd": " ".join(cmd)}


def import_time(python: Path, module: str, n: int) -> dict[str, Any]:
    """Median wall time of ``python -c "import <module>"`` minus that of ``python -c "pass"``."""
    env = child_env()

    def once(code: str) -> float:
        t0 = time.perf_counter()
        proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True, env=env)
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr[-4000:])
        return elapsed

    stmt = f"import {module}"
    try:
        once(stmt)  # compiles .pyc files on a first run
        base, imp = [], []
        for _ in range(n):
            base.append(once("pass"))
            imp.append(once(stmt))
    except RuntimeError as e:
        return {"error": f"{stmt} failed", "traceback": str(e)}
    return {
        "import_s": statistics.median(imp) - statistics.median(base),
        "interpreter_s": statistics.median(base),
        "n": n,
    }


# -- table ---------------------------------------------------------------------------------------------
# (key, label, unit, scale, path into the side's results)
ROWS: list[tuple[str, str, str, float, tuple[str, ...]]] = [
    ("import_agent", "import `<pkg>.agent` (fresh interpreter)", "ms", 1e3, ("import", "agent", "import_s")),
    (
        "import_program",
        "import agent + models.openai + db.sqlite",
        "ms",
        1e3,
        ("import", "program", "import_s"),
    ),
    ("construct", "`Agent(...)` construction", "µs", 1e6, ("construct", "per_agent_s", "median")),
    ("memory", "memory per live agent (tracemalloc)", "KiB", 1 / 1024, ("memory", "bytes_per_agent")),
    ("arun_wall", "`arun` non-stream, wall median", "ms", 1e3, ("runs", "non_stream", "wall_s", "median")),
    ("arun_p95", "`arun` non-stream, wall p95", "ms", 1e3, ("runs", "non_stream", "wall_s", "p95")),
    ("arun_cpu", "`arun` non-stream, CPU median", "ms", 1e3, ("runs", "non_stream", "cpu_s", "median")),
    ("astream_wall", "`arun` stream, wall median", "ms", 1e3, ("runs", "stream", "wall_s", "median")),
    ("astream_p95", "`arun` stream, wall p95", "ms", 1e3, ("runs", "stream", "wall_s", "p95")),
    ("astream_cpu", "`arun` stream, CPU median", "ms", 1e3, ("runs", "stream", "cpu_s", "median")),
    ("tool_wall", "`arun` with one tool call, wall median", "ms", 1e3, ("runs", "tool", "wall_s", "median")),
    ("tool_cpu", "`arun` with one tool call, CPU median", "ms", 1e3, ("runs", "tool", "cpu_s", "median")),
    ("run_sync", "sync `run` non-stream, wall median", "ms", 1e3, ("sync", "wall_s", "median")),
    ("conv_total", "25-turn SQLite conversation, total wall", "ms", 1e3, ("conversation", "total_wall_s")),
    ("conv_cpu", "25-turn SQLite conversation, total CPU", "ms", 1e3, ("conversation", "total_cpu_s")),
    (
        "conv_first",
        "… first turn (creates the tables), wall",
        "ms",
        1e3,
        ("conversation", "first_turn_wall_s"),
    ),
    ("conv_turn", "… per turn, wall median", "ms", 1e3, ("conversation", "turn_wall_median_s")),
    ("conv_last5", "… last 5 turns, wall median", "ms", 1e3, ("conversation", "last5_wall_median_s")),
]


def dig(d: Any, path: tuple[str, ...]) -> Any:
    for k in path:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def build_rows(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for key, label, unit, scale, path in ROWS:
        a, b = dig(results.get("agno"), path), dig(results.get("brisk"), path)
        ratio = (a / b) if isinstance(a, int | float) and isinstance(b, int | float) and b > 0 else None
        rows.append(
            {
                "key": key,
                "figure": f"{label} ({unit})",
                "agno": None if a is None else a * scale,
                "brisk": None if b is None else b * scale,
                "ratio": ratio,
                "brisk_ahead": None if ratio is None else ratio > 1.0,
            }
        )
    return rows


def fmt(v: float | None) -> str:
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| figure | Agno 3.1.10 | Brisk | Agno/Brisk |", "|---|---:|---:|---:|"]
    for r in rows:
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        if r["ratio"] is not None and r["ratio"] <= 1.0:
            ratio += " (Brisk behind)"
        lines.append(f"| {r['figure']} | {fmt(r['agno'])} | {fmt(r['brisk'])} | {ratio} |")
    return "\n".join(lines)


def machine_info() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""

    return {
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "agno": AGNO_VERSION,
        "brisk_commit": git("rev-parse", "--short", "HEAD"),
        "brisk_dirty": bool(git("status", "--porcelain", "--", "src")),
        "loadavg_at_start": os.getloadavg(),
    }


def workload_checks(results: dict[str, dict[str, Any]]) -> list[str]:
    """Evidence that both sides did the same work in the conversation scenario."""
    convs = {side: rs.get("conversation") for side, rs in results.items()}
    convs = {k: v for k, v in convs.items() if isinstance(v, dict) and "error" not in v}
    lines = []
    for side, c in convs.items():
        seen = (
            f"the mock saw {c['last_request_messages']} messages ({c['last_request_bytes']} bytes) in the last request; "
            if c.get("last_request_messages") is not None
            else ""
        )
        lines.append(
            f"{side}: {seen}the last RunOutput lists {c.get('last_output_messages')} messages; runs visible to a "
            f"fresh connection when the last `arun` returned: {c['persisted_at_return']}/{c['turns']}"
        )
    a, b = convs.get("agno"), convs.get("brisk")
    if a and b and a.get("last_request_messages") != b.get("last_request_messages"):
        lines.append("MISMATCH: the two sides sent a different number of messages in the last request")
    return lines


def render_md(info: dict[str, Any], params: dict[str, Any], rows: list[dict[str, Any]], results: dict) -> str:
    out = [
        "# Micro-benchmarks: Brisk vs Agno 3.1.10",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, {info['platform']}; "
        f"{info['date_utc']}; Brisk at `{info['brisk_commit']}`{' + uncommitted changes' if info['brisk_dirty'] else ''}.",
        "",
        "Same program on both sides (`bench/scenarios/agent_program.py`, an Agno program; Brisk runs it after "
        "`s/agno\\./brisk./`), same loopback mock OpenAI server (no delays). Times are medians unless "
        "marked p95; ratio = Agno / Brisk, so above 1 means Brisk is faster or smaller.",
        "",
        table(rows),
        "",
        f"Counts: {json.dumps(params)}.",
    ]
    conv = next((r for r in rows if r["key"] == "conv_total"), None)
    if conv and conv["ratio"] is not None:
        verdict = "met" if conv["ratio"] >= 5 else "NOT met"
        out += [
            "",
            f"Goal: 25-turn SQLite conversation ≥5x faster than Agno — {verdict} ({conv['ratio']:.2f}x).",
        ]
    behind = [r["figure"] for r in rows if r["brisk_ahead"] is False]
    missing = [r["figure"] for r in rows if r["ratio"] is None]
    out.append("")
    if not behind and not missing:
        out.append("Brisk ahead on every figure.")
    if behind:
        out.append(f"Brisk not ahead on: {'; '.join(behind)}.")
    if missing:
        out.append(f"No figure (a side failed or was not run): {'; '.join(missing)}.")
    checks = workload_checks(results)
    if checks:
        out += ["", "Workload checks:", *[f"- {c}" for c in checks]]
    errors = [
        (side, name, res)
        for side, rs in results.items()
        for name, res in rs.items()
        if isinstance(res, dict) and "error" in res
    ]
    errors += [
        (side, f"import {k}", v)
        for side, rs in results.items()
        for k, v in (rs.get("import") or {}).items()
        if isinstance(v, dict) and "error" in v
    ]
    for side, name, res in errors:
        out += [
            "",
            f"## {side} `{name}` failed: {res['error']}",
            "",
            "```",
            res.get("traceback", "").rstrip(),
            "```",
        ]
    return "\n".join(out) + "\n"


def main() -> int:
    p = argparse.ArgumentParser(description="Brisk vs Agno 3.1.10 micro-benchmarks")
    p.add_argument("--quick", action="store_true", help="small counts, to check the rig")
    p.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated: " + ",".join(SCENARIOS))
    p.add_argument("--sides", default="agno,brisk")
    p.add_argument("--out", default=str(OUT_DIR))
    p.add_argument(
        "--profile",
        action="store_true",
        help="also write a cProfile per side and scenario to OUT/profile-<side>-<scenario>.prof (slows the runs)",
    )
    p.add_argument("--mock", choices=sorted(MOCKS), default="bench", help="default: bench")
    a = p.parse_args()
    only = [s for s in a.only.split(",") if s]
    sides = [s for s in a.sides.split(",") if s]
    for s in only:
        if s not in SCENARIOS:
            p.error(f"unknown scenario {s!r}")

    params = {
        "construct_agents": 1000 if a.quick else 5000,
        "memory_agents": 300 if a.quick else 1000,
        "runs": 30 if a.quick else 200,
        "runs_warmup": 5 if a.quick else 30,
        "sync_runs": 10 if a.quick else 50,
        "conversation_turns": 25,
        "conversation_reps": 1 if a.quick else 5,
        "import_n": 5 if a.quick else 15,
    }

    pythons: dict[str, Path] = {"brisk": BRISK_PY}
    if "agno" in sides:
        log("ensuring .venv-agno (Agno 3.1.10)")
        pythons["agno"] = ensure_agno_venv()
    if not BRISK_PY.exists():
        log(f"{BRISK_PY} missing: run `make install` first")
        return 2

    work = Path(tempfile.mkdtemp(prefix="brisk-bench-micro-"))
    source = PROGRAM.read_text()
    programs = {"agno": work / "agno_program.py", "brisk": work / "brisk_program.py"}
    programs["agno"].write_text(source)
    programs["brisk"].write_text(migrate(source))
    changed = [
        new for old, new in zip(source.splitlines(), migrate(source).splitlines(), strict=True) if old != new
    ]
    log(f"program rendered in {work}; s/agno./brisk./ changed {len(changed)} line(s): " + "; ".join(changed))

    info = machine_info()
    results: dict[str, dict[str, Any]] = {s: {} for s in sides}
    t_all = time.perf_counter()
    try:
        with MockServer(a.mock) as mock:
            base = ["--base-url", mock.base_url]
            plan: list[tuple[str, list[str], float]] = [
                ("construct", ["--n", str(params["construct_agents"])], 600),
                ("memory", ["--n", str(params["memory_agents"])], 600),
                ("runs", ["--n", str(params["runs"]), "--warmup", str(params["runs_warmup"])], 900),
                ("sync", ["--n", str(params["sync_runs"]), "--warmup", "5"], 600),
                (
                    "conversation",
                    ["--n", str(params["conversation_turns"]), "--reps", str(params["conversation_reps"])],
                    900,
                ),
            ]
            if "import" in only:
                for side in sides:
                    log(f"{side}: import times ({params['import_n']} fresh interpreters each)")
                    pkg = side
                    results[side]["import"] = {
                        "agent": import_time(pythons[side], f"{pkg}.agent", params["import_n"]),
                        "program": import_time(
                            pythons[side],
                            f"{pkg}.agent, {pkg}.models.openai, {pkg}.db.sqlite",
                            params["import_n"],
                        ),
                    }
            for name, extra, timeout in plan:
                if name not in only:
                    continue
                for side in sides:
                    log(f"{side}: {name}")
                    tmp = work / f"{side}-{name}"
                    tmp.mkdir()
                    prof = (
                        ["--profile", str(Path(a.out).resolve() / f"profile-{side}-{name}.prof")]
                        if a.profile
                        else []
                    )
                    if prof:
                        Path(a.out).mkdir(parents=True, exist_ok=True)
                    t0 = time.perf_counter()
                    try:
                        res = run_program(
                            pythons[side],
                            programs[side],
                            name,
                            [*base, *extra, "--tmp", str(tmp), *prof],
                            timeout,
                        )
                    except subprocess.TimeoutExpired:
                        res = {"error": f"timed out after {timeout:.0f} s", "traceback": ""}
                    if "error" in res:
                        log(f"{side}: {name} FAILED ({res['error']}):\n{res.get('traceback', '')[-2000:]}")
                    else:
                        log(f"{side}: {name} done in {time.perf_counter() - t0:.1f} s")
                    results[side][name] = res
            mock_stats = mock.stats()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = build_rows(results)
    info["elapsed_s"] = round(time.perf_counter() - t_all, 1)
    info["mock"] = a.mock
    info["mock_requests"] = mock_stats
    out_dir = Path(a.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = {"machine": info, "params": params, "rows": rows, "results": results}
    (out_dir / "micro.json").write_text(json.dumps(payload, indent=2) + "\n")
    md = render_md(info, params, rows, results)
    (out_dir / "micro.md").write_text(md)
    print()
    print(md)
    log(f"wrote {out_dir / 'micro.json'} and {out_dir / 'micro.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
