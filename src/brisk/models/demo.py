"""``DemoModel``: an offline, deterministic model for demos and tests (no network, no key).

What it answers, given the conversation:

1. The last message is a tool result -> an answer that quotes the results:
   ``"Here is what I found: <result>; <result>"``.
2. The last user message names one of the offered tools -> a call of that tool. A tool is "named" when
   its name (``get_weather``) or one of its meaningful words (``weather``) appears in the text. The
   arguments are read off the text by a simple pattern: string parameters take the capitalised words
   after ``in`` / ``for`` / ``at`` / ``of`` / ``about`` / ``from`` / ``to`` / ``on`` ("weather in Berlin" ->
   ``{"city": "Berlin"}``), then quoted text; numbers take the numbers in the text; booleans are true.
   When a required parameter cannot be filled, no tool is called.
3. Otherwise a fixed reply: ``reply`` if given, else the first ``reply_words`` words of the benchmark's
   fox text.

Text is streamed word by word (``"the"``, ``" quick"``, ...) with ``delay`` seconds between words.
Usage counts whitespace-separated words: input = words of every message's content, output = words
streamed (for a tool call: the name plus the words of its JSON arguments).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from brisk.metrics import MessageMetrics
from brisk.models.base import Model
from brisk.models.message import Message
from brisk.models.response import ModelChunk, ModelResponse

__all__ = ["DemoModel"]

FOX = (
    "the quick brown fox jumps over a lazy dog while seven bright stars shine above calm silver water "
    "and distant hills glow softly under evening light the quick brown fox jumps over"
)
# Words of a tool name that say nothing about what it is for.
_FILLER = frozenset(
    "get set fetch list search lookup find do run call make create read write update delete the a an to of by for".split()
)
_AFTER_PREP = re.compile(r"\b(?:in|for|at|of|about|from|to|on)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)")
_QUOTED = re.compile(r"[\"“']([^\"”']+)[\"”']")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class DemoModel(Model):
    id: str = "demo"
    name: str = "DemoModel"
    provider: str = "Demo"
    delay: float = 0.0
    reply_words: int = 32
    reply: str | None = None

    # -- the decision ---------------------------------------------------------------------------------
    def _plan(
        self, messages: list[Message], tools: list[dict[str, Any]] | None
    ) -> tuple[str, list[dict[str, Any]]]:
        """(text, tool_calls) of the next answer."""
        if messages and messages[-1].role == "tool":
            results = []
            for m in reversed(messages):
                if m.role != "tool":
                    break
                results.append(_text(m.content))
            return "Here is what I found: " + "; ".join(reversed(results)), []
        user = next((m for m in reversed(messages) if m.role == "user"), None)
        if user is not None and tools:
            text = _text(user.content)
            for fn in _functions(tools):
                if _names_tool(text, fn.get("name", "")):
                    args = _infer_args(text, fn.get("parameters") or {})
                    if args is not None:
                        n = sum(len(m.tool_calls or []) for m in messages if m.role == "assistant") + 1
                        call = {
                            "id": f"call_demo_{n:04d}",
                            "type": "function",
                            "function": {"name": fn["name"], "arguments": json.dumps(args)},
                        }
                        return "", [call]
        if self.reply is not None:
            return self.reply, []
        words = FOX.split()
        n = max(0, self.reply_words)
        return " ".join((words * (n // len(words) + 1))[:n]), []

    # -- provider methods --------------------------------------------------------------------------
    async def ainvoke(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> ModelResponse:
        out = ModelResponse()
        content: list[str] = []
        async for chunk in self.ainvoke_stream(messages, tools, tool_choice, response_format):
            if chunk.content:
                content.append(chunk.content)
            if chunk.tool_calls:
                out.tool_calls = chunk.tool_calls
            if chunk.metrics is not None:
                out.metrics = chunk.metrics
        if content:
            out.content = "".join(content)
        return out

    async def ainvoke_stream(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> AsyncIterator[ModelChunk]:
        started = time.perf_counter()
        text, calls = self._plan(messages, tools if tool_choice != "none" else None)
        ttft: float | None = None
        output = 0
        if text:
            words = text.split(" ")
            for i, w in enumerate(words):
                if i and self.delay > 0:
                    await asyncio.sleep(self.delay)
                if ttft is None:
                    ttft = time.perf_counter() - started
                yield ModelChunk(content=w if i == 0 else " " + w)
            output = len(text.split())
        for c in calls:
            output += 1 + len(c["function"]["arguments"].split())
        inp = sum(len(_text(m.content).split()) for m in messages)
        metrics = MessageMetrics(
            input_tokens=inp,
            output_tokens=output,
            total_tokens=inp + output,
            duration=time.perf_counter() - started,
            time_to_first_token=ttft,
        )
        yield ModelChunk(tool_calls=calls or None, metrics=metrics)


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # multimodal parts
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content)


def _functions(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for t in tools:
        fn = t.get("function", t) if isinstance(t, dict) else None
        if isinstance(fn, dict) and fn.get("name"):
            out.append(fn)
    return out


def _names_tool(text: str, name: str) -> bool:
    lowered = text.lower()
    if name.lower() in lowered:
        return True
    words = set(_WORD.findall(lowered))
    meaningful = [w for w in re.split(r"[_\W]+", name.lower()) if len(w) >= 3 and w not in _FILLER]
    return any(w in words for w in meaningful)


def _infer_args(text: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    props: dict[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    strings = [m.group(1) for m in _AFTER_PREP.finditer(text)] + [m.group(1) for m in _QUOTED.finditer(text)]
    numbers = _NUMBER.findall(text)
    args: dict[str, Any] = {}
    for name, spec in props.items():
        kind = spec.get("type") if isinstance(spec, dict) else None
        value: Any = None
        if kind in ("integer", "number"):
            if numbers:
                raw = numbers.pop(0)
                value = int(float(raw)) if kind == "integer" else float(raw)
        elif kind == "boolean":
            value = True
        elif kind in ("string", None) and strings:
            value = strings.pop(0)
        if value is None:
            if name in required:
                return None
            continue
        args[name] = value
    return args
