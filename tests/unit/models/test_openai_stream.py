"""OpenAIChat against the loopback mock: streamed text, tool-call reassembly, usage, non-stream, sync API."""

from __future__ import annotations

from typing import Any

from tests.mocks.openai_server import FOX, OpenAIMock, Text, ToolCalls

from brisk.models._http import close_session
from brisk.models.message import Message
from brisk.models.openai import OpenAIChat
from brisk.models.openai._wire import (
    FunctionDelta,
    ToolCallAssembler,
    ToolCallDelta,
    decode_chunk,
    split_thinking,
)
from brisk.models.response import ModelChunk
from brisk.utils.aio import run_sync

SYSTEM = "You are a concise assistant. Use the get_weather tool for weather questions."
TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]


def _model(mock: OpenAIMock, **kw: Any) -> OpenAIChat:
    return OpenAIChat(id="gpt-4o-mini", api_key="sk-test", base_url=mock.base_url, **kw)


def _msgs(text: str) -> list[Message]:
    return [Message("system", SYSTEM), Message("user", text)]


async def _collect(model: OpenAIChat, messages: list[Message], tools: Any = None) -> list[ModelChunk]:
    return [c async for c in model.ainvoke_stream(messages, tools)]


async def test_streamed_text_like_the_reference(openai_mock: OpenAIMock) -> None:
    chunks = await _collect(_model(openai_mock), _msgs("Tell me a short story about a fox."), TOOLS)
    content = [c.content for c in chunks if c.content]
    assert len(content) == 32  # one chunk per word, the empty role delta is not passed on
    assert "".join(content) == FOX
    assert content[:2] == ["the", " quick"]
    assert all(
        c.provider_data == {"id": "chatcmpl-mock00000001", "system_fingerprint": "fp_mock"}
        for c in chunks[:-1]
    )
    last = chunks[-1]
    assert last.content is None and last.tool_calls is None
    m = last.metrics
    assert m is not None
    # the reference mock's counts for this request (Agno reported input 31, output 32, total 63)
    assert (m.input_tokens, m.output_tokens, m.total_tokens) == (31, 32, 63)
    assert m.time_to_first_token is not None and m.duration is not None
    assert 0 < m.time_to_first_token <= m.duration
    assert openai_mock.requests[0].body["stream_options"] == {"include_usage": True}


async def test_time_to_first_token_is_measured(openai_mock: OpenAIMock) -> None:
    openai_mock.script(Text("a b c", ttft=0.05, delay=0.01))
    chunks = await _collect(_model(openai_mock), _msgs("hi"))
    m = chunks[-1].metrics
    assert m is not None and m.time_to_first_token is not None and m.duration is not None
    assert 0.05 <= m.time_to_first_token < m.duration
    assert m.duration >= 0.07


async def test_streamed_tool_call_reassembled(openai_mock: OpenAIMock) -> None:
    chunks = await _collect(_model(openai_mock), _msgs("What is the weather in Berlin today?"), TOOLS)
    assert not any(c.content for c in chunks)
    last = chunks[-1]
    assert last.tool_calls == [
        {
            "id": "call_00000001",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Berlin"}'},
        }
    ]
    assert last.metrics is not None and last.metrics.output_tokens == 12
    assert last.metrics.time_to_first_token is None  # no content: as Agno's ModelRequestCompleted


async def test_two_tool_calls_with_interleaved_fragments(openai_mock: OpenAIMock) -> None:
    args_a = {"city": "Berlin", "units": "metric", "days": 3}
    openai_mock.script(
        ToolCalls(
            [("get_weather", args_a), ("get_time", '{"tz": "Europe/Paris"}')], fragments=5, interleave=True
        )
    )
    chunks = await _collect(_model(openai_mock), _msgs("two things"), TOOLS)
    calls = chunks[-1].tool_calls
    assert calls is not None and len(calls) == 2
    assert calls[0]["function"] == {
        "name": "get_weather",
        "arguments": '{"city": "Berlin", "units": "metric", "days": 3}',
    }
    assert calls[1]["function"] == {"name": "get_time", "arguments": '{"tz": "Europe/Paris"}'}
    assert calls[0]["id"] == "call_00000001" and calls[1]["id"] == "call_00000001_1"


