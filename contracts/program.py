"""One contract scenario as an ordinary Agno program, parameterised by the package prefix.

The same code runs ``agno.`` (inside ``.venv-agno``, by the fixture generator) and ``brisk.`` (inside
``.venv``, by the contract suite): that is the whole claim of Brisk, "change the import prefix and the
program behaves the same". It uses only the standard library besides the framework itself, because
``.venv-agno`` has nothing of Brisk's.

A case is plain JSON (see ``contracts/scenarios.py``); ``run_case`` returns plain JSON: per turn the
``RunOutput`` dict, the event dicts, or the exception raised, plus the rows the run stored in SQLite.
"""

import asyncio
import importlib
import inspect
import json
import os
import sqlite3
from typing import Any

# Agno phones home unless told not to; the contract runs are offline.
os.environ.setdefault("AGNO_TELEMETRY", "false")

INSTRUCTIONS = "You are a concise assistant. Use the tools when they help."
AGENT_ID = "contract-agent"
AGENT_NAME = "Contract Agent"
# Columns holding JSON text in Agno's v3 tables; decoded so that both sides compare as data.
JSON_COLUMNS = {
    "session_data",
    "agent_data",
    "team_data",
    "workflow_data",
    "metadata",
    "summary",
    "run_data",
    "memory",
    "topics",
}
WORKFLOW_ID = "contract-workflow"
WORKFLOW_NAME = "Contract Workflow"


# -- tools (the same functions for both frameworks) -------------------------------------------------
def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: Name of the city.
    """
    return f"The weather in {city} is sunny, 21 degrees C, light wind from the west."


def get_time(city: str) -> str:
    """Get the local time in a city.

    Args:
        city: Name of the city.
    """
    return f"It is 14:05 in {city}."


def _make_add_item(run_context_cls: type) -> Any:
    # The RunContext annotation must be the framework's own class (both inject by name + type hint),
    # so the tool is built per package instead of importing either framework at module level.
    def add_item(run_context, item: str) -> str:  # type: ignore[no-untyped-def]
        """Add an item to the shopping list kept in the session state.

        Args:
            item: The item to add.
        """
        state = run_context.session_state
        state.setdefault("items", []).append(item)
        return f"Added {item}; the list has {len(state['items'])} item(s)."

    add_item.__annotations__["run_context"] = run_context_cls
    return add_item


def build_tools(pkg: str, names: list[str]) -> list[Any]:
    table: dict[str, Any] = {"get_weather": get_weather, "get_time": get_time}
    if "add_item" in names:
        table["add_item"] = _make_add_item(importlib.import_module(f"{pkg}.run").RunContext)
    return [table[n] for n in names]


# -- construction -----------------------------------------------------------------------------------
def substitute(value: Any, urls: dict[str, str]) -> Any:
    """Replace ``{mock}``-style placeholders with the loopback URLs of this run's mock servers."""
    if isinstance(value, str):
        for k, v in urls.items():
            value = value.replace("{" + k + "}", v)
        return value
    if isinstance(value, dict):
        return {k: substitute(v, urls) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, urls) for v in value]
    return value


def build_object(pkg: str, spec: dict[str, Any], urls: dict[str, str]) -> Any:
    module = importlib.import_module(f"{pkg}.{spec['module']}")
    return getattr(module, spec["class"])(**substitute(spec.get("kwargs", {}), urls))


def build_agent(pkg: str, case: dict[str, Any], urls: dict[str, str], db_file: str | None) -> Any:
    spec = case["agent"]
    agent_mod = importlib.import_module(f"{pkg}.agent")
    kwargs: dict[str, Any] = {
        "id": AGENT_ID,
        "name": AGENT_NAME,
        "model": build_object(pkg, spec["model"], urls),
        "instructions": spec.get("instructions", INSTRUCTIONS),
        "telemetry": False,
    }
    if spec.get("tools"):
        kwargs["tools"] = build_tools(pkg, spec["tools"])
    if db_file is not None:
        kwargs["db"] = importlib.import_module(f"{pkg}.db.sqlite").SqliteDb(db_file=db_file)
    for key in (
        "add_history_to_context",
        "num_history_runs",
        "session_state",
        "add_session_state_to_context",
        "user_id",
        "markdown",
    ):
        if key in spec:
            kwargs[key] = spec[key]
    return agent_mod.Agent(**kwargs)


