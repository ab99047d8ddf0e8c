"""``artifacts/bench/report.json``, ``report.md`` and the PNG plots, from the benchmark's results.

``report.json`` is one document with three parts that different commands fill: ``load`` (``make
bench``), ``sweep`` (``make bench-sweep``) and ``micro`` (copied from ``micro.json``, written by
``bench/micro.py``). Each command rewrites its own part and keeps the others, then the Markdown and
the plots are rendered from the whole document.

matplotlib is a benchmark-only dependency: when it is missing it is installed into the running venv
on demand; when that fails the report is written without plots.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

SYSTEMS = ("agno", "brisk")
LABEL = {"agno": "Agno 3.1.10", "brisk": "Brisk"}
COLOR = {"agno": "#d9822b", "brisk": "#2b6cd9"}


def load_doc(out: Path) -> dict[str, Any]:
    try:
        return json.loads((out / "report.json").read_text())
    except (OSError, ValueError):
        return {}


def _micro(out: Path) -> dict[str, Any] | None:
    try:
        m = json.loads((out / "micro.json").read_text())
    except (OSError, ValueError):
        return None
    return {"machine": m.get("machine"), "params": m.get("params"), "rows": m.get("rows", [])}


def _fmt(v: Any, nd: int = 1) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "**no**"
    if isinstance(v, float):
        return f"{v:,.{nd}f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _get(d: dict[str, Any] | None, path: str) -> Any:
    cur: Any = d
    for p in path.split("."):
        cur = cur.get(p) if isinstance(cur, dict) else None
    return cur


# (label, path in a system summary, decimals)
_ROWS: list[tuple[str, str, int]] = [
    ("runs finished", "requests", 0),
    ("errors (non-200, RunError, exceptions)", "errors", 0),
    ("truncated streams (no terminal event)", "truncated", 0),
    ("runs cut by the end of the grace period", "cut_at_end", 0),
    ("throughput (completed runs/s)", "throughput_rps", 1),
    ("time to first content p50 (ms)", "latency.ttfc.p50", 0),
    ("time to first content p95 (ms)", "latency.ttfc.p95", 0),
    ("time to first content p99 (ms)", "latency.ttfc.p99", 0),
    ("time to first content p95, plain runs (ms)", "latency.plain.ttfc.p95", 0),
    ("time to first content p95, tool-call runs (ms)", "latency.tool.ttfc.p95", 0),
    ("first RunContent event of any kind (even empty) p95 (ms)", "latency.first_event.p95", 0),
    ("server-reported time_to_first_token p50 (ms)", "latency.server_ttft.p50", 0),
    ("server-reported time_to_first_token p95 (ms)", "latency.server_ttft.p95", 0),
    ("total time p50 (ms)", "latency.total.p50", 0),
    ("total time p95 (ms)", "latency.total.p95", 0),
    ("total time p99 (ms)", "latency.total.p99", 0),
    ("total time p95, plain runs (ms)", "latency.plain.total.p95", 0),
    ("total time p95, tool-call runs (ms)", "latency.tool.total.p95", 0),
    ("idle RSS before load (MiB)", "memory.idle_mb", 1),
    ("peak RSS (MiB)", "memory.peak_mb", 1),
    ("RSS at the end of the load (MiB)", "memory.end_of_load_mb", 1),
    ("RSS after the load (MiB)", "memory.after_load_mb", 1),
    ("RSS slope, second half of the load (MiB/min)", "memory.slope_second_half_mb_per_min", 2),
    ("server CPU (s)", "cpu_s_total", 1),
    ("server CPU per 1000 runs (s)", "cpu_s_per_1000_runs", 2),
    ("server CPU, main (event loop) thread (s)", "cpu_s_by_thread.main_thread", 1),
    ("server CPU, other threads: SQLite writer, pools (s)", "cpu_s_by_thread.other_threads", 1),
    ("mock LLM CPU (s)", "mock.cpu_s", 1),
    ("load generator CPU (s)", "loadgen.cpu_s", 1),
    ("runs stored in the database", "db_runs", 0),
    ("database size (MiB)", "db_mb", 1),
]


def _load_md(load: dict[str, Any]) -> list[str]:
    present = [s for s in SYSTEMS if s in load]
    m, st = load.get("machine", {}), load.get("settings", {})
    users = next((load[s]["users"] for s in present), None)
    duration = next((load[s]["duration_s"] for s in present), None)
    lines = [
        f"## Load: {users} concurrent streaming users, {duration:.0f} s per system",
        "",
        f"Machine: {m.get('nproc')} CPUs, {m.get('platform')}, Python {m.get('python_brisk')}; "
        f"{m.get('date_utc')}; Brisk at `{m.get('brisk_commit')}`{' + uncommitted changes' if m.get('brisk_dirty') else ''}; "
        f"load average at start {', '.join(f'{x:.2f}' for x in m.get('loadavg_at_start', []))}, "
        f"at end {', '.join(f'{x:.2f}' for x in m.get('loadavg_at_end', []))}.",
        "",
        f"Mock LLM: {st.get('ttft_s', 0) * 1000:.0f} ms to first token, {st.get('gap_s', 0) * 1000:.0f} ms "
        f"between chunks, {st.get('chunks')} chunks (floor: "
        f"{(st.get('ttft_s', 0) + (st.get('chunks', 1) - 1) * st.get('gap_s', 0)) * 1000:.0f} ms per plain run, "
        f"+{st.get('ttft_s', 0) * 1000:.0f} ms for a tool-call run).",
        "",
    ]
    if load.get("failed"):
        lines += [f"**Failed in this run (see the log): {', '.join(load['failed'])}.**", ""]
    run_ids = {load[s].get("run_id") for s in present}
    if len(run_ids) > 1:
        lines += ["**The two systems come from separate runs (`--only`); do not quote these ratios.**", ""]
    head = "| figure | " + " | ".join(LABEL[s] for s in present)
    head += " | Brisk/Agno |" if len(present) == 2 else " |"
    lines += [head, "|---|" + "---:|" * (len(present) + (1 if len(present) == 2 else 0))]
    for label, path, nd in _ROWS:
        vals = [_get(load[s], path) for s in present]
        row = f"| {label} | " + " | ".join(_fmt(v, nd) for v in vals)
        if len(present) == 2:
            a, b = vals
            r = (b / a) if isinstance(a, int | float) and isinstance(b, int | float) and a else None
            row += f" | {_fmt(r, 3) if r is not None else '—'} |"
        else:
            row += " |"
        lines.append(row)
    comp = load.get("comparison")
    if comp and len(present) == 2:
        lines += ["", "### Targets (issue 6)", "", "| target | met |", "|---|---|"]
        lines += [f"| {k} | {_fmt(v)} |" for k, v in comp["targets"].items()]
    for s in present:
        lines += [
            "",
            f"### {LABEL[s]} over time",
            "",
            "| from-to (s) | runs/s | p95 TTFC (ms) | p95 total (ms) | CPU per run (ms) | RSS (MiB) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for sl in load[s].get("slices", []):
            lines.append(
                f"| {sl['from_s']:.0f}-{sl['to_s']:.0f} | {_fmt(sl['runs_per_s'], 1)} | {_fmt(sl['p95_ttfc_ms'], 0)} "
                f"| {_fmt(sl['p95_total_ms'], 0)} | {_fmt(sl['cpu_ms_per_run'], 2)} | {_fmt(sl['rss_mb'], 1)} |"
            )
        samples = load[s].get("error_samples") or []
        if samples:
            lines += (
                ["", f"First error samples ({LABEL[s]}):", "", "```"]
                + [x[:200] for x in samples[:5]]
                + ["```"]
            )
    lines += ["", "![latency](latency.png)", "", "![rss](rss.png)", ""]
    return lines


def _sweep_md(sweep: dict[str, Any]) -> list[str]:
    rows = sweep.get("rows", [])
    by = {(r["system"], r["users"]): r for r in rows}
    lines = [
        f"## Capacity sweep ({sweep.get('duration_s', 0):.0f} s per point)",
        "",
        f"Run {sweep.get('machine', {}).get('date_utc')}. Percentiles over the completed runs; A = Agno 3.1.10, "
        "B = Brisk.",
        "",
        "| users | runs/s A | runs/s B | p95 TTFC A (ms) | p95 TTFC B (ms) | p95 total A (ms) | p95 total B (ms) "
        "| p95 total B/A | errors A | errors B | peak RSS A / B (MiB) | CPU s/1000 runs A / B |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    notes = []
    for n in sorted({r["users"] for r in rows}):
        a, b = by.get(("agno", n), {}), by.get(("brisk", n), {})
        pa, pb = a.get("p95_total_ms"), b.get("p95_total_ms")
        lines.append(
            f"| {n} | {_fmt(a.get('throughput_rps'), 1)} | {_fmt(b.get('throughput_rps'), 1)} "
            f"| {_fmt(a.get('p95_ttfc_ms'), 0)} | {_fmt(b.get('p95_ttfc_ms'), 0)} "
            f"| {_fmt(pa, 0)} | {_fmt(pb, 0)} | {_fmt(pb / pa, 3) if pa and pb else '—'} "
            f"| {_fmt(a.get('errors'))} | {_fmt(b.get('errors'))} "
            f"| {_fmt(a.get('peak_rss_mb'), 1)} / {_fmt(b.get('peak_rss_mb'), 1)} "
            f"| {_fmt(a.get('cpu_s_per_1000_runs'), 2)} / {_fmt(b.get('cpu_s_per_1000_runs'), 2)} |"
        )
        for sys_name, r in (("agno", a), ("brisk", b)):
            bad = {k: v for k, v in (r.get("outcomes") or {}).items() if k not in ("ok", "cut")}
            if bad:
                notes.append(
                    f"- {LABEL[sys_name]}, {n} users: " + ", ".join(f"{k} x {v}" for k, v in bad.items())
                )
    if notes:
        lines += [
            "",
            "Errors by kind (a user refused with 429/503 waits `Retry-After`, at most 5 s):",
            "",
            *notes,
        ]
    return lines + ["", "![sweep](sweep.png)", ""]


def _micro_md(micro: dict[str, Any]) -> list[str]:
    m = micro.get("machine") or {}
    lines = [
        "## In-process micro-benchmarks (`make bench-micro`, from `micro.json`)",
        "",
        f"Run {m.get('date_utc')}; see `micro.md` for how each figure is measured.",
        "",
        "| figure | Agno 3.1.10 | Brisk | Brisk/Agno |",
        "|---|---:|---:|---:|",
    ]
    for r in micro.get("rows", []):
        a, b = r.get("agno"), r.get("brisk")
        ratio = b / a if isinstance(a, int | float) and isinstance(b, int | float) and a else None
        lines.append(f"| {r.get('figure')} | {_fmt(a, 2)} | {_fmt(b, 2)} | {_fmt(ratio, 3)} |")
    return lines + [""]


_HOW = """## How it is measured

