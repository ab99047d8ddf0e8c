"""The micro-benchmark workload, written as a plain Agno 3.1.10 program.

``bench/micro.py`` runs this file as it is under ``.venv-agno`` and, after the one-line migration
``s/agno\\./brisk./`` (nothing else changes), under Brisk's ``.venv``. Everything that differs between
the two runs is therefore the framework.

Usage: ``python agent_program.py SCENARIO --base-url URL [--n N] [--tmp DIR] [--profile FILE]``, SCENARIO one of
``construct``, ``memory``, ``runs``, ``sync``, ``conversation``. The result is one JSON line on stdout,
prefixed with ``BENCH_RESULT``; anything else printed is ignored.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sqlite3
import statistics
import sys
import time
import tracemalloc
import urllib.request

os.environ.setdefault("AGNO_TELEMETRY", "false")  # no internet here; Brisk has no telemetry

from agno.agent import Agent  # noqa: E402
from agno.db.sqlite import SqliteDb  # noqa: E402
from agno.models.openai import OpenAIChat  # noqa: E402

INSTRUCTIONS = ["You are a concise assistant.", "Answer in one short paragraph."]


def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: The name of the city.
    """
    return f"It is sunny in {city}."


def make_model(base_url: str) -> OpenAIChat:
    return OpenAIChat(id="gpt-4o-mini", base_url=base_url, api_key="k")


def make_agent(base_url: str, **kwargs) -> Agent:
    return Agent(
        model=make_model(base_url),
        tools=[get_weather],
        instructions=INSTRUCTIONS,
        telemetry=False,
        **kwargs,
    )


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(q * (len(s) - 1))))
    return s[k]


