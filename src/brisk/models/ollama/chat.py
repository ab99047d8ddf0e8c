"""``Ollama``: Ollama's native chat API (``POST {host}/api/chat``), as Agno drives it through ollama-python.

Wire format (what differs from OpenAI):

* the stream is NDJSON (``application/x-ndjson``): one JSON object per line, no ``data:`` and no
  ``[DONE]``; the last line has ``"done": true`` with the token counters and durations (nanoseconds);
* tool calls arrive whole, their ``arguments`` a JSON **object**, usually without an id (one is made up,
  as Agno does); sent back the same way: ``{"function": {"name", "arguments": {...}}}``, and the tool
  result is ``{"role": "tool", "content": ...}`` without ``tool_call_id``;
* empty fields are not sent (ollama-python drops them) and tool schemas keep only the keys its models
  know; ``tool_choice`` is not supported (Agno ignores it too);
* errors are ``{"error": "<text>"}``, also as an NDJSON line in a stream that already started;
* no retries (ollama-python has none) and no key, except for Ollama's cloud: with ``OLLAMA_API_KEY`` set
  and no host, requests go to ``https://ollama.com`` with ``Authorization: Bearer``.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import msgspec
import yarl

from brisk import __version__
from brisk.exceptions import ConfigurationError, ModelProviderError
from brisk.metrics import MessageMetrics
from brisk.models._env import env_default
from brisk.models._http import make_timeout
from brisk.models._request import NO_RETRY, post, read_body
from brisk.models._retry import classify_error, connection_error, redact
from brisk.models._sse import iter_ndjson
from brisk.models.base import Model
from brisk.models.message import Message
from brisk.models.openai._wire import split_thinking
from brisk.models.response import ModelChunk, ModelResponse

__all__ = ["Ollama", "ollama_base_url", "ollama_tools"]

DEFAULT_HOST = "http://127.0.0.1:11434"
CLOUD_HOST = "https://ollama.com"

# Keys ollama-python's pydantic models keep (everything else is dropped before sending).
_PARAM_KEYS = ("type", "$defs", "items", "required", "properties")
_PROP_KEYS = ("type", "items", "description", "enum")


class _Msg(msgspec.Struct):
    role: str | None = None
    content: str | None = None
    thinking: str | None = None
    tool_calls: list[dict[str, Any]] | None = None


class _Chunk(msgspec.Struct):
    message: _Msg | None = None
    done: bool = False
    done_reason: str | None = None
    total_duration: int | None = None
    load_duration: int | None = None
    prompt_eval_count: int | None = None
    prompt_eval_duration: int | None = None
    eval_count: int | None = None
    eval_duration: int | None = None
    error: Any = None


_decode = msgspec.json.Decoder(_Chunk, strict=False).decode


def ollama_base_url(host: str | None, api_key: str | None = None) -> str:
    """The server root as ollama-python derives it: scheme defaults to http, port to 11434 (80/443 when
    the scheme is given), ``OLLAMA_HOST`` when no host is passed, Ollama's cloud when only a key is set."""
    host = (host or os.getenv("OLLAMA_HOST") or "").strip()
    if not host:
        return CLOUD_HOST if api_key else DEFAULT_HOST
    scheme, sep, rest = host.partition("://")
    port = 11434
    if not sep:
        scheme, rest = "http", host
    elif scheme == "http":
        port = 80
    elif scheme == "https":
        port = 443
    try:
        url = yarl.URL(f"{scheme}://{rest}")
    except ValueError as e:
        raise ConfigurationError(f"Ollama: invalid host {host!r}") from e
    explicit = url.explicit_port
    name = url.host or "127.0.0.1"
    if ":" in name:  # IPv6 literal
        name = f"[{name}]"
    return f"{scheme}://{name}:{explicit or port}{url.path.rstrip('/')}"


def _clean_params(params: Any) -> Any:
    if not isinstance(params, dict):
        return params
    out = {k: params[k] for k in _PARAM_KEYS if params.get(k) is not None}
    props = out.get("properties")
    if isinstance(props, dict):
        out["properties"] = {
            name: {k: p[k] for k in _PROP_KEYS if p.get(k) is not None} if isinstance(p, dict) else p
            for name, p in props.items()
        }
    return out


