"""Zhipu AI GLM (glm4; OpenAI-compatible with quirks)."""

from brisk.models.zhipu.glm import GLM

__all__ = ["GLM"]
