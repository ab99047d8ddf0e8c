"""The load benchmark's AgentOS app, written as a plain Agno 3.1.10 program.

``bench/run.py`` copies this file as ``bench_app.py`` into the run's work directory: as it is for Agno
(served by ``uvicorn bench_app:app`` from ``.venv-agno``, which is what ``AgentOS.serve`` does), and
after ``s/agno\\./brisk./`` for Brisk (served by ``brisk serve bench_app:app``). Nothing else differs.

Configured by the environment: ``BENCH_MOCK_URL`` (the mock LLM's ``/v1`` base URL) and
``BENCH_DB_FILE`` (a fresh SQLite file per system).
"""

from __future__ import annotations

import os

os.environ.setdefault("AGNO_TELEMETRY", "false")  # no internet here; Brisk has no telemetry

from agno.agent import Agent  # noqa: E402
from agno.db.sqlite import SqliteDb  # noqa: E402
from agno.models.openai import OpenAIChat  # noqa: E402
from agno.os import AgentOS  # noqa: E402


def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: The name of the city.
    """
    return f"It is sunny and 21 degrees in {city}."


agent = Agent(
    id="bench-agent",
    name="Bench Agent",
    model=OpenAIChat(id="gpt-4o-mini", base_url=os.environ["BENCH_MOCK_URL"], api_key="bench"),
    tools=[get_weather],
    instructions=["You are a concise assistant.", "Answer in one short paragraph."],
    db=SqliteDb(db_file=os.environ["BENCH_DB_FILE"]),
    add_history_to_context=True,
    num_history_runs=3,
    telemetry=False,
)

agent_os = AgentOS(id="bench-os", agents=[agent], telemetry=False)
app = agent_os.get_app()
