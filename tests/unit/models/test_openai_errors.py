"""HTTP errors -> Brisk exceptions, retries as the openai SDK, broken streams, secrets kept out."""

from __future__ import annotations

import logging
import random
import socket
import time
from dataclasses import replace
from typing import Any, ClassVar

import pytest
from tests.mocks.openai_server import FOX, Cut, Error, OpenAIMock, Raw, StreamError, Text

from brisk.exceptions import (
    ConfigurationError,
    ContextWindowExceededError,
    ModelAuthenticationError,
    ModelProviderError,
    ModelRateLimitError,
)
from brisk.models._retry import (
    MissingAPIKeyError,
    RetryPolicy,
    error_from_response,
    extract_error,
    parse_retry_after,
    redact,
    retry_delay,
    should_retry,
)
from brisk.models.message import Message
from brisk.models.openai import ChatProfile, OpenAIChat

KEY = "sk-proj-SECRETSECRET0123456789"
MSGS = [Message("system", "s"), Message("user", "hello")]


class FastRetry(OpenAIChat):
    """Backoff in milliseconds so retry tests stay fast."""

    profile: ClassVar[ChatProfile] = replace(
        OpenAIChat.profile, retry=RetryPolicy(initial_delay=0.001, max_delay=0.002)
    )


def _model(mock: OpenAIMock, cls: type[OpenAIChat] = FastRetry, **kw: Any) -> OpenAIChat:
    return cls(id="gpt-4o-mini", api_key=KEY, base_url=mock.base_url, **kw)


async def _drain(model: OpenAIChat) -> str:
    return "".join([c.content or "" async for c in model.ainvoke_stream(MSGS)])


async def test_500_message_is_agnos_after_three_attempts(openai_mock: OpenAIMock) -> None:
    # The reference: Agno surfaced "mock injected server error" after the SDK's 2 retries (3 requests).
    openai_mock.script(Error(), Error(), Error())
    with pytest.raises(ModelProviderError) as ei:
        await _model(openai_mock).ainvoke(MSGS)
    e = ei.value
    assert type(e) is ModelProviderError
    assert str(e) == "mock injected server error"
    assert e.status_code == 500 and e.error_type == "model_provider_error"
    assert e.model_name == "OpenAIChat" and e.model_id == "gpt-4o-mini"
    assert len(openai_mock.requests) == 3


async def test_default_backoff_timing(openai_mock: OpenAIMock) -> None:
    # The real policy (0.5 s then 1 s, with up to 25 % jitter off) with one retry only.
    openai_mock.script(Error(503), Text("ok"))
    t0 = time.perf_counter()
    r = await _model(openai_mock, OpenAIChat).ainvoke(MSGS)
    assert r.content == "ok"
    assert 0.37 <= time.perf_counter() - t0 < 1.0


async def test_retry_on_500_then_success(openai_mock: OpenAIMock) -> None:
    openai_mock.script(Error(500), Error(502))
    assert await _drain(_model(openai_mock)) == FOX
    assert len(openai_mock.requests) == 3


async def test_retry_after_is_honoured(openai_mock: OpenAIMock) -> None:
    openai_mock.script(Error(429, "slow down", "tokens", "rate_limit_exceeded", retry_after=0.15), Text("ok"))
    t0 = time.perf_counter()
    r = await _model(openai_mock).ainvoke(MSGS)
    assert r.content == "ok" and len(openai_mock.requests) == 2
    assert time.perf_counter() - t0 >= 0.15


async def test_rate_limit_error_after_retries(openai_mock: OpenAIMock) -> None:
    openai_mock.script(
        *[Error(429, "Rate limit reached", "tokens", "rate_limit_exceeded", retry_after_s="0.01")] * 3
    )
    with pytest.raises(ModelRateLimitError) as ei:
        await _model(openai_mock).ainvoke(MSGS)
    assert ei.value.status_code == 429 and ei.value.retry_after == pytest.approx(0.01)
    assert str(ei.value) == "Rate limit reached"
    assert len(openai_mock.requests) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_no_retry_on_client_errors(openai_mock: OpenAIMock, status: int) -> None:
    openai_mock.script(Error(status, f"bad {status}", "invalid_request_error"))
    with pytest.raises(ModelProviderError) as ei:
        await _model(openai_mock).ainvoke(MSGS)
    assert ei.value.status_code == status and str(ei.value) == f"bad {status}"
    assert isinstance(ei.value, ModelAuthenticationError) == (status in (401, 403))
    assert len(openai_mock.requests) == 1


async def test_x_should_retry_header_wins(openai_mock: OpenAIMock) -> None:
    openai_mock.script(Error(500, headers={"x-should-retry": "false"}))
    with pytest.raises(ModelProviderError):
        await _model(openai_mock).ainvoke(MSGS)
    assert len(openai_mock.requests) == 1
    openai_mock.reset()
    openai_mock.script(Error(400, headers={"x-should-retry": "true"}), Text("ok"))
    assert (await _model(openai_mock).ainvoke(MSGS)).content == "ok"


