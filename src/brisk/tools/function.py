"""``Function``: one tool the model can call: what the model is told about it and how to call it.

Building a ``Function`` from a callable seen before costs a cache lookup and a schema copy (the
introspection lives in ``_introspect.py``). Calling one never touches pydantic: arguments are checked
and coerced by small per-parameter functions built once (``_schema.py``).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from brisk.exceptions import ConfigurationError
from brisk.tools._introspect import (
    ASYNC,
    ASYNC_GEN,
    EMPTY_PARAMETERS,
    FRAMEWORK_MODULES,
    INJECTED_PARAMS,
    CallSpec,
    ToolArgumentError,
    UserInputField,
    callable_name,
    spec_of,
)
from brisk.tools._schema import make_strict

__all__ = ["Function", "ToolArgumentError", "UserInputField", "INJECTED_PARAMS"]


# -- running -----------------------------------------------------------------------------------------
def _piece(item: Any) -> str:
    """The text one yielded item adds to a generator tool's result (Agno's rules)."""
    cls = type(item)
    if cls.__module__.startswith(FRAMEWORK_MODULES):
        names = {c.__name__ for c in cls.__mro__}
        if "CustomEvent" in names:
            return str(item)
        event = getattr(item, "event", None)
        if isinstance(event, str):
            # A sub-agent's streamed run: only its content counts; the other events carry no output.
            if event in ("RunContent", "TeamRunContent", "WorkflowCompleted"):
                content = getattr(item, "content", None)
                if content is None:
                    return ""
                dump = getattr(content, "model_dump_json", None)
                return dump() if callable(dump) else content if isinstance(content, str) else str(content)
            return ""
    return str(item)


def _join(items: Iterable[Any]) -> str:
    return "".join(_piece(x) for x in items)


async def _join_async(items: Any) -> str:
    return "".join([_piece(x) async for x in items])


def _call_sync(fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]) -> Any:
    result = fn(*args, **kwargs)
    # A generator is drained here too, so its body also runs off the event loop.
    return _join(result) if inspect.isgenerator(result) else result


# -- Function ----------------------------------------------------------------------------------------
def _empty_parameters() -> dict[str, Any]:
    return {"type": "object", "properties": {}, "required": []}


@dataclass(slots=True)
class Function:
    """A tool: what the model is told (``to_dict``) and what runs when it is called (``acall``).

    Built from a callable, the schema and description come from its signature and docstring, unless
    given. Treat an instance as immutable once built: its wire form is computed once and cached; use
    ``dataclasses.replace`` to derive a variant.
    """

    name: str
    description: str | None = None
    parameters: dict[str, Any] = field(default_factory=_empty_parameters)
    entrypoint: Callable[..., Any] | None = None
    strict: bool | None = None
    instructions: str | None = None
    add_instructions: bool = True
    show_result: bool = False
    stop_after_tool_call: bool = False
    requires_confirmation: bool | None = None
    requires_user_input: bool | None = None
    user_input_fields: list[str] | None = None
    user_input_schema: list[UserInputField] | None = None
    external_execution: bool | None = None
    external_execution_silent: bool | None = None
    # Use ``parameters`` and ``description`` exactly as given (e.g. a proxy for a remote tool).
    skip_entrypoint_processing: bool = False
    title: str | None = None  # for people (MCP clients); never sent to the model
    annotations: dict[str, Any] | None = None  # MCP behaviour hints; never sent to the model
    cache_results: bool = False
    cache_dir: str | None = None
    cache_ttl: int = 3600

    _spec: CallSpec | None = field(default=None, init=False, repr=False, compare=False)
    _wire: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)
    _tool_schema: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)
    _direct: Function | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.cache_results:
            raise TypeError(
                f"Function '{self.name}': cache_results=True is not supported by Brisk (tool results are "
                "never cached); remove it or cache inside the tool"
            )
        if self.entrypoint is not None:
            if not callable(self.entrypoint):
                raise TypeError(
                    f"Function '{self.name}': entrypoint must be callable, got {self.entrypoint!r}"
                )
            spec = self._spec = spec_of(self.entrypoint)
            if not self.skip_entrypoint_processing:
                # Agno's rule: a schema equal to the empty default is derived from the entrypoint.
                if self.parameters == EMPTY_PARAMETERS:
                    exclude = (
                        self.user_input_fields if self.requires_user_input and self.user_input_fields else ()
                    )
                    derived = spec.schema(self.name, exclude)
                    if self.strict:
                        # Where Agno derives a strict schema it closes it before listing "required".
                        derived = {
                            "type": "object",
                            "properties": derived["properties"],
                            "additionalProperties": False,
                            "required": derived["required"],
                        }
                    self.parameters = derived
                if not self.description:
                    self.description = spec.description
            if self.requires_user_input and self.user_input_schema is None:
                self.user_input_schema = spec.user_input_schema()
        if self.strict:
            strict = make_strict(self.parameters)
            strict["required"] = list(strict.get("properties") or {})
            self.parameters = strict

    @classmethod
    def from_callable(
        cls,
        fn: Callable[..., Any],
        name: str | None = None,
        description: str | None = None,
        strict: bool = False,
        **flags: Any,
    ) -> Function:
        """A Function for ``fn``: schema from its signature, description from its docstring.

        ``flags`` are any other Function fields (``stop_after_tool_call=True``, ...). Raises
        ``ConfigurationError`` when a parameter's type has no JSON schema.
        """
        if isinstance(fn, Function):
            raise TypeError(f"{fn.name!r} is already a Function")
        if not callable(fn):
            raise TypeError(f"Function.from_callable() needs a callable, got {type(fn).__name__}")
        tool_name = name or callable_name(fn)
        return cls(
            name=tool_name, description=description, entrypoint=fn, strict=True if strict else None, **flags
        )

    @classmethod
    def from_tool_schema(cls, schema: Mapping[str, Any]) -> Function:
        """A schema-only Function (no entrypoint) for a tool given as a dict; ``to_tool_schema()``
        returns that dict unchanged, as Agno passes such dicts to the provider verbatim."""
        body = schema.get("function") if schema.get("type") == "function" else None
        if isinstance(body, Mapping):
            name = body.get("name")
            description = body.get("description")
            parameters = body.get("parameters")
            strict = body.get("strict")
        else:  # a provider's built-in tool, e.g. {"type": "web_search_preview"}
            name = schema.get("name") or schema.get("type")
            description, parameters, strict = schema.get("description"), None, None
        if not isinstance(name, str) or not name:
            raise TypeError(f"tool schema dict has no name: {dict(schema)!r}")
        f = cls(
            name=name,
            description=description,
            parameters=dict(parameters) if isinstance(parameters, Mapping) else _empty_parameters(),
            strict=strict,
        )
        f._tool_schema = dict(schema)
        return f

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Function:
        """Rebuild a schema-only Function from ``to_dict()`` output (Agno's ``Function.from_dict``)."""
        return cls(
            name=data["name"],
            description=data.get("description"),
            parameters=dict(data.get("parameters") or _empty_parameters()),
            strict=data.get("strict"),
            requires_confirmation=data.get("requires_confirmation"),
            external_execution=data.get("external_execution"),
        )

    # -- what the model sees ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The OpenAI ``function`` object: name, description (left out when None), parameters, and
        strict when set. Computed once; the returned dict is shared, do not mutate it."""
        wire = self._wire
        if wire is None:
            wire = {"name": self.name}
            if self.description is not None:
                wire["description"] = self.description
            wire["parameters"] = self.parameters
            if self.strict is not None:
                wire["strict"] = self.strict
            self._wire = wire
        return wire

    def to_tool_schema(self) -> dict[str, Any]:
        """``{"type": "function", "function": to_dict()}`` (cached, shared: do not mutate)."""
        schema = self._tool_schema
        if schema is None:
            schema = self._tool_schema = {"type": "function", "function": self.to_dict()}
        return schema

    def _as_direct_tool(self) -> Function:
        """This Function as Agno sends a Function object given directly in ``tools=[...]``.

        Agno re-processes such Functions on every run, which closes their schema
        (``additionalProperties: false``) and recomputes ``required`` from the signature; plain
        callables and toolkit members are not re-processed. The variant is built once and kept.
        """
        spec = self._spec
        if (
            spec is None
            or self.skip_entrypoint_processing
            or self.parameters == EMPTY_PARAMETERS
            or "additionalProperties" in self.parameters
        ):
            return self
        if self._direct is None:
            from dataclasses import replace

            params = dict(self.parameters)
            properties = params.get("properties") or {}
            if not self.strict:
                params["required"] = [p.name for p in spec.params if p.required and p.name in properties]
            params["additionalProperties"] = False
            self._direct = replace(self, parameters=params)
        return self._direct

    # -- running ---------------------------------------------------------------------------------------
    async def acall(
        self, args: Mapping[str, Any] | None = None, injected: Mapping[str, Any] | None = None
    ) -> Any:
        """Run the tool with the model's ``args``; return its raw result.

        Arguments are checked against the signature and coerced to the annotated types
        (``ToolArgumentError`` for missing, unknown or ill-typed ones). Parameters the run supplies
        (``agent``, ``run_context``, ``session_state``, media...) get ``injected[key]`` only when the
        signature asks for them. Async functions are awaited on the loop; sync ones run in a worker
        thread. A generator's (or async generator's) items are joined into one string.
        """
        fn, spec = self.entrypoint, self._spec
        if fn is None or spec is None:
            raise ConfigurationError(
                f"Tool '{self.name}' has no entrypoint: it is a schema-only tool, run by the provider or "
                "outside the agent"
            )
        positional, kwargs = spec.bind(self.name, args, injected)
        if spec.kind == ASYNC_GEN:
            return await _join_async(fn(*positional, **kwargs))
        if spec.kind == ASYNC:
            result = fn(*positional, **kwargs)
        else:
            result = await asyncio.to_thread(_call_sync, fn, positional, kwargs)
        if inspect.isawaitable(result):
            result = await result
        if inspect.isasyncgen(result):
            result = await _join_async(result)
        elif inspect.isgenerator(result):
            result = await asyncio.to_thread(_join, result)
        return result

    @staticmethod
    def format_result(result: Any) -> str:
        """The text sent back to the model for ``result``: Agno sends ``str(result)`` (so a dict is
        its Python repr, None is "None"), and a ``ToolResult``'s ``content``."""
        if isinstance(result, str):
            return result
        if type(result).__name__ == "ToolResult" and isinstance(getattr(result, "content", None), str):
            return result.content
        return str(result)
