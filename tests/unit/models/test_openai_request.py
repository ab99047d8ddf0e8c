"""What OpenAIChat / OpenAILike send: compared with the bodies Agno 3.1.10 sent (llm-requests.jsonl)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, ClassVar

import pytest
from tests.mocks.openai_server import OpenAIMock
from tests.reference import REFERENCE

from brisk.models.message import Message
from brisk.models.openai import ChatProfile, OpenAIChat, OpenAILike

REF = REFERENCE
SYSTEM = "You are a concise assistant. Use the get_weather tool for weather questions."
FOX = (
    "the quick brown fox jumps over a lazy dog while seven bright stars shine above calm silver water "
    "and distant hills glow softly under evening light the quick brown fox jumps over"
)
WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "Name of the city."}},
            "required": ["city"],
        },
    },
}
TOOL_CALL = {
    "id": "call_00000003",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Berlin"}'},
}
RESULT = "The weather in Berlin is sunny, 21 degrees C, light wind from the west."


def _reference(name: str) -> list[dict[str, Any]]:
    path = REF / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return [json.loads(line)["body"] for line in path.read_text().splitlines() if line.strip()]


def _conversations() -> list[tuple[list[Message], bool]]:
    """The messages behind llm-requests.jsonl, rebuilt by hand, and whether the call streamed."""
    sys = Message("system", SYSTEM)
    story = [Message("user", "Tell me a short story about a fox."), Message("assistant", FOX)]
    weather = Message("user", "What is the weather in Berlin today?")
    return [
        ([sys, Message("user", "Hello there, tell me something nice.")], False),
        ([sys, story[0]], True),
        ([sys, *story, weather], True),
        (
            [
                sys,
                *story,
                weather,
                Message("assistant", None, tool_calls=[TOOL_CALL]),
                Message("tool", RESULT, tool_call_id="call_00000003"),
            ],
            True,
        ),
        ([sys, Message("user", "Hello via urlencoded form")], False),
        ([sys, Message("user", "No session id given here")], True),
    ]


def _dump(d: Any) -> str:
    # json.dumps keeps key order, so equal strings mean equal keys, values and order
    return json.dumps(d)


def test_bodies_equal_agno_reference() -> None:
    refs = _reference("llm-requests.jsonl")
    model = OpenAIChat(id="gpt-4o-mini", api_key="sk-test")
    convs = _conversations()
    assert len(refs) == len(convs)
    for (messages, stream), ref in zip(convs, refs, strict=True):
        body = model.build_body(messages, [WEATHER_TOOL], stream=stream)
        assert _dump(body) == _dump(ref)


def test_history_bodies_equal_agno_reference() -> None:
    refs = _reference("llm-requests-history6.jsonl")
    model = OpenAIChat(id="gpt-4o-mini", api_key="sk-test")
    for ref in refs:
        messages = [
            Message(m["role"] if m["role"] != "developer" else "system", m["content"])
            for m in ref["messages"]
        ]
        assert _dump(model.build_body(messages, [WEATHER_TOOL], stream="stream" in ref)) == _dump(ref)


async def test_wire_body_and_headers(openai_mock: OpenAIMock) -> None:
    ref = _reference("llm-requests.jsonl")[3]
    model = OpenAIChat(id="gpt-4o-mini", api_key="sk-test-key-1234", base_url=openai_mock.base_url)
    messages, _ = _conversations()[3]
    chunks = [c async for c in model.ainvoke_stream(messages, [WEATHER_TOOL])]
    assert chunks
    (req,) = openai_mock.requests
    assert req.path == "/v1/chat/completions"
    assert _dump(req.body) == _dump(ref)
    assert req.headers["authorization"] == "Bearer sk-test-key-1234"
    assert req.headers["content-type"] == "application/json"
    assert "openai-organization" not in req.headers


def test_set_params_are_sent_none_are_not() -> None:
    model = OpenAIChat(
        id="gpt-4o",
        api_key="k",
        temperature=0.2,
        max_tokens=100,
        max_completion_tokens=50,
        top_p=0.9,
        frequency_penalty=0.1,
        presence_penalty=0.3,
        stop=["END"],
        seed=7,
        request_params={"parallel_tool_calls": False},
        extra_body={"custom": 1},
    )
    body = model.build_body(
        [Message("user", "hi")], None, response_format={"type": "json_object"}, stream=True
    )
    assert list(body) == [
        "model",
        "stream",
        "messages",
        "stream_options",
        "frequency_penalty",
        "max_tokens",
        "max_completion_tokens",
        "presence_penalty",
        "seed",
        "stop",
        "temperature",
        "top_p",
        "response_format",
        "parallel_tool_calls",
        "custom",
    ]
    assert body["temperature"] == 0.2 and body["stop"] == ["END"]
    assert "tools" not in body and "tool_choice" not in body


def test_tool_choice_only_with_tools() -> None:
    model = OpenAIChat(id="gpt-4o", api_key="k")
    msgs = [Message("user", "hi")]
    assert "tool_choice" not in model.build_body(msgs, None, tool_choice="auto")
    body = model.build_body(msgs, [WEATHER_TOOL], tool_choice="required")
    assert list(body)[-2:] == ["tools", "tool_choice"] and body["tool_choice"] == "required"


def test_profile_restricts_tool_choice_and_stream_options() -> None:
    class GLMish(OpenAILike):
        profile: ClassVar[ChatProfile] = replace(
            OpenAILike.profile,
            tool_choice_values=frozenset({"auto"}),
            stream_options=False,
            tool_call_content=None,
        )

    m = GLMish(id="glm-4-flash")
    msgs = [Message("user", "hi"), Message("assistant", None, tool_calls=[TOOL_CALL])]
    assert m.build_body(msgs, [WEATHER_TOOL], tool_choice="auto")["tool_choice"] == "auto"
    body = m.build_body(msgs, [WEATHER_TOOL], tool_choice="required", stream=True)
    assert "tool_choice" not in body and "stream_options" not in body
    # assistant tool-call message without a content key
    assert body["messages"][1] == {"role": "assistant", "tool_calls": [TOOL_CALL]}


def test_openai_like_uses_system_role_and_placeholder_key() -> None:
    m = OpenAILike(id="local-model", base_url="http://127.0.0.1:1/v1")
    body = m.build_body([Message("system", "be brief"), Message("user", "hi")])
    assert body["messages"][0] == {"role": "system", "content": "be brief"}
    assert m.get_provider() == "OpenAI" and m.name == "OpenAILike"
    url, headers = m._resolve()
    assert str(url) == "http://127.0.0.1:1/v1/chat/completions"
    assert headers["Authorization"] == "Bearer not-provided"


def test_openai_chat_identity_and_to_dict() -> None:
    m = OpenAIChat(api_key="secret-value", temperature=0.5)
    assert m.id == "gpt-5.4-mini"  # Agno 3.1.10's default
    assert m.get_provider() == "OpenAI Chat"
    assert m.to_dict() == {
        "name": "OpenAIChat",
        "id": "gpt-5.4-mini",
        "provider": "OpenAI",
        "temperature": 0.5,
    }
    assert "secret-value" not in repr(m)


def test_role_map_override_and_message_fields() -> None:
    m = OpenAIChat(
        id="x",
        api_key="k",
        role_map={"system": "system", "user": "user", "assistant": "assistant", "tool": "tool"},
    )
    msgs = [
        Message("system", "s"),
        Message("user", "u", name="alice"),
        Message("assistant", None),
        Message("user", [{"type": "text", "text": "parts"}]),
    ]
    out = m.build_body(msgs)["messages"]
    assert out == [
        {"role": "system", "content": "s"},
        {"role": "user", "content": "u", "name": "alice"},
        {"role": "assistant", "content": ""},
        {"role": "user", "content": [{"type": "text", "text": "parts"}]},
    ]


def test_foreign_tool_call_ids_are_rewritten_consistently() -> None:
    m = OpenAIChat(id="x", api_key="k")
    foreign = {"id": "toolu_01ABC", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    long_id = {"id": "call_" + "x" * 50, "type": "function", "function": {"name": "g", "arguments": "{}"}}
    ok = {"id": "call_ok", "type": "function", "function": {"name": "h", "arguments": "{}"}}
    msgs = [
        Message("assistant", None, tool_calls=[foreign, long_id, ok]),
        Message("tool", "r1", tool_call_id="toolu_01ABC"),
        Message("tool", "r2", tool_call_id="call_" + "x" * 50),
        Message("tool", "r3", tool_call_id="call_ok"),
    ]
    out = m.build_body(msgs)["messages"]
    ids = [tc["id"] for tc in out[0]["tool_calls"]]
    assert ids == ["call_" + "0" * 35, "call_" + "0" * 34 + "1", "call_ok"]
    assert [o["tool_call_id"] for o in out[1:]] == ids
    assert foreign["id"] == "toolu_01ABC"  # the stored message is not modified


def test_headers_org_project_query_and_extra_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-1")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env.example/v9/")
    m = OpenAIChat(
        id="x",
        api_key="k",
        default_headers={"X-A": "1"},
        extra_headers={"X-B": "2"},
        default_query={"api-version": "2024"},
        extra_query={"q": 1},
    )
    url, headers = m._resolve()
    assert str(url) == "http://env.example/v9/chat/completions?api-version=2024&q=1"
    assert headers["OpenAI-Organization"] == "org-env" and headers["OpenAI-Project"] == "proj-1"
    assert headers["X-A"] == "1" and headers["X-B"] == "2"
    assert m._resolve()[1] is headers  # computed once
    assert (
        OpenAIChat(id="x", api_key="k", organization="org-arg")._resolve()[1]["OpenAI-Organization"]
        == "org-arg"
    )


def test_api_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    m = OpenAIChat(id="x")
    url, headers = m._resolve()
    assert headers["Authorization"] == "Bearer sk-from-env"
    assert str(url) == "https://api.openai.com/v1/chat/completions"
