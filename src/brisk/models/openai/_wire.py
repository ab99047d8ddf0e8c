"""The OpenAI Chat Completions wire format: typed response structs, message formatting, stream assembly.

Decoding uses msgspec Structs: measured on a content chunk (Python 3.11, msgspec 0.22), a typed decode
plus field access costs 0.34-0.37 µs, a generic dict decode plus ``.get`` lookups 0.56-0.65 µs and
``json.loads`` 2.3-2.5 µs. Unknown fields are ignored, so provider extras cost nothing. ``strict=False``
accepts the loose typing some OpenAI-compatible servers use (numbers as strings); a chunk that still does
not fit is salvaged field by field (``_chunk_from_dict``) rather than failing the run.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import msgspec
from msgspec import Struct

from brisk.metrics import MessageMetrics
from brisk.models.message import Message

# -- response structs ---------------------------------------------------------------------------------


class FunctionDelta(Struct):
    name: str | None = None
    arguments: str | None = None


class ToolCallDelta(Struct):
    index: int | None = None
    id: str | None = None
    type: str | None = None
    function: FunctionDelta | None = None


class Delta(Struct):
    role: str | None = None
    content: str | None = None
    reasoning_content: str | None = None
    reasoning: str | None = None
    tool_calls: list[ToolCallDelta] | None = None


class ChunkChoice(Struct):
    index: int | None = None
    delta: Delta | None = None
    finish_reason: str | None = None


class PromptTokensDetails(Struct):
    cached_tokens: int | None = None
    audio_tokens: int | None = None
    cache_write_tokens: int | None = None


class CompletionTokensDetails(Struct):
    reasoning_tokens: int | None = None
    audio_tokens: int | None = None


class Usage(Struct):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None
    cost: float | None = None
    # Groq's timings (seconds), kept as provider_metrics as Agno's Groq does.
    queue_time: float | None = None
    prompt_time: float | None = None
    completion_time: float | None = None
    total_time: float | None = None


class XGroq(Struct):
    """Groq reports streamed usage under ``x_groq.usage`` (read when the profile says so), and a failure
    after the stream started under ``x_groq.error``."""

    id: str | None = None
    usage: Usage | None = None
    error: Any = None


class Chunk(Struct):
    id: str | None = None
    system_fingerprint: str | None = None
    choices: list[ChunkChoice] | None = None
    usage: Usage | None = None
    x_groq: XGroq | None = None
    # A provider reporting a failure inside an HTTP 200 stream: {"error": {"message": ...}}.
    error: Any = None


class ResponseMessage(Struct):
    role: str | None = None
    content: str | None = None
    reasoning_content: str | None = None
    reasoning: str | None = None
    tool_calls: list[dict[str, Any]] | None = None


class Choice(Struct):
    index: int | None = None
    message: ResponseMessage | None = None
    finish_reason: str | None = None


class Completion(Struct):
    id: str | None = None
    system_fingerprint: str | None = None
    choices: list[Choice] | None = None
    usage: Usage | None = None
    error: Any = None


chunk_decoder = msgspec.json.Decoder(Chunk, strict=False)
completion_decoder = msgspec.json.Decoder(Completion, strict=False)
_any_decoder = msgspec.json.Decoder()
encoder = msgspec.json.Encoder()


def decode_chunk(data: bytes) -> Chunk:
    try:
        return chunk_decoder.decode(data)
    except msgspec.ValidationError:
        return _chunk_from_dict(_any_decoder.decode(data))


def decode_completion(data: bytes) -> Completion:
    try:
        return completion_decoder.decode(data)
    except msgspec.ValidationError:
        raw = _any_decoder.decode(data)
        return msgspec.convert(_prune(raw, Completion), Completion, strict=False)


def _prune(obj: Any, cls: type[Struct]) -> dict[str, Any]:
    """Keep the fields of ``obj`` that convert to ``cls`` on their own; drop the rest."""
    out: dict[str, Any] = {}
    if not isinstance(obj, dict):
        return out
    for name in cls.__struct_fields__:
        if name not in obj:
            continue
        try:
            msgspec.convert({name: obj[name]}, cls, strict=False)
        except msgspec.ValidationError:
            continue
        out[name] = obj[name]
    return out


def _chunk_from_dict(raw: Any) -> Chunk:
    # Slow path, taken only for malformed chunks: salvage what has a valid shape.
    if not isinstance(raw, dict):
        return Chunk()
    top = _prune(raw, Chunk)
    choices = raw.get("choices")
    if isinstance(choices, list) and "choices" not in top:
        kept = []
        for c in choices:
            if isinstance(c, dict):
                c = dict(c)
                if isinstance(c.get("delta"), dict):
                    c["delta"] = _prune(c["delta"], Delta)
                kept.append(_prune(c, ChunkChoice))
        top["choices"] = kept
    return msgspec.convert(top, Chunk, strict=False)


# -- usage -------------------------------------------------------------------------------------------


def usage_to_metrics(usage: Usage) -> MessageMetrics:
    """OpenAI usage -> MessageMetrics, field for field as Agno's ``_get_metrics``."""
    m = MessageMetrics(
        input_tokens=usage.prompt_tokens or 0,
        output_tokens=usage.completion_tokens or 0,
        total_tokens=usage.total_tokens or 0,
    )
    p = usage.prompt_tokens_details
    if p is not None:
        m.audio_input_tokens = p.audio_tokens or 0
        m.cache_read_tokens = p.cached_tokens or 0
        m.cache_write_tokens = p.cache_write_tokens or 0
    c = usage.completion_tokens_details
    if c is not None:
        m.audio_output_tokens = c.audio_tokens or 0
        m.reasoning_tokens = c.reasoning_tokens or 0
    m.audio_total_tokens = m.audio_input_tokens + m.audio_output_tokens
    m.cost = usage.cost
    if usage.total_time is not None or usage.queue_time is not None:
        timings = {
            k: v
            for k in ("completion_time", "prompt_time", "queue_time", "total_time")
            if (v := getattr(usage, k))
        }
        m.provider_metrics = timings or None
    return m


