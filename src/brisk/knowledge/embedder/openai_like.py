"""``OpenAILikeEmbedder``: any server with an OpenAI-compatible ``/embeddings`` (vLLM, LiteLLM, Ollama's
``/v1``, ...). As Agno's: id and key default to ``"not-provided"`` and ``dimensions`` (1536) is always sent."""

from __future__ import annotations

from dataclasses import dataclass, field

from brisk.knowledge.embedder.openai import OpenAIEmbedder

__all__ = ["OpenAILikeEmbedder"]


@dataclass
class OpenAILikeEmbedder(OpenAIEmbedder):
    id: str = "not-provided"
    dimensions: int | None = 1536
    api_key: str | None = field(default="not-provided", repr=False)

    def sends_dimensions(self) -> bool:
        return True
