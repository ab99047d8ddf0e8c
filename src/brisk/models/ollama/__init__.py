"""Ollama, native API (``/api/chat``, NDJSON streaming)."""

from brisk.models.ollama.chat import Ollama

__all__ = ["Ollama"]