async def test_max_retries_zero(openai_mock: OpenAIMock) -> None:
    openai_mock.script(Error(500))
    with pytest.raises(ModelProviderError):
        await _model(openai_mock, max_retries=0).ainvoke(MSGS)
    assert len(openai_mock.requests) == 1


async def test_context_window_exceeded(openai_mock: OpenAIMock) -> None:
    openai_mock.script(
        Error(
            400,
            "This model's maximum context length is 128000 tokens.",
            "invalid_request_error",
            "context_length_exceeded",
        )
    )
    with pytest.raises(ContextWindowExceededError) as ei:
        await _model(openai_mock).ainvoke(MSGS)
    assert ei.value.status_code == 400 and ei.value.error_type == "model_provider_error"
    # detected from the wording too, whatever the code
    e = error_from_response(413, b'{"error":{"message":"Request too large for model"}}')
    assert isinstance(e, ContextWindowExceededError)


async def test_stream_error_before_content(openai_mock: OpenAIMock) -> None:
    openai_mock.script(
        Error(401, f"Incorrect API key provided: {KEY}.", "invalid_request_error", "invalid_api_key")
    )
    with pytest.raises(ModelAuthenticationError) as ei:
        await _drain(_model(openai_mock))
    assert KEY not in str(ei.value) and "[redacted]" in str(ei.value)
    assert len(openai_mock.requests) == 1


async def test_mid_stream_break_raises_and_is_not_retried(openai_mock: OpenAIMock) -> None:
    openai_mock.script(Cut(after=4))
    got: list[str] = []
    with pytest.raises(ModelProviderError) as ei:
        async for c in _model(openai_mock).ainvoke_stream(MSGS):
            got.append(c.content or "")
    assert "".join(got) == "the quick brown fox"
    assert "interrupted" in str(ei.value)
    assert len(openai_mock.requests) == 1


async def test_error_event_inside_stream(openai_mock: OpenAIMock) -> None:
    openai_mock.script(StreamError(after=2, message=f"upstream died (key {KEY})"))
    with pytest.raises(ModelProviderError) as ei:
        await _drain(_model(openai_mock))
    assert str(ei.value) == "upstream died (key [redacted])"


