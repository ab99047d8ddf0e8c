"""``resolve_tools``: the agent's ``tools=[...]`` list → the Functions the model is offered."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from brisk.tools.function import Function
from brisk.tools.toolkit import Toolkit

log = logging.getLogger("brisk.tools")


def resolve_tools(tools: Iterable[Any] | None) -> list[Function]:
    """Flatten ``tools`` into Functions, in order.

    Accepts plain callables, ``Function`` objects (from ``@tool``), ``Toolkit`` instances and dicts
    already in tool-schema form (kept as schema-only Functions whose ``to_tool_schema()`` is the dict
    itself, as Agno passes dicts to the provider verbatim). When two tools share a name the first one
    is kept and the later one skipped with a warning, as Agno does. Raises ``TypeError`` naming an
    item that is none of these, and ``ConfigurationError`` for a callable whose parameters cannot be
    described to a model.
    """
    out: list[Function] = []
    seen: set[str] = set()

    def add(f: Function, source: str) -> None:
        if f.name in seen:
            log.warning(
                "Duplicate tool name '%s'%s: keeping the first one, skipping this one", f.name, source
            )
            return
        seen.add(f.name)
        out.append(f)

    for i, item in enumerate(tools or ()):
        if isinstance(item, Toolkit):
            for f in item.functions.values():
                add(f, f" from toolkit '{item.name}'")
        elif isinstance(item, Function):
            # A Function given directly is sent the way Agno sends it (closed schema).
            add(item._as_direct_tool(), "")
        elif isinstance(item, Mapping):
            add(Function.from_tool_schema(item), "")
        elif callable(item):
            add(Function.from_callable(item), "")
        else:
            shown = repr(item)
            if len(shown) > 80:
                shown = shown[:77] + "..."
            raise TypeError(
                f"tools[{i}] is not a tool: {type(item).__name__} {shown}. Expected a function, a @tool "
                "Function, a Toolkit or a tool schema dict"
            )
    return out
