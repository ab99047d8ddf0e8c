"""``make interop``: one SQLite file, written and read in turn by Agno 3.1.10 and by Brisk.

Two directions, both against the project's loopback OpenAI mock (``contracts.mockhost``, so that the
requests each framework sends can be inspected):

1. ``agno_first``: Agno writes a session (2 runs, the first with a tool call) to a fresh file; Brisk
   opens it, reads the session and the runs (``get_runs(last=2)``, each ``run_data`` parsed into a
   ``RunOutput``), then runs a 3rd turn with ``add_history_to_context`` (the mock must receive turns 1-2
   as history); Agno reopens the file, reads all three runs and runs a 4th turn (history: turns 1-3);
   Brisk reads the four runs back.
2. ``brisk_first``: Brisk writes a session (2 runs, one with a tool call) and a user memory; Agno reads
   the session, the runs and the memory and appends a 3rd run (history: Brisk's two turns); Brisk reads
   the three runs and the memory back.

Agno runs only in ``.venv-agno`` (``contracts/_agno_interop_runner.py``, one subprocess per step).
Prints progress, writes ``artifacts/interop/report.json`` (and the two ``.db`` files next to it), exits
1 on any mismatch.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "artifacts" / "interop"
RUNNER = ROOT / "contracts" / "_agno_interop_runner.py"
AGENT_ID = "interop-agent"
USER_ID = "interop-user"
NUM_HISTORY_RUNS = 3

TURNS = [
    ("What is the weather in Paris?", "It is sunny in Paris, 21 degrees."),
    ("Should I bring a jacket?", "A light jacket is enough."),
    ("And tomorrow morning?", "Expect the same mild weather."),
    ("Thanks, anything else?", "Enjoy your trip to Paris."),
]
MEMORY = {"memory": "The user prefers window seats.", "topics": ["travel", "preferences"]}


def say(msg: str) -> None:
    print(f"[interop] {msg}", flush=True)


def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: Name of the city.
    """
    return f"The weather in {city} is sunny, 21 degrees C."


def script_for(turns: list[int]) -> list[dict[str, Any]]:
    """Mock replies for these turn numbers (1-based); turn 1 calls ``get_weather`` first."""
    replies: list[dict[str, Any]] = []
    for n in turns:
        if n == 1:
            replies.append({"reply": "ToolCalls", "calls": [["get_weather", {"city": "Paris"}]]})
        replies.append({"reply": "Text", "text": TURNS[n - 1][1]})
    return replies


class Checks:
    """Every check made, with the direction and step it belongs to."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.where = ("", "")

    def at(self, direction: str, step: str) -> None:
        self.where = (direction, step)
        say(f"{direction}: {step}")

    def eq(self, name: str, got: Any, want: Any) -> bool:
        return self.ok(name, got == want, None if got == want else {"got": got, "want": want})

    def ok(self, name: str, passed: bool, detail: Any = None) -> bool:
        self.items.append(
            {
                "direction": self.where[0],
                "step": self.where[1],
                "check": name,
                "ok": bool(passed),
                "detail": detail,
            }
        )
        if not passed:
            say(f"  MISMATCH {name}: {json.dumps(detail, default=repr)[:600]}")
        return bool(passed)

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [c for c in self.items if not c["ok"]]


# -- what the mock received ---------------------------------------------------------------------------
def _conversation(body: dict[str, Any]) -> list[tuple[str, str]]:
    """The chat request's messages as (role, text) pairs; an assistant tool call is ``("call", name)``."""
    out: list[tuple[str, str]] = []
    for m in body.get("messages") or []:
        if m.get("role") == "assistant" and m.get("tool_calls"):
            out += [("call", c["function"]["name"]) for c in m["tool_calls"]]
        content = m.get("content")
        if isinstance(content, list):
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        if content:
            out.append((m["role"], str(content)))
    return out


