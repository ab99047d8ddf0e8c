"""OpenAI and OpenAI-compatible chat models."""

from brisk.models.openai.chat import ChatProfile, OpenAIChat
from brisk.models.openai.like import OpenAILike

__all__ = ["ChatProfile", "OpenAIChat", "OpenAILike"]
