"""Drive Agno's own ``AgentOSClient`` (agno.client) against an AgentOS. Runs ONLY in ``.venv-agno``.

``python -m contracts._agno_client_runner --base http://127.0.0.1:N --out result.json``: every client
method that concerns agents, sessions and memories, in an order where each finds what it needs; per
method whether it worked and what the client parsed (the parsed model dumped to JSON), or the error.
The generator runs it once against Agno's server (the expectation) and once against Brisk's.
"""

import argparse
import asyncio
import json
import os
import sys
from typing import Any

os.environ.setdefault("AGNO_TELEMETRY", "false")

AGENT = "contract-agent"


def dump(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {k: dump(v) for k, v in value.items()}
    if hasattr(value, "value"):  # enums
        return value.value
    return value


async def main(base: str) -> list[dict[str, Any]]:
    from agno.client import AgentOSClient
    from agno.db.base import SessionType

    client = AgentOSClient(base_url=base, timeout=60)
    out: list[dict[str, Any]] = []
    ctx: dict[str, Any] = {}

    async def call(name: str, make: Any, keep: str | None = None) -> None:
        try:
            result = await make()
            if hasattr(result, "__aiter__"):
                result = [e async for e in result]
            if keep:
                ctx[keep] = result
            out.append({"method": name, "ok": True, "parsed": dump(result)})
        except Exception as exc:  # noqa: BLE001 - a client error is the finding
            out.append({"method": name, "ok": False, "error": f"{type(exc).__name__}: {exc}"[:2000]})

    await call("aget_config", lambda: client.aget_config())
    await call("list_agents", lambda: client.list_agents())
    await call("aget_agent", lambda: client.aget_agent(AGENT))
    await call(
        "run_agent", lambda: client.run_agent(AGENT, "Hello there!", session_id="cl-s1", user_id="u1"), "run"
    )
    await call(
        "run_agent_stream",
        lambda: _agen(
            client.run_agent_stream(AGENT, "What is the weather in Paris?", session_id="cl-s1", user_id="u1")
        ),
    )
    await call(
        "create_session",
        lambda: client.create_session(
            session_type=SessionType.AGENT,
            session_id="cl-created",
            user_id="u1",
            session_name="Made by client",
            session_state={"k": 1},
            agent_id=AGENT,
        ),
    )
    await call(
        "get_sessions", lambda: client.get_sessions(session_type=SessionType.AGENT, component_id=AGENT)
    )
    await call("get_session", lambda: client.get_session("cl-s1", session_type=SessionType.AGENT))
    await call("get_session_runs", lambda: client.get_session_runs("cl-s1", session_type=SessionType.AGENT))
    await call("aget_session_run_previews", lambda: client.aget_session_run_previews("cl-s1"))
    run_id = getattr(ctx.get("run"), "run_id", None) or "missing-run"
    await call(
        "get_session_run", lambda: client.get_session_run("cl-s1", run_id, session_type=SessionType.AGENT)
    )
    await call("rename_session", lambda: client.rename_session("cl-s1", "Renamed by client"))
    await call("update_session", lambda: client.update_session("cl-s1", session_state={"a": 2}))
    await call("delete_session", lambda: client.delete_session("cl-created"))
    await call("delete_sessions", lambda: client.delete_sessions(["cl-none"], [SessionType.AGENT]))
    await call(
        "create_memory", lambda: client.create_memory("User likes foxes.", "u1", topics=["animals"]), "mem"
    )
    mem_id = getattr(ctx.get("mem"), "memory_id", None) or "missing-memory"
    await call("get_memory", lambda: client.get_memory(mem_id, user_id="u1"))
    await call("list_memories", lambda: client.list_memories(user_id="u1"))
    await call(
        "update_memory", lambda: client.update_memory(mem_id, "User loves foxes.", "u1", topics=["animals"])
    )
    await call("get_memory_topics", lambda: client.get_memory_topics())
    await call("get_user_memory_stats", lambda: client.get_user_memory_stats())
    await call("delete_memory", lambda: client.delete_memory(mem_id, user_id="u1"))
    await call("delete_memories", lambda: client.delete_memories(["missing-memory"], user_id="u1"))
    # Workflows (issue 7): appended, so the methods above keep their numbers.
    await call("list_workflows", lambda: client.list_workflows())
    await call("aget_workflow", lambda: client.aget_workflow("shout-flow"))
    await call("aget_workflow_agent_step", lambda: client.aget_workflow("writer-flow"))
    await call(
        "run_workflow",
        lambda: client.run_workflow("shout-flow", "hello flow", session_id="cl-wf", user_id="u1"),
        "wf_run",
    )
    await call(
        "run_workflow_stream",
        lambda: _agen(client.run_workflow_stream("shout-flow", "again", session_id="cl-wf", user_id="u1")),
    )
    wf_run_id = getattr(ctx.get("wf_run"), "run_id", None) or "missing-run"
    await call("cancel_workflow_run", lambda: client.cancel_workflow_run("shout-flow", wf_run_id))
    return out


async def _agen(agen: Any) -> list[Any]:
    return [e async for e in agen]


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    result = asyncio.run(main(args.base))
    with open(args.out, "w") as f:
        json.dump(result, f, default=repr)
    sys.exit(0)
