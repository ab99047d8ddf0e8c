"""The app of the Agno 3.1.10 reference capture, on Brisk (``reference/agno-3.1.10/exchanges``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from brisk.agent import Agent
from brisk.db.sqlite import SqliteDb
from brisk.models.openai import OpenAIChat
from brisk.os import AgentOS

INSTRUCTIONS = "You are a concise assistant. Use the get_weather tool for weather questions."


def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: Name of the city.
    """
    return f"The weather in {city} is sunny, 21 degrees C, light wind from the west."


def bench_agent(db_file: str | Path, base_url: str, **agent_kw: Any) -> Agent:
    return Agent(
        id="bench-agent",
        name="Bench Agent",
        model=OpenAIChat(id="gpt-4o-mini", api_key="test-key", base_url=base_url),
        tools=[get_weather],
        db=SqliteDb(db_file=str(db_file)),
        add_history_to_context=True,
        num_history_runs=3,
        instructions=INSTRUCTIONS,
        **agent_kw,
    )


def bench_os(db_file: str | Path, base_url: str, **os_kw: Any) -> AgentOS:
    return AgentOS(
        id="bench-os", description="Agno baseline AgentOS", agents=[bench_agent(db_file, base_url)], **os_kw
    )
