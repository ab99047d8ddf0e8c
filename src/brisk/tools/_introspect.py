"""Introspection of a tool callable: its signature, type hints and docstring become a ``CallSpec``
holding the JSON schema pieces, a coercer per parameter and the parameters the run injects.

A spec is computed once per callable and cached by identity, weakly (a closure made per run does not
stay alive because of the cache); bound methods are keyed by their function, since each attribute
access makes a new bound-method object.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
import weakref
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from brisk.exceptions import BriskError, ConfigurationError
from brisk.tools._docstring import ParamDoc, parse_docstring
from brisk.tools._schema import (
    MISSING,
    CoercionError,
    TypeSpec,
    UnsupportedType,
    copy_schema,
    spec_for_parameter,
)

# Parameter names the run fills in itself (never the model): they are left out of the schema, a value
# the model sends for them is dropped, and acall() passes injected[key] instead. Agno 3.1.10 injects
# these by name (the ``_agno_`` spellings let wrappers keep a user argument called "agent").
# ``session_state`` is Brisk's addition: Agno 3.1.10 would expose it to the model as an argument.
INJECTED_PARAMS: Mapping[str, str] = {
    "agent": "agent",
    "team": "team",
    "run_context": "run_context",
    "session_state": "session_state",
    "images": "images",
    "videos": "videos",
    "audios": "audios",
    "files": "files",
    "_agno_agent": "agent",
    "_agno_team": "team",
    "_agno_run_context": "run_context",
}
# Parameters injected by their annotation whatever their name (``ctx: RunContext``), as Agno does.
_INJECTED_TYPES = {"Agent": "agent", "Team": "team", "RunContext": "run_context"}
FRAMEWORK_MODULES = ("brisk.", "agno.")

EMPTY_PARAMETERS: dict[str, Any] = {"type": "object", "properties": {}, "required": []}


class ToolArgumentError(BriskError, ValueError):
    """The model called a tool with arguments that do not fit its signature.

    The message is meant for the model (the run loop sends it back as the tool's result).
    """

    def __init__(self, tool_name: str, message: str) -> None:
        super().__init__(f"Invalid arguments for tool '{tool_name}': {message}")
        self.tool_name = tool_name


@dataclass(slots=True)
class UserInputField:
    """One value a user supplies before a ``requires_user_input`` tool runs (Agno's shape)."""

    name: str
    field_type: Any = str
    description: str | None = None
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        ft = self.field_type
        return {
            "name": self.name,
            "field_type": ft.__name__ if isinstance(ft, type) else str(ft),
            "description": self.description,
            "value": self.value,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UserInputField:
        names = {"str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict}
        raw = data.get("field_type")
        ft = raw if isinstance(raw, type) else names.get(raw, str) if isinstance(raw, str) else str
        return cls(data["name"], ft, data.get("description"), data.get("value"))


# -- introspection -----------------------------------------------------------------------------------
@dataclass(slots=True)
class ParamInfo:
    name: str
    spec: TypeSpec | None  # None when the annotation has no schema (``problem`` says why)
    required: bool
    default: Any
    positional_only: bool
    doc: ParamDoc | None
    hint: Any
    problem: str | None = None


@dataclass(slots=True)
class InjectedParam:
    name: str
    key: str
    has_default: bool
    positional_only: bool


SYNC, ASYNC, ASYNC_GEN = "sync", "async", "async_gen"


@dataclass(slots=True)
class CallSpec:
    """What one callable's introspection yields. Holds no reference to the callable itself."""

    description: str
    params: tuple[ParamInfo, ...]
    by_name: dict[str, ParamInfo]
    injected: tuple[InjectedParam, ...]
    kind: str
    var_keyword: bool
    problems: tuple[str, ...]  # signature-level problems (*args, **kwargs, unreadable signature)
    positional_only: tuple[str, ...]
    dropped: frozenset[str] = frozenset()  # argument names the model may send but never chooses
    qualname: str = ""  # of the callable, for error messages

    def schema(self, tool: str, exclude: Collection[str] = ()) -> dict[str, Any]:
        problems = list(self.problems)
        problems += [
            f"parameter '{p.name}': {p.problem}" for p in self.params if p.problem and p.name not in exclude
        ]
        if problems:
            raise ConfigurationError(
                f"Cannot describe tool '{tool}' ({self.qualname}) to a model: {'; '.join(problems)}. Give every parameter a "
                "JSON-compatible annotation (str, int, float, bool, list[...], dict[...], Literal, Enum, "
                "a dataclass, TypedDict or pydantic model), or pass parameters= explicitly."
            )
        properties: dict[str, Any] = {}
        for p in self.params:
            if p.name in exclude or p.spec is None or p.spec.schema is None:
                continue
            schema = copy_schema(p.spec.schema)
            text = p.doc.for_schema() if p.doc is not None else ""
            if text:
                schema["description"] = text
            properties[p.name] = schema
        required = [p.name for p in self.params if p.required and p.name in properties]
        return {"type": "object", "properties": properties, "required": required}

    def user_input_schema(self) -> list[UserInputField]:
        return [
            UserInputField(p.name, str if p.hint is MISSING else p.hint, p.doc.text if p.doc else None)
            for p in self.params
        ]

    def bind(
        self, tool: str, args: Mapping[str, Any] | None, injected: Mapping[str, Any] | None
    ) -> tuple[list[Any], dict[str, Any]]:
        args = args or {}
        kwargs: dict[str, Any] = {}
        unknown: list[str] = []
        invalid: list[str] = []
        for name, value in args.items():
            p = self.by_name.get(name)
            if p is None:
                if name in self.dropped:
                    continue  # never the model's to choose (Agno drops these too)
                if self.var_keyword:
                    kwargs[name] = value
                else:
                    unknown.append(name)
                continue
            spec = p.spec
            if (
                spec is None
                or spec.coerce is None
                or (value is None and (spec.nullable or p.default is None))
            ):
                kwargs[name] = value
                continue
            try:
                kwargs[name] = spec.coerce(value)
            except CoercionError as e:
                invalid.append(f"'{name}': {e}")
        problems = []
        if unknown:
            expected = ", ".join(f"'{p.name}'" for p in self.params) or "none"
            problems.append(
                f"unknown argument(s) {', '.join(repr(n) for n in unknown)} (expected: {expected})"
            )
        missing = [p.name for p in self.params if p.required and p.name not in args]
        if missing:
            problems.append(f"missing required argument(s) {', '.join(repr(n) for n in missing)}")
        problems += invalid
        if problems:
            raise ToolArgumentError(tool, "; ".join(problems))
        values = injected or {}
        for inj in self.injected:
            if inj.key in values:
                kwargs[inj.name] = values[inj.key]
            elif not inj.has_default:
                kwargs[inj.name] = None  # as Agno: a required injected parameter gets None, not an error
        positional: list[Any] = []
        if self.positional_only:
            positional = self._positional(kwargs)
        return positional, kwargs

    def _positional(self, kwargs: dict[str, Any]) -> list[Any]:
        # Positional-only parameters cannot be passed by name; fill gaps before a given one with defaults.
        names = self.positional_only
        last = max((i for i, n in enumerate(names) if n in kwargs), default=-1)
        out = []
        for name in names[: last + 1]:
            if name in kwargs:
                out.append(kwargs.pop(name))
            else:
                p = self.by_name.get(name)
                out.append(p.default if p is not None else None)
        return out


_PLAIN_SPECS: weakref.WeakKeyDictionary[Any, CallSpec] = weakref.WeakKeyDictionary()
_BOUND_SPECS: weakref.WeakKeyDictionary[Any, CallSpec] = weakref.WeakKeyDictionary()


def spec_of(fn: Callable[..., Any]) -> CallSpec:
    # A bound method is a new object on every attribute access: key it by its function instead.
    if inspect.ismethod(fn):
        cache, key = _BOUND_SPECS, fn.__func__
    else:
        cache, key = _PLAIN_SPECS, fn
    try:
        return cache[key]
    except KeyError:
        pass
    except TypeError:  # not weak-referenceable (some builtins): derive every time
        return _derive(fn)
    spec = _derive(fn)
    try:
        cache[key] = spec
    except TypeError:
        pass
    return spec


def _derive(fn: Callable[..., Any]) -> CallSpec:
    kind = _kind(fn)
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError) as e:
        problem = f"its signature cannot be read ({e})"
        return CallSpec("", (), {}, (), kind, True, (problem,), (), qualname=_qualname(fn))
    hints = _hints(fn, sig)
    doc = parse_docstring(_docstring_of(fn))
    params: list[ParamInfo] = []
    injected: list[InjectedParam] = []
    problems: list[str] = []
    var_keyword = False
    positional_only: list[str] = []
    for p in sig.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            problems.append(f"*{p.name} cannot be described to a model (use named parameters)")
            continue
        if p.kind is p.VAR_KEYWORD:
            var_keyword = True
            problems.append(f"**{p.name} cannot be described to a model (use named parameters)")
            continue
        if p.name == "self":
            continue
        hint = hints.get(p.name, MISSING)
        pos_only = p.kind is p.POSITIONAL_ONLY
        if pos_only:
            positional_only.append(p.name)
        key = _injection_key(p.name, hint)
        if key is not None:
            injected.append(InjectedParam(p.name, key, p.default is not p.empty, pos_only))
            continue
        try:
            spec, problem = spec_for_parameter(hint), None
        except UnsupportedType as e:
            spec, problem = None, str(e)
        params.append(
            ParamInfo(
                p.name, spec, p.default is p.empty, p.default, pos_only, doc.params.get(p.name), hint, problem
            )
        )
    return CallSpec(
        description=doc.description,
        params=tuple(params),
        by_name={p.name: p for p in params},
        injected=tuple(injected),
        kind=kind,
        var_keyword=var_keyword,
        problems=tuple(problems),
        positional_only=tuple(positional_only),
        dropped=frozenset({*INJECTED_PARAMS, "self", *(i.name for i in injected)}),
        qualname=_qualname(fn),
    )


def _qualname(fn: Any) -> str:
    target = underlying(fn)
    module = getattr(target, "__module__", None) or ""
    name = getattr(target, "__qualname__", None) or type(target).__qualname__
    return f"{module}.{name}" if module else name


def _kind(fn: Callable[..., Any]) -> str:
    candidates: list[Any] = [fn]
    if not inspect.isroutine(fn) and not isinstance(fn, functools.partial):
        candidates.append(type(fn).__call__)  # a callable object
    try:
        candidates.append(inspect.unwrap(fn))  # a sync-looking decorator around an async function
    except ValueError:
        pass
    for c in candidates:
        if inspect.isasyncgenfunction(c):
            return ASYNC_GEN
        if inspect.iscoroutinefunction(c):
            return ASYNC
    return SYNC


def underlying(fn: Any) -> Any:
    """The plain function behind partials, bound methods and ``functools.wraps`` wrappers."""
    for _ in range(100):  # a bound, in case a __wrapped__ chain loops
        if isinstance(fn, functools.partial):
            fn = fn.func
        elif inspect.ismethod(fn):
            fn = fn.__func__
        elif hasattr(fn, "__wrapped__"):
            fn = fn.__wrapped__
        else:
            break
    return fn


def _docstring_of(fn: Any) -> str | None:
    if isinstance(fn, functools.partial):
        fn = underlying(fn)
    return inspect.getdoc(fn)


def _hint_source(fn: Any) -> Any:
    if isinstance(fn, functools.partial):
        return underlying(fn)
    if inspect.isclass(fn):
        # A class used as a tool is called with its __init__ parameters; its own annotations are
        # attribute annotations.
        init = fn.__init__
        return init if inspect.isfunction(init) else fn
    if not inspect.isroutine(fn):
        return type(fn).__call__  # a callable object: same reason
    return fn


def _hints(fn: Callable[..., Any], sig: inspect.Signature) -> dict[str, Any]:
    source = _hint_source(fn)
    try:
        return typing.get_type_hints(source, include_extras=True)
    except Exception:  # noqa: BLE001 - fall back per parameter below
        pass
    # One unresolvable annotation (often a name imported under TYPE_CHECKING) must only affect its own
    # parameter, so evaluate them one by one; a string that stays unresolved is reported if it matters.
    namespace = getattr(underlying(source), "__globals__", {})
    out: dict[str, Any] = {}
    for p in sig.parameters.values():
        annotation = p.annotation
        if annotation is p.empty:
            continue
        if isinstance(annotation, str):
            try:
                annotation = eval(annotation, dict(namespace))  # noqa: S307 - the tool author's own annotation
            except Exception:  # noqa: BLE001
                pass
        out[p.name] = annotation
    return out


def _injection_key(name: str, hint: Any) -> str | None:
    key = INJECTED_PARAMS.get(name)
    if key is not None:
        return key
    if hint is MISSING:
        return None
    if isinstance(hint, str):  # unresolved, e.g. "Agent" imported under TYPE_CHECKING
        bare = hint.replace("Optional[", "").replace("]", "").replace("| None", "").replace("None |", "")
        return _INJECTED_TYPES.get(bare.strip().strip("'\""))
    candidates = [hint]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        candidates = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(candidates) != 1:
            return None
    cls = candidates[0]
    if isinstance(cls, type) and cls.__module__.startswith(FRAMEWORK_MODULES):
        return _INJECTED_TYPES.get(cls.__name__)
    return None


def callable_name(fn: Any) -> str:
    name = getattr(underlying(fn) if isinstance(fn, functools.partial) else fn, "__name__", None)
    if name is None:
        name = type(fn).__name__  # a callable object
    if name == "<lambda>":
        raise ConfigurationError("A lambda has no usable tool name: pass name= (or use a def)")
    return name