# -- request messages --------------------------------------------------------------------------------


def _needs_new_id(old: str, prefix: str, max_len: int | None) -> bool:
    return not old.startswith(prefix) or (max_len is not None and len(old) > max_len)


def remap_tool_call_ids(messages: list[Message], prefix: str, max_len: int | None) -> dict[str, str]:
    """Ids of tool calls made by another provider that this one would reject -> ``prefix`` + hex counter.

    OpenAI requires ``call_``-prefixed ids of at most 40 characters; a history written by Gemini or
    Claude has others. Agno rewrites them the same way (``call_`` + 35 hex digits).
    """
    mapping: dict[str, str] = {}
    digits = (max_len - len(prefix)) if max_len else 8
    for m in messages:
        if m.role != "assistant" or not m.tool_calls:
            continue
        for tc in m.tool_calls:
            old = tc.get("id")
            if isinstance(old, str) and old and old not in mapping and _needs_new_id(old, prefix, max_len):
                mapping[old] = f"{prefix}{len(mapping):0{digits}x}"
    return mapping


def format_message(
    m: Message,
    role_map: Mapping[str, str],
    ids: Mapping[str, str] | None = None,
    tool_call_content: str | None = "",
) -> dict[str, Any]:
    """One message in the request body, with Agno's keys and key order.

    Keys that are None are left out; ``content`` is then appended last as ``""`` when the message has
    none (the assistant tool-call turn: ``{"role", "tool_calls", "content": ""}``). Providers that reject
    an empty content next to tool calls pass ``tool_call_content=None`` to leave it out.
    """
    d: dict[str, Any] = {"role": role_map.get(m.role, m.role)}
    content = m.content
    if content is not None:
        d["content"] = content
    if m.name is not None:
        d["name"] = m.name
    if m.tool_call_id is not None:
        d["tool_call_id"] = ids.get(m.tool_call_id, m.tool_call_id) if ids else m.tool_call_id
    tool_calls = m.tool_calls
    if tool_calls:
        if ids:
            tool_calls = [
                {**tc, "id": ids[tc["id"]]} if tc.get("id") in ids else tc  # type: ignore[index]
                for tc in tool_calls
            ]
        d["tool_calls"] = tool_calls
    if content is None and (tool_call_content is not None or not tool_calls):
        d["content"] = "" if not tool_calls else tool_call_content
    return d


