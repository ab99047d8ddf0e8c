"""get_model: Model instances, "provider:model_id" strings, and the provider registry."""

from __future__ import annotations

import pytest

from brisk.exceptions import ConfigurationError
from brisk.models.demo import DemoModel
from brisk.models.openai import OpenAIChat, OpenAILike
from brisk.models.utils import MODEL_PROVIDERS, get_model, get_model_from_dict, register_model_provider


def test_strings() -> None:
    m = get_model("openai:gpt-4o")
    assert isinstance(m, OpenAIChat) and m.id == "gpt-4o"
    m = get_model(" OpenAI-Chat : gpt-4o-mini ")
    assert type(m) is OpenAIChat and m.id == "gpt-4o-mini"
    assert isinstance(get_model("openai-like:llama3"), OpenAILike)
    assert isinstance(get_model("demo:demo"), DemoModel)
    # the model id keeps its own colons
    assert get_model("openai:ft:gpt-4o:org:abc").id == "ft:gpt-4o:org:abc"


def test_model_and_none_pass_through() -> None:
    m = OpenAIChat(id="x")
    assert get_model(m) is m
    assert get_model(None) is None
    with pytest.raises(ConfigurationError):
        get_model(42)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", "gpt-4o", "openai:", ":gpt-4o", "   "])
def test_invalid_strings(bad: str) -> None:
    with pytest.raises(ValueError, match="format|non-empty"):
        get_model(bad)


def test_unsupported_providers_name_the_supported_ones() -> None:
    with pytest.raises(ConfigurationError) as ei:
        get_model("anthropic:claude-sonnet-4")
    assert "'anthropic' is not supported by Brisk yet" in str(ei.value)
    assert "openai" in str(ei.value) and "demo" in str(ei.value)
    with pytest.raises(ConfigurationError, match="'nope' is not supported. Supported providers: "):
        get_model("nope:x")


def test_register_provider() -> None:
    register_model_provider("Mine", "brisk.models.demo:DemoModel")
    try:
        assert isinstance(get_model("mine:m1"), DemoModel)
        with pytest.raises(ValueError):
            register_model_provider("bad", "no_colon")
    finally:
        MODEL_PROVIDERS.pop("mine", None)


def test_from_dict() -> None:
    assert (
        type(get_model_from_dict({"name": "OpenAIChat", "id": "gpt-4o", "provider": "OpenAI"})) is OpenAIChat
    )
    assert type(get_model_from_dict({"name": "OpenAILike", "id": "x", "provider": "OpenAI"})) is OpenAILike
    assert type(get_model_from_dict({"id": "x", "provider": "OpenAI"})) is OpenAIChat
    with pytest.raises(ConfigurationError):
        get_model_from_dict({"name": "OpenAIChat"})
    with pytest.raises(ConfigurationError):
        get_model_from_dict("x")  # type: ignore[arg-type]