# -- running ----------------------------------------------------------------------------------------
def _raised(exc: BaseException) -> dict[str, Any]:
    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "status_code": getattr(exc, "status_code", None),
    }


def _to_dict(obj: Any) -> Any:
    return obj.to_dict() if hasattr(obj, "to_dict") else repr(obj)


async def _turn_async(agent: Any, turn: dict[str, Any]) -> dict[str, Any]:
    kwargs = {k: turn[k] for k in ("session_id", "user_id", "session_state") if k in turn}
    try:
        if turn.get("stream"):
            events = []
            async for ev in agent.arun(turn["input"], stream=True, stream_events=True, **kwargs):
                events.append(_to_dict(ev))
            return {"events": events}
        out = await agent.arun(turn["input"], **kwargs)
        return {"output": _to_dict(out)}
    except Exception as exc:  # noqa: BLE001 - what the framework raises is part of the contract
        return {"raised": _raised(exc)}


def _turn_sync(agent: Any, turn: dict[str, Any]) -> dict[str, Any]:
    kwargs = {k: turn[k] for k in ("session_id", "user_id", "session_state") if k in turn}
    try:
        if turn.get("stream"):
            return {
                "events": [
                    _to_dict(e) for e in agent.run(turn["input"], stream=True, stream_events=True, **kwargs)
                ]
            }
        return {"output": _to_dict(agent.run(turn["input"], **kwargs))}
    except Exception as exc:  # noqa: BLE001
        return {"raised": _raised(exc)}


async def _close(obj: Any) -> None:
    # Brisk's SqliteDb batches writes on a thread and its close() flushes them; Agno's writes at once.
    for name in ("aclose", "close"):
        fn = getattr(obj, name, None)
        if fn is not None:
            r = fn()
            if inspect.isawaitable(r):
                await r
            return


def read_rows(db_file: str, memories: bool = False) -> dict[str, Any]:
    """The ``agno_sessions`` and ``agno_runs`` rows (and ``agno_memories``), JSON columns decoded, in a
    stable order (memories by their text: their ids are random)."""
    tables = [
        ("sessions", "agno_sessions", "created_at, session_id"),
        ("runs", "agno_runs", "session_id, run_index, created_at"),
    ]
    if memories:
        tables.append(("memories", "agno_memories", "memory"))
    if not os.path.exists(db_file):
        return {key: [] for key, _, _ in tables}
    con = sqlite3.connect(db_file)
    con.row_factory = sqlite3.Row
    try:
        out: dict[str, Any] = {}
        for key, table, order in tables:
            try:
                rows = con.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()  # noqa: S608
            except sqlite3.OperationalError:
                rows = []
            out[key] = [_decode_row(dict(r)) for r in rows]
        return out
    finally:
        con.close()


def _decode_row(row: dict[str, Any]) -> dict[str, Any]:
    for k, v in row.items():
        if k in JSON_COLUMNS and isinstance(v, str):
            try:
                row[k] = json.loads(v)
            except ValueError:
                pass
    return row


