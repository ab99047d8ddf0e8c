"""``OpenRouter``: OpenRouter's OpenAI-compatible API (``https://openrouter.ai/api/v1``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from brisk.models._compat import COMPAT_PROFILE, CompatChat
from brisk.models._env import env_default
from brisk.models.message import Message
from brisk.models.openai.chat import ChatProfile

__all__ = ["OpenRouter"]


@dataclass
class OpenRouter(CompatChat):
    """As Agno's: ``max_tokens`` defaults to 1024 and ``models`` (fallback routing) goes out as ``models``.

    Streams interleave ``: OPENROUTER PROCESSING`` comment lines (skipped by the SSE reader); the last
    chunk's ``usage.cost`` becomes the message's cost.
    """

    id: str = field(default_factory=env_default("OPENROUTER_MODEL", "gpt-5.4-mini"))
    name: str = "OpenRouter"
    provider: str = "OpenRouter"
    max_tokens: int | None = 1024
    # Fallback models tried by OpenRouter when the first is unavailable
    # (https://openrouter.ai/docs/features/model-routing).
    models: list[str] | None = None

    model_env: ClassVar[str | None] = "OPENROUTER_MODEL"
    profile: ClassVar[ChatProfile] = replace(
        COMPAT_PROFILE,
        api_key_env="OPENROUTER_API_KEY",
        base_url_env="OPENROUTER_BASE_URL",
        base_url="https://openrouter.ai/api/v1",
    )

    def build_body(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
        stream: bool = False,
    ) -> dict[str, Any]:
        body = super().build_body(messages, tools, tool_choice, response_format, stream)
        if self.models:
            body["models"] = list(self.models)
        return body
