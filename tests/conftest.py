"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.mocks.openai_server import OpenAIMock


@pytest.fixture(scope="session")
def _openai_mock_server() -> Iterator[OpenAIMock]:
    # One server thread for the whole session: it serves sync and async tests alike, whatever loop
    # the test runs on. Each test gets it reset by ``openai_mock``.
    mock = OpenAIMock().start_in_thread()
    yield mock
    mock.stop_thread()


@pytest.fixture
def openai_mock(_openai_mock_server: OpenAIMock) -> Iterator[OpenAIMock]:
    """A loopback OpenAI Chat Completions mock: ``.base_url``, ``.requests``, ``.script(...)``."""
    _openai_mock_server.reset()
    yield _openai_mock_server
    _openai_mock_server.reset()


# -- provider mocks (one loopback server per wire format; see tests/mocks/) ---------------------------


@pytest.fixture(scope="session")
def _provider_mock_servers() -> Iterator[Any]:
    # Started on first use and kept for the session, each in its own thread (like _openai_mock_server).
    from tests.mocks.compat_server import FLAVORS, CompatMock
    from tests.mocks.gemini_server import GeminiMock
    from tests.mocks.ollama_server import OllamaMock

    servers: dict[str, OpenAIMock] = {}

    def get(provider: str) -> OpenAIMock:
        if provider not in servers:
            if provider == "ollama":
                servers[provider] = OllamaMock().start_in_thread()
            elif provider == "gemini":
                servers[provider] = GeminiMock().start_in_thread()
            elif provider in FLAVORS:
                servers[provider] = CompatMock(provider).start_in_thread()
            else:
                raise KeyError(f"no mock for provider {provider!r}")
        return servers[provider]

    yield get
    for s in servers.values():
        s.stop_thread()


@pytest.fixture
def provider_mock(_provider_mock_servers: Any) -> Iterator[Any]:
    """``provider_mock("groq")``: the (reset) loopback mock speaking that provider's wire format.

    Providers: openai, openrouter, siliconflow, glm4, modelscope, groq, cerebras (``CompatMock``),
    ollama (``OllamaMock``), gemini (``GeminiMock``)."""
    used: list[OpenAIMock] = []

    def get(provider: str) -> OpenAIMock:
        mock = _provider_mock_servers(provider)
        mock.reset()
        used.append(mock)
        return mock

    yield get
    for m in used:
        m.reset()


@pytest.fixture
def ollama_mock(provider_mock: Any) -> OpenAIMock:
    return provider_mock("ollama")


@pytest.fixture
def gemini_mock(provider_mock: Any) -> OpenAIMock:
    return provider_mock("gemini")