async def test_connection_refused_is_retried_then_raised(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    model = FastRetry(id="m", api_key=KEY, base_url=f"http://127.0.0.1:{port}/v1")
    caplog.set_level(logging.DEBUG, logger="brisk")
    with pytest.raises(ModelProviderError) as ei:
        await model.ainvoke(MSGS)
    assert str(ei.value) == "Connection error."
    assert ei.value.__cause__ is None
    assert KEY not in caplog.text
    with pytest.raises(ModelProviderError):
        await _drain(model)


async def test_unusable_2xx_bodies(openai_mock: OpenAIMock) -> None:
    openai_mock.script(
        Raw(b"<html>gateway page</html>", content_type="text/html"),
        Raw(b'{"error":{"message":"failed inside a 200"}}'),
        Raw(b"data: not json\n\n", content_type="text/event-stream"),
        Raw(b'data: {"choices":[{"delta":{"content":"partial"}}]}\n\n', content_type="text/event-stream"),
    )
    model = _model(openai_mock)
    with pytest.raises(ModelProviderError, match="Invalid response from provider: <html>gateway page"):
        await model.ainvoke(MSGS)
    with pytest.raises(ModelProviderError, match="^failed inside a 200$"):
        await model.ainvoke(MSGS)
    with pytest.raises(ModelProviderError, match="Invalid stream chunk"):
        await _drain(model)
    # the body ends without [DONE] and without a finish_reason: an interrupted answer
    with pytest.raises(ModelProviderError, match="closed the stream early"):
        await _drain(model)
    assert len(openai_mock.requests) == 4


async def test_unknown_path_is_a_404(openai_mock: OpenAIMock) -> None:
    class OtherPath(FastRetry):
        profile: ClassVar[ChatProfile] = replace(FastRetry.profile, chat_path="/embeddings")

    model = OtherPath(id="m", api_key=KEY, base_url=openai_mock.base_url)
    with pytest.raises(ModelProviderError) as ei:
        await model.ainvoke(MSGS)
    assert ei.value.status_code == 404 and "Unknown path" in str(ei.value)


async def test_missing_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    model = OpenAIChat(id="gpt-4o")  # construction works, as in Agno
    with pytest.raises(MissingAPIKeyError) as ei:
        await model.ainvoke(MSGS)
    e = ei.value
    assert str(e) == "OPENAI_API_KEY not set. Please set the OPENAI_API_KEY environment variable."
    assert (
        isinstance(e, ModelAuthenticationError)
        and isinstance(e, ConfigurationError)
        and isinstance(e, ValueError)
    )
    assert e.error_type == "model_provider_error" and e.env_var == "OPENAI_API_KEY"


async def test_key_never_in_messages_or_logs(
    openai_mock: OpenAIMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    openai_mock.script(
        Error(500, f"server saw Authorization: Bearer {KEY}", retry_after=0.001),
        Error(500, f"server saw {KEY}", retry_after=0.001),
        Error(500, body=f"plain text with {KEY}"),
    )
    model = _model(openai_mock)
    with pytest.raises(ModelProviderError) as ei:
        await model.ainvoke(MSGS)
    assert KEY not in str(ei.value) and KEY not in repr(ei.value)
    assert str(ei.value) == "plain text with [redacted]"
    assert KEY not in caplog.text
    assert KEY not in repr(model)


# -- pure functions ----------------------------------------------------------------------------------


def test_extract_error_shapes() -> None:
    assert extract_error(b'{"error":{"message":"m","code":"c"}}') == ("m", "c")
    assert extract_error(b'{"error":{"type":"x"}}') == ("Unknown model error", None)
    assert extract_error(b'{"error":"model not found"}') == ("model not found", None)  # Ollama
    assert extract_error(b'{"code":20012,"message":"Model does not exist."}') == (
        "Model does not exist.",
        20012,
    )
    assert extract_error(b'"Invalid token"') == ('"Invalid token"', None)  # SiliconFlow's bare string
    assert extract_error(b"<html>Bad Gateway</html>") == ("<html>Bad Gateway</html>", None)
    assert extract_error(b"{}") == ("Unknown model error", None)
    assert extract_error("text") == ("text", None)


def test_should_retry_statuses() -> None:
    assert [
        s for s in (400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 529) if should_retry(s)
    ] == [
        408,
        409,
        429,
        500,
        502,
        503,
        529,
    ]
    assert should_retry(500, {"x-should-retry": "false"}) is False
    assert should_retry(400, {"X-Should-Retry": "true"}) is True


def test_retry_delay_policy() -> None:
    p = RetryPolicy()
    random.seed(1)
    delays = [retry_delay(i, None, p) for i in range(6)]
    for i, d in enumerate(delays):
        base = min(0.5 * 2**i, 8.0)
        assert 0.75 * base <= d <= base
    assert retry_delay(0, {"retry-after-ms": "250"}, p) == 0.25
    assert retry_delay(0, {"retry-after": "3"}, p) == 3.0
    assert retry_delay(0, {"retry-after": "120"}, p) <= 0.5  # too long: ignored, backoff instead
    assert retry_delay(0, {"retry-after": "0"}, p) <= 0.5


def test_parse_retry_after_forms() -> None:
    from email.utils import formatdate

    assert parse_retry_after(None) is None
    assert parse_retry_after({"retry-after-ms": "x", "retry-after": "2.5"}) == 2.5
    in_5s = parse_retry_after({"retry-after": formatdate(time.time() + 5, usegmt=True)})
    assert in_5s is not None and 3 <= in_5s <= 6
    assert parse_retry_after({"retry-after": "soon"}) is None


def test_redact() -> None:
    assert redact("a KEY b KEY", ["KEY"]) == "a [redacted] b [redacted]"
    assert redact("not-provided stays", ["not-provided"]) == "not-provided stays"
    assert redact("x", None) == "x"


async def test_timeouts(openai_mock: OpenAIMock) -> None:
    # no answer within `timeout`: retried like the SDK, then "Request timed out."
    openai_mock.script(Text("late", ttft=0.5), Text("late", ttft=0.5))
    model = _model(openai_mock, timeout=0.05, max_retries=1)
    with pytest.raises(ModelProviderError, match=r"^Request timed out\.$"):
        await model.ainvoke(MSGS)
    assert len(openai_mock.requests) == 2
    # a stream that stalls after it started: interrupted, not retried
    openai_mock.reset()
    openai_mock.script(Text("a b c", ttft=0.5))
    with pytest.raises(ModelProviderError, match="Request timed out. The stream was interrupted"):
        await _drain(_model(openai_mock, timeout=0.1))
    assert len(openai_mock.requests) == 1


@pytest.mark.parametrize("url", ["http://[bad", "localhost:8000/v1", "ftp://host/v1"])
async def test_invalid_base_url(url: str) -> None:
    model = FastRetry(id="m", api_key=KEY, base_url=url)
    with pytest.raises(ConfigurationError, match="base_url must be an absolute http"):
        await model.ainvoke(MSGS)


async def test_rate_limit_inside_stream_is_classified(openai_mock: OpenAIMock) -> None:
    openai_mock.script(
        Raw(
            b'data: {"error":{"message":"maximum context length exceeded","code":400}}\n\n',
            content_type="text/event-stream",
        )
    )
    with pytest.raises(ContextWindowExceededError):
        await _drain(_model(openai_mock))


async def test_secret_headers_are_redacted_too(openai_mock: OpenAIMock) -> None:
    openai_mock.script(Error(400, "echo: azure-secret-value and tok-123456"))
    model = _model(openai_mock, default_headers={"api-key": "azure-secret-value", "X-Trace": "tok-123456"})
    with pytest.raises(ModelProviderError) as ei:
        await model.ainvoke(MSGS)
    assert str(ei.value) == "echo: [redacted] and tok-123456"  # X-Trace is not a credential header
    assert openai_mock.requests[0].headers["api-key"] == "azure-secret-value"
