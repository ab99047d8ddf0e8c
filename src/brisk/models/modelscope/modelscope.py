"""``ModelScope``: ModelScope API-Inference (``https://api-inference.modelscope.cn/v1``), OpenAI-compatible.

Agno has no ModelScope class (its users reach it through ``OpenAILike``). The key is a ModelScope SDK
token (``ms-…``) from ``MODELSCOPE_API_KEY`` or, as other tools name it, ``MODELSCOPE_SDK_TOKEN``.

The backend behaves like DashScope: Qwen3 models think by default and reject a non-streamed call unless
``enable_thinking: false`` is sent ("enable thinking can not be support when stream=False"). So a
non-streamed request for a ``qwen3`` model sends ``enable_thinking: false`` unless ``enable_thinking`` is set
explicitly. ModelScope documents no embeddings API.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from brisk.models._compat import COMPAT_PROFILE, CompatChat
from brisk.models._env import env_default
from brisk.models.message import Message
from brisk.models.openai.chat import ChatProfile

__all__ = ["ModelScope"]


@dataclass
class ModelScope(CompatChat):
    id: str = field(default_factory=env_default("MODELSCOPE_MODEL", "Qwen/Qwen2.5-72B-Instruct"))
    name: str = "ModelScope"
    provider: str = "ModelScope"

    enable_thinking: bool | None = None

    model_env: ClassVar[str | None] = "MODELSCOPE_MODEL"
    api_key_fallback_envs: ClassVar[tuple[str, ...]] = ("MODELSCOPE_SDK_TOKEN",)
    profile: ClassVar[ChatProfile] = replace(
        COMPAT_PROFILE,
        api_key_env="MODELSCOPE_API_KEY",
        base_url_env="MODELSCOPE_BASE_URL",
        base_url="https://api-inference.modelscope.cn/v1",
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
        if self.enable_thinking is not None:
            body["enable_thinking"] = self.enable_thinking
        elif not stream and "qwen3" in self.id.lower() and "enable_thinking" not in body:
            body["enable_thinking"] = False
        return body
