"""``CerebrasEmbedder``: Cerebras has no embeddings API, so building one raises ``EmbeddingsNotSupportedError``
naming Cerebras (at construction, so a misconfigured knowledge base fails before it ingests anything)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from brisk.knowledge.embedder.base import UnsupportedEmbedder

__all__ = ["CerebrasEmbedder"]


@dataclass
class CerebrasEmbedder(UnsupportedEmbedder):
    provider_label: ClassVar[str] = "Cerebras"