def test_assembler_rules() -> None:
    acc = ToolCallAssembler()
    assert not acc
    acc.add([ToolCallDelta(index=1, id="b", type="function", function=FunctionDelta("g", "{"))])
    acc.add([ToolCallDelta(index=None, id=None, function=FunctionDelta("f", ""))])  # missing index = 0, no id
    acc.add([ToolCallDelta(index=1, function=FunctionDelta(arguments="}"))])
    acc.add([ToolCallDelta(index=0, function=FunctionDelta(name="f2", arguments='{"x":1}'))])
    acc.add([ToolCallDelta(index=0, id="late-id", type="function")])
    out = acc.result()
    assert out[0] == {"id": "late-id", "type": "function", "function": {"name": "f2", "arguments": '{"x":1}'}}
    assert out[1] == {"id": "b", "type": "function", "function": {"name": "g", "arguments": "{}"}}
    acc2 = ToolCallAssembler()
    acc2.add([ToolCallDelta(index=0, function=FunctionDelta("f", "{}"))])
    assert acc2.result()[0]["id"].startswith("call_")  # servers that omit ids get one


async def test_non_stream_completion(openai_mock: OpenAIMock) -> None:
    r = await _model(openai_mock).ainvoke(_msgs("Hello there, tell me something nice."), TOOLS)
    assert r.content == FOX
    assert r.tool_calls == []
    assert r.provider_data == {"id": "chatcmpl-mock00000001", "system_fingerprint": "fp_mock"}
    m = r.metrics
    assert (m.input_tokens, m.output_tokens, m.total_tokens) == (32, 32, 64)  # the reference's numbers
    assert m.duration is not None and m.time_to_first_token == m.duration
    assert "stream" not in openai_mock.requests[0].body


async def test_non_stream_tool_call(openai_mock: OpenAIMock) -> None:
    r = await _model(openai_mock).ainvoke(_msgs("weather in Oslo?"), TOOLS)
    assert r.content is None
    assert r.tool_calls == [
        {
            "id": "call_00000001",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
        }
    ]
    assert r.metrics.time_to_first_token is None


async def test_reasoning_content(openai_mock: OpenAIMock) -> None:
    openai_mock.script(Text("final answer", reasoning="let me think"), Text("<think>hmm</think> done"))
    chunks = await _collect(_model(openai_mock), _msgs("q"))
    assert "".join(c.reasoning_content or "" for c in chunks) == "let me think "
    assert "".join(c.content or "" for c in chunks) == "final answer"
    r = await _model(openai_mock).ainvoke(_msgs("q"))
    assert (r.reasoning_content, r.content) == ("hmm", "done")


def test_usage_details_and_groq_usage() -> None:
    c = decode_chunk(
        b'{"id":"x","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,'
        b'"prompt_tokens_details":{"cached_tokens":4,"audio_tokens":1},'
        b'"completion_tokens_details":{"reasoning_tokens":3,"audio_tokens":2},"cost":0.5}}'
    )
    from brisk.models.openai._wire import usage_to_metrics

    assert c.usage is not None
    m = usage_to_metrics(c.usage)
    assert (m.input_tokens, m.output_tokens, m.total_tokens) == (10, 5, 15)
    assert (m.cache_read_tokens, m.reasoning_tokens, m.audio_total_tokens, m.cost) == (4, 3, 3, 0.5)
    g = decode_chunk(
        b'{"choices":[{"delta":{},"finish_reason":"stop"}],"x_groq":{"id":"req","usage":{"prompt_tokens":7}}}'
    )
    assert g.x_groq is not None and g.x_groq.usage is not None and g.x_groq.usage.prompt_tokens == 7


