"""Errors of each provider -> the same Brisk exceptions; retries only where the SDK Agno uses retries;
broken streams; keys never in messages or logs."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from brisk.exceptions import (
    ConfigurationError,
    ContextWindowExceededError,
    ModelAuthenticationError,
    ModelProviderError,
    ModelRateLimitError,
)
from brisk.models._retry import MissingAPIKeyError
from tests.mocks.openai_server import FOX, Cut, Error, StreamError, Text
from tests.unit.providers.cases import ALL, KEY, KEYED, Case, fast_retries, msgs

# What each vendor says for a bad key (Gemini: a 400 with reason API_KEY_INVALID).
BAD_KEY = {
    "gemini": Error(400, "API key not valid. Please pass a valid API key.", code="API_KEY_INVALID"),
    "ollama": Error(401, "unauthorized"),
    "cerebras": Error(401, "Wrong API Key", "invalid_request_error", "wrong_api_key"),
}
# (scripted 400, the message Brisk reports) in each vendor's error body
BAD_REQUEST = {
    "glm4": (Error(400, "模型不存在，请检查模型代码。", code="1211"), "模型不存在，请检查模型代码。"),
    "siliconflow": (Error(400, "Model does not exist. Please check it carefully."), "Model does not exist. Please check it carefully."),
    "openrouter": (Error(400, "openai/gpt-x is not a valid model ID"), "openai/gpt-x is not a valid model ID"),
    "gemini": (Error(400, "* GenerateContentRequest.contents: contents is not specified\n"), "* GenerateContentRequest.contents: contents is not specified\n"),
    # the ollama client (and Agno) add the status code to the message
    "ollama": (
        Error(400, "registry.ollama.ai/library/gemma:2b does not support tools"),
        "registry.ollama.ai/library/gemma:2b does not support tools (status code: 400)",
    ),
}  # fmt: skip


def _no_key(e: BaseException, caplog: pytest.LogCaptureFixture) -> None:
    assert KEY not in str(e) and KEY not in repr(e.args)
    assert KEY not in caplog.text


async def _call(model: Any, stream: bool) -> str:
    if stream:
        return "".join([c.content or "" async for c in model.ainvoke_stream(msgs("hello"))])
    return (await model.ainvoke(msgs("hello"))).content or ""


@ALL
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
async def test_bad_key_is_an_authentication_error(
    case: Case, stream: bool, provider_mock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    mock = provider_mock(case.provider)
    mock.script(
        BAD_KEY.get(case.provider, Error(401, "Invalid API Key", "invalid_request_error", "invalid_api_key"))
    )
    with pytest.raises(ModelAuthenticationError) as ei:
        await _call(case.model(mock), stream)
    e = ei.value
    assert e.status_code == case.native_error_401 and len(mock.requests) == 1  # never retried
    if case.provider == "siliconflow":
        assert str(e) == '"Invalid token"'  # SiliconFlow's bare JSON string, kept as Agno keeps the text
    assert e.model_id == case.model_id
    _no_key(e, caplog)


@ALL
async def test_forbidden_is_an_authentication_error(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    mock.script(Error(403, "Permission denied", "permission_error"))
    with pytest.raises(ModelAuthenticationError) as ei:
        await case.model(mock).ainvoke(msgs("hello"))
    assert ei.value.status_code == 403


@ALL
async def test_key_echoed_by_the_provider_is_redacted(
    case: Case, provider_mock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    mock = provider_mock(case.provider)
    mock.script(Error(401, f"Incorrect API key provided: {KEY}.", code="invalid_api_key"))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ModelProviderError) as ei:
        await case.model(mock).ainvoke(msgs("hello"))
    if case.provider == "ollama":
        return  # local Ollama has no key to leak
    assert "[redacted]" in str(ei.value) or case.provider == "siliconflow"
    _no_key(ei.value, caplog)


@ALL
async def test_rate_limit_carries_the_wait(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    # Gemini puts the wait in the body (RetryInfo.retryDelay "17s"); the others in Retry-After.
    mock.script(
        Error(
            429,
            "Rate limit reached. Please try again in 7s.",
            "tokens",
            "rate_limit_exceeded",
            retry_after_s="7",
        )
    )
    with pytest.raises(ModelRateLimitError) as ei:
        await case.model(mock, max_retries=0).ainvoke(msgs("hello"))
    assert ei.value.status_code == 429
    assert ei.value.retry_after == (17.0 if case.provider == "gemini" else 7.0)


@ALL
async def test_429_retried_only_where_agno_retries(
    case: Case, provider_mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_retries(monkeypatch, case)
    mock = provider_mock(case.provider)
    mock.script(
        Error(429, "slow down", retry_after=0.001), Error(429, "slow down", retry_after=0.001), Text("ok")
    )
    model = case.model(mock)
    if case.retries:  # openai, groq and cerebras SDKs: 2 retries
        assert (await model.ainvoke(msgs("hello"))).content == "ok"
        assert len(mock.requests) == 3
    else:  # ollama-python and google-genai: none
        with pytest.raises(ModelRateLimitError):
            await model.ainvoke(msgs("hello"))
        assert len(mock.requests) == 1


@ALL
async def test_server_errors(case: Case, provider_mock: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_retries(monkeypatch, case)
    mock = provider_mock(case.provider)
    mock.script(
        Error(500, "internal error"), Error(502, "bad gateway"), Error(503, "The model is overloaded.")
    )
    with pytest.raises(ModelProviderError) as ei:
        await case.model(mock).ainvoke(msgs("hello"))
    e = ei.value
    assert type(e) is ModelProviderError
    if case.retries:
        assert len(mock.requests) == 3 and e.status_code == 503 and str(e) == "The model is overloaded."
    else:
        suffix = " (status code: 500)" if case.provider == "ollama" else ""
        assert len(mock.requests) == 1 and e.status_code == 500 and str(e) == "internal error" + suffix


@ALL
async def test_bad_request_bodies(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    error, message = BAD_REQUEST.get(
        case.provider, (Error(400, "Invalid 'messages'.", "invalid_request_error"), "Invalid 'messages'.")
    )
    mock.script(error)
    with pytest.raises(ModelProviderError) as ei:
        await case.model(mock).ainvoke(msgs("hello"))
    assert type(ei.value) is ModelProviderError
    assert str(ei.value) == message and ei.value.status_code == 400
    assert len(mock.requests) == 1


@ALL
async def test_context_window(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    mock.script(Error(400, "The input token count (200000) exceeds the maximum number of tokens allowed (128000).",
                      "invalid_request_error", "context_length_exceeded"))  # fmt: skip
    with pytest.raises(ContextWindowExceededError):
        await case.model(mock).ainvoke(msgs("hello"))


@ALL
async def test_timeout(case: Case, provider_mock: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_retries(monkeypatch, case)
    mock = provider_mock(case.provider)
    mock.script(*[Text("late", ttft=1.0)] * 3)
    with pytest.raises(ModelProviderError) as ei:
        await case.model(mock, timeout=0.15).ainvoke(msgs("hello"))
    assert str(ei.value) == "Request timed out."
    assert len(mock.requests) == (3 if case.retries else 1)


@ALL
async def test_stream_cut_midway(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    mock.script(Cut(after=3))
    got: list[str] = []
    with pytest.raises(ModelProviderError) as ei:
        async for c in case.model(mock).ainvoke_stream(msgs("hello")):
            got.append(c.content or "")
    assert "".join(got) == " ".join(FOX.split()[:3])  # what arrived was passed on before the error
    assert "interrupted" in str(ei.value)
    assert len(mock.requests) == 1  # a started stream is never retried


@ALL
async def test_error_inside_a_started_stream(case: Case, provider_mock: Any) -> None:
    mock = provider_mock(case.provider)
    mock.script(StreamError(after=2, message="Provider disconnected"))
    with pytest.raises(ModelProviderError) as ei:
        async for _ in case.model(mock).ainvoke_stream(msgs("hello")):
            pass
    assert str(ei.value) == "Provider disconnected"


@KEYED
async def test_missing_key_names_the_variable(
    case: Case, provider_mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in (case.key_env, "GEMINI_API_KEY", "MODELSCOPE_SDK_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    mock = provider_mock(case.provider)
    model = case.cls(id=case.model_id, base_url=mock.base_url)  # type: ignore[call-arg]  # builds fine
    with pytest.raises(MissingAPIKeyError) as ei:
        await model.ainvoke(msgs("hello"))
    e = ei.value
    assert isinstance(e, ModelAuthenticationError) and isinstance(e, ConfigurationError)
    assert e.env_var == case.key_env and case.key_env in str(e)
    assert mock.requests == []
    # the key taken from the environment at first use
    monkeypatch.setenv(case.key_env, KEY)
    model = case.cls(id=case.model_id, base_url=mock.base_url)  # type: ignore[call-arg]
    assert (await model.ainvoke(msgs("hello"))).content == FOX


async def test_modelscope_sdk_token_variable(provider_mock: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from brisk.models.modelscope import ModelScope

    monkeypatch.delenv("MODELSCOPE_API_KEY", raising=False)
    monkeypatch.setenv("MODELSCOPE_SDK_TOKEN", "ms-token-123")
    mock = provider_mock("modelscope")
    await ModelScope(base_url=mock.base_url).ainvoke(msgs("hello"))
    assert mock.requests[0].headers["authorization"] == "Bearer ms-token-123"


async def test_gemini_key_falls_back_to_gemini_api_key(
    gemini_mock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brisk.models.google import Gemini

    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    monkeypatch.setenv("GEMINI_API_KEY", "g-key")
    await Gemini(id="gemini-2.0-flash", base_url=gemini_mock.base_url).ainvoke(msgs("hello"))
    assert gemini_mock.requests[0].headers["x-goog-api-key"] == "g-key"
