"""What Brisk sends, compared with the "Agno sends" bodies of WIRE-FORMATS.md (captured from Agno with the
vendor SDKs), as received by each provider's mock.

Bodies compare as JSON values (key order is not compared: the groq and cerebras SDKs order keys their own
way, which no server reads). Intentional differences are listed in contracts/deviations.md.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from brisk.models.message import Message
from tests.unit.providers.cases import ALL, BY_NAME, WEATHER_TOOL, Case, msgs, tool_turn

USER = "What's the weather in Paris?"
CALL = {
    "id": "call_abc",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
}
TOOLS = [WEATHER_TOOL]
SYSTEM_MSGS = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": USER}]

# First turn, streamed (WIRE-FORMATS §1.1, §3, §4-§9), per provider; None: not captured, see below.
FIRST: dict[str, dict[str, Any]] = {
    "openai": {"model": "gpt-4o-mini", "stream": True,
               "messages": [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": USER}],
               "stream_options": {"include_usage": True}, "tools": TOOLS},
    # OpenAILike subclasses: the system role stays "system"; OpenRouter always sends max_tokens 1024.
    "openrouter": {"model": "openai/gpt-4o-mini", "stream": True, "messages": SYSTEM_MSGS,
                   "stream_options": {"include_usage": True}, "max_tokens": 1024, "tools": TOOLS},
    "siliconflow": {"model": "Qwen/Qwen2.5-7B-Instruct", "stream": True, "messages": SYSTEM_MSGS,
                    "stream_options": {"include_usage": True}, "tools": TOOLS},
    "glm4": {"model": "glm-4-flash", "stream": True, "messages": SYSTEM_MSGS,
             "stream_options": {"include_usage": True}, "tools": TOOLS},
    "modelscope": {"model": "Qwen/Qwen2.5-72B-Instruct", "stream": True, "messages": SYSTEM_MSGS,
                   "stream_options": {"include_usage": True}, "tools": TOOLS},
    # Native SDKs: no stream_options.
    "groq": {"messages": SYSTEM_MSGS, "model": "llama-3.3-70b-versatile", "stream": True, "tools": TOOLS},
    "cerebras": {"messages": SYSTEM_MSGS, "model": "llama3.1-8b", "stream": True, "tools": TOOLS},
    "ollama": {"model": "llama3.1", "stream": True, "messages": SYSTEM_MSGS,
               "tools": [{"type": "function", "function": {
                   "name": "get_weather", "description": "Get the current weather for a city.",
                   "parameters": {"type": "object", "required": ["city"],
                                  "properties": {"city": {"type": "string", "description": "Name of the city."}}}}}]},
    "gemini": {"contents": [{"parts": [{"text": USER}], "role": "user"}],
               "systemInstruction": {"parts": [{"text": "Be brief."}], "role": "user"},
               "tools": [{"functionDeclarations": [{
                   "description": "Get the current weather for a city.", "name": "get_weather",
                   "parameters": {"properties": {"city": {"description": "Name of the city.", "type": "STRING"}},
                                  "required": ["city"], "type": "OBJECT"}}]}],
               "generationConfig": {}},
}  # fmt: skip

# The messages the second turn adds (the assistant's tool call and the tool result).
OPENAI_TURN = [
    {"role": "assistant", "tool_calls": [CALL], "content": ""},
    {"role": "tool", "content": "Sunny in Paris", "tool_call_id": "call_abc"},
]
SECOND: dict[str, list[dict[str, Any]]] = {
    **{p: OPENAI_TURN for p in ("openai", "openrouter", "siliconflow", "glm4", "modelscope")},
    "groq": [{"role": "assistant", "tool_calls": [CALL]},
             {"role": "tool", "content": "Sunny in Paris", "tool_call_id": "call_abc"}],
    "cerebras": [{"role": "assistant", "content": "", "tool_calls": [CALL]},
                 {"role": "tool", "tool_call_id": "call_abc", "content": "Sunny in Paris"}],
    "ollama": [{"role": "assistant", "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
               {"role": "tool", "content": "Sunny in Paris"}],
    "gemini": [{"parts": [{"functionCall": {"args": {"city": "Paris"}, "name": "get_weather"}}], "role": "model"},
               {"parts": [{"functionResponse": {"name": "get_weather", "response": {"result": "Sunny in Paris"}}}],
                "role": "user"}],
}  # fmt: skip


def _canon(v: Any) -> str:
    return json.dumps(v, sort_keys=True, ensure_ascii=False)


@ALL
async def test_first_turn_equals_agno(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    _ = [c async for c in case.model(mock).ainvoke_stream(msgs(USER), [WEATHER_TOOL])]
    assert _canon(mock.requests[0].body) == _canon(FIRST[case.provider])


@ALL
async def test_tool_turn_equals_agno(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    _ = [c async for c in case.model(mock).ainvoke_stream(tool_turn(CALL), [WEATHER_TOOL])]
    body = mock.requests[0].body
    sent = body["contents"][1:] if case.provider == "gemini" else body["messages"][2:]
    assert _canon(sent) == _canon(SECOND[case.provider])


@ALL
async def test_non_stream_body(case: Case, provider_mock: Any) -> None:
    """No ``stream`` key and no ``stream_options`` (Ollama sends ``"stream": false``, as its SDK does)."""
    mock = provider_mock(case.provider)
    await case.model(mock).ainvoke(msgs(USER), [WEATHER_TOOL])
    body = mock.requests[0].body
    expected = {k: v for k, v in FIRST[case.provider].items() if k not in ("stream", "stream_options")}
    if case.provider == "ollama":
        expected["stream"] = False
    assert _canon(body) == _canon(expected)


def test_openrouter_captured_non_stream_body() -> None:
    # WIRE-FORMATS §3: {"model":"openai/gpt-4o-mini","messages":[{"role":"system",...},...],"max_tokens":1024,"tools":[...]}
    m = BY_NAME["openrouter"].cls(id="openai/gpt-4o-mini", api_key="k", models=["anthropic/claude-sonnet-4"])  # type: ignore[call-arg]
    body = m.build_body(msgs(USER), [WEATHER_TOOL])  # type: ignore[attr-defined]
    assert list(body) == ["model", "messages", "max_tokens", "tools", "models"]
    assert body["models"] == ["anthropic/claude-sonnet-4"]


@pytest.mark.parametrize("provider", ["groq", "cerebras"])
def test_native_sdks_send_no_tool_choice_or_only_groq(provider: str) -> None:
    m = BY_NAME[provider].cls(id="x", api_key="k")  # type: ignore[call-arg]
    body = m.build_body(msgs(USER), [WEATHER_TOOL], "required")  # type: ignore[attr-defined]
    # Groq passes tool_choice through; native Cerebras never sends it.
    assert ("tool_choice" in body) is (provider == "groq")


def test_cerebras_tools_rebuilt_and_parallel_calls() -> None:
    from brisk.models.cerebras import Cerebras

    strict_tool = {
        "type": "function",
        "function": {**WEATHER_TOOL["function"], "strict": True, "requires_confirmation": True},
    }
    body = Cerebras(id="llama-4-scout-17b-16e-instruct", api_key="k").build_body(
        msgs(USER), [strict_tool], "auto"
    )
    assert (
        body["tools"] == [WEATHER_TOOL] and body["parallel_tool_calls"] is False and "tool_choice" not in body
    )
    body = Cerebras(id="x", api_key="k", parallel_tool_calls=True, top_k=5).build_body(
        msgs(USER), [strict_tool]
    )
    assert body["parallel_tool_calls"] is True and body["top_k"] == 5
    schema = {"type": "json_schema", "json_schema": {"name": "W", "schema": {"type": "object", "properties": {
        "a": {"type": "object", "properties": {}}}}}}  # fmt: skip
    body = Cerebras(id="x", api_key="k").build_body(msgs(USER), None, None, schema)
    sent = body["response_format"]["json_schema"]
    assert sent["strict"] is True and sent["schema"]["additionalProperties"] is False
    assert sent["schema"]["properties"]["a"]["additionalProperties"] is False
    assert "additionalProperties" not in schema["json_schema"]["schema"]  # the caller's dict is untouched


def test_groq_json_object_mode_mentions_json_once() -> None:
    from brisk.models.groq import Groq

    messages = msgs(USER)
    body = Groq(api_key="k").build_body(messages, None, None, {"type": "json_object"})
    assert body["messages"][0]["content"] == "Be brief.\n\nYour output should be in JSON format."
    assert messages[0].content == "Be brief."  # the stored message is not changed (Agno appends to it)


def test_glm_quirks() -> None:
    from brisk.models.zhipu import GLM

    body = GLM(api_key="k", temperature=0, top_p=1.0).build_body(msgs(USER), [WEATHER_TOOL], "required")
    assert body["temperature"] == 0.01 and body["do_sample"] is False and body["top_p"] == 0.99
    assert "tool_choice" not in body  # GLM accepts "auto" only
    body = GLM(api_key="k", thinking={"type": "disabled"}).build_body(msgs(USER), [WEATHER_TOOL], "auto")
    assert body["tool_choice"] == "auto" and body["thinking"] == {"type": "disabled"}
    body = GLM(api_key="k", temperature=0.5, tool_stream=True).build_body(msgs(USER), stream=True)
    assert body["temperature"] == 0.5 and "do_sample" not in body and body["tool_stream"] is True


def test_modelscope_qwen3_non_stream_disables_thinking() -> None:
    from brisk.models.modelscope import ModelScope

    m = ModelScope(id="Qwen/Qwen3-32B", api_key="k")
    assert m.build_body(msgs(USER))["enable_thinking"] is False
    assert "enable_thinking" not in m.build_body(msgs(USER), stream=True)
    assert "enable_thinking" not in ModelScope(api_key="k").build_body(msgs(USER))
    assert ModelScope(id="Qwen/Qwen3-32B", api_key="k", enable_thinking=True).build_body(msgs(USER))[
        "enable_thinking"
    ]


def test_gemini_system_merge_and_signatures() -> None:
    from brisk.models.google import Gemini

    call = {**CALL, "thought_signature": "c2ln"}
    history = [
        Message("system", "first"),
        Message("developer", "Be brief."),  # the last system message wins
        Message("user", "a"),
        Message("user", "b"),  # merged with the previous user turn
        Message(
            "assistant", "thinking aloud", tool_calls=[call], provider_data={"thought_signature": "dGV4dA=="}
        ),
        Message("tool", "Sunny", tool_call_id="call_abc", tool_name="get_weather"),
        Message("user", None),  # no parts: skipped
    ]
    body = Gemini(api_key="k").build_body(history)
    assert body["systemInstruction"]["parts"] == [{"text": "Be brief."}]
    assert body["contents"] == [
        {"parts": [{"text": "a"}, {"text": "b"}], "role": "user"},
        {"parts": [{"text": "thinking aloud", "thoughtSignature": "dGV4dA=="},
                   {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "c2ln"}],
         "role": "model"},
        {"parts": [{"functionResponse": {"name": "get_weather", "response": {"result": "Sunny"}}}], "role": "user"},
    ]  # fmt: skip


def test_gemini_generation_config_and_tool_choice() -> None:
    from brisk.models.google import Gemini

    g = Gemini(api_key="k", temperature=0.2, top_p=0.9, max_output_tokens=64, stop_sequences=["x"], seed=1,
               thinking_budget=128, include_thoughts=True, safety_settings=[{"category": "c", "threshold": "t"}])  # fmt: skip
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    body = g.build_body(
        msgs(USER), [WEATHER_TOOL], "required", {"type": "json_schema", "json_schema": {"schema": schema}}
    )
    assert body["generationConfig"] == {
        "temperature": 0.2, "topP": 0.9, "maxOutputTokens": 64, "stopSequences": ["x"], "seed": 1,
        "responseMimeType": "application/json",
        "responseSchema": {"type": "OBJECT", "properties": {"n": {"type": "INTEGER"}}, "required": ["n"]},
        "thinkingConfig": {"thinkingBudget": 128, "includeThoughts": True},
    }  # fmt: skip
    assert body["safetySettings"] == [{"category": "c", "threshold": "t"}]
    assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    named = g.build_body(
        msgs(USER), [WEATHER_TOOL], {"type": "function", "function": {"name": "get_weather"}}
    )
    assert named["toolConfig"]["functionCallingConfig"] == {
        "mode": "ANY",
        "allowedFunctionNames": ["get_weather"],
    }
    assert g.build_body(msgs(USER), [WEATHER_TOOL], "auto")["toolConfig"]["functionCallingConfig"] == {
        "mode": "AUTO"
    }
    search = Gemini(api_key="k", search=True).build_body(msgs(USER), [WEATHER_TOOL])
    assert search["tools"] == [{"googleSearch": {}}]  # built-in tools replace function tools, as in Agno
