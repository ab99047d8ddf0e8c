"""Google Gemini, native Generative Language API."""

from brisk.models.google.gemini import Gemini

__all__ = ["Gemini"]