# -- stream assembly ---------------------------------------------------------------------------------


class ToolCallAssembler:
    """Reassembles streamed tool calls from fragments keyed by ``index`` (Agno's ``parse_tool_calls``).

    The first fragment of an index sets id, type, name and arguments; later ones append to the
    arguments and replace id, type or name when they carry one. A missing index counts as 0.
    """

    __slots__ = ("_calls",)

    def __init__(self) -> None:
        self._calls: dict[int, list[Any]] = {}  # index -> [id, type, name, [argument fragments]]

    def __bool__(self) -> bool:
        return bool(self._calls)

    def add(self, deltas: list[ToolCallDelta]) -> None:
        calls = self._calls
        for d in deltas:
            idx = d.index or 0
            fn = d.function
            name = fn.name if fn is not None else None
            args = fn.arguments if fn is not None else None
            entry = calls.get(idx)
            if entry is None:
                calls[idx] = [d.id, d.type, name or "", [args] if args else []]
                continue
            if d.id:
                entry[0] = d.id
            if d.type:
                entry[1] = d.type
            if name:
                entry[2] = name
            if args:
                entry[3].append(args)

    def result(self) -> list[dict[str, Any]]:
        out = []
        for idx in sorted(self._calls):
            call_id, typ, name, parts = self._calls[idx]
            out.append(
                {
                    # Some OpenAI-compatible servers omit ids; the tool result must reference one.
                    "id": call_id or f"call_{uuid.uuid4().hex[:24]}",
                    "type": typ or "function",
                    "function": {"name": name, "arguments": "".join(parts)},
                }
            )
        return out


def normalise_tool_call(tc: Any) -> dict[str, Any]:
    """A whole tool call in the shape streamed calls get: id, type, function{name, arguments}, extras."""
    if not isinstance(tc, dict):
        return {
            "id": f"call_{uuid.uuid4().hex[:24]}",
            "type": "function",
            "function": {"name": "", "arguments": ""},
        }
    fn = tc.get("function") if isinstance(tc.get("function"), dict) else {}
    args = fn.get("arguments")
    out: dict[str, Any] = {
        "id": tc.get("id") or f"call_{uuid.uuid4().hex[:24]}",
        "type": tc.get("type") or "function",
        "function": {
            "name": fn.get("name") or "",
            # a few servers send the arguments as an object; the run loop expects the JSON string
            "arguments": args
            if isinstance(args, str)
            else ("" if args is None else encoder.encode(args).decode()),
        },
    }
    for k, v in tc.items():
        if k not in out and k != "index":
            out[k] = v
    return out


def split_thinking(content: str) -> tuple[str | None, str]:
    """``<think>…</think>`` at the start of a whole answer -> (reasoning, rest), as Agno does."""
    end = content.find("</think>")
    if end == -1:
        return None, content
    start = content.find("<think>")
    reasoning = content[start + 7 if start != -1 else 0 : end].strip()
    return reasoning, content[end + 8 :].strip()


# Top-level fields of the openai SDK's ChatCompletion / ChatCompletionChunk; anything else a server adds
# (OpenRouter's "provider", GLM's "request_id", ...) is what the SDK calls ``model_extra``.
_KNOWN_FIELDS = frozenset(
    {"id", "choices", "created", "model", "object", "service_tier", "system_fingerprint", "usage", "error"}
)


def model_extra(raw: bytes) -> dict[str, Any] | None:
    """The non-standard top-level fields of a response or chunk (Agno keeps them in provider_data)."""
    try:
        data = _any_decoder.decode(raw)
    except msgspec.DecodeError:
        return None
    if not isinstance(data, dict):
        return None
    extra = {k: v for k, v in data.items() if k not in _KNOWN_FIELDS}
    return extra or None


def provider_data(
    resp_id: str | None, fingerprint: str | None, extra: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    if not resp_id and not fingerprint and not extra:
        return None
    pd: dict[str, Any] = {}
    if resp_id:
        pd["id"] = resp_id
    if fingerprint:
        pd["system_fingerprint"] = fingerprint
    if extra:
        pd["model_extra"] = extra
    return pd
