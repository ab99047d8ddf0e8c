"""The reference app end to end in-process: Agent + OpenAIChat (real HTTP to the loopback mock) + SqliteDb.

Compared with what Agno 3.1.10 did for the same requests (contracts/reference/agno-3.1.10): the bodies the
provider received and the event sequence and fields of the stream.
"""

import json
from pathlib import Path

import pytest

from brisk.agent import Agent
from brisk.db.sqlite import SqliteDb
from brisk.models.openai import OpenAIChat
from tests.reference import REFERENCE

REF = REFERENCE
INSTRUCTIONS = "You are a concise assistant. Use the get_weather tool for weather questions."


def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: Name of the city.
    """
    return f"The weather in {city} is sunny, 21 degrees C, light wind from the west."


@pytest.fixture
def reference_mock(openai_mock):
    """The mock as it was when Agno's reference was captured (no content in the role chunk)."""
    openai_mock.empty_role_content = False
    return openai_mock


def reference_agent(base_url: str, db_file: Path) -> Agent:
    return Agent(
        id="bench-agent",
        name="Bench Agent",
        model=OpenAIChat(id="gpt-4o-mini", base_url=base_url, api_key="sk-test"),
        tools=[get_weather],
        instructions=INSTRUCTIONS,
        db=SqliteDb(db_file=str(db_file)),
        add_history_to_context=True,
        num_history_runs=3,
        user_id="user-1",
    )


def _ref_events(name: str) -> list[dict]:
    text = (REF / "exchanges" / name).read_text()
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]


def _ref_bodies(name: str) -> list[dict]:
    return [json.loads(line)["body"] for line in (REF / name).read_text().splitlines() if line.strip()]


VOLATILE = {"created_at", "run_id", "session_id", "time_to_first_token", "duration", "start_time", "end_time"}


def _mask(value):
    if isinstance(value, dict):
        return {k: ("<v>" if k in VOLATILE else _mask(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


async def test_same_requests_and_events_as_agno_for_the_reference_session(reference_mock, tmp_path):
    openai_mock = reference_mock
    agent = reference_agent(openai_mock.base_url, tmp_path / "agent.db")
    try:
        out = await agent.arun("Hello there, tell me something nice.", session_id="sess-nonstream-1")
        assert out.status.value == "COMPLETED"
        first = [
            e
            async for e in agent.arun(
                "Tell me a short story about a fox.",
                stream=True,
                stream_events=True,
                session_id="sess-stream-1",
            )
        ]
        second = [
            e
            async for e in agent.arun(
                "What is the weather in Berlin today?",
                stream=True,
                stream_events=True,
                session_id="sess-stream-1",
            )
        ]
    finally:
        await agent.db.close()

    bodies = [r.body for r in openai_mock.requests]
    assert bodies == _ref_bodies("llm-requests.jsonl")[: len(bodies)]
    assert [list(b) for b in bodies] == [list(b) for b in _ref_bodies("llm-requests.jsonl")[: len(bodies)]]

    got = [_mask(e.to_dict()) for e in second]
    want = [_mask(e) for e in _ref_events("run_stream_tool.http")]
    # tool metrics/content carry timings; compare the rest field by field, keys in order
    for g, w in zip(got, want, strict=True):
        if g["event"] == "ToolCallCompleted":
            g.pop("content"), w.pop("content")
        assert list(g) == list(w), g["event"]
        assert g == w, g["event"]
    assert [e.event for e in first] == [e["event"] for e in _ref_events("run_stream.http")]


async def test_history_window_matches_agno_over_six_runs(openai_mock, tmp_path):
    ref = _ref_bodies("llm-requests-history6.jsonl")
    agent = reference_agent(openai_mock.base_url, tmp_path / "h.db")
    try:
        for body in ref:
            text = body["messages"][-1]["content"]
            stream = bool(body.get("stream"))
            if stream:
                [e async for e in agent.arun(text, stream=True, session_id="hist")]
            else:
                await agent.arun(text, session_id="hist")
    finally:
        await agent.db.close()
    sent = [r.body for r in openai_mock.requests]
    assert [[m["role"] for m in b["messages"]] for b in sent] == [
        [m["role"] for m in b["messages"]] for b in ref
    ]
    assert sent == ref


@pytest.mark.parametrize("stream", [True, False])
async def test_provider_500_is_a_run_error_with_agno_message(openai_mock, tmp_path, stream):
    from tests.mocks.openai_server import Error

    agent = reference_agent(openai_mock.base_url, tmp_path / "e.db")
    agent.model.max_retries = 0
    openai_mock.script(Error(500, message="mock injected server error"))
    try:
        if stream:
            events = [e async for e in agent.arun("x", stream=True, stream_events=True, session_id="err")]
            assert [e.event for e in events] == ["RunStarted", "ModelRequestStarted", "RunError"]
            assert events[-1].to_dict()["content"] == "mock injected server error"
        else:
            out = await agent.arun("x", session_id="err")
            assert out.status.value == "ERROR" and out.content == "mock injected server error"
        runs = await agent.db.get_runs("err")
        assert runs[0]["status"] == "ERROR"
    finally:
        await agent.db.close()
