"""``OpenAIChat``: the OpenAI Chat Completions API over aiohttp, and the base of every OpenAI-compatible
provider.

What differs between OpenAI-compatible providers is a small ``ChatProfile`` (role of the system prompt,
``stream_options``, where streamed usage arrives, env vars, base URL, ...). A provider is then a dataclass
subclass that sets its defaults and its profile, e.g.::

    @dataclass
    class OpenRouter(OpenAILike):
        id: str = "gpt-5.4-mini"
        name: str = "OpenRouter"
        provider: str = "OpenRouter"
        max_tokens: int | None = 1024
        profile: ClassVar[ChatProfile] = replace(
            OpenAILike.profile, api_key_env="OPENROUTER_API_KEY", base_url="https://openrouter.ai/api/v1"
        )

The request body matches what Agno 3.1.10 sends through the openai SDK: ``model``, ``stream``,
``messages``, ``stream_options``, the parameters that are set (None is never sent), ``tools``,
``tool_choice``, then ``request_params`` and ``extra_body`` merged on top.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import aiohttp
import msgspec
import yarl

from brisk import __version__
from brisk.exceptions import ConfigurationError, ModelProviderError
from brisk.metrics import MessageMetrics
from brisk.models._env import env_default
from brisk.models._http import get_session, make_timeout
from brisk.models._retry import (
    MissingAPIKeyError,
    RetryPolicy,
    classify_error,
    connection_error,
    error_from_response,
    redact,
    retry_delay,
    should_retry,
)
from brisk.models._sse import is_done, iter_sse
from brisk.models.base import Model
from brisk.models.message import Message
from brisk.models.openai import _wire
from brisk.models.response import ModelChunk, ModelResponse

__all__ = ["ChatProfile", "OpenAIChat"]

log = logging.getLogger("brisk.models")

_OPENAI_ROLES: Mapping[str, str] = {
    "system": "developer",
    "user": "user",
    "assistant": "assistant",
    "tool": "tool",
    "model": "assistant",
}

# Optional request parameters, in the order they are added to the body when set.
_PARAMS = (
    "store",
    "reasoning_effort",
    "verbosity",
    "frequency_penalty",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "max_tokens",
    "max_completion_tokens",
    "modalities",
    "audio",
    "presence_penalty",
    "seed",
    "stop",
    "temperature",
    "user",
    "top_p",
    "metadata",
    "service_tier",
)

_SECRET_HEADER_WORDS = ("auth", "key", "token", "secret", "cookie")

# Keys of Agno's OpenAIChat.to_dict() beyond name/id/provider, in its order.
_TO_DICT = (
    "store",
    "reasoning_effort",
    "verbosity",
    "frequency_penalty",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "max_tokens",
    "max_completion_tokens",
    "modalities",
    "audio",
    "presence_penalty",
    "seed",
    "stop",
    "temperature",
    "top_p",
    "user",
    "extra_query",
    "extra_body",
    "service_tier",
)


@dataclass(frozen=True)
class ChatProfile:
    """How one OpenAI-compatible provider differs from OpenAI itself."""

    role_map: Mapping[str, str] = field(default_factory=lambda: dict(_OPENAI_ROLES))
    # Send ``stream_options: {"include_usage": true}`` on streamed requests (Groq, Cerebras native: no).
    stream_options: bool = True
    # Where streamed usage arrives: "usage" (top level) or "x_groq" (``x_groq.usage``).
    usage_field: str = "usage"
    # Read usage only from the chunk that carries ``finish_reason`` (providers with cumulative counts).
    usage_on_finish_only: bool = False
    # Whether ``tool_choice`` may be sent, and which string values the provider accepts (None: any).
    tool_choice: bool = True
    tool_choice_values: frozenset[str] | None = None
    # ``content`` of an assistant tool-call message when it has none: "" (OpenAI) or None to omit the key.
    tool_call_content: str | None = ""
    # Pass on empty content deltas (OpenAI's first chunk carries "" content, and the openai SDK path of
    # Agno streams it as an empty RunContent); native SDKs such as Cerebras' drop them.
    empty_content_deltas: bool = True
    # Tool-call ids from other providers are rewritten to this prefix / length (None: sent unchanged).
    tool_call_id_prefix: str | None = "call_"
    tool_call_id_max_len: int | None = 40
    chat_path: str = "/chat/completions"
    base_url: str = "https://api.openai.com/v1"
    base_url_env: str | None = "OPENAI_BASE_URL"
    api_key_env: str | None = "OPENAI_API_KEY"
    # Raise MissingAPIKeyError at first use when no key is configured (OpenAI-compatible local servers: no).
    api_key_required: bool = True
    # OpenAI's organization / project headers, filled from OPENAI_ORG_ID / OPENAI_PROJECT_ID like the SDK.
    openai_org_headers: bool = True
    headers: Mapping[str, str] = field(default_factory=dict)
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass
class OpenAIChat(Model):
    """OpenAI Chat Completions (``POST {base_url}/chat/completions``), Agno's constructor keywords."""

    # ``OPENAI_MODEL`` overrides Agno's default id (read when the model is built; ``id=`` always wins).
    id: str = field(default_factory=env_default("OPENAI_MODEL", "gpt-5.4-mini"))
    name: str = "OpenAIChat"
    provider: str = "OpenAI"

    # Request parameters (sent only when not None)
    store: bool | None = None
    reasoning_effort: str | None = None
    verbosity: str | None = None
    metadata: dict[str, Any] | None = None
    frequency_penalty: float | None = None
    logit_bias: Any | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    modalities: list[str] | None = None
    audio: dict[str, Any] | None = None
    presence_penalty: float | None = None
    seed: int | None = None
    stop: str | list[str] | None = None
    temperature: float | None = None
    user: str | None = None
    top_p: float | None = None
    service_tier: str | None = None
    strict_output: bool = True
    extra_headers: dict[str, str] | None = None
    extra_query: dict[str, Any] | None = None
    extra_body: dict[str, Any] | None = None
    request_params: dict[str, Any] | None = None
    role_map: dict[str, str] | None = None

    # Client parameters
    # Never in repr(): models end up in logs.
    api_key: str | None = field(default=None, repr=False)
    organization: str | None = None
    base_url: str | None = None
    timeout: float | None = None
    max_retries: int | None = None
    default_headers: dict[str, str] | None = None
    default_query: dict[str, Any] | None = None

    profile: ClassVar[ChatProfile] = ChatProfile()

    def __post_init__(self) -> None:
        super().__post_init__()
        self._url: yarl.URL | None = None
        self._headers: dict[str, str] | None = None
        self._timeout = make_timeout(self.timeout)

    # -- identity ---------------------------------------------------------------------------------
    def get_provider(self) -> str:
        return f"{super().get_provider()} Chat"

    def to_dict(self) -> dict[str, Any]:
        """Agno's keys, minus ``extra_headers``: this dict is stored and served, headers may hold secrets."""
        d = super().to_dict()
        for k in _TO_DICT:
            v = getattr(self, k)
            if v is not None:
                d[k] = v
        return d

    # -- request ----------------------------------------------------------------------------------
    def _secrets(self) -> tuple[str, ...]:
        """Values never to print: the key, and credential-looking headers (Azure's ``api-key``, ...)."""
        out = [self.api_key] if self.api_key else []
        for hdrs in (self.default_headers, self.extra_headers):
            for k, v in (hdrs or {}).items():
                if isinstance(v, str) and any(w in k.lower() for w in _SECRET_HEADER_WORDS):
                    out.append(v.removeprefix("Bearer ").strip())
        return tuple(out)

    def _resolve(self) -> tuple[yarl.URL, dict[str, str]]:
        """URL and headers, computed once (the API key is read from the environment at first use)."""
        if self._url is not None and self._headers is not None:
            return self._url, self._headers
        p = self.profile
        if not self.api_key and p.api_key_env:
            self.api_key = os.getenv(p.api_key_env) or None
        if not self.api_key and p.api_key_required:
            raise MissingAPIKeyError(p.api_key_env or "API key", model_name=self.name, model_id=self.id)
        base = self.base_url or (os.getenv(p.base_url_env) if p.base_url_env else None) or p.base_url
        try:
            url = yarl.URL(str(base).rstrip("/") + p.chat_path)
        except ValueError:
            url = None
        if url is None or not url.absolute or url.scheme not in ("http", "https"):
            raise ConfigurationError(
                f"{self.name}: base_url must be an absolute http(s) URL, got {redact(str(base), self._secrets())!r}"
            )
        query = {**(self.default_query or {}), **(self.extra_query or {})}
        if query:
            url = url.update_query({k: str(v) for k, v in query.items()})
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"Brisk/{__version__}",
            **p.headers,
        }
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        if p.openai_org_headers:
            org = self.organization or os.getenv("OPENAI_ORG_ID")
            if org:
                headers["OpenAI-Organization"] = org
            project = os.getenv("OPENAI_PROJECT_ID")
            if project:
                headers["OpenAI-Project"] = project
        headers.update(self.default_headers or {})
        headers.update(self.extra_headers or {})
        self._url, self._headers = url, headers
        return url, headers

    def _format_messages(self, messages: list[Message]) -> list[dict[str, Any]]:
        p = self.profile
        role_map = self.role_map or p.role_map
        ids = (
            _wire.remap_tool_call_ids(messages, p.tool_call_id_prefix, p.tool_call_id_max_len)
            if p.tool_call_id_prefix is not None
            else None
        )
        return [_wire.format_message(m, role_map, ids, p.tool_call_content) for m in messages]

    def build_body(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
        stream: bool = False,
    ) -> dict[str, Any]:
        """The JSON body of one request (public so tests and tools can inspect it)."""
        p = self.profile
        body: dict[str, Any] = {"model": self.id}
        if stream:
            body["stream"] = True
        body["messages"] = self._format_messages(messages)
        if stream and p.stream_options:
            body["stream_options"] = {"include_usage": True}
        for k in _PARAMS:
            v = getattr(self, k)
            if v is not None:
                body[k] = v
        if response_format is not None:
            body["response_format"] = response_format
        if tools:
            body["tools"] = tools
            if tool_choice is not None and p.tool_choice:
                allowed = p.tool_choice_values
                if allowed is None or (isinstance(tool_choice, str) and tool_choice in allowed):
                    body["tool_choice"] = tool_choice
        if self.request_params:
            body.update(self.request_params)
        if self.extra_body:
            body.update(self.extra_body)
        return body

    async def _open(self, body: dict[str, Any]) -> aiohttp.ClientResponse:
        """POST the body and return a 2xx response, retrying like the openai SDK; the caller releases it."""
        url, headers = self._resolve()
        data = _wire.encoder.encode(body)
        session = get_session()
        policy = self.profile.retry
        max_retries = policy.max_retries if self.max_retries is None else self.max_retries
        attempt = 0
        while True:
            try:
                resp = await session.post(url, data=data, headers=headers, timeout=self._timeout)
            except (aiohttp.ClientError, TimeoutError) as e:
                if attempt < max_retries and not isinstance(e, aiohttp.InvalidURL):
                    delay = retry_delay(attempt, None, policy)
                    log.info("%s: connection failed, retry %d in %.2fs", self.id, attempt + 1, delay)
                    attempt += 1
                    await asyncio.sleep(delay)
                    continue
                raise connection_error(
                    e, model_name=self.name, model_id=self.id, secrets=self._secrets()
                ) from None
            if resp.status < 400:
                return resp
            try:
                raw = await resp.read()
            except (aiohttp.ClientError, TimeoutError):
                raw = b""
            finally:
                resp.release()
            if attempt < max_retries and should_retry(resp.status, resp.headers):
                delay = retry_delay(attempt, resp.headers, policy)
                log.info("%s: HTTP %d, retry %d in %.2fs", self.id, resp.status, attempt + 1, delay)
                attempt += 1
                await asyncio.sleep(delay)
                continue
            raise error_from_response(
                resp.status,
                raw,
                resp.headers,
                model_name=self.name,
                model_id=self.id,
                secrets=self._secrets(),
            )

    def _stream_error(self, err: Any) -> ModelProviderError:
        """An error the provider reported inside a 2xx answer (``{"error": {...}}``)."""
        msg, code = _wire_error(err)
        return classify_error(redact(msg, self._secrets()), 502, code, self.name, self.id)

    # -- the two provider methods -------------------------------------------------------------------
    async def ainvoke(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> ModelResponse:
        body = self.build_body(messages, tools, tool_choice, response_format, stream=False)
        started = time.perf_counter()
        resp = await self._open(body)
        try:
            raw = await resp.read()
        except (aiohttp.ClientError, TimeoutError) as e:
            raise connection_error(
                e, model_name=self.name, model_id=self.id, secrets=self._secrets()
            ) from None
        finally:
            resp.release()
        duration = time.perf_counter() - started
        try:
            completion = _wire.decode_completion(raw)
        except msgspec.MsgspecError:  # a 2xx body that is not JSON at all
            raise ModelProviderError(
                redact(
                    f"Invalid response from provider: {raw[:200].decode('utf-8', 'replace')}", self._secrets()
                ),
                model_name=self.name,
                model_id=self.id,
            ) from None
        if completion.error:
            raise self._stream_error(completion.error)
        return self._parse_completion(completion, duration, _wire.model_extra(raw))

    def _parse_completion(
        self, c: _wire.Completion, duration: float, extra: dict[str, Any] | None = None
    ) -> ModelResponse:
        out = ModelResponse()
        msg = c.choices[0].message if c.choices else None
        if msg is not None:
            if msg.content is not None:
                out.content = msg.content
                if msg.content:
                    reasoning, rest = _wire.split_thinking(msg.content)
                    if reasoning:
                        out.reasoning_content, out.content = reasoning, rest
            if msg.tool_calls:
                out.tool_calls = [_wire.normalise_tool_call(tc) for tc in msg.tool_calls]
            reasoning = msg.reasoning_content if msg.reasoning_content is not None else msg.reasoning
            if reasoning is not None:
                out.reasoning_content = reasoning
        metrics = _wire.usage_to_metrics(c.usage) if c.usage is not None else out.metrics
        metrics.duration = duration
        if out.content is not None:
            # Agno stamps the first token when the (whole) content arrives.
            metrics.time_to_first_token = duration
        out.metrics = metrics
        out.provider_data = _wire.provider_data(c.id, c.system_fingerprint, extra) or {}
        return out

    async def ainvoke_stream(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> AsyncIterator[ModelChunk]:
        body = self.build_body(messages, tools, tool_choice, response_format, stream=True)
        p = self.profile
        started = time.perf_counter()
        ttft: float | None = None
        usage: _wire.Usage | None = None
        tools_acc = _wire.ToolCallAssembler()
        pd: dict[str, Any] | None = None
        pd_key: tuple[str | None, str | None] = (None, None)
        decode = _wire.decode_chunk
        groq_usage = p.usage_field == "x_groq"
        resp = await self._open(body)
        done = finished = False
        try:
            async for ev in iter_sse(resp.content.iter_any()):
                data = ev.data
                if done:
                    continue  # drain to the end of the body so the connection can be reused (as the SDK)
                if data[:1] != b"{" and is_done(data):  # chunks are JSON objects: skip the check for them
                    done = True
                    continue
                try:
                    chunk = decode(data)
                except msgspec.DecodeError:
                    raise self._stream_error(
                        {"message": f"Invalid stream chunk from provider: {data[:200]!r}"}
                    ) from None
                if chunk.error:
                    raise self._stream_error(chunk.error)
                if chunk.x_groq is not None and chunk.x_groq.error:
                    raise self._stream_error(chunk.x_groq.error)
                chunk_finished = False
                if chunk.choices:
                    choice = chunk.choices[0]
                    if choice.finish_reason is not None:
                        chunk_finished = finished = True
                    delta = choice.delta
                    if delta is not None:
                        content = delta.content
                        reasoning = (
                            delta.reasoning_content
                            if delta.reasoning_content is not None
                            else delta.reasoning
                        )
                        if delta.tool_calls:
                            tools_acc.add(delta.tool_calls)
                        if content is not None and ttft is None:
                            ttft = time.perf_counter() - started
                        # An empty content delta (OpenAI's first chunk) is passed on: Agno streams it.
                        if content == "" and not p.empty_content_deltas:
                            content = None
                        if content is not None or reasoning:
                            if content is not None and (chunk.id, chunk.system_fingerprint) != pd_key:
                                # One provider_data dict per response, shared by its chunks (never mutated).
                                pd_key = (chunk.id, chunk.system_fingerprint)
                                pd = _wire.provider_data(
                                    chunk.id, chunk.system_fingerprint, _wire.model_extra(data)
                                )
                            yield ModelChunk(
                                content=content,
                                reasoning_content=reasoning or None,
                                provider_data=pd if content is not None else None,
                            )
                u = chunk.x_groq.usage if groq_usage and chunk.x_groq is not None else chunk.usage
                if u is not None and (chunk_finished or not p.usage_on_finish_only):
                    usage = u
        except (aiohttp.ClientError, TimeoutError) as e:
            # The stream broke after it started: never retried (content may already have been shown).
            err = connection_error(e, model_name=self.name, model_id=self.id, secrets=self._secrets())
            raise self._interrupted(err.message, logged=True) from None
        finally:
            resp.release()
        if not done and not finished:
            # The body ended cleanly but the answer did not: no [DONE] and no finish_reason.
            raise self._interrupted("The provider closed the stream early.")
        metrics = _wire.usage_to_metrics(usage) if usage is not None else MessageMetrics()
        metrics.duration = time.perf_counter() - started
        metrics.time_to_first_token = ttft
        yield ModelChunk(tool_calls=tools_acc.result() if tools_acc else None, metrics=metrics)

    def _interrupted(self, why: str, logged: bool = False) -> ModelProviderError:
        if not logged:
            log.warning("%s (%s): stream interrupted: %s", self.name, self.id, why)
        return ModelProviderError(
            f"{why} The stream was interrupted before it completed.", model_name=self.name, model_id=self.id
        )


def _wire_error(err: Any) -> tuple[str, Any]:
    if isinstance(err, dict):
        msg = err.get("message")
        return (str(msg) if msg is not None else "Unknown model error"), err.get("code")
    return str(err), None
