"""Type hints → the JSON schema a tool parameter is described with, plus a coercer for its values.

The schemas reproduce what Agno 3.1.10 sends (``agno/utils/json_schema.py``), quirks included where a
model still gets a usable description, because those bytes reach the provider:

* ``Optional[X]`` (``typing.Union`` of two with None) is described as plain ``X`` at the top level,
  while ``X | None`` (``types.UnionType``) becomes ``anyOf`` with ``{"type": "null"}``;
* an ``Enum`` is ``{"type": "string", "enum": [values]}`` even when its values are numbers;
* bare ``list`` is ``{"type": "array"}`` with no ``items``; ``list[X]`` uses ``X`` for items (the
  first argument only, for tuples); bare ``dict`` allows any properties; ``dict[K, V]`` uses
  ``propertyNames`` / ``additionalProperties``;
* a dataclass lists every field, required unless its type admits None.

Where Agno's schema is unusable (it falls back to ``{"type": "object", "properties": {}}`` for
anything it does not know, so the model can never fill the parameter), Brisk differs on purpose:
``Any`` is ``{}``; ``datetime``/``date``/``time``/``UUID`` are strings with a ``format``; ``Path`` is a
string; ``Sequence[X]``/``Mapping[K, V]`` are arrays/objects; a ``TypedDict`` lists its keys; and any
other class raises ``UnsupportedType`` (the caller turns it into a ``ConfigurationError`` naming the
parameter) instead of sending a schema the model cannot satisfy.

Coercers are built once per parameter and follow pydantic's lax mode (what Agno validates with):
``"5"`` → 5 for ints, ``"true"``/``1`` → True for bools, lists → tuples/sets, dicts → dataclasses.
"""

from __future__ import annotations

import collections.abc as cabc
import dataclasses
import enum
import sys
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from brisk.tools._scalars import (
    SCALARS,
    STRINGLIKE,
    Coercer,
    CoercionError,
    check,
    from_string,
    only_none,
    subclass,
)


class UnsupportedType(TypeError):
    """A type hint with no JSON schema."""


@dataclasses.dataclass(slots=True)
class TypeSpec:
    schema: dict[str, Any] | None  # None only for a union none of whose members has a schema
    coerce: Coercer | None  # None: values pass unchanged
    exact: type | None  # values of exactly this class belong to this member first (union matching)
    expected: str  # what a value should be, for error messages
    nullable: bool = False  # None is a valid value


_ANY = TypeSpec({}, None, None, "any value", nullable=True)
_NONE_TYPE = type(None)


def spec_for_parameter(hint: Any) -> TypeSpec:
    """The spec of one function parameter (Agno unwraps a top-level ``Optional[X]`` to ``X``)."""
    if hint is _MISSING:
        return _ANY
    if get_origin(hint) is Union:
        args = get_args(hint)
        if len(args) == 2 and _NONE_TYPE in args:
            inner = spec_for(args[0] if args[1] is _NONE_TYPE else args[1], ())
            return dataclasses.replace(inner, nullable=True)
    return spec_for(hint, ())


class _Missing:
    pass


_MISSING: Any = _Missing()  # a parameter without annotation
MISSING = _MISSING


def spec_for(t: Any, stack: tuple[type, ...]) -> TypeSpec:
    origin = get_origin(t)
    if origin is not None:
        return _generic(t, origin, get_args(t), stack)
    if t is Any or t is object:
        return _ANY
    if isinstance(t, (str, typing.ForwardRef)):
        name = t if isinstance(t, str) else t.__forward_arg__
        raise UnsupportedType(f"the annotation {name!r} cannot be resolved (is it imported?)")
    if isinstance(t, typing.TypeVar):
        if t.__bound__ is not None:
            return spec_for(t.__bound__, stack)
        if t.__constraints__:
            return _union(t.__constraints__, stack)
        return _ANY
    supertype = getattr(t, "__supertype__", None)  # typing.NewType
    if supertype is not None:
        return spec_for(supertype, stack)
    if not isinstance(t, type):
        raise UnsupportedType(f"{t!r} is not a type")
    return _class(t, stack)


