"""A model call with tools, repeated until the model answers without calling any (what Agno's
``model.aresponse(messages, tools)`` does for the memory manager)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from brisk.metrics import MessageMetrics
from brisk.models.base import Model
from brisk.models.message import Message
from brisk.tools.function import Function

# A model that keeps calling tools is stopped after this many rounds (then asked without tools).
MAX_ROUNDS = 8


@dataclass(slots=True)
class ModelOutcome:
    content: str | None = None
    tool_calls: int = 0
    # One entry per provider call, for the run's metrics: (model id, provider label, metrics).
    calls: list[tuple[str, str, MessageMetrics]] = field(default_factory=list)


async def respond_with_tools(
    model: Model, messages: list[Message], functions: list[Function], response_format: Any = None
) -> ModelOutcome:
    by_name = {f.name: f for f in functions}
    schemas = [f.to_tool_schema() for f in functions] or None
    outcome = ModelOutcome()
    msgs = list(messages)
    for round_no in range(MAX_ROUNDS + 1):
        tools = schemas if round_no < MAX_ROUNDS else None
        resp = await model.ainvoke(msgs, tools, None, response_format)
        outcome.calls.append((model.id, model.get_provider(), resp.metrics))
        if not resp.tool_calls or tools is None:
            outcome.content = resp.content
            return outcome
        msgs.append(Message(role="assistant", content=resp.content, tool_calls=resp.tool_calls))
        outcome.tool_calls += len(resp.tool_calls)
        results = await asyncio.gather(*(_run_call(tc, by_name) for tc in resp.tool_calls))
        for tc, (name, args, content, failed) in zip(resp.tool_calls, results, strict=True):
            msgs.append(
                Message(
                    role="tool",
                    content=content,
                    tool_call_id=tc.get("id"),
                    tool_name=name,
                    tool_args=args,
                    tool_call_error=failed or None,
                )
            )
    return outcome  # pragma: no cover - the last round has no tools, so it always returns above


async def _run_call(
    tc: dict[str, Any], by_name: dict[str, Function]
) -> tuple[str, dict[str, Any], str, bool]:
    part = tc.get("function") or {}
    name = part.get("name") or ""
    raw = part.get("arguments")
    try:
        args = json.loads(raw) if isinstance(raw, str) and raw.strip() else (raw or {})
    except ValueError as e:
        return name, {}, f"Error while decoding function arguments: {e}", True
    if not isinstance(args, dict):
        return name, {}, "Function arguments are not a valid JSON object.", True
    fn = by_name.get(name)
    if fn is None:
        return name, args, f"Function {name} not found", True
    try:
        return name, args, fn.format_result(await fn.acall(args)), False
    except Exception as e:  # noqa: BLE001 - reported to the model, as in the run loop
        return name, args, str(e), True
