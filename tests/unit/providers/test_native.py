"""The native providers' own pieces: Gemini's schema conversion, URL and error parsing; Ollama's host rules
and tool schemas."""

from __future__ import annotations

import json
from typing import Any

import pytest

from brisk.exceptions import (
    ConfigurationError,
    ModelAuthenticationError,
    ModelProviderError,
    ModelRateLimitError,
)
from brisk.models.google import Gemini
from brisk.models.google._format import to_gemini_schema
from brisk.models.google.gemini import gemini_error, gemini_root
from brisk.models.ollama import Ollama
from brisk.models.ollama.chat import ollama_base_url, ollama_tools
from tests.mocks.gemini_server import SIGNATURE
from tests.mocks.openai_server import Error, Raw, Text, ToolCalls
from tests.unit.providers.cases import KEY, WEATHER_TOOL, msgs, tool_turn


def test_schema_conversion() -> None:
    schema = {
        "type": "object",
        "$defs": {"Pt": {"type": "object", "properties": {"x": {"type": "number", "minimum": 0}}}},
        "properties": {
            "mode": {"type": "string", "enum": ["a", "b"]},
            "note": {"type": ["string", "null"], "description": "optional"},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
            "pt": {"$ref": "#/$defs/Pt"},
            "maybe": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            "meta": {"type": "object", "additionalProperties": {"type": "string"}},
            "when": {"type": "string", "format": "date-time"},
        },
        "required": ["mode"],
    }
    out = to_gemini_schema(schema)
    assert out is not None
    p = out["properties"]
    assert out["type"] == "OBJECT" and out["required"] == ["mode"]
    assert p["mode"] == {"type": "STRING", "enum": ["a", "b"]}
    assert p["note"] == {"type": "STRING", "description": "optional", "nullable": True}
    assert p["tags"] == {"type": "ARRAY", "items": {"type": "STRING"}, "maxItems": 3}
    assert p["pt"] == {
        "type": "OBJECT",
        "properties": {"x": {"type": "NUMBER", "minimum": 0}},
        "required": [],
    }
    assert p["maybe"] == {"type": "INTEGER", "nullable": True}
    assert p["meta"]["properties"]["example_key"]["type"] == "STRING"
    assert p["when"] == {"type": "STRING", "format": "date-time"}
    cyclic = {"type": "object", "$defs": {"N": {"type": "object", "properties": {"next": {"$ref": "#/$defs/N"}}}},
              "properties": {"n": {"$ref": "#/$defs/N"}}}  # fmt: skip
    inner = to_gemini_schema(cyclic)["properties"]["n"]["properties"]["next"]  # type: ignore[index]
    assert inner == {"type": "OBJECT", "description": "Circular reference to #/$defs/N"}
    assert to_gemini_schema({"type": "null"}) is None
    assert to_gemini_schema({"type": "object"}) == {"type": "OBJECT"}