`make bench` (`python -m bench.run`) serves the same AgentOS program (`bench/os_app.py`: one agent,
`OpenAIChat(id="gpt-4o-mini")` against the mock, one tool `get_weather`, `SqliteDb` on a fresh file,
`add_history_to_context=True, num_history_runs=3`) once with Agno 3.1.10 from `.venv-agno` (uvicorn, as
`AgentOS.serve` runs it, telemetry off) and once with Brisk (`brisk serve`, the same file after
`s/agno\\./brisk./`), one after the other, same port, one server process each. Every virtual user
owns a session and sends ~128-token messages back to back as multipart forms with `stream=true`;
one in ten asks for the weather, which makes the mock call the tool. Time to first content = request
sent to the first `RunContent` event with text in it (both servers first send an empty one for the
model's `content: ""` role delta; that time is listed too); total = request sent to the end of the stream. Percentiles are
over the completed runs. CPU and RSS are the server process tree's, from `/proc`, sampled every 100 ms;
CPU per 1000 runs = server CPU during the load / finished runs. The load generator and the mock run on
the same 2-core machine, so they compete with the server for CPU (their CPU is listed).
"""


def _markdown(doc: dict[str, Any]) -> str:
    lines = ["# Brisk vs Agno 3.1.10: AgentOS under concurrent streaming load", ""]
    if doc.get("load"):
        lines += _load_md(doc["load"])
    if doc.get("sweep"):
        lines += _sweep_md(doc["sweep"])
    if doc.get("micro"):
        lines += _micro_md(doc["micro"])
    lines.append(_HOW)
    return "\n".join(lines)


# -- plots -------------------------------------------------------------------------------------------
def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        print("[bench] installing matplotlib into this venv (benchmark-only dependency)", flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "matplotlib"], capture_output=True
        )
        if proc.returncode != 0:
            print("[bench] matplotlib could not be installed; writing the report without plots", flush=True)
            return None
        import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _raw(out: Path, system: str, users: int) -> dict[str, Any] | None:
    try:
        with gzip.open(out / "raw" / f"{system}-{users}u.json.gz", "rt") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _minor_label(x: float, _pos: int) -> str:
    # Label only 2x and 5x of each decade, or a narrow log axis is unreadable.
    lead = f"{x:.0e}"[0]
    return f"{x:g}" if lead in "25" else ""


def _plots(out: Path, doc: dict[str, Any]) -> list[Path]:
    plt = _pyplot()
    if plt is None:
        return []
    from matplotlib import ticker

    paths: list[Path] = []
    load = doc.get("load") or {}
    present = [s for s in SYSTEMS if s in load]
    if present:
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
        for s in present:
            raw = _raw(out, s, load[s]["users"])
            if raw is None:
                continue
            ok = [r for r in raw["records"] if r[6] == "ok"]
            for ax, idx in ((axes[0], 4), (axes[1], 5)):
                vals = sorted(r[idx] * 1000 for r in ok if r[idx] is not None)
                if vals:
                    ys = [(i + 1) / len(vals) for i in range(len(vals))]
                    ax.plot(vals, ys, color=COLOR[s], label=f"{LABEL[s]} (n={len(vals)})")
        for ax, title in ((axes[0], "time to first content"), (axes[1], "total run time")):
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(ticker.ScalarFormatter())
            ax.xaxis.set_minor_formatter(ticker.FuncFormatter(_minor_label))
            ax.set_xlabel("ms (log scale)")
            ax.set_ylabel("fraction of runs")
            ax.set_title(f"{title}, {load[present[0]]['users']} users")
            ax.grid(True, which="both", alpha=0.3)
            ax.axhline(0.95, color="grey", lw=0.8, ls="--")
            ax.legend()
        fig.tight_layout()
        paths.append(out / "latency.png")
        fig.savefig(paths[-1], dpi=110)
        plt.close(fig)

        fig, ax = plt.subplots(figsize=(12, 4.5))
        for s in present:
            ser = load[s].get("series") or {}
            ax.plot(ser.get("t", []), ser.get("rss_mb", []), color=COLOR[s], label=LABEL[s])
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.set_xlabel("seconds since the load started (idle before 0)")
        ax.set_ylabel("server RSS (MiB)")
        ax.set_ylim(bottom=0)
        ax.set_title("server RSS over time (process tree, sampled every 100 ms)")
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        paths.append(out / "rss.png")
        fig.savefig(paths[-1], dpi=110)
        plt.close(fig)
    rows = (doc.get("sweep") or {}).get("rows") or []
    if rows:
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
        for s in SYSTEMS:
            pts = sorted((r["users"], r["p95_ttfc_ms"], r["p95_total_ms"]) for r in rows if r["system"] == s)
            if not pts:
                continue
            xs = [p[0] for p in pts]
            axes[0].plot(xs, [p[1] for p in pts], "o-", color=COLOR[s], label=LABEL[s])
            axes[1].plot(xs, [p[2] for p in pts], "o-", color=COLOR[s], label=LABEL[s])
            for r in rows:
                if r["system"] == s and r["errors"] and r["p95_total_ms"] is not None:
                    # A p95 over the completed runs hides refused ones: say how many there were.
                    axes[1].annotate(
                        f"{r['errors']} errors", (r["users"], r["p95_total_ms"]), color=COLOR[s], fontsize=8
                    )
        for ax, title in ((axes[0], "p95 time to first content"), (axes[1], "p95 total run time")):
            ax.set_yscale("log")
            ax.set_xlabel("concurrent users")
            ax.set_ylabel("ms (log scale)")
            ax.set_title(title)
            ax.grid(True, which="both", alpha=0.3)
            ax.legend()
        fig.tight_layout()
        paths.append(out / "sweep.png")
        fig.savefig(paths[-1], dpi=110)
        plt.close(fig)
    return paths


def write_report(out: Path, doc: dict[str, Any], plots: bool = True) -> list[Path]:
    """Write report.json, report.md and (optionally) the plots; return the paths written."""
    micro = _micro(out)
    if micro is not None:
        doc["micro"] = micro
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(doc, indent=1))
    (out / "report.md").write_text(_markdown(doc))
    paths = [out / "report.json", out / "report.md"]
    if plots:
        paths += _plots(out, doc)
    return paths
