"""The nine providers as test cases: how to build each model / embedder against its mock, and what its
wire format promises (shared by the parametrized provider tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from brisk.knowledge.embedder.base import Embedder
from brisk.models._retry import RetryPolicy
from brisk.models.base import Model
from brisk.models.cerebras import Cerebras
from brisk.models.google import Gemini
from brisk.models.groq import Groq
from brisk.models.message import Message
from brisk.models.modelscope import ModelScope
from brisk.models.ollama import Ollama
from brisk.models.openai import OpenAIChat
from brisk.models.openrouter import OpenRouter
from brisk.models.siliconflow import Siliconflow
from brisk.models.zhipu import GLM

KEY = "sk-test-SECRET0123456789abcdef"
SYSTEM = "Be brief."
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


@dataclass(frozen=True)
class Case:
    provider: str  # catalog key; also the mock's name
    cls: type[Model]
    model_id: str
    key_env: str | None  # None: no key needed (Ollama)
    path: str  # chat path on the mock
    retries: bool  # does the vendor SDK Agno uses retry 429/5xx?
    embedder: str | None  # "module:Class" of its embedder, None when the provider has none
    label: str  # provider name in EmbeddingsNotSupportedError / metrics
    native_error_401: int = 401  # the status a bad key gets (Gemini: 400)

    def model(self, mock: Any, **kw: Any) -> Model:
        if self.provider == "ollama":
            return Ollama(id=self.model_id, host=mock.base_url, **kw)
        base = mock.host_url if self.provider in ("groq", "cerebras") else mock.base_url  # SDK-style host
        return self.cls(id=self.model_id, api_key=KEY, base_url=base, **kw)  # type: ignore[call-arg]

    def embedder_obj(self, mock: Any, **kw: Any) -> Embedder:
        import importlib

        assert self.embedder is not None
        module, _, name = self.embedder.partition(":")
        cls = getattr(importlib.import_module(module), name)
        if self.provider == "ollama":
            return cls(host=mock.base_url, dimensions=8, **kw)
        return cls(api_key=KEY, base_url=mock.base_url, **kw)


CASES: list[Case] = [
    Case("openai", OpenAIChat, "gpt-4o-mini", "OPENAI_API_KEY", "/v1/chat/completions", True,
         "brisk.knowledge.embedder.openai:OpenAIEmbedder", "OpenAI"),
    Case("openrouter", OpenRouter, "openai/gpt-4o-mini", "OPENROUTER_API_KEY", "/api/v1/chat/completions", True,
         "brisk.knowledge.embedder.openrouter:OpenRouterEmbedder", "OpenRouter"),
    Case("siliconflow", Siliconflow, "Qwen/Qwen2.5-7B-Instruct", "SILICONFLOW_API_KEY", "/v1/chat/completions", True,
         "brisk.knowledge.embedder.siliconflow:SiliconflowEmbedder", "Siliconflow"),
    Case("glm4", GLM, "glm-4-flash", "ZHIPUAI_API_KEY", "/api/paas/v4/chat/completions", True,
         "brisk.knowledge.embedder.zhipu:ZhipuEmbedder", "Zhipu"),
    Case("modelscope", ModelScope, "Qwen/Qwen2.5-72B-Instruct", "MODELSCOPE_API_KEY", "/v1/chat/completions", True,
         None, "ModelScope"),
    Case("groq", Groq, "llama-3.3-70b-versatile", "GROQ_API_KEY", "/openai/v1/chat/completions", True, None, "Groq"),
    Case("cerebras", Cerebras, "llama3.1-8b", "CEREBRAS_API_KEY", "/v1/chat/completions", True, None, "Cerebras"),
    Case("ollama", Ollama, "llama3.1", None, "/api/chat", False,
         "brisk.knowledge.embedder.ollama:OllamaEmbedder", "Ollama"),
    Case("gemini", Gemini, "gemini-2.0-flash", "GOOGLE_API_KEY", "/v1/models/gemini-2.0-flash:generateContent", False,
         "brisk.knowledge.embedder.google:GeminiEmbedder", "Google", native_error_401=400),
]  # fmt: skip

BY_NAME = {c.provider: c for c in CASES}
ALL = pytest.mark.parametrize("case", CASES, ids=[c.provider for c in CASES])
KEYED = pytest.mark.parametrize(
    "case", [c for c in CASES if c.key_env], ids=[c.provider for c in CASES if c.key_env]
)
RETRYING = [c for c in CASES if c.retries]


def fast_retries(monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    """Millisecond backoff for the providers that retry (their policy lives on the class profile)."""
    profile = getattr(case.cls, "profile", None)
    if profile is not None:
        fast = replace(profile, retry=RetryPolicy(initial_delay=0.001, max_delay=0.002))
        monkeypatch.setattr(case.cls, "profile", fast)


def msgs(text: str) -> list[Message]:
    return [Message("system", SYSTEM), Message("user", text)]


def tool_turn(call: dict[str, Any], result: str = "Sunny in Paris") -> list[Message]:
    return [
        *msgs("What's the weather in Paris?"),
        Message("assistant", None, tool_calls=[call]),
        Message("tool", result, tool_call_id=call["id"], tool_name=call["function"]["name"]),
    ]


MakeModel = Callable[..., Model]