def summary(values: list[float]) -> dict:
    return {
        "median": statistics.median(values),
        "p95": pct(values, 0.95),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def check_output(out) -> None:
    content = getattr(out, "content", None)
    if not isinstance(content, str) or not content:
        raise RuntimeError(f"run gave no text content: {out!r:.300}")
    status = str(getattr(out, "status", "")).lower()
    if "error" in status or "cancel" in status:
        raise RuntimeError(f"run ended with status {status}: {content[:300]}")


# -- (a) construction ------------------------------------------------------------------------------------
def scenario_construct(args) -> dict:
    """Seconds per ``Agent(model=OpenAIChat(...), tools=[fn], instructions=...)``, median over batches."""
    base_url = args.base_url
    batches = 10
    per_batch = max(1, args.n // batches)
    for _ in range(per_batch // 4):  # warm-up: caches, lazy imports inside constructors
        make_agent(base_url)
    per_agent = []
    for _ in range(batches):
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(per_batch):
            make_agent(base_url)
        per_agent.append((time.perf_counter() - t0) / per_batch)
    return {"per_agent_s": summary(per_agent), "batches": batches, "per_batch": per_batch}


def scenario_memory(args) -> dict:
    """Bytes allocated (tracemalloc) per agent for ``n`` agents kept alive."""
    base_url = args.base_url
    keep = [make_agent(base_url) for _ in range(20)]  # warm-up outside the measurement
    del keep
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    agents = [make_agent(base_url) for _ in range(args.n)]
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(agents) == args.n
    return {"bytes_per_agent": (after - before) / args.n, "n": args.n}


# -- (b) one run, in process, no db ----------------------------------------------------------------------
PROMPT = "Tell me a short story about a fox."
# Both bench mocks answer this with one get_weather call, then text once the tool result is sent.
TOOL_PROMPT = "What is the weather in Paris? [tool]"


async def _one_run(agent: Agent, kind: str) -> None:
    if kind == "stream":
        chunks = 0
        async for event in agent.arun(PROMPT, stream=True):
            if getattr(event, "content", None):
                chunks += 1
        if chunks == 0:
            raise RuntimeError("streamed run gave no content events")
    elif kind == "tool":
        out = await agent.arun(TOOL_PROMPT)
        check_output(out)
        if not getattr(out, "tools", None):
            raise RuntimeError(f"the run made no tool call: {out.content!r:.200}")
    else:
        check_output(await agent.arun(PROMPT))


async def _runs(args) -> dict:
    agent = make_agent(args.base_url)
    result = {}
    for kind in ("non_stream", "stream", "tool"):
        for _ in range(args.warmup):
            await _one_run(agent, kind)
        walls, cpus = [], []
        for _ in range(args.n):
            c0, t0 = time.process_time(), time.perf_counter()
            await _one_run(agent, kind)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        result[kind] = {"wall_s": summary(walls), "cpu_s": summary(cpus)}
    return result


def scenario_runs(args) -> dict:
    return asyncio.run(_runs(args))


def scenario_sync(args) -> dict:
    """The sync ``run()`` for reference (no event loop of ours)."""
    agent = make_agent(args.base_url)
    for _ in range(args.warmup):
        check_output(agent.run(PROMPT))
    walls, cpus = [], []
    for _ in range(args.n):
        c0, t0 = time.process_time(), time.perf_counter()
        check_output(agent.run(PROMPT))
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return {"wall_s": summary(walls), "cpu_s": summary(cpus)}


# -- (c) 25-turn conversation persisted to SQLite ----------------------------------------------------------
async def _conversation(db_file: str, base_url: str, turns: int) -> dict:
    db = SqliteDb(db_file=db_file)
    agent = make_agent(
        base_url,
        db=db,
        add_history_to_context=True,
        num_history_runs=3,
        session_id="bench-conversation",
    )
    walls, cpus = [], []
    c_start, t_start = time.process_time(), time.perf_counter()
    for turn in range(turns):
        c0, t0 = time.process_time(), time.perf_counter()
        out = await agent.arun(f"Turn {turn}: tell me a short story about a fox.")
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        check_output(out)
    # Part of the timed total: what another process sees in the file once the last run returned.
    persisted_at_return = count_runs(db_file)
    total_wall, total_cpu = time.perf_counter() - t_start, time.process_time() - c_start
    last = mock_stats(base_url)
    return {
        "total_wall_s": total_wall,
        "total_cpu_s": total_cpu,
        "turn_wall_s": walls,
        "turn_cpu_s": cpus,
        "persisted_at_return": persisted_at_return,
        "last_request_messages": last.get("last_messages"),
        "last_request_bytes": last.get("last_bytes"),
        "last_output_messages": len(getattr(out, "messages", None) or []),
    }


def mock_stats(base_url: str) -> dict:
    """What the bench mock saw last (``bench/mock_openai.py`` only; other mocks give nothing)."""
    try:
        with urllib.request.urlopen(base_url.rsplit("/v1", 1)[0] + "/stats", timeout=2) as r:
            return json.loads(r.read())
    except (OSError, ValueError):
        return {}


def count_runs(db_file: str) -> int:
    """Runs stored in the file, read by a fresh stdlib connection (the v3 ``agno_runs`` table)."""
    con = sqlite3.connect(db_file)
    try:
        return con.execute("SELECT count(*) FROM agno_runs").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def scenario_conversation(args) -> dict:
    reps = []
    for rep in range(args.reps):
        db_file = os.path.join(args.tmp, f"conversation-{rep}.db")
        if os.path.exists(db_file):
            os.remove(db_file)
        rep_result = asyncio.run(_conversation(db_file, args.base_url, args.n))
        rep_result["persisted_after_close"] = count_runs(db_file)
        if rep_result["persisted_after_close"] != args.n:
            raise RuntimeError(
                f"{rep_result['persisted_after_close']} runs stored in {db_file}, expected {args.n}"
            )
        reps.append(rep_result)
    # The repetition with the median total stands for the scenario; the totals of all are kept.
    totals = [r["total_wall_s"] for r in reps]
    mid = reps[sorted(range(len(reps)), key=lambda i: totals[i])[len(reps) // 2]]
    walls, cpus = mid["turn_wall_s"], mid["turn_cpu_s"]
    return {
        "turns": args.n,
        "reps": args.reps,
        "total_wall_s": mid["total_wall_s"],
        "total_cpu_s": mid["total_cpu_s"],
        "all_total_wall_s": totals,
        "turn_wall_median_s": statistics.median(walls),
        "turn_cpu_median_s": statistics.median(cpus),
        "first_turn_wall_s": walls[0],
        "first5_wall_median_s": statistics.median(walls[:5]),
        "last5_wall_median_s": statistics.median(walls[-5:]),
        "last5_cpu_median_s": statistics.median(cpus[-5:]),
        "persisted_at_return": mid["persisted_at_return"],
        "last_request_messages": mid["last_request_messages"],
        "last_request_bytes": mid["last_request_bytes"],
        "last_output_messages": mid["last_output_messages"],
        "turn_wall_s": walls,
    }


SCENARIOS = {
    "construct": scenario_construct,
    "memory": scenario_memory,
    "runs": scenario_runs,
    "sync": scenario_sync,
    "conversation": scenario_conversation,
}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("scenario", choices=sorted(SCENARIOS))
    p.add_argument("--base-url", required=True)
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--tmp", default=".")
    p.add_argument("--profile", help="write a cProfile of the scenario to this file")
    args = p.parse_args()
    if args.profile:
        import cProfile

        with cProfile.Profile() as prof:
            result = SCENARIOS[args.scenario](args)
        prof.dump_stats(args.profile)
    else:
        result = SCENARIOS[args.scenario](args)
    result["python"] = sys.version.split()[0]
    sys.stdout.write("BENCH_RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
