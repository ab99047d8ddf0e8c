"""HTTP errors of providers -> Brisk exceptions, and the retry policy around a provider request.

Retries follow the openai SDK that Agno relies on (``max_retries=2`` by default):

* retried: connection errors and timeouts, 408, 409, 429 and every 5xx; a response header
  ``x-should-retry: true|false`` overrides the status;
* delay: ``retry-after-ms``, else ``retry-after`` (seconds or an HTTP date) when it is in (0, 60] s;
  otherwise ``min(0.5 * 2**n, 8) * (1 - 0.25 * random())`` for the n-th retry;
* only the request is retried: once a stream has started, a failure ends the call (content may already
  have been shown to the user).

Error mapping follows what Agno ends up raising (its model wrapper re-classifies provider errors):

* the message is ``body["error"]["message"]`` (or ``body["error"]`` when it is a string, or a top-level
  ``message``), else the raw body text; ``"Unknown model error"`` when an ``error`` object has none;
* ``code == "context_length_exceeded"`` or a context-window wording -> ``ContextWindowExceededError``;
* 429 / 529 -> ``ModelRateLimitError``; 401 / 403 -> ``ModelAuthenticationError``;
* anything else -> ``ModelProviderError`` with the HTTP status.

API keys never reach an exception message or a log line: every text that leaves this module goes
through ``redact``.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from brisk.exceptions import (
    ConfigurationError,
    ContextWindowExceededError,
    ModelAuthenticationError,
    ModelProviderError,
    ModelRateLimitError,
)

__all__ = [
    "CONTEXT_WINDOW_PATTERNS",
    "MissingAPIKeyError",
    "RetryPolicy",
    "classify_error",
    "connection_error",
    "error_from_response",
    "extract_error",
    "redact",
    "retry_delay",
    "should_retry",
]

log = logging.getLogger("brisk.models")

# Agno's ModelProviderError.CONTEXT_WINDOW_PATTERNS (matched on the lower-cased message).
CONTEXT_WINDOW_PATTERNS: tuple[str, ...] = (
    "context_length_exceeded",
    "context window",
    "maximum context length",
    "token limit",
    "max_tokens",
    "too many tokens",
    "payload too large",
    "content_too_large",
    "request too large",
    "input too long",
    "prompt is too long",
    "prompt too long",
    "exceeds the model",
    "token count exceeds",
    "exceeds the maximum number of tokens",
)

_RETRY_STATUSES = frozenset({408, 409, 429})
_PLACEHOLDER_KEYS = frozenset({"", "not-provided"})


class MissingAPIKeyError(ModelAuthenticationError, ConfigurationError):
    """No API key configured. Both an authentication error (Agno raises ``ModelAuthenticationError``
    here) and a ``ConfigurationError`` (a ``ValueError``), so either ``except`` clause catches it."""

    def __init__(self, env_var: str, model_name: str | None = None, model_id: str | None = None) -> None:
        super().__init__(
            f"{env_var} not set. Please set the {env_var} environment variable.",
            status_code=401,
            model_name=model_name,
            model_id=model_id,
        )
        self.env_var = env_var


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    # A server-suggested wait longer than this is ignored in favour of the backoff (SDK behaviour).
    max_retry_after: float = 60.0


def redact(text: str, secrets: tuple[str, ...] | list[str] | None) -> str:
    """Replace every configured secret in ``text`` with ``[redacted]``."""
    if secrets:
        for s in secrets:
            if s and s not in _PLACEHOLDER_KEYS and s in text:
                text = text.replace(s, "[redacted]")
    return text


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    v = headers.get(name)
    if v is None:
        v = headers.get(name.title())
    return v


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait as asked by ``retry-after-ms`` / ``retry-after`` (seconds or HTTP date), or None."""
    ms = _header(headers, "retry-after-ms")
    if ms is not None:
        try:
            return float(ms) / 1000.0
        except ValueError:
            pass
    ra = _header(headers, "retry-after")
    if ra is None:
        return None
    try:
        return float(ra)
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(ra)
    if parsed is None:
        return None
    return float(email.utils.mktime_tz(parsed) - time.time())


