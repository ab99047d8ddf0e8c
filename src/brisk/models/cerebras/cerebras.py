"""``Cerebras``: Cerebras Inference, as Agno's native ``Cerebras`` class drives it through its SDK.

What differs from OpenAI on the wire:

* the API root is ``https://api.cerebras.ai/v1`` (``CEREBRAS_BASE_URL`` may name the host only, as the
  SDK reads it);
* no ``stream_options`` and never ``tool_choice``; tools are re-built as ``{type, function: {name,
  description, parameters}}`` (no ``strict`` or Agno flags); ``parallel_tool_calls: false`` is forced for
  ``llama-4-scout-17b-16e-instruct``, which needs it;
* messages without content carry ``"content": ""``; tool-call ids are sent unchanged;
* streamed usage rides on the ``finish_reason`` chunk (never a ``choices: []`` chunk);
* JSON-schema output needs ``additionalProperties: false`` on every object, added here.

Agno's SDK also sends ``GET /v1/tcp_warming`` when it builds a client; Brisk does not (its connection pool
is warm after the first request).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from brisk.models._compat import COMPAT_PROFILE, NativeSDKChat
from brisk.models._env import env_default
from brisk.models.message import Message
from brisk.models.openai.chat import ChatProfile

__all__ = ["Cerebras"]

_NO_PARALLEL = "llama-4-scout-17b-16e-instruct"


def _close_objects(schema: Any) -> None:
    """Set ``additionalProperties: false`` on every object schema, recursively (Cerebras requires it)."""
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            schema["additionalProperties"] = False
        for key in ("properties", "$defs", "definitions"):
            sub = schema.get(key)
            if isinstance(sub, dict):
                for v in sub.values():
                    _close_objects(v)
        if "items" in schema:
            _close_objects(schema["items"])
        for key in ("allOf", "anyOf", "oneOf"):
            for v in schema.get(key) or ():
                _close_objects(v)


@dataclass
class Cerebras(NativeSDKChat):
    id: str = field(default_factory=env_default("CEREBRAS_MODEL", "gpt-oss-120b"))
    name: str = "Cerebras"
    provider: str = "Cerebras"

    parallel_tool_calls: bool | None = None
    repetition_penalty: float | None = None
    top_k: int | None = None

    model_env: ClassVar[str | None] = "CEREBRAS_MODEL"
    base_url_suffix: ClassVar[str] = "/v1"
    profile: ClassVar[ChatProfile] = replace(
        COMPAT_PROFILE,
        stream_options=False,
        empty_content_deltas=False,
        tool_choice=False,
        tool_call_id_prefix=None,
        tool_call_id_max_len=None,
        api_key_env="CEREBRAS_API_KEY",
        base_url_env="CEREBRAS_BASE_URL",
        base_url="https://api.cerebras.ai",
    )

    def build_body(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
        stream: bool = False,
    ) -> dict[str, Any]:
        if (
            isinstance(response_format, dict)
            and response_format.get("type") == "json_schema"
            and isinstance(response_format.get("json_schema"), dict)
        ):
            response_format = copy.deepcopy(response_format)  # never mutate the caller's schema
            js = response_format["json_schema"]
            if isinstance(js.get("schema"), dict):
                js.setdefault("strict", self.strict_output)
                _close_objects(js["schema"])
        body = super().build_body(messages, tools, None, response_format, stream)
        for k in ("repetition_penalty", "top_k"):
            v = getattr(self, k)
            if v is not None:
                body[k] = v
        if tools:
            body["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": t["function"]["name"],
                        "description": t["function"].get("description", ""),
                        "parameters": t["function"].get("parameters", {"type": "object", "properties": {}}),
                    },
                }
                for t in tools
            ]
            if self.id == _NO_PARALLEL:
                body["parallel_tool_calls"] = False
            elif self.parallel_tool_calls is not None:
                body["parallel_tool_calls"] = self.parallel_tool_calls
        return body