def _generic(t: Any, origin: Any, args: tuple[Any, ...], stack: tuple[type, ...]) -> TypeSpec:
    if origin is Annotated:
        return spec_for(args[0], stack)
    if origin is Literal:
        return _literal(args)
    if origin is Union or origin is types.UnionType:
        return _union(args, stack)
    if origin in (list, tuple, set, frozenset) or origin in _ABSTRACT_ARRAYS:
        return _array(origin, args, stack)
    if origin is dict or origin in (cabc.Mapping, cabc.MutableMapping):
        key = spec_for(args[0], stack) if args else None
        value = spec_for(args[1], stack) if len(args) > 1 else None
        return _dict(key, value)
    raise UnsupportedType(f"{t!r} has no JSON schema")


_ABSTRACT_ARRAYS = {
    cabc.Sequence: list,
    cabc.MutableSequence: list,
    cabc.Iterable: list,
    cabc.Collection: list,
    cabc.Set: set,
    cabc.MutableSet: set,
}


def _class(t: type, stack: tuple[type, ...]) -> TypeSpec:
    if issubclass(t, enum.Enum):
        return _enum(t)
    model = _pydantic_model(t)
    if model is not None:
        return model
    if dataclasses.is_dataclass(t):
        return _dataclass(t, stack)
    if _is_typeddict(t):
        return _typeddict(t, stack)
    if issubclass(t, dict):
        coerce = check(dict, "an object") if t is dict else subclass(t, check(dict, "an object"))
        return TypeSpec({"type": "object", "additionalProperties": True}, coerce, t, "an object")
    if t in (list, tuple, set, frozenset):
        return TypeSpec({"type": "array"}, _container(t, None), t, "an array")
    if t is _NONE_TYPE:
        return TypeSpec({"type": "null"}, only_none, _NONE_TYPE, "null", nullable=True)
    for base, json_type, coerce, expected in SCALARS:
        if issubclass(t, base):
            if t is not base:
                coerce = subclass(t, coerce)
            return TypeSpec({"type": json_type}, coerce, t, expected)
    for base, schema, expected in STRINGLIKE:
        if issubclass(t, base):
            return TypeSpec(dict(schema), from_string(t, expected), t, expected)
    raise UnsupportedType(f"the type {t.__module__}.{t.__qualname__} has no JSON schema")


# -- Literal, Enum, unions ---------------------------------------------------------------------------
def _literal(values: tuple[Any, ...]) -> TypeSpec:
    if all(isinstance(v, str) for v in values):
        schema: dict[str, Any] = {"type": "string", "enum": list(values)}
    elif all(isinstance(v, bool) for v in values):
        schema = {"type": "boolean", "enum": list(values)}
    elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        schema = {"type": "integer", "enum": list(values)}
    elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        schema = {"type": "number", "enum": list(values)}
    else:
        schema = {"enum": list(values)}
    expected = "one of " + ", ".join(repr(v) for v in values)

    def coerce(v: Any) -> Any:
        for allowed in values:
            # 1 == True in Python; a Literal[1] must not accept True, nor Literal[True] accept 1.
            if allowed == v and isinstance(allowed, bool) == isinstance(v, bool):
                return allowed
        raise CoercionError(expected, v)

    return TypeSpec(schema, coerce, None, expected, nullable=None in values)


def _enum(t: type[enum.Enum]) -> TypeSpec:
    members = list(t)
    expected = "one of " + ", ".join(repr(m.value) for m in members)

    def coerce(v: Any) -> Any:
        if isinstance(v, t):
            return v
        for m in members:
            if m.value == v and isinstance(m.value, bool) == isinstance(v, bool):
                return m
        if isinstance(v, str):
            # The schema says "string" even for numeric values (as Agno's does), so models send "1".
            for m in members:
                if str(m.value) == v:
                    return m
        raise CoercionError(expected, v)

    return TypeSpec({"type": "string", "enum": [m.value for m in members]}, coerce, t, expected)


def _union(args: tuple[Any, ...], stack: tuple[type, ...]) -> TypeSpec:
    members = [spec_for(a, stack) for a in args]
    schemas = [m.schema for m in members if m.schema]
    nullable = any(m.nullable for m in members)
    expected = " or ".join(m.expected for m in members)

    def coerce(v: Any) -> Any:
        if v is None and nullable:
            return None
        # Smart matching (as pydantic): a value that already has a member's exact type keeps it, so
        # Union[int, str] leaves "5" a string.
        for m in members:
            if m.exact is not None and type(v) is m.exact:
                return v if m.coerce is None else m.coerce(v)
        for m in members:
            if m.coerce is None:
                return v
            try:
                return m.coerce(v)
            except CoercionError:
                continue
        raise CoercionError(expected, v)

    return TypeSpec({"anyOf": schemas} if schemas else None, coerce, None, expected, nullable=nullable)