def ollama_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI-shaped tool schemas reduced to what ollama-python sends."""
    out = []
    for t in tools:
        fn = t.get("function") or {}
        f: dict[str, Any] = {"name": fn.get("name")}
        if fn.get("description"):
            f["description"] = fn["description"]
        if fn.get("parameters") is not None:
            f["parameters"] = _clean_params(fn["parameters"])
        out.append({"type": t.get("type") or "function", "function": f})
    return out


def _format_message(m: Message) -> dict[str, Any]:
    d: dict[str, Any] = {"role": m.role}
    content = m.content
    if content:
        d["content"] = content if isinstance(content, str) else json.dumps(content)
    if m.role == "assistant" and m.tool_calls:
        calls = []
        for tc in m.tool_calls:
            fn = tc.get("function") or {}
            args = fn.get("arguments")
            if isinstance(args, str):
                try:
                    args = json.loads(args) if args.strip() else {}
                except json.JSONDecodeError:
                    args = {}
            calls.append({"function": {"name": fn.get("name"), "arguments": args or {}}})
        d["tool_calls"] = calls
    return d


def _tool_call(tc: dict[str, Any]) -> dict[str, Any]:
    fn = tc.get("function") or {}
    args = fn.get("arguments")
    return {
        # Ollama seldom sends ids; Agno gives such calls a uuid4 so the tool result can point at them.
        "id": tc.get("id") or str(uuid.uuid4()),
        "type": "function",
        "function": {
            "name": fn.get("name") or "",
            # json.dumps spacing, as Agno stores the arguments string.
            "arguments": args if isinstance(args, str) else ("" if args is None else json.dumps(args)),
        },
    }


def _metrics(c: _Chunk) -> MessageMetrics:
    m = MessageMetrics(input_tokens=c.prompt_eval_count or 0, output_tokens=c.eval_count or 0)
    m.total_tokens = m.input_tokens + m.output_tokens
    durations = {
        k: v
        for k in ("total_duration", "load_duration", "prompt_eval_duration", "eval_duration")
        if (v := getattr(c, k)) is not None
    }
    m.provider_metrics = durations or None
    return m


@dataclass
class Ollama(Model):
    id: str = field(default_factory=env_default("OLLAMA_MODEL", "llama3.1"))
    name: str = "Ollama"
    provider: str = "Ollama"

    # Request parameters
    format: Any | None = None
    options: Any | None = None
    keep_alive: float | str | None = None
    request_params: dict[str, Any] | None = None

    # Client parameters
    host: str | None = None
    timeout: float | None = None
    api_key: str | None = field(default_factory=lambda: os.getenv("OLLAMA_API_KEY") or None, repr=False)
    # Brisk addition: ollama-python never retries, so the default is 0.
    max_retries: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        self._url: yarl.URL | None = None
        self._headers: dict[str, str] | None = None
        self._timeout = make_timeout(self.timeout)

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        for k in ("format", "options", "keep_alive", "request_params"):
            v = getattr(self, k)
            if v is not None:
                d[k] = v
        return d

    def _secrets(self) -> tuple[str, ...]:
        return (self.api_key,) if self.api_key else ()

    def _resolve(self) -> tuple[yarl.URL, dict[str, str]]:
        if self._url is None or self._headers is None:
            base = ollama_base_url(self.host, self.api_key)
            headers = {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "User-Agent": f"Brisk/{__version__}",
            }
            if self.api_key:
                headers["Authorization"] = f"Bearer {self.api_key}"
            self._url, self._headers = yarl.URL(base + "/api/chat"), headers
        return self._url, self._headers

    def build_body(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        response_format: dict[str, Any] | None = None,
        stream: bool = False,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.id.strip(),
            "stream": stream,
            "messages": [_format_message(m) for m in messages],
        }
        # ollama-python always sends the list, empty when there are no tools.
        body["tools"] = ollama_tools(tools or [])
        fmt = self.format
        if fmt is None and isinstance(response_format, dict):
            if response_format.get("type") == "json_schema":
                fmt = (response_format.get("json_schema") or {}).get("schema")
            elif response_format.get("type") == "json_object":
                fmt = "json"
        for k, v in (("format", fmt), ("options", self.options), ("keep_alive", self.keep_alive)):
            if v is not None:
                body[k] = v
        if self.request_params:
            body.update(self.request_params)
        return body

    async def _open(self, body: dict[str, Any]) -> aiohttp.ClientResponse:
        try:
            return await self._post(body)
        except ModelProviderError as e:
            if not e.connection_failed and "(status code:" not in e.message:
                # The ollama client (and so Agno) reports HTTP errors as "<message> (status code: N)".
                e.message = f"{e.message} (status code: {e.status_code})"
                e.args = (e.message,)
            raise

    async def _post(self, body: dict[str, Any]) -> aiohttp.ClientResponse:
        url, headers = self._resolve()
        return await post(
            url,
            body,
            headers,
            self._timeout,
            policy=NO_RETRY,
            max_retries=self.max_retries,
            model_name=self.name,
            model_id=self.id,
            secrets=self._secrets(),
        )

    def _error(self, err: Any) -> ModelProviderError:
        msg = err.get("message") if isinstance(err, dict) else err
        return classify_error(redact(str(msg), self._secrets()), 502, None, self.name, self.id)

    async def ainvoke(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> ModelResponse:
        started = time.perf_counter()
        resp = await self._open(self.build_body(messages, tools, response_format, stream=False))
        raw = await read_body(resp, model_name=self.name, model_id=self.id, secrets=self._secrets())
        duration = time.perf_counter() - started
        try:
            c = _decode(raw)
        except msgspec.MsgspecError:
            raise self._error(
                f"Invalid response from provider: {raw[:200].decode('utf-8', 'replace')}"
            ) from None
        if c.error:
            raise self._error(c.error)
        out = ModelResponse()
        msg = c.message
        if msg is not None:
            out.content = msg.content
            if msg.content and "<think>" in msg.content:
                reasoning, rest = split_thinking(msg.content)
                if reasoning:
                    out.reasoning_content, out.content = reasoning, rest
            if msg.thinking:
                out.reasoning_content = msg.thinking
            if msg.tool_calls:
                out.tool_calls = [_tool_call(tc) for tc in msg.tool_calls]
        out.metrics = _metrics(c) if c.done else MessageMetrics()
        out.metrics.duration = duration
        if out.content is not None:
            out.metrics.time_to_first_token = duration
        return out

    async def ainvoke_stream(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> AsyncIterator[ModelChunk]:
        started = time.perf_counter()
        resp = await self._open(self.build_body(messages, tools, response_format, stream=True))
        ttft: float | None = None
        calls: list[dict[str, Any]] = []
        last: _Chunk | None = None
        try:
            async for line in iter_ndjson(resp.content.iter_any()):
                try:
                    c = _decode(line)
                except msgspec.MsgspecError:
                    raise self._error(f"Invalid stream line from provider: {line[:200]!r}") from None
                if c.error:
                    raise self._error(c.error)
                msg = c.message
                if msg is not None:
                    if msg.tool_calls:
                        calls.extend(_tool_call(tc) for tc in msg.tool_calls)
                    if msg.content or msg.thinking:
                        if msg.content and ttft is None:
                            ttft = time.perf_counter() - started
                        yield ModelChunk(content=msg.content or None, reasoning_content=msg.thinking or None)
                if c.done:
                    last = c
        except (aiohttp.ClientError, TimeoutError) as e:
            err = connection_error(e, model_name=self.name, model_id=self.id, secrets=self._secrets())
            raise ModelProviderError(
                f"{err.message} The stream was interrupted before it completed.",
                model_name=self.name,
                model_id=self.id,
            ) from None
        finally:
            resp.release()
        if last is None:
            raise ModelProviderError(
                "The provider closed the stream early. The stream was interrupted before it completed.",
                model_name=self.name,
                model_id=self.id,
            )
        metrics = _metrics(last)
        metrics.duration = time.perf_counter() - started
        metrics.time_to_first_token = ttft
        yield ModelChunk(tool_calls=calls or None, metrics=metrics)
