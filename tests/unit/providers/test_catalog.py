"""The provider matrix (``brisk providers``), configuration from the environment, ``get_model`` keys."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from brisk.models._env import mask_secret
from brisk.models.catalog import PROVIDERS, format_matrix, provider_matrix
from brisk.models.utils import get_model, get_model_from_dict
from tests.unit.providers.cases import CASES

ROOT = Path(__file__).resolve().parents[3]


def test_nine_providers_in_the_issue_order() -> None:
    assert [p.key for p in PROVIDERS] == [
        "ollama", "gemini", "openai", "glm4", "openrouter", "siliconflow", "cerebras", "modelscope", "groq",
    ]  # fmt: skip


def test_matrix_masks_keys_and_reports_support() -> None:
    env = {"OPENAI_API_KEY": "sk-proj-0123456789abcdefWXYZ", "GROQ_API_KEY": "gsk_short", "OLLAMA_HOST": "gpu:11434",
           "GROQ_MODEL": "llama-3.3-70b-versatile", "MODELSCOPE_SDK_TOKEN": "ms-0123456789abcdef0123"}  # fmt: skip
    rows = {r["provider"]: r for r in provider_matrix(env)}
    assert rows["openai"]["configured"] and rows["openai"]["key"] == "sk-…WXYZ"
    assert rows["groq"]["key"] == "set" and rows["groq"]["model"] == "llama-3.3-70b-versatile"
    assert rows["modelscope"]["configured"] and rows["modelscope"]["key_env"] == "MODELSCOPE_SDK_TOKEN"
    assert (
        rows["ollama"]["configured"]
        and rows["ollama"]["key"] == "not needed"
        and rows["ollama"]["base_url"] == "gpu:11434"
    )
    assert not rows["gemini"]["configured"] and rows["gemini"]["key"] == "not set (GOOGLE_API_KEY)"
    assert [p for p, r in rows.items() if not r["embeddings"]] == ["cerebras", "modelscope", "groq"]
    assert all(r["chat"] and r["stream"] and r["tools"] for r in rows.values())
    text = format_matrix(list(rows.values()))
    assert "0123456789abcdef" not in text and "gsk_short" not in text
    assert text.splitlines()[0].split()[:7] == [
        "provider",
        "configured",
        "key",
        "chat",
        "stream",
        "tools",
        "embeddings",
    ]
    assert len(text.splitlines()) == 11


def test_mask_secret() -> None:
    assert mask_secret(None) == "not set"
    assert mask_secret("abc") == "set"
    assert mask_secret("sk-ant-0123456789abcdef") == "sk-…cdef"


def test_specs_match_the_classes(monkeypatch: pytest.MonkeyPatch) -> None:
    for p in PROVIDERS:
        monkeypatch.delenv(p.model_env, raising=False)
        for var in p.base_url_envs:
            monkeypatch.delenv(var, raising=False)
    for p in PROVIDERS:
        module, _, name = p.model_class.partition(":")
        cls = getattr(importlib.import_module(module), name)
        m = cls(api_key="k") if p.key != "ollama" else cls()
        assert m.id == p.default_model, p.key
        if hasattr(m, "profile"):
            assert (
                m.base_url or m.profile.base_url
            ) == p.default_base_url and m.profile.api_key_env == p.key_envs[0]
        module, _, name = p.embedder_class.partition(":")
        assert hasattr(importlib.import_module(module), name)


def test_env_example_names_every_variable() -> None:
    env = (ROOT / ".env.example").read_text()
    declared = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", env, flags=re.M))
    for p in PROVIDERS:
        assert {p.key_envs[0], p.base_url_envs[0], p.model_env} <= declared, p.key


@pytest.mark.parametrize("case", CASES, ids=[c.provider for c in CASES])
def test_model_env_overrides_the_default_id(case, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    spec = next(p for p in PROVIDERS if p.key == case.provider)
    monkeypatch.setenv(spec.model_env, "from-env")
    assert case.cls().id == "from-env"  # type: ignore[call-arg]
    assert case.cls(id="explicit").id == "explicit"  # type: ignore[call-arg]


def test_base_url_env_and_sdk_host_style(monkeypatch: pytest.MonkeyPatch) -> None:
    from brisk.models.cerebras import Cerebras
    from brisk.models.groq import Groq
    from brisk.models.openrouter import OpenRouter

    monkeypatch.setenv("GROQ_BASE_URL", "https://api.groq.com")  # what the groq SDK reads
    assert Groq().base_url == "https://api.groq.com/openai/v1"
    monkeypatch.setenv("GROQ_BASE_URL", "https://proxy.example/openai/v1/")
    assert Groq().base_url == "https://proxy.example/openai/v1"
    monkeypatch.setenv("CEREBRAS_BASE_URL", "https://api.cerebras.ai")
    assert Cerebras().base_url == "https://api.cerebras.ai/v1"
    monkeypatch.setenv("OPENROUTER_BASE_URL", "http://router.local/api/v1")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://wrong")  # never used by another provider
    assert OpenRouter().base_url == "http://router.local/api/v1"
    assert OpenRouter(base_url="http://explicit/v1").base_url == "http://explicit/v1"


@pytest.mark.parametrize(
    ("spec", "cls"),
    [("openrouter:openai/gpt-4o-mini", "OpenRouter"), ("siliconflow:Qwen/QwQ-32B", "Siliconflow"),
     ("cerebras:gpt-oss-120b", "Cerebras"), ("groq:llama-3.3-70b-versatile", "Groq"), ("ollama:llama3.1", "Ollama"),
     ("google:gemini-2.0-flash", "Gemini"), ("gemini:gemini-2.0-flash", "Gemini"), ("glm4:glm-4-flash", "GLM"),
     ("zhipu:glm-4-plus", "GLM"), ("modelscope:Qwen/Qwen3-32B", "ModelScope")],
)  # fmt: skip
def test_get_model_keys(spec: str, cls: str) -> None:
    m = get_model(spec)
    assert type(m).__name__ == cls and m.id == spec.split(":", 1)[1]  # type: ignore[union-attr]
    again = get_model_from_dict(m.to_dict())  # type: ignore[union-attr]
    assert type(again).__name__ == cls and again.id == m.id  # type: ignore[union-attr]


def test_provider_labels_are_agnos() -> None:
    from brisk.models.cerebras import Cerebras
    from brisk.models.google import Gemini
    from brisk.models.groq import Groq
    from brisk.models.ollama import Ollama
    from brisk.models.openrouter import OpenRouter
    from brisk.models.siliconflow import Siliconflow

    got = {
        c.__name__: (c().name, c().provider, c().get_provider())
        for c in (Cerebras, Gemini, Groq, Ollama, OpenRouter, Siliconflow)
    }
    assert got == {
        "Cerebras": ("Cerebras", "Cerebras", "Cerebras"), "Gemini": ("Gemini", "Google", "Google"),
        "Groq": ("Groq", "Groq", "Groq"), "Ollama": ("Ollama", "Ollama", "Ollama"),
        "OpenRouter": ("OpenRouter", "OpenRouter", "OpenRouter"),
        "Siliconflow": ("Siliconflow", "Siliconflow", "Siliconflow"),
    }  # fmt: skip
