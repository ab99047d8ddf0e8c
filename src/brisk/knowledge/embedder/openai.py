"""``OpenAIEmbedder``: ``POST {base_url}/embeddings`` in OpenAI's shape, and the base of the
OpenAI-compatible embedders (OpenRouter, SiliconFlow, Zhipu).

As Agno sends it: ``{"input", "model", "encoding_format": "float", "dimensions"}`` where ``dimensions``
goes out only for models that accept it (OpenAI: ``text-embedding-3-*``, or any model once ``base_url`` is
given, Agno's rule). Retries as the openai SDK (2, on 408/409/429/5xx and connection errors).
"""

from __future__ import annotations

import array
import base64
import os
import sys
from dataclasses import dataclass, field
from typing import Any, ClassVar

import yarl

from brisk import __version__
from brisk.exceptions import ConfigurationError
from brisk.knowledge.embedder.base import Embedder, Usage
from brisk.models._env import first_env
from brisk.models._http import make_timeout
from brisk.models._request import post, read_body, read_json
from brisk.models._retry import MissingAPIKeyError, RetryPolicy

__all__ = ["OpenAIEmbedder"]


def _vector(value: Any) -> list[float]:
    if isinstance(value, str):  # encoding_format="base64": little-endian float32
        floats = array.array("f", base64.b64decode(value))
        if sys.byteorder != "little":
            floats.byteswap()
        return floats.tolist()
    return value if isinstance(value, list) else []


@dataclass
class OpenAIEmbedder(Embedder):
    id: str = "text-embedding-3-small"
    dimensions: int | None = None
    encoding_format: str = "float"
    user: str | None = None
    api_key: str | None = field(default=None, repr=False)
    organization: str | None = None
    base_url: str | None = None
    request_params: dict[str, Any] | None = None
    # Brisk additions (the openai SDK's client options)
    timeout: float | None = None
    max_retries: int | None = None

    provider_label: ClassVar[str] = "OpenAI"
    sdk_status_prefix: ClassVar[bool] = True
    api_key_env: ClassVar[str | None] = "OPENAI_API_KEY"
    api_key_fallback_envs: ClassVar[tuple[str, ...]] = ()
    base_url_env: ClassVar[str | None] = "OPENAI_BASE_URL"
    default_base_url: ClassVar[str] = "https://api.openai.com/v1"
    default_dimensions: ClassVar[int] = 1536
    retry: ClassVar[RetryPolicy] = RetryPolicy()

    def __post_init__(self) -> None:
        if self.dimensions is None:
            self.dimensions = self._default_dimensions()
        # Agno sends ``dimensions`` to any server named through ``base_url``: remember whether one was.
        self._base_url_given = self.base_url is not None
        self._url: yarl.URL | None = None
        self._headers: dict[str, str] | None = None
        self._timeout = make_timeout(self.timeout)

    def _default_dimensions(self) -> int:
        return 3072 if self.id == "text-embedding-3-large" else self.default_dimensions

    def sends_dimensions(self) -> bool:
        """Whether ``dimensions`` goes in the request (models that reject it must not get it)."""
        return self.id.startswith("text-embedding-3") or self._base_url_given

    def _secrets(self) -> tuple[str, ...]:
        return (self.api_key,) if self.api_key else ()

    def _resolve(self) -> tuple[yarl.URL, dict[str, str]]:
        if self._url is None or self._headers is None:
            if not self.api_key:
                _, self.api_key = first_env(self.api_key_env, *self.api_key_fallback_envs)
            if not self.api_key:
                raise MissingAPIKeyError(
                    self.api_key_env or "API key", model_name=type(self).__name__, model_id=self.id
                )
            base = self.base_url or (os.getenv(self.base_url_env) if self.base_url_env else None)
            base = (base or self.default_base_url).strip().rstrip("/")
            try:
                url = yarl.URL(base + "/embeddings")
            except ValueError:
                url = None
            if url is None or not url.absolute:
                raise ConfigurationError(
                    f"{type(self).__name__}: base_url must be an absolute URL, got {base!r}"
                )
            headers = {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "User-Agent": f"Brisk/{__version__}",
                "Authorization": f"Bearer {self.api_key}",
            }
            if self.provider_label == "OpenAI":
                org = self.organization or os.getenv("OPENAI_ORG_ID")
                if org:
                    headers["OpenAI-Organization"] = org
            self._url, self._headers = url, headers
        return self._url, self._headers

    def build_body(self, texts: str | list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"input": texts, "model": self.id, "encoding_format": self.encoding_format}
        if self.user is not None:
            body["user"] = self.user
        if self.dimensions is not None and self.sends_dimensions():
            body["dimensions"] = self.dimensions
        if self.request_params:
            body.update(self.request_params)
        return body

    async def _aembed(self, texts: list[str]) -> tuple[list[list[float]], Usage]:
        url, headers = self._resolve()
        name, secrets = type(self).__name__, self._secrets()
        # A single text goes as a string, as Agno sends it; a batch as a list.
        body = self.build_body(texts[0] if len(texts) == 1 else texts)
        resp = await post(
            url,
            body,
            headers,
            self._timeout,
            policy=self.retry,
            max_retries=self.max_retries,
            model_name=name,
            model_id=self.id,
            secrets=secrets,
        )
        raw = await read_body(resp, model_name=name, model_id=self.id, secrets=secrets)
        data = read_json(raw, model_name=name, model_id=self.id, secrets=secrets)
        items = [d for d in data.get("data") or () if isinstance(d, dict)]
        items.sort(key=lambda d: d.get("index") or 0)
        usage = data.get("usage")
        return [_vector(d.get("embedding")) for d in items], usage if isinstance(usage, dict) else None
