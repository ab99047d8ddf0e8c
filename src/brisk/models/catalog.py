"""The nine providers Brisk speaks to: what each supports and whether it is configured here.

``provider_matrix()`` is the data behind ``brisk providers`` (and the table in ``docs/providers.md``);
``format_matrix()`` renders it as text. Keys are never printed: a set key shows as ``sk-…abcd`` (or just
``set`` when it is too short to mask safely).

Nothing here imports a provider module: listing providers must stay cheap and must not fail because one
provider is misconfigured.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from brisk.models._env import mask_secret

__all__ = ["PROVIDERS", "ProviderSpec", "format_matrix", "provider_matrix"]


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    key: str  # the name users pick ("glm4"), also the ``get_model`` prefix unless ``model_key`` says
    label: str
    model_class: str  # "module:Class"
    embedder_class: str  # "module:Class" (raises EmbeddingsNotSupportedError when ``embeddings`` is False)
    key_envs: tuple[str, ...]  # the first one set wins
    base_url_envs: tuple[str, ...]
    model_env: str
    default_model: str
    default_base_url: str
    default_embedder_model: str | None
    embeddings: bool
    wire: str  # protocol and stream framing, for the docs and the CLI
    key_required: bool = True
    model_key: str | None = None  # ``get_model`` prefix when it differs from ``key``


PROVIDERS: tuple[ProviderSpec, ...] = (
    ProviderSpec(
        "ollama", "Ollama", "brisk.models.ollama:Ollama", "brisk.knowledge.embedder.ollama:OllamaEmbedder",
        ("OLLAMA_API_KEY",), ("OLLAMA_HOST",), "OLLAMA_MODEL", "llama3.1", "http://127.0.0.1:11434",
        "openhermes", True, "native /api/chat, NDJSON", key_required=False,
    ),
    ProviderSpec(
        "gemini", "Google", "brisk.models.google:Gemini", "brisk.knowledge.embedder.google:GeminiEmbedder",
        ("GOOGLE_API_KEY", "GEMINI_API_KEY"), ("GEMINI_BASE_URL", "GOOGLE_GEMINI_BASE_URL"), "GEMINI_MODEL",
        "gemini-3.7-flash", "https://generativelanguage.googleapis.com/v1", "gemini-embedding-001", True,
        "native generateContent, SSE without [DONE]", model_key="google",
    ),
    ProviderSpec(
        "openai", "OpenAI", "brisk.models.openai:OpenAIChat", "brisk.knowledge.embedder.openai:OpenAIEmbedder",
        ("OPENAI_API_KEY",), ("OPENAI_BASE_URL",), "OPENAI_MODEL", "gpt-5.4-mini", "https://api.openai.com/v1",
        "text-embedding-3-small", True, "OpenAI chat completions, SSE + [DONE]",
    ),
    ProviderSpec(
        "glm4", "Zhipu", "brisk.models.zhipu:GLM", "brisk.knowledge.embedder.zhipu:ZhipuEmbedder",
        ("ZHIPUAI_API_KEY",), ("ZHIPUAI_BASE_URL",), "ZHIPUAI_MODEL", "glm-4-flash",
        "https://open.bigmodel.cn/api/paas/v4", "embedding-3", True, "OpenAI-compatible, SSE + [DONE]",
    ),
    ProviderSpec(
        "openrouter", "OpenRouter", "brisk.models.openrouter:OpenRouter",
        "brisk.knowledge.embedder.openrouter:OpenRouterEmbedder", ("OPENROUTER_API_KEY",), ("OPENROUTER_BASE_URL",),
        "OPENROUTER_MODEL", "gpt-5.4-mini", "https://openrouter.ai/api/v1", "openai/text-embedding-3-small", True,
        "OpenAI-compatible, SSE + keep-alive comments + [DONE]",
    ),
    ProviderSpec(
        "siliconflow", "Siliconflow", "brisk.models.siliconflow:Siliconflow",
        "brisk.knowledge.embedder.siliconflow:SiliconflowEmbedder", ("SILICONFLOW_API_KEY",),
        ("SILICONFLOW_BASE_URL",), "SILICONFLOW_MODEL", "Qwen/QwQ-32B", "https://api.siliconflow.cn/v1",
        "BAAI/bge-m3", True, "OpenAI-compatible, SSE + [DONE]",
    ),
    ProviderSpec(
        "cerebras", "Cerebras", "brisk.models.cerebras:Cerebras", "brisk.knowledge.embedder.cerebras:CerebrasEmbedder",
        ("CEREBRAS_API_KEY",), ("CEREBRAS_BASE_URL",), "CEREBRAS_MODEL", "gpt-oss-120b", "https://api.cerebras.ai/v1",
        None, False, "OpenAI-compatible, SSE + [DONE]",
    ),
    ProviderSpec(
        "modelscope", "ModelScope", "brisk.models.modelscope:ModelScope",
        "brisk.knowledge.embedder.modelscope:ModelScopeEmbedder", ("MODELSCOPE_API_KEY", "MODELSCOPE_SDK_TOKEN"),
        ("MODELSCOPE_BASE_URL",), "MODELSCOPE_MODEL", "Qwen/Qwen2.5-72B-Instruct",
        "https://api-inference.modelscope.cn/v1", None, False, "OpenAI-compatible, SSE + [DONE]",
    ),
    ProviderSpec(
        "groq", "Groq", "brisk.models.groq:Groq", "brisk.knowledge.embedder.groq:GroqEmbedder", ("GROQ_API_KEY",),
        ("GROQ_BASE_URL",), "GROQ_MODEL", "openai/gpt-oss-120b", "https://api.groq.com/openai/v1", None, False,
        "OpenAI-compatible, SSE + [DONE], usage in x_groq",
    ),
)  # fmt: skip


def _first(env: Mapping[str, str], names: tuple[str, ...]) -> tuple[str | None, str | None]:
    for n in names:
        v = (env.get(n) or "").strip()
        if v:
            return n, v
    return None, None


def provider_matrix(env: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per provider: configured or not (key masked), effective defaults, what it supports."""
    env = os.environ if env is None else env
    rows = []
    for p in PROVIDERS:
        key_var, key = _first(env, p.key_envs)
        base_var, base = _first(env, p.base_url_envs)
        model = (env.get(p.model_env) or "").strip() or p.default_model
        if p.key_required:
            configured = key is not None
            key_text = mask_secret(key) if key else f"not set ({p.key_envs[0]})"
        else:
            # Ollama needs no key; it counts as configured once a host (or its cloud key) is given.
            configured = key is not None or base is not None
            key_text = mask_secret(key) if key else "not needed"
        rows.append(
            {
                "provider": p.key,
                "label": p.label,
                "model_class": p.model_class.rsplit(":", 1)[1],
                "embedder_class": p.embedder_class.rsplit(":", 1)[1] if p.embeddings else None,
                "configured": configured,
                "key": key_text,
                "key_env": key_var or p.key_envs[0],
                "base_url": base or p.default_base_url,
                "base_url_env": base_var or p.base_url_envs[0],
                "model": model,
                "model_env": p.model_env,
                "embedding_model": p.default_embedder_model,
                "chat": True,
                "stream": True,
                "tools": True,
                "embeddings": p.embeddings,
                "wire": p.wire,
            }
        )
    return rows


def format_matrix(rows: list[dict[str, Any]] | None = None) -> str:
    """The matrix as a fixed-width text table (what ``brisk providers`` prints)."""
    rows = provider_matrix() if rows is None else rows
    yes = {True: "yes", False: "no"}
    head = ("provider", "configured", "key", "chat", "stream", "tools", "embeddings", "model", "base url")
    table = [head] + [
        (
            r["provider"],
            yes[r["configured"]],
            r["key"],
            yes[r["chat"]],
            yes[r["stream"]],
            yes[r["tools"]],
            yes[r["embeddings"]],
            r["model"],
            r["base_url"],
        )
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
