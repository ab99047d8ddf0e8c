"""``GLM``: Zhipu AI's GLM models (BigModel, ``https://open.bigmodel.cn/api/paas/v4``; Z.ai international:
``https://api.z.ai/api/paas/v4``).

Agno has no GLM class (its users reach GLM through ``OpenAILike``); the body is OpenAILike's, plus what
the zhipuai SDK does that GLM needs:

* ``tool_choice`` accepts only ``"auto"``: other values would be rejected with error 1210/1214, so they
  are dropped (with a warning);
* ``temperature`` and ``top_p`` must lie strictly between 0 and 1 on older models: values at or below 0
  become 0.01 with ``do_sample: false`` (greedy, what 0 means), values at or above 1 become 0.99;
* ``do_sample``, ``thinking`` (``{"type": "enabled"|"disabled"}``, glm-4.5+) and ``tool_stream`` (glm-4.6)
  pass through when set.

Without ``tool_stream`` GLM streams each tool call whole in one delta; reasoning arrives as
``reasoning_content``; errors look like ``{"error": {"code": "1211", "message": "..."}}``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from brisk.models._compat import COMPAT_PROFILE, CompatChat
from brisk.models._env import env_default
from brisk.models.message import Message
from brisk.models.openai.chat import ChatProfile

__all__ = ["GLM"]

log = logging.getLogger("brisk.models")


@dataclass
class GLM(CompatChat):
    id: str = field(default_factory=env_default("ZHIPUAI_MODEL", "glm-4-flash"))
    name: str = "GLM"
    provider: str = "Zhipu"

    do_sample: bool | None = None
    thinking: dict[str, Any] | None = None
    tool_stream: bool | None = None

    model_env: ClassVar[str | None] = "ZHIPUAI_MODEL"
    profile: ClassVar[ChatProfile] = replace(
        COMPAT_PROFILE,
        tool_choice_values=frozenset({"auto"}),
        api_key_env="ZHIPUAI_API_KEY",
        base_url_env="ZHIPUAI_BASE_URL",
        base_url="https://open.bigmodel.cn/api/paas/v4",
    )

    def build_body(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
        stream: bool = False,
    ) -> dict[str, Any]:
        if tools and tool_choice is not None and tool_choice != "auto":
            log.warning("%s: GLM accepts only tool_choice='auto'; %r is not sent", self.id, tool_choice)
        body = super().build_body(messages, tools, tool_choice, response_format, stream)
        greedy = False
        for k in ("temperature", "top_p"):
            v = body.get(k)
            if isinstance(v, int | float) and not isinstance(v, bool):
                if v <= 0:
                    body[k], greedy = 0.01, greedy or k == "temperature"
                elif v >= 1:
                    body[k] = 0.99
        if self.do_sample is not None:
            body["do_sample"] = self.do_sample
        elif greedy:
            body["do_sample"] = False
        if self.thinking is not None:
            body["thinking"] = self.thinking
        if self.tool_stream is not None and stream:
            body["tool_stream"] = self.tool_stream
        return body