def test_loose_chunks_are_salvaged() -> None:
    # numbers as strings are accepted; a field of the wrong shape is dropped instead of failing the run
    c = decode_chunk(
        b'{"id":"x","choices":[{"index":"0","delta":{"content":"hi","tool_calls":"oops"}}],"usage":7}'
    )
    assert c.choices is not None and c.choices[0].delta is not None
    assert c.choices[0].delta.content == "hi" and c.choices[0].delta.tool_calls is None
    assert c.usage is None
    assert decode_chunk(b"[1,2]").choices is None


def test_split_thinking() -> None:
    assert split_thinking("plain") == (None, "plain")
    assert split_thinking("<think> a </think> b") == ("a", "b")
    assert split_thinking("no opening</think>rest") == ("no opening", "rest")


def test_sync_wrappers(openai_mock: OpenAIMock) -> None:
    model = _model(openai_mock)
    try:
        r = model.invoke(_msgs("hello"))
        assert r.content == FOX
        chunks = list(model.invoke_stream(_msgs("hello")))
        assert "".join(c.content or "" for c in chunks) == FOX
        assert chunks[-1].metrics is not None and chunks[-1].metrics.output_tokens == 32
        assert len(openai_mock.requests) == 2
    finally:
        run_sync(close_session())


async def test_consumer_stopping_early_releases_the_connection(openai_mock: OpenAIMock) -> None:
    model = _model(openai_mock)
    agen = model.ainvoke_stream(_msgs("hi"))
    first = await agen.__anext__()
    assert first.content == ""  # OpenAI's role chunk, passed on as an empty content delta
    assert (await agen.__anext__()).content == "the"
    await agen.aclose()
    # the next call works (fresh or reused connection)
    r = await model.ainvoke(_msgs("hi"))
    assert r.content == FOX


async def test_connection_reused_across_requests(openai_mock: OpenAIMock) -> None:
    model = _model(openai_mock)
    for _ in range(3):
        await _collect(model, _msgs("hi"))
    from brisk.models._http import get_session

    connector = get_session().connector
    assert connector is not None
    # streams are drained to the end, so one keep-alive connection served all three
    assert sum(len(v) for v in connector._conns.values()) == 1  # noqa: SLF001


def _sse(*payloads: str) -> bytes:
    return b"".join(b"data: " + p.encode() + b"\n\n" for p in payloads)


