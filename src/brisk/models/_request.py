"""One POST to a provider, with the retry policy, error mapping and key redaction every provider shares.

``OpenAIChat`` has its own copy of this loop (it predates the native providers); Ollama, Gemini and the
embedders use this one. The caller releases the returned response (``resp.release()``) or reads it with
``read_body``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
import msgspec

from brisk.exceptions import ModelProviderError
from brisk.models._http import get_session
from brisk.models._retry import (
    RetryPolicy,
    connection_error,
    error_from_response,
    redact,
    retry_delay,
    should_retry,
)

__all__ = ["ErrorMapper", "NO_RETRY", "json_encoder", "post", "read_body", "read_json"]

log = logging.getLogger("brisk.models")

json_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()

# google-genai and ollama-python do not retry (Agno adds none either): their providers use this policy.
NO_RETRY = RetryPolicy(max_retries=0)

# (status, body, headers, model_name, model_id, secrets) -> the exception to raise
ErrorMapper = Callable[..., ModelProviderError]


def _default_mapper(
    status: int,
    raw: bytes,
    headers: Mapping[str, str],
    *,
    model_name: str | None,
    model_id: str | None,
    secrets: tuple[str, ...],
) -> ModelProviderError:
    return error_from_response(
        status, raw, headers, model_name=model_name, model_id=model_id, secrets=secrets
    )


async def post(
    url: Any,
    body: Any,
    headers: Mapping[str, str],
    timeout: aiohttp.ClientTimeout,
    *,
    policy: RetryPolicy,
    max_retries: int | None,
    model_name: str | None,
    model_id: str | None,
    secrets: tuple[str, ...],
    to_error: ErrorMapper | None = None,
) -> aiohttp.ClientResponse:
    """POST ``body`` (a dict, or bytes already encoded) and return a 2xx response, retrying per ``policy``.

    Only the request is retried: once the caller starts reading a stream, a failure is final.
    """
    data = body if isinstance(body, bytes | bytearray) else json_encoder.encode(body)
    session = get_session()
    mapper = to_error or _default_mapper
    retries = policy.max_retries if max_retries is None else max_retries
    attempt = 0
    while True:
        try:
            resp = await session.post(url, data=data, headers=dict(headers), timeout=timeout)
        except (aiohttp.ClientError, TimeoutError) as e:
            if attempt < retries and not isinstance(e, aiohttp.InvalidURL):
                delay = retry_delay(attempt, None, policy)
                log.info("%s: connection failed, retry %d in %.2fs", model_id, attempt + 1, delay)
                attempt += 1
                await asyncio.sleep(delay)
                continue
            raise connection_error(e, model_name=model_name, model_id=model_id, secrets=secrets) from None
        if resp.status < 400:
            return resp
        try:
            raw = await resp.read()
        except (aiohttp.ClientError, TimeoutError):
            raw = b""
        finally:
            resp.release()
        if attempt < retries and should_retry(resp.status, resp.headers):
            delay = retry_delay(attempt, resp.headers, policy)
            log.info("%s: HTTP %d, retry %d in %.2fs", model_id, resp.status, attempt + 1, delay)
            attempt += 1
            await asyncio.sleep(delay)
            continue
        raise mapper(
            resp.status, raw, resp.headers, model_name=model_name, model_id=model_id, secrets=secrets
        )


async def read_body(
    resp: aiohttp.ClientResponse, *, model_name: str | None, model_id: str | None, secrets: tuple[str, ...]
) -> bytes:
    """The whole body of a 2xx response; a connection that breaks while reading is a provider error."""
    try:
        return await resp.read()
    except (aiohttp.ClientError, TimeoutError) as e:
        raise connection_error(e, model_name=model_name, model_id=model_id, secrets=secrets) from None
    finally:
        resp.release()


def read_json(
    raw: bytes, *, model_name: str | None, model_id: str | None, secrets: tuple[str, ...]
) -> dict[str, Any]:
    """Decode a 2xx JSON body; anything but a JSON object is an invalid answer."""
    try:
        data = _decoder.decode(raw)
    except msgspec.DecodeError:
        data = None
    if not isinstance(data, dict):
        text = raw[:200].decode("utf-8", "replace")
        raise ModelProviderError(
            redact(f"Invalid response from provider: {text}", secrets),
            model_name=model_name,
            model_id=model_id,
        )
    return data