# -- containers --------------------------------------------------------------------------------------
def _array(origin: Any, args: tuple[Any, ...], stack: tuple[type, ...]) -> TypeSpec:
    make = _ABSTRACT_ARRAYS.get(origin, origin)
    if origin is tuple and args and args[-1] is not Ellipsis:
        positions = [spec_for(a, stack) for a in args]
        schema = {"type": "array", "items": positions[0].schema}
        return TypeSpec(schema, _fixed_tuple(positions), tuple, "an array")
    items = spec_for(args[0], stack) if args else None
    schema = {"type": "array", "items": items.schema if items is not None else {"type": "string"}}
    expected = f"an array of {items.expected}" if items is not None else "an array"
    return TypeSpec(schema, _container(make, items), make, expected)


def _container(make: type, items: TypeSpec | None) -> Coercer:
    item = items.coerce if items is not None else None

    def coerce(v: Any) -> Any:
        if not isinstance(v, (list, tuple, set, frozenset)):
            raise CoercionError("an array", v)
        if item is None:
            return v if type(v) is make else make(v)
        out = []
        for i, x in enumerate(v):
            try:
                out.append(x if x is None and items.nullable else item(x))  # type: ignore[union-attr]
            except CoercionError as e:
                raise CoercionError(f"item {i} to be {e.expected}", x) from None
        return out if make is list else make(out)

    return coerce


def _fixed_tuple(positions: list[TypeSpec]) -> Coercer:
    expected = f"an array of {len(positions)} items"

    def coerce(v: Any) -> Any:
        if not isinstance(v, (list, tuple)) or len(v) != len(positions):
            raise CoercionError(expected, v)
        return tuple(x if p.coerce is None else p.coerce(x) for p, x in zip(positions, v, strict=True))

    return coerce


def _dict(key: TypeSpec | None, value: TypeSpec | None) -> TypeSpec:
    schema = {
        "type": "object",
        "propertyNames": key.schema if key is not None else {"type": "string"},
        "additionalProperties": value.schema if value is not None else {"type": "string"},
    }
    kc = key.coerce if key is not None else None
    vc = value.coerce if value is not None else None
    v_nullable = value is not None and value.nullable

    def coerce(v: Any) -> Any:
        if not isinstance(v, dict):
            raise CoercionError("an object", v)
        if kc is None and vc is None:
            return v
        return {
            (k if kc is None else kc(k)): (x if vc is None or (x is None and v_nullable) else vc(x))
            for k, x in v.items()
        }

    return TypeSpec(schema, coerce, dict, "an object")


