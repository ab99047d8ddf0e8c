"""Agno's half of ``make interop``. Executed ONLY by ``.venv-agno/bin/python`` (never by Brisk's venv).

``python contracts/_agno_interop_runner.py '<json request>'``: one step, one JSON answer on the original
stdout (Agno's own printing goes to stderr). The request names the SQLite file, the mock's base URL, the
session and user, and the turns to run; the answer is what Agno read from the file before the turns
(session, runs, the user's memories) and what each turn produced. The checks are made by
``contracts/interop.py``; this script only reports.
"""

import json
import os
import sys
from typing import Any


def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: Name of the city.
    """
    return f"The weather in {city} is sunny, 21 degrees C."


def _value(v: Any) -> Any:
    return getattr(v, "value", v)


def _run(r: Any) -> dict[str, Any]:
    return {
        "run_id": r.run_id,
        "session_id": r.session_id,
        "status": _value(r.status),
        "input": r.input.input_content if getattr(r, "input", None) is not None else None,
        "content": r.content,
        "tools": [t.tool_name for t in (r.tools or [])],
    }


def _read(db: Any, session_id: str, user_id: str) -> dict[str, Any]:
    from agno.db.base import SessionType

    s = db.get_session(session_id, SessionType.AGENT)
    if s is None:
        return {"session": None, "runs": [], "memories": []}
    memories = db.get_user_memories(user_id=user_id) or []
    return {
        "session": {
            "type": type(s).__name__,
            "session_id": s.session_id,
            "user_id": s.user_id,
            "agent_id": s.agent_id,
            "session_data": s.session_data,
        },
        "runs": [_run(r) for r in (s.runs or [])],
        "memories": [
            {"memory_id": m.memory_id, "memory": m.memory, "topics": m.topics, "user_id": m.user_id}
            for m in memories
        ],
    }


def step(req: dict[str, Any]) -> dict[str, Any]:
    from agno.agent import Agent
    from agno.db.sqlite import SqliteDb
    from agno.models.openai import OpenAIChat

    db = SqliteDb(db_file=req["db_file"])
    before = _read(db, req["session_id"], req["user_id"])
    agent = Agent(
        id=req["agent_id"],
        name="Interop agent",
        model=OpenAIChat(id="gpt-4o-mini", api_key="sk-test", base_url=req["base_url"]),
        tools=[get_weather],
        db=db,
        add_history_to_context=True,
        num_history_runs=req.get("num_history_runs", 3),
        telemetry=False,
    )
    turns = []
    for text in req.get("turns", []):
        out = agent.run(text, session_id=req["session_id"], user_id=req["user_id"])
        turns.append(_run(out))
    after = _read(db, req["session_id"], req["user_id"])
    return {"before": before, "turns": turns, "after": after}


def main() -> None:
    proto = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # Agno's printing -> stderr
    proto.write(json.dumps(step(json.loads(sys.argv[1])), default=repr) + "\n")


if __name__ == "__main__":
    main()
