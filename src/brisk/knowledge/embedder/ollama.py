"""``OllamaEmbedder``: Ollama's native ``POST {host}/api/embed``.

As Agno sends it: ``{"model", "input", "dimensions"}`` (``dimensions`` whenever set; default 4096 for the
default ``openhermes``), and a vector whose length differs from ``dimensions`` is dropped (``[]``, with a
warning) so it never reaches a vector store of the wrong width. Unlike Agno, batches work (``/api/embed``
takes a list) and usage is reported as ``{"prompt_tokens", "total_tokens"}`` from ``prompt_eval_count``.
No retries, as ollama-python.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any, ClassVar

import yarl

from brisk import __version__
from brisk.knowledge.embedder.base import Embedder, Usage
from brisk.models._http import make_timeout
from brisk.models._request import NO_RETRY, post, read_body, read_json
from brisk.models.ollama.chat import ollama_base_url

__all__ = ["OllamaEmbedder"]

log = logging.getLogger("brisk.knowledge")


@dataclass
class OllamaEmbedder(Embedder):
    id: str = "openhermes"
    dimensions: int | None = 4096
    host: str | None = None
    timeout: float | None = None
    options: Any | None = None
    keep_alive: float | str | None = None
    api_key: str | None = field(default_factory=lambda: os.getenv("OLLAMA_API_KEY") or None, repr=False)
    max_retries: int | None = None

    provider_label: ClassVar[str] = "Ollama"

    def __post_init__(self) -> None:
        self._url: yarl.URL | None = None
        self._timeout = make_timeout(self.timeout)

    def build_body(self, texts: str | list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.id, "input": texts}
        if self.options is not None:
            body["options"] = self.options
        if self.keep_alive is not None:
            body["keep_alive"] = self.keep_alive
        if self.dimensions is not None:
            body["dimensions"] = self.dimensions
        return body

    async def _aembed(self, texts: list[str]) -> tuple[list[list[float]], Usage]:
        if self._url is None:
            self._url = yarl.URL(ollama_base_url(self.host, self.api_key) + "/api/embed")
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"Brisk/{__version__}",
        }
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        secrets = (self.api_key,) if self.api_key else ()
        name = type(self).__name__
        resp = await post(
            self._url,
            self.build_body(texts[0] if len(texts) == 1 else texts),
            headers,
            self._timeout,
            policy=NO_RETRY,
            max_retries=self.max_retries,
            model_name=name,
            model_id=self.id,
            secrets=secrets,
        )
        data = read_json(
            await read_body(resp, model_name=name, model_id=self.id, secrets=secrets),
            model_name=name,
            model_id=self.id,
            secrets=secrets,
        )
        vectors: list[list[float]] = []
        for v in data.get("embeddings") or ():
            if self.dimensions is not None and len(v) != self.dimensions:
                log.warning("Expected embedding dimension %s, but got %d", self.dimensions, len(v))
                v = []
            vectors.append(v)
        count = data.get("prompt_eval_count")
        usage = {"prompt_tokens": count, "total_tokens": count} if isinstance(count, int) else None
        return vectors, usage
