"""DemoModel: offline, deterministic, calls a named tool with inferred arguments."""

from __future__ import annotations

import json
import time
from typing import Any

from brisk.models.demo import FOX, DemoModel
from brisk.models.message import Message

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def _fn(name: str, props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "parameters": {"type": "object", "properties": props, "required": required},
        },
    }


async def _stream(model: DemoModel, messages: list[Message], tools: Any = None) -> tuple[list[str], Any]:
    parts, last = [], None
    async for c in model.ainvoke_stream(messages, tools):
        if c.content:
            parts.append(c.content)
        last = c
    return parts, last


async def test_plain_reply_is_deterministic() -> None:
    m = DemoModel()
    msgs = [Message("system", "be nice"), Message("user", "Hello there")]
    a, last = await _stream(m, msgs)
    b, _ = await _stream(m, msgs)
    assert a == b
    assert "".join(a) == FOX and len(a) == 32 and a[1] == " quick"
    assert last.tool_calls is None
    assert (last.metrics.input_tokens, last.metrics.output_tokens, last.metrics.total_tokens) == (4, 32, 36)
    assert last.metrics.time_to_first_token is not None


async def test_reply_size_and_fixed_text() -> None:
    parts, last = await _stream(DemoModel(reply_words=40), [Message("user", "x")])
    assert len(parts) == 40 and last.metrics.output_tokens == 40
    r = await DemoModel(reply="Hi there friend").ainvoke([Message("user", "x")])
    assert r.content == "Hi there friend" and r.metrics.output_tokens == 3


async def test_tool_call_then_answer_with_result() -> None:
    m = DemoModel()
    msgs = [Message("user", "What is the weather in Berlin today?")]
    parts, last = await _stream(m, msgs, [WEATHER])
    assert parts == []
    assert last.tool_calls == [
        {
            "id": "call_demo_0001",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Berlin"}'},
        }
    ]
    msgs += [
        Message("assistant", None, tool_calls=last.tool_calls),
        Message("tool", "Sunny, 21 degrees C.", tool_call_id="call_demo_0001"),
    ]
    r = await m.ainvoke(msgs, [WEATHER])
    assert r.content == "Here is what I found: Sunny, 21 degrees C."
    assert r.tool_calls == []


async def test_tool_named_generically_with_typed_args() -> None:
    tools = [
        WEATHER,
        _fn(
            "add_numbers",
            {"a": {"type": "integer"}, "b": {"type": "number"}, "exact": {"type": "boolean"}},
            ["a", "b"],
        ),
    ]
    r = await DemoModel().ainvoke([Message("user", "please add_numbers 2 and 3.5")], tools)
    assert json.loads(r.tool_calls[0]["function"]["arguments"]) == {"a": 2, "b": 3.5, "exact": True}
    # multi-word names and quoted strings
    r = await DemoModel().ainvoke([Message("user", "weather for New York")], [WEATHER])
    assert json.loads(r.tool_calls[0]["function"]["arguments"]) == {"city": "New York"}
    search = _fn("search_docs", {"query": {"type": "string"}}, ["query"])
    r = await DemoModel().ainvoke([Message("user", 'search the docs "vector stores"')], [search])
    assert json.loads(r.tool_calls[0]["function"]["arguments"]) == {"query": "vector stores"}


async def test_no_tool_call_when_args_cannot_be_inferred_or_tool_not_named() -> None:
    r = await DemoModel().ainvoke([Message("user", "what is the weather like")], [WEATHER])
    assert r.tool_calls == [] and r.content == FOX
    r = await DemoModel().ainvoke([Message("user", "tell me about Rome")], [WEATHER])
    assert r.tool_calls == []
    r = await DemoModel().ainvoke([Message("user", "weather in Rome")], [WEATHER], tool_choice="none")
    assert r.tool_calls == []


async def test_second_tool_call_gets_next_id_and_multimodal_text() -> None:
    prior = {
        "id": "call_demo_0001",
        "type": "function",
        "function": {"name": "get_weather", "arguments": "{}"},
    }
    msgs = [
        Message("assistant", None, tool_calls=[prior]),
        Message("tool", "ok", tool_call_id="call_demo_0001"),
        Message("user", [{"type": "text", "text": "and the weather in Oslo?"}]),
    ]
    r = await DemoModel().ainvoke(msgs, [WEATHER])
    assert r.tool_calls[0]["id"] == "call_demo_0002"


async def test_delay_between_tokens() -> None:
    t0 = time.perf_counter()
    parts, _ = await _stream(DemoModel(delay=0.01, reply_words=5), [Message("user", "x")])
    assert len(parts) == 5 and time.perf_counter() - t0 >= 0.04


def test_sync_invoke() -> None:
    m = DemoModel()
    assert m.invoke([Message("user", "hi")]).content == FOX
    assert "".join(c.content or "" for c in m.invoke_stream([Message("user", "hi")])) == FOX
    assert m.to_dict() == {"name": "DemoModel", "id": "demo", "provider": "Demo"}
