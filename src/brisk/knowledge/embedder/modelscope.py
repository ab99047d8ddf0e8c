"""``ModelScopeEmbedder``: ModelScope has no embeddings API, so building one raises ``EmbeddingsNotSupportedError``
naming ModelScope (at construction, so a misconfigured knowledge base fails before it ingests anything)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from brisk.knowledge.embedder.base import UnsupportedEmbedder

__all__ = ["ModelScopeEmbedder"]


@dataclass
class ModelScopeEmbedder(UnsupportedEmbedder):
    provider_label: ClassVar[str] = "ModelScope"
