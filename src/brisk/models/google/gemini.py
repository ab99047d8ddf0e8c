"""``Gemini``: Google's Generative Language API, native (``models/{id}:generateContent`` and
``:streamGenerateContent?alt=sse``), as Agno drives it through google-genai.

Wire format (what differs from OpenAI):

* the key goes in ``x-goog-api-key``; the path carries the API version (``v1`` as google-genai 3.6 sends,
  or ``v1beta``: ``api_version`` / ``GOOGLE_GENAI_API_VERSION``);
* the body is ``contents`` (roles ``user``/``model``), ``systemInstruction``, ``tools`` with
  ``functionDeclarations``, ``toolConfig`` and a camelCase ``generationConfig`` (see ``_format``);
* the stream is SSE framed with ``\\r\\n\\r\\n`` and **no** ``[DONE]``; each event is a whole response
  holding a text delta; function calls arrive whole with ``args`` as an object; ``usageMetadata`` is
  cumulative, so only the chunk carrying ``finishReason`` counts (Agno's
  ``collect_metrics_on_completion``);
* errors are ``google.rpc.Status`` bodies; a bad key is a 400 ``API_KEY_INVALID``; 429 carries its wait in
  ``RetryInfo.retryDelay`` (``"17s"``) rather than a header;
* no retries: google-genai does not retry unless told to, and Agno does not tell it.

Vertex AI, file search and the Parallel search tool are not implemented (their keywords are not accepted).
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import msgspec
import yarl

from brisk import __version__
from brisk.exceptions import ConfigurationError, ModelProviderError
from brisk.metrics import MessageMetrics
from brisk.models._env import env_default, first_env
from brisk.models._http import make_timeout
from brisk.models._request import NO_RETRY, post, read_body
from brisk.models._retry import MissingAPIKeyError, connection_error
from brisk.models._sse import iter_sse
from brisk.models.base import Model
from brisk.models.google import _wire
from brisk.models.google._format import format_contents, function_declarations, to_gemini_schema
from brisk.models.message import Message
from brisk.models.response import ModelChunk, ModelResponse

__all__ = ["Gemini", "gemini_error", "gemini_root"]

gemini_error = _wire.gemini_error  # re-exported: the embedder and tests use it

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
DEFAULT_API_VERSION = "v1"
KEY_ENVS = ("GOOGLE_API_KEY", "GEMINI_API_KEY")
BASE_URL_ENVS = ("GEMINI_BASE_URL", "GOOGLE_GEMINI_BASE_URL")

# generationConfig keys, from the model's attributes (sent when set).
_GEN = (
    ("temperature", "temperature"),
    ("top_p", "topP"),
    ("top_k", "topK"),
    ("max_output_tokens", "maxOutputTokens"),
    ("stop_sequences", "stopSequences"),
    ("logprobs", "responseLogprobs"),
    ("presence_penalty", "presencePenalty"),
    ("frequency_penalty", "frequencyPenalty"),
    ("seed", "seed"),
    ("response_modalities", "responseModalities"),
    ("speech_config", "speechConfig"),
)
_TOP_LEVEL = {"safetySettings", "toolConfig", "cachedContent", "systemInstruction", "tools", "labels"}


def gemini_root(base_url: str | None, api_version: str | None) -> str:
    """``{base}/{version}``; a base URL that already ends with a version is used as it is."""
    _, env_base = first_env(*BASE_URL_ENVS)
    base = (base_url or env_base or DEFAULT_BASE_URL).rstrip("/")
    last = base.rsplit("/", 1)[-1]
    if last.startswith("v1"):
        return base
    version = api_version or os.getenv("GOOGLE_GENAI_API_VERSION") or DEFAULT_API_VERSION
    return f"{base}/{version.strip('/')}"


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


@dataclass
class Gemini(Model):
    id: str = field(default_factory=env_default("GEMINI_MODEL", "gemini-3.7-flash"))
    name: str = "Gemini"
    provider: str = "Google"

    # Request parameters
    generation_config: dict[str, Any] | None = None
    safety_settings: list[Any] | None = None
    generative_model_kwargs: dict[str, Any] | None = None
    search: bool = False
    grounding: bool = False
    grounding_dynamic_threshold: float | None = None
    url_context: bool = False
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    max_output_tokens: int | None = None
    stop_sequences: list[str] | None = None
    logprobs: bool | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    seed: int | None = None
    response_modalities: list[str] | None = None
    speech_config: dict[str, Any] | None = None
    cached_content: Any | None = None
    thinking_budget: int | None = None
    include_thoughts: bool | None = None
    thinking_level: str | None = None
    request_params: dict[str, Any] | None = None
    timeout: float | None = None
    # Gemini reports cumulative usage on every streamed chunk: count only the final one.
    collect_metrics_on_completion: bool = True

    # Client parameters
    api_key: str | None = field(default=None, repr=False)
    # Brisk additions: where the API lives (google-genai takes these through http_options).
    base_url: str | None = None
    api_version: str | None = None
    max_retries: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        self._root: str | None = None
        self._headers: dict[str, str] | None = None
        self._timeout = make_timeout(self.timeout)

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        for k in (
            "search", "grounding", "grounding_dynamic_threshold", "url_context", "temperature", "top_p",
            "top_k", "max_output_tokens", "stop_sequences", "logprobs", "presence_penalty",
            "frequency_penalty", "seed", "response_modalities", "thinking_budget", "include_thoughts",
            "thinking_level",
        ):  # fmt: skip
            v = getattr(self, k)
            if v is not None:
                d[k] = v
        d["vertexai_search"] = False
        d["vertexai"] = False
        return d

    # -- request ----------------------------------------------------------------------------------
    def _secrets(self) -> tuple[str, ...]:
        return (self.api_key,) if self.api_key else ()

    def _resolve(self) -> tuple[str, dict[str, str]]:
        if self._root is None or self._headers is None:
            if not self.api_key:
                _, self.api_key = first_env(*KEY_ENVS)
            if not self.api_key:
                raise MissingAPIKeyError("GOOGLE_API_KEY", model_name=self.name, model_id=self.id)
            root = gemini_root(self.base_url, self.api_version)
            try:
                ok = yarl.URL(root).absolute
            except ValueError:
                ok = False
            if not ok:
                raise ConfigurationError(f"Gemini: base_url must be an absolute http(s) URL, got {root!r}")
            self._root = root
            self._headers = {
                "Content-Type": "application/json",
                "x-goog-api-key": self.api_key,
                "x-goog-api-client": f"brisk/{__version__}",
                "User-Agent": f"Brisk/{__version__}",
            }
        return self._root, self._headers

    def _url(self, method: str) -> yarl.URL:
        root, _ = self._resolve()
        model = self.id.removeprefix("models/")
        url = yarl.URL(f"{root}/models/{model}:{method}", encoded=False)
        return url.update_query(alt="sse") if method == "streamGenerateContent" else url

    def build_body(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The JSON body of one request (public so tests and tools can inspect it)."""
        contents, system = format_contents(messages)
        config: dict[str, Any] = {}
        for extra in (self.generation_config, self.generative_model_kwargs):
            for k, v in (extra or {}).items():
                config[_camel(k)] = v
        for attr, key in _GEN:
            v = getattr(self, attr)
            if v is not None:
                config[key] = v
        if self.safety_settings is not None:
            config["safetySettings"] = self.safety_settings
        if self.cached_content is not None:
            config["cachedContent"] = self.cached_content
        if isinstance(response_format, dict):
            kind = response_format.get("type")
            if kind in ("json_schema", "json_object"):
                config["responseMimeType"] = "application/json"
            schema = (
                (response_format.get("json_schema") or {}).get("schema") if kind == "json_schema" else None
            )
            if isinstance(schema, dict):
                config["responseSchema"] = to_gemini_schema(schema)
        thinking = {
            k: v
            for k, v in (
                ("thinkingBudget", self.thinking_budget),
                ("includeThoughts", self.include_thoughts),
                ("thinkingLevel", self.thinking_level),
            )
            if v is not None
        }
        if thinking:
            config["thinkingConfig"] = thinking
        builtin: list[dict[str, Any]] = []
        if self.grounding:
            dyn = {"dynamicThreshold": self.grounding_dynamic_threshold}
            builtin.append({"googleSearchRetrieval": {"dynamicRetrievalConfig": _drop_none(dyn)}})
        if self.search:
            builtin.append({"googleSearch": {}})
        if self.url_context:
            builtin.append({"urlContext": {}})
        body: dict[str, Any] = {"contents": contents}
        if system is not None:
            body["systemInstruction"] = {"parts": [{"text": system}], "role": "user"}
        if builtin:
            body["tools"] = builtin  # Agno: built-in tools replace function tools
        elif tools:
            decl = function_declarations(tools)
            if decl:
                body["tools"] = [decl]
        if tool_choice is not None:
            body["toolConfig"] = {"functionCallingConfig": _calling_config(tool_choice)}
        for k in [k for k in config if k in _TOP_LEVEL]:
            body[k] = config.pop(k)
        body["generationConfig"] = config
        if self.request_params:
            body.update(self.request_params)
        return body

    async def _open(self, method: str, body: dict[str, Any]) -> aiohttp.ClientResponse:
        url = self._url(method)
        _, headers = self._resolve()
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
            to_error=_wire.gemini_error,
        )

    def _in_band_error(self, err: Any) -> ModelProviderError:
        status = err.get("code") if isinstance(err, dict) and isinstance(err.get("code"), int) else 502
        raw = msgspec.json.encode({"error": err})
        return _wire.gemini_error(
            status, raw, None, model_name=self.name, model_id=self.id, secrets=self._secrets()
        )

    def _interrupted(self, why: str) -> ModelProviderError:
        return ModelProviderError(
            f"{why} The stream was interrupted before it completed.", model_name=self.name, model_id=self.id
        )

    # -- the two provider methods -------------------------------------------------------------------
    async def ainvoke(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> ModelResponse:
        body = self.build_body(messages, tools, tool_choice, response_format)
        started = time.perf_counter()
        resp = await self._open("generateContent", body)
        raw = await read_body(resp, model_name=self.name, model_id=self.id, secrets=self._secrets())
        duration = time.perf_counter() - started
        try:
            r = _wire.decode(raw)
        except msgspec.MsgspecError:
            raise self._in_band_error(
                {"message": f"Invalid response from provider: {raw[:200].decode('utf-8', 'replace')}"}
            ) from None
        if r.error:
            raise self._in_band_error(r.error)
        out = ModelResponse()
        cand = r.candidates[0] if r.candidates else None
        role = None
        for p in (cand.content.parts or []) if cand and cand.content else []:
            role = "model"
            if p.text is not None:
                if p.thought:
                    out.reasoning_content = (out.reasoning_content or "") + p.text
                else:
                    out.content = (out.content or "") + p.text
                if p.thought_signature:
                    out.provider_data = {"thought_signature": p.thought_signature}
            if p.function_call is not None:
                out.tool_calls.append(_wire.tool_call(p))
        if (role or (cand and cand.content)) and out.content is None and not out.tool_calls:
            out.content = ""  # Agno: an answer with a role but no text is the empty string
        out.metrics = _wire.metrics(r.usage_metadata) if r.usage_metadata else MessageMetrics()
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
        body = self.build_body(messages, tools, tool_choice, response_format)
        started = time.perf_counter()
        resp = await self._open("streamGenerateContent", body)
        ttft: float | None = None
        calls: list[dict[str, Any]] = []
        usage: _wire.Usage | None = None
        finished = False
        try:
            async for ev in iter_sse(resp.content.iter_any()):
                try:
                    r = _wire.decode(ev.data)
                except msgspec.MsgspecError:
                    raise self._in_band_error(
                        {"message": f"Invalid stream chunk from provider: {ev.data[:200]!r}"}
                    ) from None
                if r.error:
                    raise self._in_band_error(r.error)
                cand = r.candidates[0] if r.candidates else None
                done_here = bool(cand and cand.finish_reason) or bool(
                    r.prompt_feedback and r.prompt_feedback.block_reason
                )
                finished = finished or done_here
                if r.usage_metadata is not None and (done_here or not self.collect_metrics_on_completion):
                    usage = r.usage_metadata
                for p in (cand.content.parts or []) if cand and cand.content else []:
                    if p.function_call is not None:
                        calls.append(_wire.tool_call(p))
                    if p.text:
                        pd = {"thought_signature": p.thought_signature} if p.thought_signature else None
                        if p.thought:
                            yield ModelChunk(reasoning_content=p.text, provider_data=pd)
                        else:
                            if ttft is None:
                                ttft = time.perf_counter() - started
                            yield ModelChunk(content=p.text, provider_data=pd)
        except (aiohttp.ClientError, TimeoutError) as e:
            err = connection_error(e, model_name=self.name, model_id=self.id, secrets=self._secrets())
            raise self._interrupted(err.message) from None
        finally:
            resp.release()
        if not finished:
            # Gemini has no [DONE]: an answer is complete only when a chunk carried finishReason.
            raise self._interrupted("The provider closed the stream early.")
        metrics = _wire.metrics(usage) if usage is not None else MessageMetrics()
        metrics.duration = time.perf_counter() - started
        metrics.time_to_first_token = ttft
        yield ModelChunk(tool_calls=calls or None, metrics=metrics)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _calling_config(choice: str | dict[str, Any]) -> dict[str, Any]:
    """Agno's mapping of ``tool_choice`` (auto/none/any/validated), plus the OpenAI forms Agno passes
    through broken: ``"required"`` is ANY, a named function is ANY restricted to that function."""
    if isinstance(choice, str):
        mode = {"required": "ANY"}.get(choice.lower(), choice.upper())
        return {"mode": mode}
    name = (choice.get("function") or {}).get("name") if isinstance(choice, dict) else None
    if name:
        return {"mode": "ANY", "allowedFunctionNames": [name]}
    return {"mode": str(choice)}
