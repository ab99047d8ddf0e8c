"""``CompatChat``: the base of the first-class OpenAI-compatible providers (OpenRouter, Siliconflow, Groq,
Cerebras, GLM, ModelScope).

Everything on the wire is ``OpenAIChat``'s; a provider only sets its defaults and a ``ChatProfile``. What
this class adds over ``OpenAILike``:

* the key is required and read from the provider's own variable (plus fallbacks), at first use, so a
  missing key fails with an error naming the variable while the other providers keep working;
* ``base_url`` is resolved when the model is built: the argument, else ``<PREFIX>_BASE_URL``, else the
  provider's URL; a ``base_url_suffix`` is appended when missing, so both the vendor SDK's host-style
  variable (``GROQ_BASE_URL=https://api.groq.com``) and a full API root work;
* OpenAI's organisation/project headers are never sent to another vendor.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import yarl

from brisk.models._env import first_env
from brisk.models.base import Model
from brisk.models.message import Message
from brisk.models.openai.chat import ChatProfile
from brisk.models.openai.like import OpenAILike
from brisk.models.response import ModelChunk, ModelResponse

__all__ = ["COMPAT_PROFILE", "CompatChat", "NativeSDKChat", "with_suffix"]

COMPAT_PROFILE: ChatProfile = replace(
    OpenAILike.profile, api_key_required=True, openai_org_headers=False, base_url_env=None, api_key_env=None
)


def with_suffix(base: str, suffix: str) -> str:
    """``base`` with the path ``suffix`` appended unless it already ends with it."""
    base = base.rstrip("/")
    if not suffix:
        return base
    try:
        path = yarl.URL(base).path.rstrip("/")
    except ValueError:
        return base
    return base if path.endswith(suffix) else base + suffix


@dataclass
class CompatChat(OpenAILike):
    api_key: str | None = field(default=None, repr=False)

    # Variables tried after ``profile.api_key_env`` (e.g. MODELSCOPE_SDK_TOKEN).
    api_key_fallback_envs: ClassVar[tuple[str, ...]] = ()
    # Appended to the base URL when missing (Groq's SDK host vs. its /openai/v1 API root).
    base_url_suffix: ClassVar[str] = ""
    # The variable that overrides the default model id (documented; read by the ``id`` default factory).
    model_env: ClassVar[str | None] = None

    profile: ClassVar[ChatProfile] = COMPAT_PROFILE

    def __post_init__(self) -> None:
        super().__post_init__()
        p = self.profile
        base = self.base_url or (os.getenv(p.base_url_env) if p.base_url_env else None) or p.base_url
        self.base_url = with_suffix(str(base).strip(), self.base_url_suffix)

    def get_provider(self) -> str:
        # Agno's OpenAILike subclasses, Groq and Cerebras report their plain provider name (no " Chat").
        return Model.get_provider(self)

    def _resolve(self) -> Any:
        if not self.api_key and self._url is None:
            _, self.api_key = first_env(self.profile.api_key_env, *self.api_key_fallback_envs)
        return super()._resolve()


@dataclass
class NativeSDKChat(CompatChat):
    """Providers Agno drives through their own SDK (Groq, Cerebras) rather than through OpenAILike: Agno
    records no ``provider_data`` (response id, fingerprint) for them, so neither does Brisk."""

    async def ainvoke(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> ModelResponse:
        out = await super().ainvoke(messages, tools, tool_choice, response_format)
        out.provider_data = None
        return out

    async def ainvoke_stream(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> AsyncIterator[ModelChunk]:
        async for chunk in super().ainvoke_stream(messages, tools, tool_choice, response_format):
            chunk.provider_data = None
            yield chunk
