"""``get_model``: a ``Model``, or a ``"provider:model_id"`` string as Agno accepts it, to a ``Model``.

Providers are registered as lazy import paths, so resolving ``"openai:gpt-4o"`` imports only the OpenAI
module. Add one with ``register_model_provider("groq", "brisk.models.groq:Groq")``.

Deviation from Agno 3.1.10: Agno maps ``openai:`` to its Responses-API class; Brisk has no Responses
client, so ``openai:`` (like ``openai-chat:``) gives ``OpenAIChat``.
"""

from __future__ import annotations

import importlib
from typing import Any

from brisk.exceptions import ConfigurationError
from brisk.models.base import Model

__all__ = ["MODEL_PROVIDERS", "get_model", "get_model_from_dict", "register_model_provider"]

# provider key -> "module:Class"
MODEL_PROVIDERS: dict[str, str] = {
    "openai": "brisk.models.openai:OpenAIChat",
    "openai-chat": "brisk.models.openai:OpenAIChat",
    "openai-like": "brisk.models.openai:OpenAILike",
    "demo": "brisk.models.demo:DemoModel",
    "openrouter": "brisk.models.openrouter:OpenRouter",
    "siliconflow": "brisk.models.siliconflow:Siliconflow",
    "cerebras": "brisk.models.cerebras:Cerebras",
    "groq": "brisk.models.groq:Groq",
    "ollama": "brisk.models.ollama:Ollama",
    "google": "brisk.models.google:Gemini",
    # Not in Agno (its users reach GLM and ModelScope through OpenAILike).
    "glm4": "brisk.models.zhipu:GLM",
    "modelscope": "brisk.models.modelscope:ModelScope",
}

# Other spellings of a key (Agno resolves a class's display provider string too).
_ALIASES: dict[str, str] = {"openailike": "openai-like", "gemini": "google", "zhipu": "glm4", "glm": "glm4"}

# Provider keys Agno knows that Brisk does not (yet): named in the error so it reads "not supported by
# Brisk" rather than "unknown".
_AGNO_ONLY = frozenset(
    "aimlapi anthropic aws-bedrock aws-claude azure-ai-foundry azure-foundry-claude azure-openai "
    "azure-openai-responses cerebras cerebras-openai cohere cometapi cloudflare dashscope deepinfra deepseek "
    "fireworks flexai google google-interactions groq heabsy huggingface ibm inception internlm langdb litellm "
    "litellm-openai llama-cpp llama-openai llmman lmstudio meta minimax mistral moonshot n1n nebius neosantara "
    "nexus nvidia ollama ollama-responses openai-responses open-responses openrouter openrouter-responses "
    "perplexity portkey ramp requesty sambanova siliconflow synthorai together tokenlab trustedrouter "
    "tuning-engines vercel vertexai-claude vllm xai xai-responses xiaomi yapi".split()
)

_FORMAT_HINT = "Model strings should be in format '<provider>:<model_id>' e.g. 'openai:gpt-4o'"


def register_model_provider(key: str, target: str) -> None:
    """Make ``"<key>:<model_id>"`` build ``target`` (``"package.module:ClassName"``)."""
    if ":" not in target:
        raise ValueError(f"target must be 'module:ClassName', got {target!r}")
    MODEL_PROVIDERS[key.strip().lower()] = target


def _supported() -> str:
    return ", ".join(sorted(MODEL_PROVIDERS))


def _model_class(provider: str) -> type[Model]:
    key = _ALIASES.get(provider, provider)
    target = MODEL_PROVIDERS.get(key)
    if target is None:
        if key in _AGNO_ONLY:
            raise ConfigurationError(
                f"Model provider '{provider}' is not supported by Brisk yet. Supported providers: {_supported()}"
            )
        raise ConfigurationError(
            f"Model provider '{provider}' is not supported. Supported providers: {_supported()}"
        )
    module_name, _, cls_name = target.partition(":")
    return getattr(importlib.import_module(module_name), cls_name)


def _parse_model_string(model_string: str) -> Model:
    if not model_string.strip():
        raise ConfigurationError(f"Model string must be a non-empty string, got: {model_string!r}")
    provider, sep, model_id = model_string.partition(":")
    provider, model_id = provider.strip().lower(), model_id.strip()
    if not sep or not provider or not model_id:
        raise ConfigurationError(f"Invalid model string format: '{model_string}'. {_FORMAT_HINT}")
    return _model_class(provider)(id=model_id)


def get_model(model: Model | str | None) -> Model | None:
    """``None`` -> ``None`` (as Agno), a ``Model`` unchanged, ``"provider:model_id"`` -> a new model."""
    if model is None:
        return None
    if isinstance(model, Model):
        return model
    if isinstance(model, str):
        return _parse_model_string(model)
    raise ConfigurationError("Model must be a Model instance, string, or None")


# Default ``name`` of each class -> provider key; used to rebuild a model stored as {name, id, provider}.
_NAME_TO_KEY = {
    "OpenAIChat": "openai-chat",
    "OpenAILike": "openai-like",
    "DemoModel": "demo",
    "OpenRouter": "openrouter",
    "Siliconflow": "siliconflow",
    "Cerebras": "cerebras",
    "Groq": "groq",
    "Ollama": "ollama",
    "Gemini": "google",
    "GLM": "glm4",
    "ModelScope": "modelscope",
}


def get_model_from_dict(data: dict[str, Any]) -> Model:
    """Rebuild a model from ``Model.to_dict()`` (``{"name", "id", "provider"}``) as stored in sessions."""
    if not isinstance(data, dict):
        raise ConfigurationError("Model data must be a dictionary")
    model_id = data.get("id")
    if not model_id:
        raise ConfigurationError(f"Model data is missing an 'id': {data}")
    key = _NAME_TO_KEY.get(str(data.get("name") or "")) or str(data.get("provider") or "").strip().lower()
    return _model_class(key)(id=model_id)
