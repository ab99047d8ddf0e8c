"""Summaries of one system's load run: latency percentiles, throughput, RSS, CPU per run, drift.

Inputs are the load generator's records (``[user, seq, tool, start, ttfc, total, outcome]``) and the
sampler's series; outputs are plain dicts that go into ``report.json`` as they are.
"""

from __future__ import annotations

import math
from typing import Any

from bench.sampler import Series

MB = 1024 * 1024


def pct(values: list[float], q: float) -> float | None:
    """Percentile ``q`` (0-100) with linear interpolation between closest ranks."""
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * q / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def dist(values: list[float]) -> dict[str, float | None]:
    """p50/p95/p99/max/mean in milliseconds."""

    def ms(v: float | None) -> float | None:
        return None if v is None else round(v * 1000, 1)

    return {
        "n": len(values),
        "p50": ms(pct(values, 50)),
        "p95": ms(pct(values, 95)),
        "p99": ms(pct(values, 99)),
        "max": ms(max(values)) if values else None,
        "mean": ms(sum(values) / len(values)) if values else None,
    }


def outcomes(records: list[list]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in records:
        out[r[6]] = out.get(r[6], 0) + 1
    return out


def latency(records: list[list]) -> dict[str, Any]:
    """Latency of the runs that completed (outcome ``ok``), all and split by plain/tool runs."""
    ok = [r for r in records if r[6] == "ok"]
    res: dict[str, Any] = {
        "ttfc": dist([r[4] for r in ok if r[4] is not None]),
        "total": dist([r[5] for r in ok]),
        # What the server itself reports as time to first token (RunCompleted metrics); the gap to
        # "ttfc" is time spent before the run started or after the token, in the server or on the wire.
        "server_ttft": dist([r[7] for r in ok if len(r) > 7 and r[7] is not None]),
        "first_event": dist([r[8] for r in ok if len(r) > 8 and r[8] is not None]),
    }
    for label, flag in (("plain", 0), ("tool", 1)):
        sub = [r for r in ok if r[2] == flag]
        res[label] = {
            "ttfc": dist([r[4] for r in sub if r[4] is not None]),
            "total": dist([r[5] for r in sub]),
        }
    return res


def _slope_mb_per_min(s: Series) -> float | None:
    # Least-squares slope of RSS over time: "flat once warm" means about 0.
    n = len(s.t)
    if n < 10:
        return None
    mt, mr = sum(s.t) / n, sum(s.rss) / n
    var = sum((t - mt) ** 2 for t in s.t)
    if var == 0:
        return None
    cov = sum((t - mt) * (r - mr) for t, r in zip(s.t, s.rss, strict=True))
    return round(cov / var * 60 / MB, 2)


def memory(idle: Series, load: Series, after: Series) -> dict[str, Any]:
    """Idle (before load), peak (during and after), end-of-load and after-load RSS, in MiB."""
    allrss = load.rss + after.rss
    half = Series()
    if load.t:
        mid = load.t[0] + (load.t[-1] - load.t[0]) / 2
        idx = [i for i, t in enumerate(load.t) if t >= mid]
        half = Series([load.t[i] for i in idx], [load.rss[i] for i in idx], [load.cpu[i] for i in idx])
    return {
        "idle_mb": round(max(idle.rss) / MB, 1) if idle.rss else None,
        "peak_mb": round(max(allrss) / MB, 1) if allrss else None,
        "end_of_load_mb": round(load.rss[-1] / MB, 1) if load.rss else None,
        "after_load_mb": round(after.rss[-1] / MB, 1) if after.rss else None,
        "slope_second_half_mb_per_min": _slope_mb_per_min(half),
    }


def slices(records: list[list], load: Series, duration: float, n: int = 6) -> list[dict[str, Any]]:
    """The load window cut in ``n`` equal slices: runs/s, p95 total, CPU ms per run, RSS at the end.

    Shows drift: a per-run cost that grows with the stored history (Agno's) shows up as falling
    throughput and rising CPU per run from slice to slice.
    """
    out = []
    width = duration / n
    t_start = load.t[0] if load.t else 0.0
    for i in range(n):
        lo, hi = i * width, (i + 1) * width
        # A run belongs to the slice it finished in; CPU is the server's in the same interval.
        done = [r for r in records if r[6] == "ok" and lo <= r[3] + r[5] < hi]
        cpu_idx = [k for k, t in enumerate(load.t) if lo <= t - t_start <= hi]
        cpu = (load.cpu[cpu_idx[-1]] - load.cpu[cpu_idx[0]]) if len(cpu_idx) > 1 else None
        out.append(
            {
                "from_s": round(lo, 1),
                "to_s": round(hi, 1),
                "runs": len(done),
                "runs_per_s": round(len(done) / width, 2),
                "p95_total_ms": dist([r[5] for r in done])["p95"],
                "p95_ttfc_ms": dist([r[4] for r in done if r[4] is not None])["p95"],
                "cpu_ms_per_run": round(cpu / len(done) * 1000, 2) if cpu is not None and done else None,
                "rss_mb": round(load.rss[cpu_idx[-1]] / MB, 1) if cpu_idx else None,
            }
        )
    return out


def downsample(s: Series, t0: float, every: float = 1.0) -> dict[str, list[float]]:
    """RSS (MiB) and CPU seconds at most once per ``every`` seconds, time relative to ``t0``."""
    t_out: list[float] = []
    rss_out: list[float] = []
    cpu_out: list[float] = []
    last = -math.inf
    for t, r, c in zip(s.t, s.rss, s.cpu, strict=True):
        if t - last >= every:
            t_out.append(round(t - t0, 2))
            rss_out.append(round(r / MB, 2))
            cpu_out.append(c)
            last = t
    return {"t": t_out, "rss_mb": rss_out, "cpu_s": cpu_out}


def ratio(a: float | None, b: float | None) -> float | None:
    """``a / b`` rounded, or None when either is missing or ``b`` is 0."""
    if a is None or b in (None, 0):
        return None
    return round(a / b, 3)


def compare(brisk: dict[str, Any], agno: dict[str, Any]) -> dict[str, Any]:
    """Brisk/Agno ratios of the headline figures, and whether each of the issue's targets is met."""

    def g(d: dict[str, Any], *path: str) -> Any:
        for p in path:
            d = d.get(p) if isinstance(d, dict) else None  # type: ignore[assignment]
        return d

    r = {
        "p95_total": ratio(g(brisk, "latency", "total", "p95"), g(agno, "latency", "total", "p95")),
        "p95_ttfc": ratio(g(brisk, "latency", "ttfc", "p95"), g(agno, "latency", "ttfc", "p95")),
        "p50_total": ratio(g(brisk, "latency", "total", "p50"), g(agno, "latency", "total", "p50")),
        "p50_ttfc": ratio(g(brisk, "latency", "ttfc", "p50"), g(agno, "latency", "ttfc", "p50")),
        "throughput": ratio(brisk.get("throughput_rps"), agno.get("throughput_rps")),
        "peak_rss": ratio(g(brisk, "memory", "peak_mb"), g(agno, "memory", "peak_mb")),
        "idle_rss": ratio(g(brisk, "memory", "idle_mb"), g(agno, "memory", "idle_mb")),
        "cpu_per_run": ratio(brisk.get("cpu_s_per_1000_runs"), agno.get("cpu_s_per_1000_runs")),
    }

    def le(x: float | None, bound: float) -> bool | None:
        return None if x is None else x <= bound

    targets = {
        "p95 total >= 75% lower": le(r["p95_total"], 0.25),
        "p95 TTFC >= 90% lower": le(r["p95_ttfc"], 0.10),
        "peak RSS >= 70% lower": le(r["peak_rss"], 0.30),
        "CPU per run >= 8x lower": le(r["cpu_per_run"], 1 / 8),
        "Brisk: zero errors and truncated streams": (brisk.get("errors", 1) + brisk.get("truncated", 1)) == 0,
    }
    return {"ratios_brisk_over_agno": r, "targets": targets}