def run_agent_case(pkg: str, case: dict[str, Any], urls: dict[str, str], workdir: str) -> dict[str, Any]:
    db_file = (
        os.path.join(workdir, f"{case['family']}-{case['case']}.db") if case["agent"].get("db") else None
    )
    if db_file and os.path.exists(db_file):
        os.remove(db_file)
    agent = build_agent(pkg, case, urls, db_file)
    turns: list[dict[str, Any]] = []
    if case.get("sync"):
        # Agno's sync API (``run``); Brisk drives its async core on a private loop for it.
        for turn in case["turns"]:
            turns.append(_turn_sync(agent, turn))
        # Brisk's close() methods are coroutines; run them on the loop its sync API used.
        for obj in (agent.db, agent.model):
            close = getattr(obj, "aclose", None) or getattr(obj, "close", None)
            if obj is not None and inspect.iscoroutinefunction(close):
                importlib.import_module(f"{pkg}.utils.aio").run_sync(close())
    else:

        async def main() -> None:
            for turn in case["turns"]:
                turns.append(await _turn_async(agent, turn))
            if agent.db is not None:
                await _close(agent.db)
            await _close(agent.model)

        asyncio.run(main())
    result: dict[str, Any] = {"turns": turns}
    if db_file:
        result["db"] = read_rows(db_file)
    return result


# -- workflows ----------------------------------------------------------------------------------------
def shout(step_input: Any) -> str:
    """First step of the function workflow: the input in capitals."""
    return str(step_input.input).upper()


def exclaim(step_input: Any) -> str:
    """Last step of both workflows: the previous step's content with an exclamation mark."""
    return f"{step_input.previous_step_content}!"


def build_workflow(pkg: str, spec: dict[str, Any], urls: dict[str, str], db: Any) -> Any:
    """``functions``: a raw function then a named function Step; ``agent``: an agent Step then a function."""
    wf_mod = importlib.import_module(f"{pkg}.workflow")
    exclaim_step = wf_mod.Step(name="exclaim", executor=exclaim)
    if spec["steps"] == "functions":
        steps = [shout, exclaim_step]
    else:
        writer = importlib.import_module(f"{pkg}.agent").Agent(
            name="Writer",
            model=build_object(pkg, spec["model"], urls),
            instructions="Write one short sentence about the topic.",
            telemetry=False,
        )
        steps = [wf_mod.Step(name="draft", agent=writer), exclaim_step]
    return wf_mod.Workflow(
        id=WORKFLOW_ID, name=WORKFLOW_NAME, steps=steps, db=db, telemetry=False, **spec.get("options", {})
    )


async def _workflow_turn(wf: Any, turn: dict[str, Any]) -> dict[str, Any]:
    kwargs = {k: turn[k] for k in ("session_id", "user_id", "session_state") if k in turn}
    try:
        if turn.get("stream"):
            events = []
            async for ev in wf.arun(turn["input"], stream=True, stream_events=True, **kwargs):
                events.append(_to_dict(ev))
            return {"events": events}
        return {"output": _to_dict(await wf.arun(turn["input"], **kwargs))}
    except Exception as exc:  # noqa: BLE001 - what the framework raises is part of the contract
        return {"raised": _raised(exc)}


def run_workflow_case(pkg: str, case: dict[str, Any], urls: dict[str, str], workdir: str) -> dict[str, Any]:
    db_file = os.path.join(workdir, f"{case['family']}-{case['case']}.db")
    if os.path.exists(db_file):
        os.remove(db_file)
    db = importlib.import_module(f"{pkg}.db.sqlite").SqliteDb(db_file=db_file)
    wf = build_workflow(pkg, case["workflow"], urls, db)
    turns: list[dict[str, Any]] = []

    async def main() -> None:
        for turn in case["turns"]:
            turns.append(await _workflow_turn(wf, turn))
        await _close(db)

    asyncio.run(main())
    return {"turns": turns, "db": read_rows(db_file)}


