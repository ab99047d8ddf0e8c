"""The Model interface every provider implements.

A provider implements two coroutines, ``ainvoke`` (one whole answer) and ``ainvoke_stream`` (an async
iterator of ``ModelChunk``). Everything else (sync wrappers, provider names for metrics, the dict shape
stored in sessions) lives here, once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from brisk.exceptions import ConfigurationError
from brisk.models.message import Message
from brisk.models.response import ModelChunk, ModelResponse
from brisk.utils.aio import iter_sync, run_sync


@dataclass
class Model:
    id: str = ""
    name: str = "Model"
    provider: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise ConfigurationError(
                f"{type(self).__name__}: model id must be a non-empty string, got {self.id!r}"
            )

    # -- the two methods a provider implements -------------------------------------------------
    async def ainvoke(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> ModelResponse:
        raise NotImplementedError

    def ainvoke_stream(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> AsyncIterator[ModelChunk]:
        raise NotImplementedError

    # -- sync wrappers ----------------------------------------------------------------------------
    def invoke(
        self, messages: list[Message], tools: list[dict[str, Any]] | None = None, **kw: Any
    ) -> ModelResponse:
        return run_sync(self.ainvoke(messages, tools, **kw))

    def invoke_stream(
        self, messages: list[Message], tools: list[dict[str, Any]] | None = None, **kw: Any
    ) -> Iterator[ModelChunk]:
        return iter_sync(self.ainvoke_stream(messages, tools, **kw))

    # -- identity -----------------------------------------------------------------------------------
    def get_provider(self) -> str:
        """Provider label used in ``metrics.details`` (Agno: "OpenAI Chat" for OpenAIChat)."""
        return self.provider or self.name or type(self).__name__

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "id": self.id, "provider": self.provider}

    async def aclose(self) -> None:
        """Release connections held by this model (no-op by default)."""
