"""``Toolkit``: a named group of tools, usually a class whose methods are the tools::

    class Weather(Toolkit):
        def __init__(self, **kwargs):
            super().__init__(name="weather", tools=[self.current, self.forecast], **kwargs)

Same constructor as Agno's. One difference: Brisk's run loop is async-only, so ``functions`` holds
every tool, sync and async (an ``async_tools`` variant replaces the sync tool of the same name);
``async_functions`` lists the async ones, and ``get_functions()`` / ``get_async_functions()`` both
return ``functions``.
"""

from __future__ import annotations

import inspect
import logging
import types
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from brisk.tools.function import Function

log = logging.getLogger("brisk.tools")

Tool = Callable[..., Any] | Function


class Toolkit:
    # True for toolkits holding connections: the agent calls connect() before a run and close() after.
    _requires_connect: bool = False

    def __init__(
        self,
        name: str = "toolkit",
        id: str | None = None,
        tools: Sequence[Tool] | None = None,
        async_tools: Sequence[tuple[Callable[..., Any], str]] | None = None,
        instructions: str | None = None,
        add_instructions: bool = False,
        include_tools: list[str] | None = None,
        exclude_tools: list[str] | None = None,
        requires_confirmation_tools: list[str] | None = None,
        external_execution_required_tools: list[str] | None = None,
        stop_after_tool_call_tools: list[str] | None = None,
        show_result_tools: list[str] | None = None,
        cache_results: bool = False,
        cache_ttl: int = 3600,
        cache_dir: str | None = None,
        timeout: int | None = None,
        auto_register: bool = True,
    ) -> None:
        if cache_results:
            raise TypeError(
                f"Toolkit '{name}': cache_results=True is not supported by Brisk (results are never cached)"
            )
        self.name: str = name
        self.id: str = id if id is not None else _id_from_name(name)
        self.tools: Sequence[Tool] = list(tools or [])
        self._async_tools: Sequence[tuple[Callable[..., Any], str]] = list(async_tools or [])
        self.functions: dict[str, Function] = {}
        self.async_functions: dict[str, Function] = {}
        self.instructions: str | None = instructions
        self.add_instructions: bool = add_instructions
        self.requires_confirmation_tools: list[str] = list(requires_confirmation_tools or [])
        self.external_execution_required_tools: list[str] = list(external_execution_required_tools or [])
        self.stop_after_tool_call_tools: list[str] = list(stop_after_tool_call_tools or [])
        self.show_result_tools: list[str] = list(show_result_tools or [])
        self.cache_results = cache_results
        self.cache_ttl = cache_ttl
        self.cache_dir = cache_dir
        self._check_filters([_tool_name(t) for t in self.tools], include_tools, exclude_tools)
        self.include_tools = include_tools
        self.exclude_tools = exclude_tools
        # A subclass may set self.timeout before calling us; only an explicit value overrides it.
        if timeout is not None or not hasattr(self, "timeout"):
            self.timeout: Any = timeout
        if auto_register:
            for t in self.tools:
                self.register(t)
            for fn, tool_name in self._async_tools:
                self.register(fn, name=tool_name)

    def _check_filters(
        self, available: list[str], include: list[str] | None, exclude: list[str] | None
    ) -> None:
        known = set(available)
        shown = ", ".join(available) or "none"
        for label, names in (("Included", include), ("Excluded", exclude)):
            missing = [n for n in names or () if n not in known]
            if missing:
                raise ValueError(
                    f"{label} tool(s) not present in the toolkit '{self.name}': {', '.join(missing)} (available: {shown})"
                )
        for label, names in (
            ("Requires confirmation", self.requires_confirmation_tools),
            ("External execution required", self.external_execution_required_tools),
            ("Stop after tool call", self.stop_after_tool_call_tools),
            ("Show result", self.show_result_tools),
        ):
            missing = [n for n in names if n not in known]
            if missing:
                log.warning(
                    "%s tool(s) not present in the toolkit '%s': %s", label, self.name, ", ".join(missing)
                )

    def _wanted(self, tool_name: str) -> bool:
        if self.include_tools and tool_name not in self.include_tools:
            return False
        return not (self.exclude_tools and tool_name in self.exclude_tools)

    def register(self, function: Tool, name: str | None = None) -> None:
        """Add one tool (a callable or a ``Function`` from ``@tool``), unless include/exclude filter it out.

        A ``@tool``-decorated method is bound to this toolkit; the decorator's flags win over the
        toolkit's lists where they are set.
        """
        if isinstance(function, Function):
            f = self._bind_decorated(function, name)
        else:
            tool_name = name or _tool_name(function)
            if not self._wanted(tool_name):
                return
            stop = tool_name in self.stop_after_tool_call_tools
            f = Function.from_callable(
                function,
                name=tool_name,
                requires_confirmation=tool_name in self.requires_confirmation_tools,
                external_execution=tool_name in self.external_execution_required_tools,
                stop_after_tool_call=stop,
                show_result=stop or tool_name in self.show_result_tools,
            )
        if f is None:
            return
        self.functions[f.name] = f
        if f.entrypoint is not None and inspect.iscoroutinefunction(f.entrypoint):
            self.async_functions[f.name] = f

    def _bind_decorated(self, function: Function, name: str | None) -> Function | None:
        tool_name = name or function.name
        if not self._wanted(tool_name):
            return None
        entrypoint = function.entrypoint
        if entrypoint is None:
            log.warning("Function '%s' has no entrypoint, skipping registration", tool_name)
            return None
        params = list(inspect.signature(entrypoint).parameters)
        if params and params[0] == "self" and not inspect.ismethod(entrypoint):
            # @tool on a method saw the plain function; bind it to this instance.
            entrypoint = types.MethodType(entrypoint, self)
        stop = function.stop_after_tool_call or tool_name in self.stop_after_tool_call_tools
        return replace(
            function,
            name=tool_name,
            entrypoint=entrypoint,
            stop_after_tool_call=stop,
            show_result=function.show_result or tool_name in self.show_result_tools or stop,
            requires_confirmation=function.requires_confirmation
            or tool_name in self.requires_confirmation_tools,
            external_execution=function.external_execution
            or tool_name in self.external_execution_required_tools,
        )

    def get_functions(self) -> dict[str, Function]:
        return self.functions

    def get_async_functions(self) -> dict[str, Function]:
        return self.functions

    @property
    def requires_connect(self) -> bool:
        return self._requires_connect

    def connect(self) -> None:
        """Open connections; override in toolkits that need them (``_requires_connect = True``)."""

    def close(self) -> None:
        """Close connections opened by ``connect()``."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.id} name={self.name} functions={list(self.functions)}>"

    __str__ = __repr__


def _tool_name(tool: Any) -> str:
    if isinstance(tool, Function):
        return tool.name
    name = getattr(tool, "__name__", None)
    if not isinstance(name, str):
        raise TypeError(f"Toolkit tools must be callables or Functions, got {tool!r}")
    return name


def _id_from_name(name: str | None) -> str:
    if name:
        return name.lower().replace(" ", "-").replace("_", "-")
    return uuid.uuid4().hex[:12]
