"""Embedders against each provider's mock: single and batched, async and sync, usage, errors; the clear
refusal for providers without an embeddings API; the bodies Agno sends."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest

from brisk.exceptions import EmbeddingError, EmbeddingsNotSupportedError, ModelRateLimitError
from brisk.knowledge.embedder.google import GeminiEmbedder
from brisk.knowledge.embedder.ollama import OllamaEmbedder
from brisk.knowledge.embedder.openai import OpenAIEmbedder
from brisk.knowledge.embedder.openai_like import OpenAILikeEmbedder
from brisk.models._retry import MissingAPIKeyError
from tests.mocks._common import fake_vector
from tests.mocks.openai_server import Error
from tests.unit.providers.cases import CASES, KEY, Case

WITH = [c for c in CASES if c.embedder]
WITHOUT = [c for c in CASES if not c.embedder]
with_embeddings = pytest.mark.parametrize("case", WITH, ids=[c.provider for c in WITH])


def _usage(case: Case, words: int) -> dict[str, Any] | None:
    return None if case.provider == "gemini" else {"prompt_tokens": words, "total_tokens": words}


@with_embeddings
async def test_single_embedding(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    emb = case.embedder_obj(mock)
    vec, usage = await emb.async_get_embedding_and_usage("hello world")
    assert emb.dimensions is not None and vec == fake_vector("hello world", emb.dimensions)
    assert usage == _usage(case, 2)
    assert await emb.async_get_embedding("hello world") == vec
    assert len(mock.requests) == 2


@with_embeddings
async def test_batched_embeddings(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    emb = case.embedder_obj(mock, batch_size=2)
    texts = [f"text number {i}" for i in range(5)]
    vectors, usages = await emb.async_get_embeddings_batch_and_usage(texts)
    assert vectors == [fake_vector(t, emb.dimensions or 0) for t in texts]
    assert len(mock.requests) == 3  # 2 + 2 + 1
    assert usages == [_usage(case, 6)] * 4 + [_usage(case, 3)]


@with_embeddings
def test_sync_embeddings(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    emb = case.embedder_obj(mock)
    assert emb.get_embedding("hi") == fake_vector("hi", emb.dimensions or 0)
    assert emb.get_embedding_and_usage("hi")[1] == _usage(case, 1)
    assert len(emb.get_embeddings_batch_and_usage(["a", "b"])[0]) == 2


@with_embeddings
async def test_embedding_errors(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    mock.script(Error(429, "Rate limit reached", "tokens", "rate_limit_exceeded", retry_after_s="5"))
    emb = case.embedder_obj(mock, max_retries=0)
    with pytest.raises(EmbeddingError) as ei:
        await emb.async_get_embedding("hello")
    e = ei.value
    assert isinstance(e.__cause__, ModelRateLimitError) and e.reason == "rate_limit"
    assert e.provider == case.label and e.provider_status_code == 429
    assert str(e).startswith("Failed to generate embedding: ") and KEY not in str(e)
    if case.provider not in ("ollama", "gemini"):  # the openai SDK's wording, as Agno reports it
        assert str(e) == "Failed to generate embedding: Error code: 429 - Rate limit reached"


@with_embeddings
async def test_batch_failure_falls_back_to_one_by_one(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    mock.script(Error(400, "one of the inputs is invalid"), Error(400, "this one is invalid"))
    emb = case.embedder_obj(mock, max_retries=0)
    vectors, usages = await emb.async_get_embeddings_batch_and_usage(["bad", "good"])
    assert vectors == [[], fake_vector("good", emb.dimensions or 0)] and usages[0] is None
    mock.script(*[Error(400, "no")] * 3)
    with pytest.raises(EmbeddingError, match="All 2 chunks failed to embed"):
        await emb.async_get_embeddings_batch_and_usage(["x", "y"])


@pytest.mark.parametrize("case", [c for c in WITH if c.key_env], ids=[c.provider for c in WITH if c.key_env])
async def test_embedder_missing_key(case: Case, provider_mock: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (case.key_env, "GEMINI_API_KEY"):
        monkeypatch.delenv(var, raising=False)  # type: ignore[arg-type]
    mock = provider_mock(case.provider)
    module, _, name = (case.embedder or "").partition(":")
    emb = getattr(importlib.import_module(module), name)(base_url=mock.base_url)
    with pytest.raises(MissingAPIKeyError, match=case.key_env or ""):
        await emb.async_get_embedding("hi")
    assert mock.requests == []


@pytest.mark.parametrize("case", WITHOUT, ids=[c.provider for c in WITHOUT])
def test_providers_without_embeddings_refuse_clearly(case: Case) -> None:
    module = f"brisk.knowledge.embedder.{case.provider}"
    cls = getattr(importlib.import_module(module), f"{case.cls.__name__}Embedder")
    with pytest.raises(EmbeddingsNotSupportedError) as ei:
        cls()
    assert ei.value.provider == case.label and case.label in str(ei.value)
    assert "no embeddings API" in str(ei.value)


async def test_groq_embeddings_endpoint_is_unknown(provider_mock: Any) -> None:
    """Groq serves no embeddings (its SDK still has the route): a raw call gets ``unknown_url``."""
    mock = provider_mock("groq")
    with pytest.raises(EmbeddingError) as ei:
        await OpenAILikeEmbedder(
            id="nomic-embed-text-v1_5", base_url=mock.base_url, max_retries=0
        ).async_get_embedding("x")
    assert ei.value.provider_status_code == 404
    assert str(ei.value) == (
        "Failed to generate embedding: Error code: 404 - Unknown request URL: POST /openai/v1/embeddings. "
        "Please check the URL."
    )


def test_embedder_bodies_equal_agno() -> None:
    # WIRE-FORMATS §1.5, §9, §10 (captured)
    assert OpenAIEmbedder(api_key="k").build_body("hello world") == {
        "model": "text-embedding-3-small", "input": "hello world", "dimensions": 1536, "encoding_format": "float",
    }  # fmt: skip
    assert "dimensions" not in OpenAIEmbedder(id="text-embedding-ada-002").build_body("x")
    assert OpenAIEmbedder(id="text-embedding-3-large").dimensions == 3072
    assert OpenAILikeEmbedder(base_url="http://x").build_body(["a"])["dimensions"] == 1536
    assert OllamaEmbedder(id="nomic-embed-text", dimensions=768).build_body("hello world") == {
        "model": "nomic-embed-text", "input": "hello world", "dimensions": 768,
    }  # fmt: skip
    assert OllamaEmbedder().build_body("x")["dimensions"] == 4096 and OllamaEmbedder().id == "openhermes"
    assert GeminiEmbedder().build_body(["hello world"]) == {"requests": [{
        "content": {"parts": [{"text": "hello world"}], "role": "user"}, "taskType": "RETRIEVAL_QUERY",
        "outputDimensionality": 1536, "model": "models/gemini-embedding-001"}]}  # fmt: skip


async def test_ollama_drops_vectors_of_the_wrong_width(ollama_mock: Any) -> None:
    from tests.mocks.openai_server import Raw

    emb = OllamaEmbedder(host=ollama_mock.base_url, dimensions=16, options={"num_ctx": 512})
    ollama_mock.script(Raw(json.dumps({"embeddings": [[0.1] * 8], "prompt_eval_count": 1})))
    assert await emb.async_get_embedding("x") == []  # as Agno: never a vector of the wrong width
    assert ollama_mock.requests[0].body == {
        "model": "openhermes",
        "input": "x",
        "options": {"num_ctx": 512},
        "dimensions": 16,
    }
    native = await OllamaEmbedder(host=ollama_mock.base_url, dimensions=None).async_get_embedding("x")
    assert len(native) == 768  # no dimensions sent: the model's own width


async def test_openai_base64_encoding(provider_mock: Any) -> None:
    import base64
    import struct

    mock = provider_mock("openai")
    values = [0.5, -1.25]
    from tests.mocks.openai_server import Raw

    raw = base64.b64encode(struct.pack("<2f", *values)).decode()
    mock.script(
        Raw(
            json.dumps(
                {"data": [{"index": 0, "embedding": raw}], "usage": {"prompt_tokens": 1, "total_tokens": 1}}
            )
        )
    )
    emb = OpenAIEmbedder(api_key=KEY, base_url=mock.base_url, encoding_format="base64")
    assert await emb.async_get_embedding("x") == values
