"""Groq (OpenAI-compatible, usage in ``x_groq``). No embeddings API."""

from brisk.models.groq.groq import Groq

__all__ = ["Groq"]
