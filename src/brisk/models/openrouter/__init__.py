"""OpenRouter (OpenAI-compatible)."""

from brisk.models.openrouter.openrouter import OpenRouter

__all__ = ["OpenRouter"]
