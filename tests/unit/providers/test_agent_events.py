"""An agent on each provider's mock streams a tool run with the same event sequence (Agno's), directly
(``agent.arun(stream=True, stream_events=True)``) and served by AgentOS over HTTP."""

from __future__ import annotations

from typing import Any

from brisk.agent import Agent
from brisk.os import AgentOS
from tests.mocks.openai_server import FOX
from tests.support.http_exchange import parse_sse
from tests.support.live_server import live_server
from tests.unit.providers.cases import ALL, Case

EXPECTED = [
    "RunStarted", "ModelRequestStarted", "ModelRequestCompleted", "ToolCallStarted", "ToolCallCompleted",
    "ModelRequestStarted", "RunContent", "ModelRequestCompleted", "RunContentCompleted", "RunCompleted",
]  # fmt: skip
ANSWER = "Tool-result: " + FOX.split(" ", 1)[1]


def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: Name of the city.
    """
    return f"The weather in {city} is sunny."


def _collapse(names: list[str]) -> list[str]:
    return [n for i, n in enumerate(names) if not (n == "RunContent" and i and names[i - 1] == "RunContent")]


def _agent(case: Case, mock: Any) -> Agent:
    return Agent(
        id="weather", name="Weather", model=case.model(mock), tools=[get_weather], instructions="Be brief."
    )


@ALL
async def test_agent_stream_events(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    agent = _agent(case, mock)
    events = [e async for e in agent.arun("What's the weather in Paris?", stream=True, stream_events=True)]
    assert _collapse([e.event for e in events]) == EXPECTED
    tool = next(e for e in events if e.event == "ToolCallCompleted").tool
    assert tool.tool_name == "get_weather" and tool.tool_args == {"city": "Paris"}
    assert tool.result == "The weather in Paris is sunny." and tool.tool_call_id
    final = events[-1]
    assert final.content == ANSWER
    assert final.metrics.output_tokens == 12 + 32 and final.metrics.input_tokens > 0
    started = next(e for e in events if e.event == "ModelRequestStarted")
    assert started.model == case.model_id and started.model_provider == case.model(mock).provider
    assert len(mock.requests) == 2


@ALL
def test_agentos_streamed_run(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    os = AgentOS(agents=[_agent(case, mock)])
    with live_server(os.get_app()) as server:
        r = server.request(
            "POST",
            "/agents/weather/runs",
            multipart={"message": "What's the weather in Paris?", "stream": "true"},
        )
        assert r.status == 200
        events = parse_sse(r.body)
    names = _collapse([name for name, _ in events])
    assert names == EXPECTED
    assert events[-1][1]["content"] == ANSWER
