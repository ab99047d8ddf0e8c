"""Gemini's response and error formats: typed response structs, ``google.rpc.Status`` errors, usage."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

import msgspec

from brisk.exceptions import ModelAuthenticationError, ModelProviderError
from brisk.metrics import MessageMetrics
from brisk.models._retry import classify_error, parse_retry_after, redact

__all__ = ["Part", "Response", "Usage", "decode", "gemini_error", "metrics", "tool_call"]


class Call(msgspec.Struct):
    name: str | None = None
    args: dict[str, Any] | None = None
    id: str | None = None


class Part(msgspec.Struct, rename="camel"):
    text: str | None = None
    thought: bool | None = None
    thought_signature: str | None = None
    function_call: Call | None = None


class Content(msgspec.Struct):
    role: str | None = None
    parts: list[Part] | None = None


class Candidate(msgspec.Struct, rename="camel"):
    content: Content | None = None
    finish_reason: str | None = None


class Usage(msgspec.Struct, rename="camel"):
    prompt_token_count: int | None = None
    candidates_token_count: int | None = None
    thoughts_token_count: int | None = None
    cached_content_token_count: int | None = None
    traffic_type: str | None = None


class Feedback(msgspec.Struct, rename="camel"):
    block_reason: str | None = None


class Response(msgspec.Struct, rename="camel"):
    candidates: list[Candidate] | None = None
    usage_metadata: Usage | None = None
    prompt_feedback: Feedback | None = None
    response_id: str | None = None
    model_version: str | None = None
    error: Any = None


decode = msgspec.json.Decoder(Response, strict=False).decode
_any = msgspec.json.Decoder().decode


def _retry_info(details: Any) -> float | None:
    for d in details or ():
        if isinstance(d, dict) and str(d.get("@type", "")).endswith("google.rpc.RetryInfo"):
            delay = d.get("retryDelay")
            if isinstance(delay, str) and delay.endswith("s"):
                try:
                    return float(delay[:-1])
                except ValueError:
                    return None
            if isinstance(delay, dict):  # the protobuf JSON form {"seconds": 17, "nanos": 0}
                return float(delay.get("seconds", 0)) + float(delay.get("nanos", 0)) / 1e9
    return None


def gemini_error(
    status: int,
    raw: bytes | str,
    headers: Mapping[str, str] | None = None,
    *,
    model_name: str | None = None,
    model_id: str | None = None,
    secrets: tuple[str, ...] = (),
) -> ModelProviderError:
    """A ``google.rpc.Status`` body (possibly wrapped in a list, as the stream endpoint sends it)."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes | bytearray) else raw
    try:
        data = _any(text) if text else None
    except msgspec.DecodeError:
        data = None
    if isinstance(data, list) and data:
        data = data[0]
    err = data.get("error") if isinstance(data, dict) else None
    if not isinstance(err, dict):
        message, code, details = text or f"HTTP {status}", None, None
    else:
        message = str(err.get("message") or "Unknown model error")
        code, details = err.get("status"), err.get("details")
    message = redact(message, secrets)
    wait = _retry_info(details)
    if wait is None:
        wait = parse_retry_after(headers)
    reasons = {d.get("reason") for d in details or () if isinstance(d, dict)}
    if "API_KEY_INVALID" in reasons:
        # Google answers a bad key with 400; it is an authentication failure all the same.
        return ModelAuthenticationError(message, status_code=status, model_name=model_name, model_id=model_id)
    return classify_error(message, status, code, model_name, model_id, wait)


def metrics(u: Usage) -> MessageMetrics:
    m = MessageMetrics(input_tokens=u.prompt_token_count or 0, output_tokens=u.candidates_token_count or 0)
    m.reasoning_tokens = u.thoughts_token_count or 0
    m.total_tokens = m.input_tokens + m.output_tokens  # as Agno: thoughts are not added to the total
    m.cache_read_tokens = u.cached_content_token_count or 0
    if u.traffic_type is not None:
        m.provider_metrics = {"traffic_type": u.traffic_type}
    return m


def tool_call(p: Part) -> dict[str, Any]:
    fc = p.function_call
    assert fc is not None
    tc: dict[str, Any] = {
        "id": fc.id or str(uuid.uuid4()),
        "type": "function",
        "function": {"name": fc.name or "", "arguments": json.dumps(fc.args) if fc.args is not None else ""},
    }
    if p.thought_signature:
        tc["thought_signature"] = p.thought_signature
    return tc
