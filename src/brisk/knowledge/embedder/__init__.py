"""Embedders, one module per provider (``brisk.knowledge.embedder.openai.OpenAIEmbedder``, ...).

Import the provider module you use; this package only exposes the base class.
"""

from brisk.knowledge.embedder.base import Embedder

__all__ = ["Embedder"]
