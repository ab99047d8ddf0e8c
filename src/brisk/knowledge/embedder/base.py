"""``Embedder``: the base class of every embedder, Agno's interface over one async core.

A provider implements ``_aembed(texts) -> (vectors, usage)`` for one request; this class supplies Agno's
methods on top: ``get_embedding``, ``get_embedding_and_usage``, their ``async_`` twins and
``async_get_embeddings_batch_and_usage`` (plus the sync ``get_embeddings_batch_and_usage``).

Errors follow Agno: a provider failure becomes ``EmbeddingError("Failed to generate embedding: ...")``
with the provider's status (the classified error, e.g. ``ModelRateLimitError``, is its ``__cause__``).
Configuration errors (a missing key) are raised as they are. A batch that fails is retried text by text
so one bad text does not lose the others; only when every text fails is the batch an error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, ClassVar

from brisk.exceptions import (
    ConfigurationError,
    EmbeddingError,
    EmbeddingsNotSupportedError,
    ModelProviderError,
)
from brisk.utils.aio import run_sync

__all__ = ["Embedder", "Usage", "UnsupportedEmbedder"]

log = logging.getLogger("brisk.knowledge")

Usage = dict[str, Any] | None

# What ``connection_error`` reports (no HTTP status to quote).
_CONNECTION_TEXTS = frozenset({"Connection error.", "Request timed out."})


@dataclass
class Embedder:
    dimensions: int | None = 1536
    enable_batch: bool = False
    batch_size: int = 100  # texts per request in the batch methods

    # The provider's name in errors and logs ("OpenAI", "Google", ...).
    provider_label: ClassVar[str] = "Embedder"
    # Word HTTP errors as the openai SDK does ("Error code: 404 - <message>"), which is what Agno's
    # OpenAI-compatible embedders put after "Failed to generate embedding: ".
    sdk_status_prefix: ClassVar[bool] = False

    # -- what a provider implements ------------------------------------------------------------------
    async def _aembed(self, texts: list[str]) -> tuple[list[list[float]], Usage]:
        """One request embedding ``texts``: (one vector per text, in order; the usage of the request)."""
        raise NotImplementedError

    @property
    def _model_id(self) -> str | None:
        return getattr(self, "id", None)

    async def _call(self, texts: list[str]) -> tuple[list[list[float]], Usage]:
        try:
            return await self._aembed(texts)
        except (ConfigurationError, EmbeddingsNotSupportedError, EmbeddingError):
            raise
        except ModelProviderError as e:
            text = str(e)
            if self.sdk_status_prefix and text not in _CONNECTION_TEXTS:
                text = f"Error code: {e.status_code} - {text}"
            raise EmbeddingError(
                f"Failed to generate embedding: {text}",
                status_code=e.status_code,
                model_id=self._model_id,
                provider=self.provider_label,
            ) from e

    # -- async API (Agno's names) ----------------------------------------------------------------------
    async def async_get_embedding_and_usage(self, text: str) -> tuple[list[float], Usage]:
        vectors, usage = await self._call([text])
        if not vectors:
            log.warning("%s returned no embeddings for this request", self.provider_label)
            return [], usage
        return vectors[0], usage

    async def async_get_embedding(self, text: str) -> list[float]:
        return (await self.async_get_embedding_and_usage(text))[0]

    async def async_get_embeddings_batch_and_usage(
        self, texts: list[str]
    ) -> tuple[list[list[float]], list[Usage]]:
        """Embeddings of ``texts`` in requests of ``batch_size``; the usage of a request is repeated for
        each of its texts (as Agno reports it)."""
        vectors: list[list[float]] = []
        usages: list[Usage] = []
        size = max(1, self.batch_size)
        for i in range(0, len(texts), size):
            batch = texts[i : i + size]
            try:
                got, usage = await self._call(batch)
            except EmbeddingError as e:
                log.warning("%s batch embedding failed, embedding one by one: %s", self.provider_label, e)
                got, per_text = await self._one_by_one(batch)
                vectors.extend(got)
                usages.extend(per_text)
                continue
            if len(got) < len(batch):
                log.warning(
                    "%s returned %d of %d embeddings; the rest are empty",
                    self.provider_label,
                    len(got),
                    len(batch),
                )
                got = list(got) + [[] for _ in range(len(batch) - len(got))]
            vectors.extend(got)
            usages.extend([usage] * len(batch))
        return vectors, usages

    async def _one_by_one(self, texts: list[str]) -> tuple[list[list[float]], list[Usage]]:
        vectors: list[list[float]] = []
        usages: list[Usage] = []
        failures: list[tuple[int, EmbeddingError]] = []
        for i, text in enumerate(texts):
            try:
                v, u = await self.async_get_embedding_and_usage(text)
            except EmbeddingError as e:
                failures.append((i, e))
                v, u = [], None
            vectors.append(v)
            usages.append(u)
        if failures:
            first = failures[0][1]
            if len(failures) == len(texts):
                raise EmbeddingError(
                    f"All {len(texts)} chunks failed to embed: {first}",
                    status_code=first.provider_status_code,
                    model_id=first.model_id,
                    provider=first.provider,
                ) from first
            where = ", ".join(str(i) for i, _ in failures[:5])
            log.warning("%d of %d chunks failed to embed at %s: %s", len(failures), len(texts), where, first)
        return vectors, usages

    # -- sync API --------------------------------------------------------------------------------------
    def get_embedding(self, text: str) -> list[float]:
        return run_sync(self.async_get_embedding(text))

    def get_embedding_and_usage(self, text: str) -> tuple[list[float], Usage]:
        return run_sync(self.async_get_embedding_and_usage(text))

    def get_embeddings_batch_and_usage(self, texts: list[str]) -> tuple[list[list[float]], list[Usage]]:
        return run_sync(self.async_get_embeddings_batch_and_usage(texts))


@dataclass
class UnsupportedEmbedder(Embedder):
    """An embedder for a provider without an embeddings API: building one raises
    ``EmbeddingsNotSupportedError`` naming the provider, so the mistake shows at configuration time."""

    id: str = "not-provided"
    api_key: str | None = None

    def __post_init__(self) -> None:
        raise EmbeddingsNotSupportedError(self.provider_label)
