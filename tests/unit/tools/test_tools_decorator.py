"""``@tool``."""

from __future__ import annotations

import pytest

from brisk.tools import Function, tool
from brisk.tools.decorator import ToolOptionError


def lookup(code: str) -> str:
    """Look a code up.

    Args:
        code: The code.
    """
    return code.lower()


def test_bare_decorator_returns_a_function_not_a_callable() -> None:
    fn = tool(lookup)
    assert isinstance(fn, Function)
    assert not callable(fn)  # as in Agno: the decorated name is the Function
    assert fn.entrypoint is lookup
    assert fn.name == "lookup" and fn.description == "Look a code up."
    assert fn.parameters["properties"] == {"code": {"type": "string", "description": "The code."}}
    assert fn.add_instructions is True and fn.show_result is False and fn.stop_after_tool_call is False


def test_decorator_with_arguments() -> None:
    @tool(
        name="find",
        description="Find it.",
        instructions="Use find for codes.",
        add_instructions=False,
        requires_confirmation=True,
        title="Finder",
        annotations={"readOnlyHint": True},
        external_execution_silent=True,
    )
    def f(code: str) -> str:
        """Ignored docstring."""
        return code

    assert f.name == "find" and f.description == "Find it."
    assert f.instructions == "Use find for codes." and f.add_instructions is False
    assert f.requires_confirmation is True and f.title == "Finder"
    assert f.annotations == {"readOnlyHint": True} and f.external_execution_silent is True
    # Flags for the run loop never reach the model.
    assert set(f.to_dict()) == {"name", "description", "parameters"}


def test_empty_parentheses() -> None:
    fn = tool()(lookup)
    assert isinstance(fn, Function) and fn.name == "lookup"


def test_stop_after_tool_call_implies_show_result_unless_given() -> None:
    assert tool(stop_after_tool_call=True)(lookup).show_result is True
    explicit = tool(stop_after_tool_call=True, show_result=False)(lookup)
    assert explicit.stop_after_tool_call is True and explicit.show_result is False
    assert tool(show_result=True)(lookup).stop_after_tool_call is False


def test_none_means_not_given() -> None:
    fn = tool(show_result=None, name=None, stop_after_tool_call=None)(lookup)
    assert fn.show_result is False and fn.name == "lookup" and fn.stop_after_tool_call is False


def test_user_input_fields_imply_requires_user_input() -> None:
    fn = tool(user_input_fields=["code"])(lookup)
    assert fn.requires_user_input is True
    assert fn.parameters["properties"] == {}


def test_unknown_keywords_are_named() -> None:
    with pytest.raises(ToolOptionError) as info:
        tool(nmae="x", colour=1)
    message = str(info.value)
    assert "colour, nmae" in message and "Valid options are:" in message
    # A TypeError like any bad keyword, and a ValueError like Agno's.
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)


def test_exclusive_flags() -> None:
    with pytest.raises(ValueError, match="Only one of"):
        tool(requires_confirmation=True, external_execution=True)


@pytest.mark.parametrize("option", ["pre_hook", "post_hook", "tool_hooks"])
def test_hooks_are_not_supported(option: str) -> None:
    with pytest.raises(TypeError, match=option):
        tool(**{option: print})
    assert isinstance(tool(**{option: None})(lookup), Function)


def test_cache_results_is_rejected() -> None:
    with pytest.raises(TypeError, match="cache_results"):
        tool(cache_results=True)
    assert tool(cache_results=False, cache_ttl=10)(lookup).cache_ttl == 10


def test_strict_flag_is_sent() -> None:
    fn = tool(strict=True)(lookup)
    assert fn.to_dict()["strict"] is True
    assert fn.parameters["required"] == ["code"] and fn.parameters["additionalProperties"] is False
    assert tool(strict=False)(lookup).to_dict()["strict"] is False


def test_staticmethod_and_bad_targets() -> None:
    class Holder:
        @tool
        @staticmethod
        def ping(host: str) -> str:
            return host

    assert Holder.ping.name == "ping"
    assert list(Holder.ping.parameters["properties"]) == ["host"]
    with pytest.raises(TypeError, match="already a tool"):
        tool(tool(lookup))
    with pytest.raises(TypeError, match="needs a function"):
        tool()(42)  # type: ignore[arg-type]


async def test_decorated_async_function_runs() -> None:
    @tool
    async def shout(text: str) -> str:
        return text.upper()

    assert await shout.acall({"text": "hi"}) == "HI"
