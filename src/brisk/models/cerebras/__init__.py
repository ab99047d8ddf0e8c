"""Cerebras (OpenAI-compatible). No embeddings API."""

from brisk.models.cerebras.cerebras import Cerebras

__all__ = ["Cerebras"]
