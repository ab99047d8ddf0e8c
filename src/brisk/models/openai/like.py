"""``OpenAILike``: any server that speaks the OpenAI Chat Completions API (vLLM, LM Studio, GLM, ...)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import ClassVar

from brisk.models.base import Model
from brisk.models.openai.chat import ChatProfile, OpenAIChat

__all__ = ["OpenAILike"]


@dataclass
class OpenAILike(OpenAIChat):
    """As Agno's: id and api_key default to ``"not-provided"``, the system prompt keeps the ``system`` role,
    ``provider`` stays "OpenAI" and ``get_provider()`` has no " Chat" suffix. ``base_url`` falls back to
    ``OPENAI_BASE_URL`` and then to OpenAI's URL, as the openai SDK does."""

    id: str = "not-provided"
    name: str = "OpenAILike"
    api_key: str | None = field(default="not-provided", repr=False)

    profile: ClassVar[ChatProfile] = replace(
        OpenAIChat.profile,
        role_map={"system": "system", "user": "user", "assistant": "assistant", "tool": "tool"},
        api_key_required=False,
    )

    def get_provider(self) -> str:
        return Model.get_provider(self)
