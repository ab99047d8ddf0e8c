"""``Siliconflow``: SiliconFlow's OpenAI-compatible API (``https://api.siliconflow.cn/v1``).

International accounts use ``https://api.siliconflow.com/v1`` (set ``SILICONFLOW_BASE_URL``); keys of one
site do not work on the other. Error bodies are not OpenAI-shaped (``{"code": 20012, "message": ...}`` or a
bare ``"Invalid token"``): the message is taken from them, or the raw text is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import ClassVar

from brisk.models._compat import COMPAT_PROFILE, CompatChat
from brisk.models._env import env_default
from brisk.models.openai.chat import ChatProfile

__all__ = ["Siliconflow"]


@dataclass
class Siliconflow(CompatChat):
    id: str = field(default_factory=env_default("SILICONFLOW_MODEL", "Qwen/QwQ-32B"))
    name: str = "Siliconflow"
    provider: str = "Siliconflow"

    model_env: ClassVar[str | None] = "SILICONFLOW_MODEL"
    profile: ClassVar[ChatProfile] = replace(
        COMPAT_PROFILE,
        api_key_env="SILICONFLOW_API_KEY",
        base_url_env="SILICONFLOW_BASE_URL",
        base_url="https://api.siliconflow.cn/v1",
    )
