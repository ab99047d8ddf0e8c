"""``@tool``: turn a function into a ``Function`` (as Agno does, the result is a ``Function``, not a
callable; the original function stays reachable as ``.entrypoint``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar, overload

from brisk.tools._introspect import callable_name
from brisk.tools.function import Function

F = TypeVar("F", bound=Callable[..., Any])

# Agno 3.1.10's @tool keywords. The hooks are accepted by name so the error can say they are not
# implemented, rather than calling them unknown.
_SUPPORTED = frozenset(
    {
        "name",
        "description",
        "title",
        "annotations",
        "strict",
        "instructions",
        "add_instructions",
        "show_result",
        "stop_after_tool_call",
        "requires_confirmation",
        "requires_user_input",
        "user_input_fields",
        "external_execution",
        "external_execution_silent",
        "cache_results",
        "cache_dir",
        "cache_ttl",
    }
)
_NOT_IMPLEMENTED = frozenset({"pre_hook", "post_hook", "tool_hooks"})


class ToolOptionError(TypeError, ValueError):
    """An unknown ``@tool`` keyword. A TypeError like any bad keyword, and a ValueError as in Agno."""


@overload
def tool(func: F, /) -> Function: ...


@overload
def tool(
    *,
    name: str | None = None,
    description: str | None = None,
    title: str | None = None,
    annotations: dict[str, Any] | None = None,
    strict: bool | None = None,
    instructions: str | None = None,
    add_instructions: bool = True,
    show_result: bool | None = None,
    stop_after_tool_call: bool | None = None,
    requires_confirmation: bool | None = None,
    requires_user_input: bool | None = None,
    user_input_fields: list[str] | None = None,
    external_execution: bool | None = None,
    external_execution_silent: bool | None = None,
    cache_results: bool = False,
    cache_dir: str | None = None,
    cache_ttl: int = 3600,
) -> Callable[[F], Function]: ...


def tool(func: Callable[..., Any] | None = None, /, **options: Any) -> Function | Callable[[F], Function]:
    """Make ``func`` a tool: ``@tool`` or ``@tool(name=..., stop_after_tool_call=True, ...)``.

    The schema and description come from the signature and docstring (see ``Function``).
    ``stop_after_tool_call=True`` also sets ``show_result=True`` unless ``show_result`` is given.
    Only one of ``requires_confirmation``, ``requires_user_input`` and ``external_execution`` may be
    set. Unknown keywords raise ``ToolOptionError`` (a TypeError) naming them.
    """
    _check_options(options)
    if func is None:

        def decorate(f: F) -> Function:
            return _make(f, options)

        return decorate
    return _make(func, options)


def _check_options(options: dict[str, Any]) -> None:
    unknown = sorted(set(options) - _SUPPORTED - _NOT_IMPLEMENTED)
    if unknown:
        raise ToolOptionError(
            f"tool() got unknown option(s): {', '.join(unknown)}. Valid options are: {', '.join(sorted(_SUPPORTED))}"
        )
    hooks = sorted(k for k in _NOT_IMPLEMENTED if options.get(k) is not None)
    if hooks:
        raise TypeError(f"tool(): {', '.join(hooks)} are not supported by Brisk yet; remove them")
    if options.get("cache_results"):
        raise TypeError("tool(): cache_results=True is not supported by Brisk (results are never cached)")
    exclusive = [
        k for k in ("requires_user_input", "requires_confirmation", "external_execution") if options.get(k)
    ]
    if len(exclusive) > 1:
        raise ValueError(
            "Only one of 'requires_user_input', 'requires_confirmation', or 'external_execution' can be set "
            f"to True at the same time (got {', '.join(exclusive)})"
        )


def _make(func: Callable[..., Any], options: dict[str, Any]) -> Function:
    if isinstance(func, Function):
        raise TypeError(f"{func.name!r} is already a tool")
    if isinstance(func, staticmethod):
        func = func.__func__
    if not callable(func):
        raise TypeError(f"@tool needs a function, got {type(func).__name__}")
    # A None option means "not given": the Function default applies (as in Agno).
    fields = {k: v for k, v in options.items() if v is not None and k not in _NOT_IMPLEMENTED}
    if fields.get("user_input_fields"):
        fields["requires_user_input"] = True
    if fields.get("stop_after_tool_call") is True and "show_result" not in fields:
        fields["show_result"] = True
    name = fields.pop("name", None) or callable_name(func)
    strict = fields.pop("strict", None)
    f = Function(name=name, entrypoint=func, **fields)
    # Agno derives a @tool's schema without strict and applies strict on top at run time; doing the
    # same keeps the key order of what is sent identical.
    return replace(f, strict=strict) if strict is not None else f