def expected_history(turns: int) -> list[tuple[str, str]]:
    """Turns 1..``turns`` as the model must see them in the history (turn 1 with its tool call)."""
    want: list[tuple[str, str]] = []
    for n in range(1, turns + 1):
        want.append(("user", TURNS[n - 1][0]))
        if n == 1:
            want += [("call", "get_weather"), ("tool", get_weather("Paris"))]
        want.append(("assistant", TURNS[n - 1][1]))
    return want


def check_history(checks: Checks, requests: list[dict[str, Any]], prior_turns: int, turn: int) -> None:
    """The first request of ``turn`` must carry turns 1..prior_turns, in order, then the new input."""
    chats = [r for r in requests if r["path"].endswith("/chat/completions")]
    if not checks.ok(f"turn {turn} reached the mock", bool(chats), {"requests": len(requests)}):
        return
    conv = [m for m in _conversation(chats[0]["body"]) if m[0] != "system"]
    want = [*expected_history(prior_turns), ("user", TURNS[turn - 1][0])]
    checks.eq(f"turn {turn}: history sent to the model (turns 1-{prior_turns})", conv, want)


# -- Agno, through .venv-agno ---------------------------------------------------------------------------
def agno_step(py: Path, mock: Any, db_file: Path, session_id: str, turns: list[int]) -> dict[str, Any]:
    from contracts.generate import clean_env

    mock.script({"script": script_for(turns)})
    req = {
        "db_file": str(db_file),
        "base_url": mock.url + "/v1",
        "session_id": session_id,
        "user_id": USER_ID,
        "agent_id": AGENT_ID,
        "num_history_runs": NUM_HISTORY_RUNS,
        "turns": [TURNS[n - 1][0] for n in turns],
    }
    proc = subprocess.run(
        [str(py), str(RUNNER), json.dumps(req)], cwd=ROOT, env=clean_env(), capture_output=True, text=True
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"the Agno runner failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["requests"] = mock.requests()
    return out


# -- Brisk, in this process -------------------------------------------------------------------------------
def _brisk_agent(db: Any, base_url: str) -> Any:
    from brisk.agent import Agent
    from brisk.models.openai import OpenAIChat

    return Agent(
        id=AGENT_ID,
        name="Interop agent",
        model=OpenAIChat(id="gpt-4o-mini", api_key="sk-test", base_url=base_url),
        tools=[get_weather],
        db=db,
        add_history_to_context=True,
        num_history_runs=NUM_HISTORY_RUNS,
        telemetry=False,
    )


def _run_summary(run: Any) -> dict[str, Any]:
    inp = getattr(run, "input", None)
    return {
        "run_id": run.run_id,
        "session_id": run.session_id,
        "status": getattr(run.status, "value", run.status),
        "input": getattr(inp, "input_content", None),
        "content": run.content,
        "tools": [t.tool_name for t in (run.tools or [])],
    }


async def brisk_read(db_file: Path, session_id: str, last: int | None = None) -> dict[str, Any]:
    """What Brisk reads from the file: the session row, the runs (parsed into ``RunOutput``), memories."""
    from brisk.db.sqlite import SqliteDb
    from brisk.run.agent import RunOutput
    from brisk.session.agent import AgentSession

    db = SqliteDb(db_file=str(db_file))
    try:
        row = await db.get_session(session_id, session_type="agent")
        rows = await db.get_runs(session_id, last=last)
        memories, _ = await db.get_memories(user_id=USER_ID)
    finally:
        await db.close()
    session = AgentSession.from_row(row) if row else None
    return {
        "session": None
        if session is None
        else {
            "session_type": row["session_type"],
            "session_id": session.session_id,
            "user_id": session.user_id,
            "agent_id": session.agent_id,
        },
        "runs": [_run_summary(RunOutput.from_dict(r["run_data"])) for r in rows],
        "run_index": [r["run_index"] for r in rows],
        "memories": [
            {
                "memory_id": m["memory_id"],
                "memory": m["memory"],
                "topics": m["topics"],
                "user_id": m["user_id"],
            }
            for m in memories
        ],
    }


async def brisk_turns(
    db_file: Path, base_url: str, session_id: str, turns: list[int], memory: bool = False
) -> Any:
    from brisk.db.sqlite import SqliteDb

    db = SqliteDb(db_file=str(db_file))
    agent = _brisk_agent(db, base_url)
    out = []
    try:
        for n in turns:
            run = await agent.arun(TURNS[n - 1][0], session_id=session_id, user_id=USER_ID)
            out.append(_run_summary(run))
        if memory:
            from brisk.memory import MemoryManager, UserMemory

            mid = await MemoryManager(db=db).aadd_user_memory(UserMemory(**MEMORY), user_id=USER_ID)
            out.append({"memory_id": mid})
    finally:
        await db.close()
        await agent.model.aclose()
    return out


# -- the two directions -----------------------------------------------------------------------------------
def check_runs(checks: Checks, label: str, got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
    keys = ("run_id", "session_id", "status", "input", "content", "tools")
    checks.eq(
        f"{label}: runs (id, session, status, input, content, tools)",
        [{k: r.get(k) for k in keys} for r in got],
        [{k: r.get(k) for k in keys} for r in want],
    )


def agno_first(py: Path, mock: Any, checks: Checks) -> dict[str, Any]:
    d, sid, db_file = "agno_first", "interop-agno-first", OUT / "agno_first.db"
    db_file.unlink(missing_ok=True)
    base_url = mock.url + "/v1"

    checks.at(d, "1. Agno writes 2 runs (the first with a tool call)")
    a1 = agno_step(py, mock, db_file, sid, [1, 2])
    agno_runs = a1["turns"]
    checks.eq("Agno's turns completed", [r["status"] for r in agno_runs], ["COMPLETED"] * 2)
    checks.eq("Agno's turn 1 called get_weather", agno_runs[0]["tools"], ["get_weather"])
    check_runs(checks, "Agno reads its own file", a1["after"]["runs"], agno_runs)

    checks.at(d, "2. Brisk opens the file, reads the session and get_runs(last=2)")
    b2 = asyncio.run(brisk_read(db_file, sid, last=2))
    checks.eq(
        "session row",
        b2["session"],
        {"session_type": "agent", "session_id": sid, "user_id": USER_ID, "agent_id": AGENT_ID},
    )
    check_runs(checks, "Brisk reads Agno's runs", b2["runs"], agno_runs)
    checks.eq(
        "Brisk get_runs(last=1)",
        [r["run_id"] for r in asyncio.run(brisk_read(db_file, sid, last=1))["runs"]],
        [agno_runs[1]["run_id"]],
    )

    checks.at(d, "3. Brisk runs turn 3 with add_history_to_context")
    mock.script({"script": script_for([3])})
    b3 = asyncio.run(brisk_turns(db_file, base_url, sid, [3]))
    check_history(checks, mock.requests(), 2, 3)
    checks.eq("Brisk's turn 3 completed", b3[0]["status"], "COMPLETED")

    checks.at(d, "4. Agno reopens the file, reads 3 runs, runs turn 4")
    a4 = agno_step(py, mock, db_file, sid, [4])
    check_runs(checks, "Agno reads Agno's and Brisk's runs", a4["before"]["runs"], [*agno_runs, *b3])
    check_history(checks, a4["requests"], 3, 4)
    checks.eq("Agno's turn 4 completed", a4["turns"][0]["status"], "COMPLETED")

    checks.at(d, "5. Brisk reads the 4 runs back")
    b5 = asyncio.run(brisk_read(db_file, sid))
    check_runs(checks, "Brisk reads all runs", b5["runs"], [*agno_runs, *b3, *a4["turns"]])
    checks.eq("run_index", b5["run_index"], [0, 1, 2, 3])
    return {"db_file": str(db_file.relative_to(ROOT)), "run_ids": [r["run_id"] for r in b5["runs"]]}


def brisk_first(py: Path, mock: Any, checks: Checks) -> dict[str, Any]:
    d, sid, db_file = "brisk_first", "interop-brisk-first", OUT / "brisk_first.db"
    db_file.unlink(missing_ok=True)
    base_url = mock.url + "/v1"

    checks.at(d, "1. Brisk writes 2 runs (the first with a tool call) and a user memory")
    mock.script({"script": script_for([1, 2])})
    b1 = asyncio.run(brisk_turns(db_file, base_url, sid, [1, 2], memory=True))
    brisk_runs, memory_id = b1[:2], b1[2]["memory_id"]
    checks.eq("Brisk's turns completed", [r["status"] for r in brisk_runs], ["COMPLETED"] * 2)
    checks.eq("Brisk's turn 1 called get_weather", brisk_runs[0]["tools"], ["get_weather"])
    check_history(checks, mock.requests()[2:], 1, 2)

    checks.at(d, "2. Agno reads the session, the runs and the memory, then appends turn 3")
    a2 = agno_step(py, mock, db_file, sid, [3])
    before = a2["before"]
    checks.eq(
        "Agno's session",
        before["session"]
        and {k: before["session"][k] for k in ("type", "session_id", "user_id", "agent_id")},
        {"type": "AgentSession", "session_id": sid, "user_id": USER_ID, "agent_id": AGENT_ID},
    )
    check_runs(checks, "Agno reads Brisk's runs", before["runs"], brisk_runs)
    want_memory = [{"memory_id": memory_id, "user_id": USER_ID, **MEMORY, "topics": sorted(MEMORY["topics"])}]
    checks.eq(
        "Agno reads Brisk's memory",
        [{**m, "topics": sorted(m["topics"] or [])} for m in before["memories"]],
        want_memory,
    )
    check_history(checks, a2["requests"], 2, 3)
    checks.eq("Agno's turn 3 completed", a2["turns"][0]["status"], "COMPLETED")

    checks.at(d, "3. Brisk reads the 3 runs and the memory back")
    b3 = asyncio.run(brisk_read(db_file, sid))
    check_runs(checks, "Brisk reads all runs", b3["runs"], [*brisk_runs, *a2["turns"]])
    checks.eq("run_index", b3["run_index"], [0, 1, 2])
    checks.eq(
        "Brisk reads its memory", [{**m, "topics": sorted(m["topics"])} for m in b3["memories"]], want_memory
    )
    return {"db_file": str(db_file.relative_to(ROOT)), "run_ids": [r["run_id"] for r in b3["runs"]]}


def main() -> int:
    from contracts import _agno_venv
    from contracts.generate import MockProcess

    started = time.time()
    OUT.mkdir(parents=True, exist_ok=True)
    say("preparing .venv-agno")
    py = _agno_venv.ensure()
    versions = _agno_venv.versions(py)
    say(f"agno {versions.get('agno')}; starting the OpenAI mock")
    mock = MockProcess("openai")
    checks = Checks()
    directions: dict[str, Any] = {}
    errors: list[str] = []
    try:
        for name, fn in (("agno_first", agno_first), ("brisk_first", brisk_first)):
            try:
                directions[name] = fn(py, mock, checks)
            except Exception as exc:  # noqa: BLE001 - reported as a failure of this direction
                import traceback

                errors.append(f"{name}: {exc}")
                say(f"  ERROR in {name}: {exc}")
                traceback.print_exc()
    finally:
        mock.stop()
    failed = checks.failed
    ok = not failed and not errors
    report = {
        "ok": ok,
        "agno_version": versions.get("agno"),
        "duration_s": round(time.time() - started, 2),
        "checks": len(checks.items),
        "failed": len(failed),
        "errors": errors,
        "directions": directions,
        "results": checks.items,
    }
    (OUT / "report.json").write_text(json.dumps(report, indent=2, default=repr) + "\n")
    say("")
    say(f"summary: {len(checks.items) - len(failed)}/{len(checks.items)} checks passed, {len(errors)} errors")
    for name, info in directions.items():
        say(f"  {name}: {len(info['run_ids'])} runs in {info['db_file']}")
    for c in failed:
        say(f"  FAILED {c['direction']} / {c['step']} / {c['check']}")
    for e in errors:
        say(f"  ERROR {e}")
    say(f"report: {(OUT / 'report.json').relative_to(ROOT)}")
    say("PASS: Agno and Brisk read and continue each other's SQLite files" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
