"""ModelScope API-Inference (OpenAI-compatible). No embeddings API."""

from brisk.models.modelscope.modelscope import ModelScope

__all__ = ["ModelScope"]
