"""``FunctionModel``: a model whose answers come from a Python function. For tests and examples.

The function receives the messages and the tool schemas of each call and returns a ``ModelResponse``
(or a plain string). Streamed calls split the content into word chunks and put tool calls and usage on
the last chunk, exactly as real providers are normalised, so the run loop is exercised the same way.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from brisk.metrics import MessageMetrics
from brisk.models.base import Model
from brisk.models.message import Message
from brisk.models.response import ModelChunk, ModelResponse

Responder = Callable[[list[Message], list[dict[str, Any]] | None], Any]


@dataclass
class FunctionModel(Model):
    function: Responder | None = None
    id: str = "function-model"
    name: str = "FunctionModel"
    provider: str = "Function"
    # Seconds to wait before each streamed chunk (lets tests cancel a run mid-stream).
    chunk_delay: float = 0.0
    calls: list[list[Message]] = field(default_factory=list, repr=False)

    async def _respond(self, messages: list[Message], tools: list[dict[str, Any]] | None) -> ModelResponse:
        if self.function is None:
            raise ValueError("FunctionModel needs a function")
        self.calls.append(list(messages))
        result = self.function(messages, tools)
        if inspect.isawaitable(result):
            result = await result
        if isinstance(result, str):
            result = ModelResponse(content=result)
        if not result.metrics.total_tokens:
            words_in = sum(len(str(m.content or "").split()) for m in messages)
            words_out = len((result.content or "").split())
            result.metrics = MessageMetrics(
                input_tokens=words_in, output_tokens=words_out, total_tokens=words_in + words_out
            )
        return result

    async def ainvoke(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        response_format: Any = None,
    ) -> ModelResponse:
        return await self._respond(messages, tools)

    async def ainvoke_stream(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        response_format: Any = None,
    ) -> AsyncIterator[ModelChunk]:
        result = await self._respond(messages, tools)
        text = result.content or ""
        words = text.split(" ")
        for i, w in enumerate(words):
            if self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)
            piece = w if i == 0 else " " + w
            if piece:
                yield ModelChunk(content=piece, provider_data=result.provider_data)
        yield ModelChunk(
            tool_calls=result.tool_calls or None,
            metrics=result.metrics,
            reasoning_content=result.reasoning_content,
        )


def tool_call(name: str, arguments: str, call_id: str = "call_1") -> dict[str, Any]:
    """A tool call in the OpenAI shape the run loop consumes."""
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
