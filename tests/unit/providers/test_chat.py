"""Each of the nine providers against its mock: whole and streamed chat, usage, a streamed tool-call round
trip, and what goes on the wire (path, auth)."""

from __future__ import annotations

import json
from typing import Any

from brisk.models.response import ModelChunk
from tests.mocks.gemini_server import as_openai
from tests.mocks.openai_server import FOX, Text, ToolCalls, prompt_tokens
from tests.unit.providers.cases import ALL, KEY, WEATHER_TOOL, Case, msgs, tool_turn


def _prompt(case: Case, body: dict[str, Any]) -> int:
    """The prompt tokens the mock reports for this request body."""
    return prompt_tokens(as_openai(body)["messages"] if case.provider == "gemini" else body["messages"])


def _auth(case: Case, headers: dict[str, str]) -> None:
    if case.provider == "gemini":
        assert headers["x-goog-api-key"] == KEY and "authorization" not in headers
    elif case.provider == "ollama":
        assert "authorization" not in headers  # local Ollama takes no key
    else:
        assert headers["authorization"] == f"Bearer {KEY}"


@ALL
async def test_whole_answer(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    mock.script(Text("Paris is sunny today", completion_tokens=5))
    r = await case.model(mock).ainvoke(msgs("Weather?"))
    assert r.content == "Paris is sunny today"
    assert r.tool_calls == []
    assert r.metrics.output_tokens == 5 and r.metrics.input_tokens > 0
    assert r.metrics.total_tokens == r.metrics.input_tokens + 5
    req = mock.requests[0]
    assert req.path == case.path
    _auth(case, req.headers)
    assert not (req.body.get("stream") if case.provider != "gemini" else False)


@ALL
async def test_streamed_answer_and_usage(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    chunks: list[ModelChunk] = [c async for c in case.model(mock).ainvoke_stream(msgs("Tell me a story."))]
    text = [c.content for c in chunks if c.content]
    assert "".join(text) == FOX and len(text) == 32  # one chunk per word, nothing lost or doubled
    last = chunks[-1]
    assert last.metrics is not None and last.tool_calls is None
    # Usage counted once: Gemini's cumulative counts and SiliconFlow's per-chunk usage are not summed.
    assert last.metrics.output_tokens == 32
    assert last.metrics.input_tokens == _prompt(case, mock.requests[0].body) > 0
    assert last.metrics.total_tokens == last.metrics.input_tokens + 32
    assert last.metrics.time_to_first_token is not None and last.metrics.duration is not None
    if case.provider == "groq":  # timings from x_groq.usage
        assert last.metrics.provider_metrics == {
            "completion_time": 0.01, "prompt_time": 0.004, "queue_time": 0.02, "total_time": 0.014,
        }  # fmt: skip
    if case.provider == "ollama":
        assert last.metrics.provider_metrics["eval_duration"] == 4535599000
    if case.provider == "openrouter":
        assert last.metrics.cost == 0.00042
    req = mock.requests[0]
    if case.provider == "gemini":
        assert req.path == "/v1/models/gemini-2.0-flash:streamGenerateContent" and req.query == {"alt": "sse"}
    else:
        assert req.path == case.path and req.body["stream"] is True
    _auth(case, req.headers)


@ALL
async def test_streamed_tool_call_round_trip(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    model = case.model(mock)
    first = [c async for c in model.ainvoke_stream(msgs("What's the weather in Paris?"), [WEATHER_TOOL])]
    assert not any(c.content for c in first)
    calls = first[-1].tool_calls
    assert calls is not None and len(calls) == 1
    call = calls[0]
    assert call["type"] == "function" and call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}
    assert call["id"]  # Ollama and Gemini send none: one is made up, as Agno does
    assert first[-1].metrics is not None and first[-1].metrics.output_tokens == 12

    second = [c async for c in model.ainvoke_stream(tool_turn(call), [WEATHER_TOOL])]
    answer = "".join(c.content or "" for c in second)
    assert answer == "Tool-result: " + FOX.split(" ", 1)[1]
    assert len(mock.requests) == 2


@ALL
async def test_parallel_tool_calls_whole_answer(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    mock.script(ToolCalls([("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})]))
    r = await case.model(mock).ainvoke(msgs("Weather in Paris and Rome?"), [WEATHER_TOOL])
    assert [json.loads(c["function"]["arguments"]) for c in r.tool_calls] == [
        {"city": "Paris"},
        {"city": "Rome"},
    ]
    assert len({c["id"] for c in r.tool_calls}) == 2


@ALL
async def test_parallel_tool_calls_streamed(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    mock.script(
        ToolCalls([("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})], interleave=True)
    )
    chunks = [
        c async for c in case.model(mock).ainvoke_stream(msgs("Weather in Paris and Rome?"), [WEATHER_TOOL])
    ]
    calls = chunks[-1].tool_calls or []
    assert [json.loads(c["function"]["arguments"]) for c in calls] == [{"city": "Paris"}, {"city": "Rome"}]


@ALL
async def test_reasoning_is_kept_apart(case: Case, provider_mock: Any) -> None:
    # reasoning_content deltas (OpenAI-compatible), "thinking" (Ollama), thought parts (Gemini)
    mock = provider_mock(case.provider)
    mock.script(Text("the answer", reasoning="think hard"))
    chunks = [c async for c in case.model(mock).ainvoke_stream(msgs("Think."))]
    assert "".join(c.content or "" for c in chunks) == "the answer"
    assert "".join(c.reasoning_content or "" for c in chunks).strip() == "think hard"


@ALL
def test_sync_wrappers(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    model = case.model(mock)
    assert model.invoke(msgs("Hi")).content == FOX
    assert "".join(c.content or "" for c in model.invoke_stream(msgs("Hi"))) == FOX


@ALL
async def test_provider_data_as_agno_records_it(case: Case, provider_mock: Any) -> None:
    """OpenAI-compatible classes keep the response id, fingerprint and extra top-level fields
    (``model_extra``: OpenRouter's ``provider``); Agno's native Groq, Cerebras, Ollama and Gemini keep none."""
    mock = provider_mock(case.provider)
    model = case.model(mock)
    whole = await model.ainvoke(msgs("Hi"))
    streamed = [c async for c in model.ainvoke_stream(msgs("Hi"))]
    pds = {repr(c.provider_data) for c in streamed if c.content}
    if case.provider in ("groq", "cerebras", "ollama", "gemini"):
        assert not whole.provider_data and pds == {"None"}
        return
    assert whole.provider_data is not None and whole.provider_data["id"].startswith("chatcmpl-mock")
    assert len(pds) == 1 and "chatcmpl-mock" in pds.pop()
    if case.provider == "openrouter":
        assert whole.provider_data["model_extra"] == {"provider": "OpenAI"}
    else:
        assert "model_extra" not in whole.provider_data


async def test_empty_tool_lists_go_out_as_the_sdks_send_them(provider_mock: Any) -> None:
    from tests.unit.providers.cases import BY_NAME

    for name in ("groq", "ollama", "openai"):
        mock = provider_mock(name)
        await BY_NAME[name].model(mock).ainvoke(msgs("Hi"))
        # groq (Agno passes the list through) and ollama-python send "tools": []; the openai SDK omits it
        assert mock.requests[0].body.get("tools", "absent") == ([] if name != "openai" else "absent")