def test_gemini_root(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GEMINI_BASE_URL", "GOOGLE_GEMINI_BASE_URL", "GOOGLE_GENAI_API_VERSION"):
        monkeypatch.delenv(var, raising=False)
    assert gemini_root(None, None) == "https://generativelanguage.googleapis.com/v1"
    assert gemini_root("http://h:1/", "v1beta") == "http://h:1/v1beta"
    assert gemini_root("http://h:1/v1beta", None) == "http://h:1/v1beta"
    monkeypatch.setenv("GOOGLE_GENAI_API_VERSION", "v1beta")
    monkeypatch.setenv("GEMINI_BASE_URL", "http://proxy")
    assert gemini_root(None, None) == "http://proxy/v1beta"


async def test_gemini_v1beta_path(gemini_mock: Any) -> None:
    g = Gemini(id="models/gemini-2.5-flash", api_key=KEY, base_url=gemini_mock.base_url, api_version="v1beta")
    assert (await g.ainvoke(msgs("hi"))).content
    assert gemini_mock.requests[0].path == "/v1beta/models/gemini-2.5-flash:generateContent"


async def test_gemini_thought_signature_round_trip(gemini_mock: Any) -> None:
    g = Gemini(id="gemini-2.5-flash", api_key=KEY, base_url=gemini_mock.base_url)
    first = [c async for c in g.ainvoke_stream(msgs("What's the weather in Paris?"), [WEATHER_TOOL])]
    call = (first[-1].tool_calls or [])[0]
    assert call["thought_signature"] == SIGNATURE
    _ = [c async for c in g.ainvoke_stream(tool_turn(call), [WEATHER_TOOL])]
    sent = gemini_mock.requests[1].body["contents"][1]["parts"][0]
    assert sent["thoughtSignature"] == SIGNATURE and sent["functionCall"]["args"] == {"city": "Paris"}


async def test_gemini_usage_counts_only_the_final_chunk(gemini_mock: Any) -> None:
    gemini_mock.script(Text("one two three four", completion_tokens=9))
    g = Gemini(id="gemini-2.0-flash", api_key=KEY, base_url=gemini_mock.base_url)
    chunks = [c async for c in g.ainvoke_stream(msgs("hi"))]
    assert chunks[-1].metrics is not None and chunks[-1].metrics.output_tokens == 9
    g2 = Gemini(
        id="gemini-2.0-flash", api_key=KEY, base_url=gemini_mock.base_url, collect_metrics_on_completion=False
    )
    gemini_mock.script(Text("one two three four", completion_tokens=9))
    chunks = [c async for c in g2.ainvoke_stream(msgs("hi"))]
    assert chunks[-1].metrics.output_tokens == 9  # type: ignore[union-attr]  # cumulative: the last one wins


async def test_gemini_stream_without_finish_reason_is_interrupted(gemini_mock: Any) -> None:
    body = 'data: {"candidates":[{"content":{"parts":[{"text":"half"}],"role":"model"}}]}\r\n\r\n'
    gemini_mock.script(Raw(body, content_type="text/event-stream"))
    g = Gemini(id="gemini-2.0-flash", api_key=KEY, base_url=gemini_mock.base_url)
    with pytest.raises(ModelProviderError, match="closed the stream early"):
        _ = [c async for c in g.ainvoke_stream(msgs("hi"))]


def test_gemini_error_shapes() -> None:
    body = json.dumps([{"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED",
                                  "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                               "retryDelay": {"seconds": 3, "nanos": 500000000}}]}}])  # fmt: skip
    e = gemini_error(429, body.encode())
    assert isinstance(e, ModelRateLimitError) and e.retry_after == 3.5 and str(e) == "quota"
    e = gemini_error(502, b"<html>Bad Gateway</html>")
    assert type(e) is ModelProviderError and str(e) == "<html>Bad Gateway</html>"
    e = gemini_error(400, json.dumps({"error": {"code": 400, "message": f"bad {KEY}", "status": "INVALID_ARGUMENT",
        "details": [{"reason": "API_KEY_INVALID"}]}}).encode(), secrets=(KEY,))  # fmt: skip
    assert isinstance(e, ModelAuthenticationError) and KEY not in str(e)


async def test_gemini_unregistered_caller_and_blocked_prompt(gemini_mock: Any) -> None:
    gemini_mock.script(
        Raw('data: {"promptFeedback":{"blockReason":"SAFETY"}}\r\n\r\n', content_type="text/event-stream")
    )
    g = Gemini(id="gemini-2.0-flash", api_key=KEY, base_url=gemini_mock.base_url)
    chunks = [c async for c in g.ainvoke_stream(msgs("hi"))]
    assert not any(c.content for c in chunks) and chunks[-1].metrics is not None
    gemini_mock.script(Error(404, "models/gemini-x is not found for API version v1"))
    with pytest.raises(ModelProviderError) as ei:
        await g.ainvoke(msgs("hi"))
    assert ei.value.status_code == 404


def test_gemini_bad_base_url() -> None:
    with pytest.raises(ConfigurationError):
        Gemini(api_key="k", base_url="not a url")._resolve()


def test_ollama_host_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    assert ollama_base_url(None) == "http://127.0.0.1:11434"
    assert ollama_base_url(None, "key") == "https://ollama.com"  # Ollama's cloud when only a key is set
    assert ollama_base_url("example.com") == "http://example.com:11434"
    assert ollama_base_url("https://example.com") == "https://example.com:443"
    assert ollama_base_url("http://[::1]:5000/base/") == "http://[::1]:5000/base"
    monkeypatch.setenv("OLLAMA_HOST", "0.0.0.0:9999")
    assert ollama_base_url(None, "key") == "http://0.0.0.0:9999"


def test_ollama_tool_schema_keeps_what_the_sdk_keeps() -> None:
    tool = {"type": "function", "function": {
        "name": "f", "description": "d", "strict": True,
        "parameters": {"type": "object", "additionalProperties": False, "required": ["a"],
                       "properties": {"a": {"type": "string", "title": "A", "enum": ["x"], "default": "x"}}}}}  # fmt: skip
    assert ollama_tools([tool]) == [{"type": "function", "function": {"name": "f", "description": "d",
        "parameters": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string", "enum": ["x"]}}}}}]  # fmt: skip


async def test_ollama_cloud_key_and_options(ollama_mock: Any) -> None:
    m = Ollama(
        id="gpt-oss:20b", host=ollama_mock.base_url, api_key=KEY, options={"temperature": 0}, keep_alive="5m"
    )
    await m.ainvoke(msgs("hi"), response_format={"type": "json_object"})
    req = ollama_mock.requests[0]
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert (
        req.body["options"] == {"temperature": 0}
        and req.body["keep_alive"] == "5m"
        and req.body["format"] == "json"
    )
    assert m.to_dict() == {"name": "Ollama", "id": "gpt-oss:20b", "provider": "Ollama", "options": {"temperature": 0},
                           "keep_alive": "5m"}  # fmt: skip
    assert KEY not in repr(m)


async def test_ollama_think_tags_and_ids(ollama_mock: Any) -> None:
    ollama_mock.script(Text("<think>hmm</think>The answer."), ToolCalls([("get_weather", {"city": "Paris"})]))
    m = Ollama(host=ollama_mock.base_url)
    r = await m.ainvoke(msgs("hi"))
    assert r.reasoning_content == "hmm" and r.content == "The answer."
    r = await m.ainvoke(msgs("What's the weather in Paris?"), [WEATHER_TOOL])
    assert (
        r.tool_calls[0]["function"]["arguments"] == '{"city": "Paris"}' and len(r.tool_calls[0]["id"]) == 36
    )


async def test_ollama_not_found_and_connection_refused(ollama_mock: Any) -> None:
    ollama_mock.script(Error(404, 'model "llama9" not found, try pulling it first'))
    with pytest.raises(ModelProviderError) as ei:
        await Ollama(id="llama9", host=ollama_mock.base_url).ainvoke(msgs("hi"))
    assert ei.value.status_code == 404 and "try pulling it first" in str(ei.value)
    with pytest.raises(ModelProviderError, match="Connection error"):
        await Ollama(host="http://127.0.0.1:1").ainvoke(msgs("hi"))


async def test_native_providers_retry_only_when_asked(gemini_mock: Any, ollama_mock: Any) -> None:
    gemini_mock.script(Error(503, "The model is overloaded."), Text("ok"))
    g = Gemini(id="gemini-2.0-flash", api_key=KEY, base_url=gemini_mock.base_url, max_retries=1)
    assert (await g.ainvoke(msgs("hi"))).content == "ok" and len(gemini_mock.requests) == 2
    ollama_mock.script(Error(500, "llama runner process has terminated"), Text("ok"))
    m = Ollama(host=ollama_mock.base_url, max_retries=1)
    assert (await m.ainvoke(msgs("hi"))).content == "ok" and len(ollama_mock.requests) == 2