async def test_profile_usage_in_x_groq_and_on_finish_only(openai_mock: OpenAIMock) -> None:
    from dataclasses import replace
    from typing import ClassVar

    from tests.mocks.openai_server import Raw

    from brisk.models.openai import ChatProfile, OpenAILike

    class Groqish(OpenAILike):
        profile: ClassVar[ChatProfile] = replace(
            OpenAILike.profile, usage_field="x_groq", stream_options=False, tool_call_id_prefix=None
        )

    class Cumulative(OpenAILike):
        profile: ClassVar[ChatProfile] = replace(OpenAILike.profile, usage_on_finish_only=True)

    whole_call = '{"index":0,"id":"abc","type":"function","function":{"name":"f","arguments":"{\\"x\\": 1}"}}'
    openai_mock.script(
        Raw(
            _sse(
                '{"id":"g1","choices":[{"delta":{"role":"assistant","tool_calls":[' + whole_call + "]}}]}",
                '{"id":"g1","choices":[{"delta":{},"finish_reason":"tool_calls"}],'
                '"x_groq":{"id":"req_1","usage":{"prompt_tokens":70,"completion_tokens":6,"total_tokens":76}}}',
                "[DONE]",
            ),
            content_type="text/event-stream",
        ),
        Raw(
            _sse(
                '{"id":"s1","choices":[{"delta":{"content":"a"}}],"usage":{"prompt_tokens":5,"completion_tokens":1}}',
                '{"id":"s1","choices":[{"delta":{"content":"b"},"finish_reason":"stop"}],'
                '"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}',
                '{"id":"s1","choices":[],"usage":{"prompt_tokens":999}}',
            ),
            content_type="text/event-stream",
        ),
    )
    g = Groqish(id="llama", base_url=openai_mock.base_url)
    history = [
        Message("user", "hi"),
        Message(
            "assistant",
            None,
            tool_calls=[{"id": "toolu_x", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
        ),
        Message("tool", "r", tool_call_id="toolu_x"),
    ]
    chunks = [c async for c in g.ainvoke_stream(history)]
    body = openai_mock.requests[0].body
    assert "stream_options" not in body
    assert body["messages"][1]["tool_calls"][0]["id"] == "toolu_x"  # ids kept when the profile says so
    assert chunks[-1].tool_calls == [
        {"id": "abc", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
    ]
    assert chunks[-1].metrics is not None and chunks[-1].metrics.total_tokens == 76
    # usage read from the finish chunk only; the body ends without [DONE] but after a finish_reason: fine
    c = [
        x
        async for x in Cumulative(id="m", base_url=openai_mock.base_url).ainvoke_stream(
            [Message("user", "hi")]
        )
    ]
    assert "".join(x.content or "" for x in c) == "ab"
    assert c[-1].metrics is not None and (c[-1].metrics.input_tokens, c[-1].metrics.output_tokens) == (5, 2)


async def test_non_stream_tool_calls_are_normalised(openai_mock: OpenAIMock) -> None:
    from tests.mocks.openai_server import Raw

    openai_mock.script(
        Raw(
            b'{"id":"r","choices":[{"message":{"role":"assistant","content":null,"tool_calls":['
            b'{"function":{"arguments":{"city":"Rome"},"name":"get_weather"},"type":"function","extra":1},'
            b'{"id":"call_2","function":{"arguments":"{}","name":"g"}}]}}]}'
        )
    )
    r = await _model(openai_mock).ainvoke(_msgs("x"))
    first, second = r.tool_calls
    assert first["id"].startswith("call_") and first["type"] == "function" and first["extra"] == 1
    assert first["function"] == {"name": "get_weather", "arguments": '{"city":"Rome"}'}
    assert second == {"id": "call_2", "type": "function", "function": {"name": "g", "arguments": "{}"}}
    assert r.provider_data == {"id": "r"}
    assert r.metrics.input_tokens == 0  # no usage in the body


async def test_reference_session_replayed(openai_mock: OpenAIMock) -> None:
    """The four calls of the reference session: same ids, texts and token counts as Agno recorded."""
    model = _model(openai_mock)
    r1 = await model.ainvoke(_msgs("Hello there, tell me something nice."), TOOLS)
    assert (r1.metrics.input_tokens, r1.metrics.output_tokens) == (32, 32)
    story = _msgs("Tell me a short story about a fox.")
    c2 = await _collect(model, story, TOOLS)
    assert c2[-1].metrics is not None and c2[-1].metrics.input_tokens == 31
    history = [*story, Message("assistant", FOX), Message("user", "What is the weather in Berlin today?")]
    c3 = await _collect(model, history, TOOLS)
    call = c3[-1].tool_calls
    assert call == [
        {
            "id": "call_00000003",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Berlin"}'},
        }
    ]
    assert c3[-1].metrics is not None
    assert (c3[-1].metrics.input_tokens, c3[-1].metrics.output_tokens, c3[-1].metrics.total_tokens) == (
        88,
        12,
        100,
    )
    history += [
        Message("assistant", None, tool_calls=call),
        Message(
            "tool",
            "The weather in Berlin is sunny, 21 degrees C, light wind from the west.",
            tool_call_id="call_00000003",
        ),
    ]
    c4 = await _collect(model, history, TOOLS)
    assert "".join(c.content or "" for c in c4).startswith("Tool-result: quick brown fox")
    assert c4[0].provider_data == {"id": "chatcmpl-mock00000004", "system_fingerprint": "fp_mock"}
    assert c4[-1].metrics is not None
    assert (c4[-1].metrics.input_tokens, c4[-1].metrics.output_tokens, c4[-1].metrics.total_tokens) == (
        110,
        32,
        142,
    )
