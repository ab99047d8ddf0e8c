"""SiliconFlow (OpenAI-compatible)."""

from brisk.models.siliconflow.siliconflow import Siliconflow

__all__ = ["Siliconflow"]