def should_retry(status: int, headers: Mapping[str, str] | None = None) -> bool:
    flag = _header(headers, "x-should-retry")
    if flag == "true":
        return True
    if flag == "false":
        return False
    return status in _RETRY_STATUSES or status >= 500


def retry_delay(retry_index: int, headers: Mapping[str, str] | None, policy: RetryPolicy) -> float:
    """Seconds to sleep before retry number ``retry_index`` (0-based)."""
    suggested = parse_retry_after(headers)
    if suggested is not None and 0 < suggested <= policy.max_retry_after:
        return suggested
    base = min(policy.initial_delay * (2.0**retry_index), policy.max_delay)
    return max(0.0, base * (1.0 - 0.25 * random.random()))


def extract_error(body: bytes | str) -> tuple[str, Any]:
    """(message, code) from an error body, as Agno reads it, with the raw text as fallback."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes | bytearray) else body
    try:
        data = msgspec.json.decode(text)
    except msgspec.DecodeError:
        return text, None
    if not isinstance(data, dict):
        return text, None
    err = data.get("error")
    if isinstance(err, dict):
        msg = err.get("message")
        return (str(msg) if msg is not None else "Unknown model error"), err.get("code")
    if isinstance(err, str):
        return err, data.get("code")
    # Not OpenAI-shaped (e.g. SiliconFlow's {"code": 20012, "message": ...}): Agno reports "Unknown model
    # error" here; the provider's own message is more useful.
    msg = data.get("message")
    if isinstance(msg, str):
        return msg, data.get("code")
    return "Unknown model error", None


def classify_error(
    message: str,
    status: int,
    code: Any = None,
    model_name: str | None = None,
    model_id: str | None = None,
    retry_after: float | None = None,
) -> ModelProviderError:
    lowered = message.lower()
    cls: type[ModelProviderError]
    # Agno's order: the provider's own code, then rate limiting, then the context-window wordings.
    if code == "context_length_exceeded":
        cls = ContextWindowExceededError
    elif status in (429, 529):
        cls = ModelRateLimitError
    elif any(p in lowered for p in CONTEXT_WINDOW_PATTERNS):
        cls = ContextWindowExceededError
    elif status in (401, 403):
        cls = ModelAuthenticationError
    else:
        cls = ModelProviderError
    return cls(message, status_code=status, model_name=model_name, model_id=model_id, retry_after=retry_after)


def error_from_response(
    status: int,
    body: bytes | str,
    headers: Mapping[str, str] | None = None,
    *,
    model_name: str | None = None,
    model_id: str | None = None,
    secrets: tuple[str, ...] | list[str] | None = None,
) -> ModelProviderError:
    """The exception for an HTTP error answer of a provider."""
    message, code = extract_error(body)
    message = redact(message, secrets)
    err = classify_error(message, status, code, model_name, model_id, parse_retry_after(headers))
    log.warning("%s (%s) answered HTTP %d: %s", model_name, model_id, status, message)
    return err


def connection_error(
    exc: BaseException,
    *,
    model_name: str | None = None,
    model_id: str | None = None,
    secrets: tuple[str, ...] | list[str] | None = None,
) -> ModelProviderError:
    """The exception for a provider that could not be reached or stopped answering (SDK wording)."""
    timed_out = isinstance(exc, TimeoutError)
    message = "Request timed out." if timed_out else "Connection error."
    log.warning(
        "%s (%s): %s %s", model_name, model_id, message, redact(f"{type(exc).__name__}: {exc}", secrets)
    )
    # Agno wraps both in a plain ModelProviderError with its default status 502 (retryable).
    err = ModelProviderError(message, status_code=502, model_name=model_name, model_id=model_id)
    err.connection_failed = True  # no HTTP answer came back (see Ollama's status-code suffix)
    return err
