"""Model providers. Import a provider from its own module (``brisk.models.openai``) so that only the
providers you use are loaded."""

from brisk.models.base import Model
from brisk.models.message import Message
from brisk.models.response import ModelChunk, ModelResponse

__all__ = ["Message", "Model", "ModelChunk", "ModelResponse"]