# -- structured types --------------------------------------------------------------------------------
def _resolved_hints(t: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(t)
    except Exception as e:  # noqa: BLE001 - any failure means a hint we cannot describe
        raise UnsupportedType(f"the annotations of {t.__qualname__} cannot be resolved: {e}") from None


def _object_spec(
    t: type,
    fields: list[tuple[str, TypeSpec, bool]],
    build: Callable[[dict[str, Any]], Any],
    is_instance: Callable[[Any], bool],
) -> TypeSpec:
    """fields: (name, spec, has_default). Shared by dataclasses and TypedDicts."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, spec, _ in fields:
        schema = spec.schema
        nullable_union = schema is not None and "anyOf" in schema and spec.nullable
        if nullable_union and schema is not None:
            # Agno collapses "X or null" to X's type and leaves the field optional.
            first = next((s["type"] for s in schema["anyOf"] if s.get("type") not in (None, "null")), None)
            if first is not None:
                schema = {k: v for k, v in schema.items() if k != "anyOf"}
                schema["type"] = first
        else:
            required.append(name)
        if schema is not None:
            properties[name] = schema
    out: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = required
    by_name = {name: (spec, has_default) for name, spec, has_default in fields}
    needed = [name for name, _, has_default in fields if not has_default]
    expected = f"an object ({t.__name__})"

    def coerce(v: Any) -> Any:
        if is_instance(v):
            return v
        if not isinstance(v, dict):
            raise CoercionError(expected, v)
        unknown = [k for k in v if k not in by_name]
        missing = [k for k in needed if k not in v]
        if unknown or missing:
            parts = []
            if missing:
                parts.append("missing " + ", ".join(missing))
            if unknown:
                parts.append("unknown " + ", ".join(map(str, unknown)))
            raise CoercionError(f"{expected} ({'; '.join(parts)})", v)
        values = {}
        for k, x in v.items():
            spec = by_name[k][0]
            if spec.coerce is None or (x is None and spec.nullable):
                values[k] = x
            else:
                try:
                    values[k] = spec.coerce(x)
                except CoercionError as e:
                    raise CoercionError(f"field {k!r} to be {e.expected}", x) from None
        return build(values)

    return TypeSpec(out, coerce, None, expected)


def _dataclass(t: type, stack: tuple[type, ...]) -> TypeSpec:
    if t in stack:  # a recursive type: describe the inner level loosely instead of looping
        return TypeSpec({"type": "object"}, None, None, f"an object ({t.__name__})", nullable=True)
    hints = _resolved_hints(t)
    fields = []
    for f in dataclasses.fields(t):
        if not f.init:
            continue
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        spec = spec_for(hints.get(f.name, f.type), (*stack, t))
        fields.append((f.name, spec, has_default))
    return _object_spec(t, fields, lambda values: t(**values), lambda v: isinstance(v, t))


def _is_typeddict(t: type) -> bool:
    return issubclass(t, dict) and hasattr(t, "__required_keys__") and hasattr(t, "__total__")


def _typeddict(t: type, stack: tuple[type, ...]) -> TypeSpec:
    # Agno describes a TypedDict as an object with no properties; listing its keys lets a model fill it.
    if t in stack:
        return TypeSpec({"type": "object"}, None, None, f"an object ({t.__name__})", nullable=True)
    hints = _resolved_hints(t)
    required_keys = t.__required_keys__  # type: ignore[attr-defined]
    fields = [(name, spec_for(h, (*stack, t)), name not in required_keys) for name, h in hints.items()]
    # A TypedDict has no instances of its own (isinstance() raises): every value is a plain dict.
    return _object_spec(t, fields, dict, lambda v: False)


def _pydantic_model(t: type) -> TypeSpec | None:
    # pydantic is optional: a class can only be a BaseModel if pydantic was already imported.
    pydantic = sys.modules.get("pydantic")
    if pydantic is None or not issubclass(t, pydantic.BaseModel):
        return None
    schema = inline_refs(t.model_json_schema())  # type: ignore[attr-defined]
    expected = f"an object ({t.__name__})"

    def coerce(v: Any) -> Any:
        if isinstance(v, t):
            return v
        try:
            return t.model_validate(v)  # type: ignore[attr-defined]
        except pydantic.ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(part) for part in first.get("loc", ()))
            detail = f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
            raise CoercionError(f"{expected} ({detail})", v) from None

    return TypeSpec(schema, coerce, t, expected)


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace ``$ref``s to ``$defs`` by the definitions themselves (tool schemas must be self-contained)."""
    defs = schema.get("$defs", {})

    def walk(node: Any, active: frozenset[str]) -> Any:
        if isinstance(node, list):
            return [walk(x, active) for x in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if not ref.startswith("#/$defs/") or name not in defs or name in active:
                return {"type": "object"}  # a recursive or foreign reference: keep it loose, not infinite
            return walk(defs[name], active | {name})
        return {k: walk(v, active) for k, v in node.items() if k != "$defs"}

    return walk(schema, frozenset())


# -- strict mode -------------------------------------------------------------------------------------
def make_strict(schema: Any) -> Any:
    """Close every object schema (``additionalProperties: false``) as OpenAI's strict mode requires.

    Same rules as Agno's ``process_schema_for_strict``: a typeless schema with properties becomes an
    object, a typeless titled leaf becomes a string, and nested dicts are walked (lists are not).
    """
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    if out.get("type") == "object" or "properties" in out:
        out["additionalProperties"] = False
    if "type" not in out:
        if "properties" in out:
            out["type"] = "object"
            out["additionalProperties"] = False
        elif out.get("title") and not any(
            k in out for k in ("properties", "items", "anyOf", "oneOf", "allOf", "enum")
        ):
            out["type"] = "string"
    for key, value in out.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: make_strict(s) for name, s in value.items()}
        elif isinstance(value, dict):
            out[key] = make_strict(value)
    return out


def copy_schema(node: Any) -> Any:
    """A deep copy of JSON-shaped data, much cheaper than ``copy.deepcopy``."""
    if type(node) is dict:
        return {k: copy_schema(v) for k, v in node.items()}
    if type(node) is list:
        return [copy_schema(v) for v in node]
    return node
