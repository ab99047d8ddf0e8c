"""``OpenRouterEmbedder``: OpenRouter's ``/api/v1/embeddings`` (OpenAI shape, ``vendor/model`` ids).

Agno has no OpenRouter embedder (its users take ``OpenAILikeEmbedder``, which always sends
``dimensions``); here ``dimensions`` goes only to the OpenAI ``text-embedding-3`` models that accept it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from brisk.knowledge.embedder.openai import OpenAIEmbedder

__all__ = ["OpenRouterEmbedder"]


@dataclass
class OpenRouterEmbedder(OpenAIEmbedder):
    id: str = "openai/text-embedding-3-small"

    provider_label: ClassVar[str] = "OpenRouter"
    api_key_env: ClassVar[str | None] = "OPENROUTER_API_KEY"
    base_url_env: ClassVar[str | None] = "OPENROUTER_BASE_URL"
    default_base_url: ClassVar[str] = "https://openrouter.ai/api/v1"

    def _default_dimensions(self) -> int:
        return 3072 if self.id.endswith("text-embedding-3-large") else 1536

    def sends_dimensions(self) -> bool:
        return "text-embedding-3" in self.id
