"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

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
