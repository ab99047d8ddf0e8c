"""Real provider APIs, only for the providers whose key is set (``make providers-test``; not in ``make test``).

Per provider: a short chat, a streamed chat with one tool call (and the answer after the tool result), and
an embedding (or, for providers without an embeddings API, the refusal). A provider without its key is
skipped with ``<VAR> not set``, and a line ``providers-test <provider>: skipped: <VAR> not set`` (or
``ran``) is printed once per provider. The model is ``$<PREFIX>_MODEL`` or a small, cheap one.
"""

from __future__ import annotations

import importlib
import json
import os
from typing import Any

import pytest

from brisk.exceptions import EmbeddingsNotSupportedError
from brisk.models.base import Model
from brisk.models.catalog import PROVIDERS, ProviderSpec
from brisk.models.message import Message

pytestmark = pytest.mark.providers

# Small models that exist on each service (Agno's own defaults are not all served everywhere).
CHEAP = {
    "ollama": "llama3.1",
    "gemini": "gemini-2.5-flash",
    "openai": "gpt-4o-mini",
    "glm4": "glm-4-flash",
    "openrouter": "openai/gpt-4o-mini",
    "siliconflow": "Qwen/Qwen2.5-7B-Instruct",
    "cerebras": "gpt-oss-120b",
    "modelscope": "Qwen/Qwen2.5-72B-Instruct",
    "groq": "llama-3.3-70b-versatile",
}
EMBEDDING_MODELS = {"ollama": ("nomic-embed-text", 768)}
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
_reported: set[str] = set()


def _configured(spec: ProviderSpec) -> str | None:
    """None when the provider can be called, else the variable to set."""
    names = spec.key_envs if spec.key_required else (*spec.base_url_envs, *spec.key_envs)
    if any((os.getenv(n) or "").strip() for n in names):
        return None
    return names[0]


def _require(spec: ProviderSpec) -> None:
    missing = _configured(spec)
    if spec.key not in _reported:
        _reported.add(spec.key)
        print(
            f"\nproviders-test {spec.key}: " + (f"skipped: {missing} not set" if missing else "ran"),
            flush=True,
        )
    if missing:
        pytest.skip(f"{missing} not set")


def _model(spec: ProviderSpec) -> Model:
    module, _, name = spec.model_class.partition(":")
    cls = getattr(importlib.import_module(module), name)
    return cls(id=os.getenv(spec.model_env) or CHEAP[spec.key])


by_provider = pytest.mark.parametrize("spec", PROVIDERS, ids=[p.key for p in PROVIDERS])


@by_provider
async def test_short_chat(spec: ProviderSpec) -> None:
    _require(spec)
    r = await _model(spec).ainvoke(
        [Message("system", "Be brief."), Message("user", "Say hello in one word.")]
    )
    assert r.content and r.content.strip()
    assert r.metrics.input_tokens > 0 or spec.key == "ollama"


@by_provider
async def test_streamed_tool_call(spec: ProviderSpec) -> None:
    _require(spec)
    model = _model(spec)
    msgs = [
        Message("system", "You answer weather questions by calling the get_weather tool."),
        Message("user", "What is the weather in Paris right now? Use the tool."),
    ]
    chunks = [c async for c in model.ainvoke_stream(msgs, [WEATHER_TOOL])]
    calls = chunks[-1].tool_calls or []
    assert calls, "the model did not call the tool"
    call = calls[0]
    assert call["function"]["name"] == "get_weather"
    assert "paris" in json.loads(call["function"]["arguments"] or "{}").get("city", "").lower()
    msgs += [
        Message("assistant", None, tool_calls=[call]),
        Message("tool", "Sunny, 21 degrees C.", tool_call_id=call["id"], tool_name="get_weather"),
    ]
    answer = "".join([c.content or "" async for c in model.ainvoke_stream(msgs, [WEATHER_TOOL])])
    assert answer.strip()


@by_provider
async def test_embedding(spec: ProviderSpec) -> None:
    _require(spec)
    module, _, name = spec.embedder_class.partition(":")
    cls = getattr(importlib.import_module(module), name)
    if not spec.embeddings:
        with pytest.raises(EmbeddingsNotSupportedError):
            cls()
        return
    model_id, dims = EMBEDDING_MODELS.get(spec.key, (spec.default_embedder_model, None))
    emb = cls(id=model_id, dimensions=dims) if dims else cls(id=model_id)
    vector, _usage = await emb.async_get_embedding_and_usage("The quick brown fox.")
    assert len(vector) == emb.dimensions