# -- memories ---------------------------------------------------------------------------------------
def run_memory_case(pkg: str, case: dict[str, Any], urls: dict[str, str], workdir: str) -> dict[str, Any]:
    """An agent with ``update_memory_on_run`` and its own memory model (a second model id, so that
    the mock can script the memory pass apart from the answer that runs alongside it), sync API."""
    db_file = os.path.join(workdir, f"{case['family']}-{case['case']}.db")
    if os.path.exists(db_file):
        os.remove(db_file)
    spec = case["agent"]
    mem_mod = importlib.import_module(f"{pkg}.memory")
    db = importlib.import_module(f"{pkg}.db.sqlite").SqliteDb(db_file=db_file)
    manager = mem_mod.MemoryManager(model=build_object(pkg, spec["memory_model"], urls), db=db)
    for seed in case.get("seed_memories", []):
        manager.add_user_memory(mem_mod.UserMemory(**seed["memory"]), user_id=seed["user_id"])
    agent = importlib.import_module(f"{pkg}.agent").Agent(
        id=AGENT_ID,
        name=AGENT_NAME,
        model=build_object(pkg, spec["model"], urls),
        instructions=spec.get("instructions", INSTRUCTIONS),
        db=db,
        memory_manager=manager,
        update_memory_on_run=True,
        telemetry=False,
    )
    turns = [_turn_sync(agent, turn) for turn in case["turns"]]
    for obj in (db, agent.model, manager.model):
        close = getattr(obj, "aclose", None) or getattr(obj, "close", None)
        if obj is not None and inspect.iscoroutinefunction(close):
            importlib.import_module(f"{pkg}.utils.aio").run_sync(close())
    return {"turns": turns, "db": read_rows(db_file, memories=True)}


# -- MCP --------------------------------------------------------------------------------------------
def run_mcp_case(pkg: str, case: dict[str, Any], urls: dict[str, str], workdir: str) -> dict[str, Any]:
    """An agent whose only tools come from the project's MCP test server over stdio."""
    mcp_mod = importlib.import_module(f"{pkg}.tools.mcp")
    turns: list[dict[str, Any]] = []

    async def main() -> None:
        async with mcp_mod.MCPTools(command=substitute(case["mcp"]["command"], urls)) as tools:
            agent = importlib.import_module(f"{pkg}.agent").Agent(
                id=AGENT_ID,
                name=AGENT_NAME,
                model=build_object(pkg, case["agent"]["model"], urls),
                instructions=INSTRUCTIONS,
                tools=[tools],
                telemetry=False,
            )
            for turn in case["turns"]:
                turns.append(await _turn_async(agent, turn))
            await _close(agent.model)

    asyncio.run(main())
    return {"turns": turns}


def run_embed_case(pkg: str, case: dict[str, Any], urls: dict[str, str]) -> dict[str, Any]:
    """Embedder calls: the vector (summarised: length and first values) and usage, or the exception."""
    calls: list[dict[str, Any]] = []
    try:
        embedder = build_object(pkg, case["embedder"], urls)
    except Exception as exc:  # noqa: BLE001
        return {"construct_raised": _raised(exc), "calls": calls}
    for call in case["calls"]:
        try:
            if call["method"] == "get_embedding_and_usage":
                vec, usage = embedder.get_embedding_and_usage(call["text"])
                calls.append({"embedding": _summarise(vec), "usage": usage})
            else:
                calls.append({"embedding": _summarise(embedder.get_embedding(call["text"]))})
        except Exception as exc:  # noqa: BLE001
            calls.append({"raised": _raised(exc)})
    return {"calls": calls}


def _summarise(vec: Any) -> dict[str, Any]:
    vec = list(vec or [])
    return {"len": len(vec), "head": [round(float(x), 6) for x in vec[:4]]}


def run_case(pkg: str, case: dict[str, Any], urls: dict[str, str], workdir: str) -> dict[str, Any]:
    # Some SDKs take their endpoint only from the environment (google-genai: GOOGLE_GEMINI_BASE_URL).
    env = substitute(case.get("env") or {}, urls)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        if case["kind"] == "agent":
            return run_agent_case(pkg, case, urls, workdir)
        if case["kind"] == "embed":
            return run_embed_case(pkg, case, urls)
        if case["kind"] == "workflow":
            return run_workflow_case(pkg, case, urls, workdir)
        if case["kind"] == "memory":
            return run_memory_case(pkg, case, urls, workdir)
        if case["kind"] == "mcp":
            return run_mcp_case(pkg, case, urls, workdir)
        raise ValueError(f"unknown case kind {case['kind']!r}")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
