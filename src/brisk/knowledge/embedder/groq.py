"""``GroqEmbedder``: Groq has no embeddings API, so building one raises ``EmbeddingsNotSupportedError``
naming Groq (at construction, so a misconfigured knowledge base fails before it ingests anything)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from brisk.knowledge.embedder.base import UnsupportedEmbedder

__all__ = ["GroqEmbedder"]


@dataclass
class GroqEmbedder(UnsupportedEmbedder):
    provider_label: ClassVar[str] = "Groq"
