"""``Groq``: Groq's OpenAI-compatible API, as Agno's native ``Groq`` class drives it through the groq SDK.

What differs from OpenAI on the wire (and what Agno sends through the groq SDK):

* the API root is ``https://api.groq.com/openai/v1``; ``GROQ_BASE_URL`` may name the host only, as the
  SDK reads it, or the full root;
* no ``stream_options``: streamed usage arrives in ``x_groq.usage`` on the last chunk, with Groq's
  timings (``queue_time``, ``prompt_time``, ...) kept as ``provider_metrics``;
* the assistant tool-call message has no ``content`` key, and tool-call ids are sent unchanged;
* ``tools`` is always sent, ``[]`` when there are none (Agno passes the agent's list through);
* a stream that fails after it started reports ``x_groq.error`` (or a top-level ``error``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from brisk.models._compat import COMPAT_PROFILE, NativeSDKChat
from brisk.models._env import env_default
from brisk.models.message import Message
from brisk.models.openai.chat import ChatProfile

__all__ = ["Groq"]

_JSON_HINT = "\n\nYour output should be in JSON format."


@dataclass
class Groq(NativeSDKChat):
    id: str = field(default_factory=env_default("GROQ_MODEL", "openai/gpt-oss-120b"))
    name: str = "Groq"
    provider: str = "Groq"

    model_env: ClassVar[str | None] = "GROQ_MODEL"
    base_url_suffix: ClassVar[str] = "/openai/v1"
    profile: ClassVar[ChatProfile] = replace(
        COMPAT_PROFILE,
        stream_options=False,
        usage_field="x_groq",
        tool_call_content=None,
        tool_call_id_prefix=None,
        tool_call_id_max_len=None,
        api_key_env="GROQ_API_KEY",
        base_url_env="GROQ_BASE_URL",
        base_url="https://api.groq.com",
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
        if "tools" not in body:
            # Agno hands the agent's tool list, empty or not, to the groq SDK, which sends it as it is.
            body["tools"] = []
        if isinstance(response_format, dict) and response_format.get("type") == "json_object":
            # Groq rejects json_object mode unless the prompt mentions JSON. Agno appends this sentence
            # to the stored system message (again on every call); here it goes on the request copy only.
            for m in body["messages"]:
                if m.get("role") == "system" and isinstance(m.get("content"), str):
                    if not m["content"].endswith(_JSON_HINT):
                        m["content"] = m["content"] + _JSON_HINT
                    break
        return body
