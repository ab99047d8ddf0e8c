"""The JSON schema Brisk sends for a tool. Expected values were captured from Agno 3.1.10 (same
functions through ``Function.from_callable`` / ``@tool`` + the agent's processing) unless a test says
Brisk differs on purpose."""

from __future__ import annotations

import collections.abc as cabc
import dataclasses
import datetime as dt
import decimal
import enum
import json
import pathlib
import socket
import uuid
from typing import Annotated, Any, Dict, List, Literal, NewType, Optional, TypedDict, TypeVar, Union

import pytest

from brisk.exceptions import ConfigurationError
from brisk.tools import Function, ToolArgumentError, resolve_tools, tool


def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: Name of the city.
    """
    return f"Sunny in {city}"


def props(fn: Any) -> dict[str, Any]:
    return Function.from_callable(fn).parameters["properties"]


def test_get_weather_schema_is_byte_identical_to_agno() -> None:
    expected = (
        '{"type":"function","function":{"name":"get_weather","description":"Get the current weather for a '
        'city.","parameters":{"type":"object","properties":{"city":{"type":"string","description":"Name of '
        'the city."}},"required":["city"]}}}'
    )
    (fn,) = resolve_tools([get_weather])
    assert json.dumps(fn.to_tool_schema(), separators=(",", ":")) == expected
    assert json.dumps(Function.from_callable(get_weather).to_tool_schema(), separators=(",", ":")) == expected


def test_scalar_types() -> None:
    def f(a: str, b: int, c: float, d: bool, e: decimal.Decimal, g: None = None) -> None: ...

    assert props(f) == {
        "a": {"type": "string"},
        "b": {"type": "integer"},
        "c": {"type": "number"},
        "d": {"type": "boolean"},
        "e": {"type": "number"},
        "g": {"type": "null"},
    }


def test_optional_forms_and_required() -> None:
    def f(
        a: Optional[str],  # noqa: UP045 - Agno treats typing.Optional and X | None differently
        b: str | None,
        c: Optional[int] = None,  # noqa: UP045
        d: int = 5,
        e: Optional[Union[int, str]] = None,  # noqa: UP007, UP045
    ) -> None: ...

    fn = Function.from_callable(f)
    assert fn.parameters["properties"] == {
        # typing.Optional[X] is described as X; X | None keeps the null branch (Agno's output).
        "a": {"type": "string"},
        "b": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "c": {"type": "integer"},
        "d": {"type": "integer"},
        "e": {"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]},
    }
    # Required means "no default", so an Optional without a default is still required.
    assert fn.parameters["required"] == ["a", "b"]


def test_unions() -> None:
    def f(a: Union[int, str], b: int | str | None = None) -> None: ...  # noqa: UP007

    assert props(f) == {
        "a": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
        "b": {"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]},
    }


def test_arrays() -> None:
    def f(
        a: list[int],
        b: List[str],  # noqa: UP006
        c: list,
        d: tuple[int, str],
        e: set[str],
        g: tuple[int, ...],
        h: list[int | None],
        i: List,  # noqa: UP006
    ) -> None: ...

    assert props(f) == {
        "a": {"type": "array", "items": {"type": "integer"}},
        "b": {"type": "array", "items": {"type": "string"}},
        "c": {"type": "array"},
        "d": {"type": "array", "items": {"type": "integer"}},  # Agno describes a tuple by its first type
        "e": {"type": "array", "items": {"type": "string"}},
        "g": {"type": "array", "items": {"type": "integer"}},
        "h": {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "null"}]}},
        "i": {"type": "array", "items": {"type": "string"}},
    }


def test_dicts() -> None:
    def f(a: dict, b: dict[str, int], c: Dict) -> None: ...  # noqa: UP006

    assert props(f) == {
        "a": {"type": "object", "additionalProperties": True},
        "b": {
            "type": "object",
            "propertyNames": {"type": "string"},
            "additionalProperties": {"type": "integer"},
        },
        "c": {
            "type": "object",
            "propertyNames": {"type": "string"},
            "additionalProperties": {"type": "string"},
        },
    }


def test_literals() -> None:
    def f(
        a: Literal["x", "y"],
        b: Literal[1, 2],
        c: Literal[True],
        d: Literal[1, "a"],
        e: Literal[1.5, 2],
        g: Literal["a"] | None = None,
    ) -> None: ...

    assert props(f) == {
        "a": {"type": "string", "enum": ["x", "y"]},
        "b": {"type": "integer", "enum": [1, 2]},
        "c": {"type": "boolean", "enum": [True]},
        "d": {"enum": [1, "a"]},
        "e": {"type": "number", "enum": [1.5, 2]},
        "g": {"type": "string", "enum": ["a"]},
    }


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


def test_enums_are_strings_like_agno() -> None:
    def f(a: Color, b: Level) -> None: ...

    # Agno says "string" even for integer values; kept so the wire matches.
    assert props(f) == {
        "a": {"type": "string", "enum": ["red", "green"]},
        "b": {"type": "string", "enum": [1, 2]},
    }


@dataclasses.dataclass
class Point:
    x: int
    y: Optional[float] = None  # noqa: UP045
    label: str = "p"
    tags: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Segment:
    start: Point
    end: Point


def test_nested_dataclasses() -> None:
    def f(p: Point, s: Segment) -> None: ...

    point = {
        "type": "object",
        "properties": {
            "x": {"type": "integer"},
            "y": {"type": "number"},
            "label": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": False,
        # Agno: every field is required unless its type admits None (defaults do not matter).
        "required": ["x", "label", "tags"],
    }
    assert props(f) == {
        "p": point,
        "s": {
            "type": "object",
            "properties": {"start": point, "end": point},
            "additionalProperties": False,
            "required": ["start", "end"],
        },
    }


class Address(TypedDict):
    street: str
    number: int


def test_typeddict_lists_its_keys() -> None:
    # Brisk differs: Agno sends an object with no properties, which a model cannot fill.
    def f(a: Address) -> None: ...

    assert props(f) == {
        "a": {
            "type": "object",
            "properties": {"street": {"type": "string"}, "number": {"type": "integer"}},
            "additionalProperties": False,
            "required": ["street", "number"],
        }
    }


def test_any_and_missing_annotation() -> None:
    def f(a, b: Any, c=3) -> None: ...

    fn = Function.from_callable(f)
    # No annotation: {} as Agno. Any: {} too (Agno sends an empty closed object, which forbids values).
    assert fn.parameters["properties"] == {"a": {}, "b": {}, "c": {}}
    assert fn.parameters["required"] == ["a", "b"]


UserId = NewType("UserId", int)
BoundStr = TypeVar("BoundStr", bound=str)


def test_annotated_newtype_typevar_and_string_annotations() -> None:
    def f(a: Annotated[int, "meta"], b: UserId, c: BoundStr, d: int) -> None: ...

    assert props(f) == {
        "a": {"type": "integer"},
        "b": {"type": "integer"},
        "c": {"type": "string"},
        "d": {"type": "integer"},
    }


def test_string_like_types_are_strings() -> None:
    # Brisk differs: Agno sends {"type": "object", "properties": {}} for these.
    def f(a: dt.datetime, b: dt.date, c: uuid.UUID, d: pathlib.Path, e: dt.time) -> None: ...

    assert props(f) == {
        "a": {"type": "string", "format": "date-time"},
        "b": {"type": "string", "format": "date"},
        "c": {"type": "string", "format": "uuid"},
        "d": {"type": "string"},
        "e": {"type": "string", "format": "time"},
    }


def test_abstract_collections() -> None:
    def f(a: cabc.Sequence[int], b: cabc.Mapping[str, bool]) -> None: ...

    assert props(f) == {
        "a": {"type": "array", "items": {"type": "integer"}},
        "b": {
            "type": "object",
            "propertyNames": {"type": "string"},
            "additionalProperties": {"type": "boolean"},
        },
    }


def test_injected_parameters_are_not_in_the_schema() -> None:
    def f(
        city: str, agent, team, run_context, session_state: dict, images, files, videos=None, self=None
    ) -> str:
        return city

    fn = Function.from_callable(f)
    assert fn.parameters == {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    }


def test_unsupported_type_names_function_and_parameter() -> None:
    def connect(host: str, sock: socket.socket) -> None: ...

    with pytest.raises(ConfigurationError) as info:
        Function.from_callable(connect)
    message = str(info.value)
    assert "'connect'" in message and "test_unsupported_type_names_function_and_parameter" in message
    assert "parameter 'sock'" in message and "socket.socket" in message
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("def f(*names: str): ...", "*names"),
        ("def f(q: str, **extra: str): ...", "**extra"),
        ("def f(cb: Callable[[int], int]): ...", "parameter 'cb'"),
        ("def f(x: 'NotDefinedAnywhere'): ...", "'NotDefinedAnywhere' cannot be resolved"),
        ("def f(x: bytes): ...", "parameter 'x'"),
    ],
)
def test_undescribable_signatures_raise(source: str, needle: str) -> None:
    namespace: dict[str, Any] = {"Callable": cabc.Callable}
    exec(source, namespace)  # noqa: S102 - builds a small function under test
    with pytest.raises(ConfigurationError, match="'f'") as info:
        Function.from_callable(namespace["f"])
    assert needle in str(info.value)


def test_explicit_parameters_skip_the_derivation() -> None:
    # A proxy with **kwargs is fine when its schema is given.
    async def proxy(**kwargs: Any) -> str:
        return json.dumps(kwargs, sort_keys=True)

    schema = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}
    fn = Function(name="search", description="Search.", parameters=schema, entrypoint=proxy)
    assert fn.to_dict() == {"name": "search", "description": "Search.", "parameters": schema}


def test_description_defaults() -> None:
    def undocumented(x: int) -> None: ...

    assert Function.from_callable(undocumented).to_dict()["description"] == ""
    assert "description" not in Function(name="bare").to_dict()
    assert Function.from_callable(get_weather, description="Custom.").description == "Custom."


def test_to_dict_is_cached_and_includes_strict_only_when_set() -> None:
    fn = Function.from_callable(get_weather)
    assert fn.to_dict() is fn.to_dict()
    assert fn.to_tool_schema()["function"] is fn.to_dict()
    assert "strict" not in fn.to_dict()
    assert Function(name="x", strict=False).to_dict()["strict"] is False


def test_strict_closes_nested_objects_and_requires_everything() -> None:
    def f(p: Point, n: int = 1) -> None: ...

    fn = Function.from_callable(f, strict=True)
    params = fn.parameters
    assert list(params) == ["type", "properties", "additionalProperties", "required"]
    assert params["additionalProperties"] is False
    assert params["required"] == ["p", "n"]
    assert params["properties"]["p"]["additionalProperties"] is False
    assert fn.to_dict()["strict"] is True


def test_tool_strict_key_order_matches_agno() -> None:
    def f(a: int) -> None:
        """Doc.

        Args:
            a: A.
        """

    def no_args() -> None: ...

    (with_args,) = resolve_tools([tool(strict=True)(f)])
    assert json.dumps(with_args.to_dict()) == (
        '{"name": "f", "description": "Doc.", "parameters": {"type": "object", "properties": {"a": '
        '{"type": "integer", "description": "A."}}, "required": ["a"], "additionalProperties": false}, '
        '"strict": true}'
    )
    (without,) = resolve_tools([tool(strict=True)(no_args)])
    assert list(without.parameters) == ["type", "properties", "additionalProperties", "required"]


def test_user_input_fields_are_left_out_of_the_schema() -> None:
    def book(city: str, card_number: str, nights: int = 1) -> str:
        """Book a hotel.

        Args:
            city: Where.
            card_number: Card.
        """
        return city

    fn = tool(requires_user_input=True, user_input_fields=["card_number"])(book)
    assert list(fn.parameters["properties"]) == ["city", "nights"]
    assert fn.parameters["required"] == ["city"]
    assert fn.user_input_schema is not None
    assert [u.to_dict() for u in fn.user_input_schema] == [
        {"name": "city", "field_type": "str", "description": "Where.", "value": None},
        {"name": "card_number", "field_type": "str", "description": "Card.", "value": None},
        {"name": "nights", "field_type": "int", "description": None, "value": None},
    ]


@dataclasses.dataclass
class TreeNode:
    value: int
    child: TreeNode | None = None


def test_recursive_dataclass_terminates() -> None:
    def f(n: TreeNode) -> None: ...

    schema = props(f)["n"]
    assert schema["properties"]["value"] == {"type": "integer"}
    assert schema["properties"]["child"] == {"type": "object"}


async def test_pydantic_model_parameter() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Item(pydantic.BaseModel):
        """An item."""

        name: str
        qty: int = 1

    def order(item) -> Any:
        return item

    order.__annotations__["item"] = Item  # a local class: give the resolved type directly
    fn = Function.from_callable(order)
    assert fn.parameters["properties"]["item"] == {
        "description": "An item.",
        "properties": {
            "name": {"title": "Name", "type": "string"},
            "qty": {"default": 1, "title": "Qty", "type": "integer"},
        },
        "required": ["name"],
        "title": "Item",
        "type": "object",
    }
    assert await fn.acall({"item": {"name": "pen", "qty": "2"}}) == Item(name="pen", qty=2)
    with pytest.raises(ToolArgumentError, match=r"'item': expected an object \(Item\) \(qty: "):
        await fn.acall({"item": {"name": "pen", "qty": "many"}})
