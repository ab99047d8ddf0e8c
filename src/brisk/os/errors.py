"""HTTP errors with FastAPI's bodies, so Agno clients parse Brisk's errors unchanged.

Two shapes exist on the wire, as in FastAPI:

* ``{"detail": "<message>"}`` for every deliberate error (404, 405, 401, 429, 503, ...), raised here
  as :class:`HTTPError`;
* ``{"detail": [{"type", "loc", "msg", "input"[, "ctx"]}, ...]}`` with status 422 for request
  validation, raised as :class:`ValidationError`. The entries reproduce what pydantic v2 writes for the
  same mistake (type names, messages, ``ctx``), checked against FastAPI 0.16x.

:class:`Errors` collects several entries first, because FastAPI reports every invalid field of a
request at once rather than the first one only.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "Errors",
    "HTTPError",
    "ValidationError",
    "bool_parsing",
    "enum_error",
    "int_parsing",
    "missing",
]


class HTTPError(Exception):
    """An error answered as ``{"detail": detail}`` with ``status`` (and optional extra headers)."""

    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


class ValidationError(HTTPError):
    """422 with FastAPI's list of field errors."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(422, errors)
        self.errors = errors


# -- pydantic v2 error entries ----------------------------------------------------------------------
def missing(loc: tuple[Any, ...], input: Any = None) -> dict[str, Any]:
    return {"type": "missing", "loc": list(loc), "msg": "Field required", "input": input}


def int_parsing(loc: tuple[Any, ...], value: Any) -> dict[str, Any]:
    return {
        "type": "int_parsing",
        "loc": list(loc),
        "msg": "Input should be a valid integer, unable to parse string as an integer",
        "input": value,
    }


def bool_parsing(loc: tuple[Any, ...], value: Any) -> dict[str, Any]:
    return {
        "type": "bool_parsing",
        "loc": list(loc),
        "msg": "Input should be a valid boolean, unable to interpret input",
        "input": value,
    }


def enum_error(loc: tuple[Any, ...], value: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    expected = _expected(allowed)
    return {
        "type": "enum",
        "loc": list(loc),
        "msg": f"Input should be {expected}",
        "input": value,
        "ctx": {"expected": expected},
    }


def greater_than_equal(loc: tuple[Any, ...], value: Any, ge: int) -> dict[str, Any]:
    return {
        "type": "greater_than_equal",
        "loc": list(loc),
        "msg": f"Input should be greater than or equal to {ge}",
        "input": value,
        "ctx": {"ge": ge},
    }


def type_error(loc: tuple[Any, ...], value: Any, kind: str) -> dict[str, Any]:
    """``string_type`` / ``list_type`` / ``dict_type`` / ``bool_type`` / ``int_type``."""
    what = {
        "string": "a valid string",
        "list": "a valid list",
        "dict": "a valid dictionary",
        "bool": "a valid boolean",
        "int": "a valid integer",
    }[kind]
    return {"type": f"{kind}_type", "loc": list(loc), "msg": f"Input should be {what}", "input": value}


def string_too_short(loc: tuple[Any, ...], value: Any, min_length: int) -> dict[str, Any]:
    unit = "character" if min_length == 1 else "characters"
    return {
        "type": "string_too_short",
        "loc": list(loc),
        "msg": f"String should have at least {min_length} {unit}",
        "input": value,
        "ctx": {"min_length": min_length},
    }


def string_too_long(loc: tuple[Any, ...], value: Any, max_length: int) -> dict[str, Any]:
    return {
        "type": "string_too_long",
        "loc": list(loc),
        "msg": f"String should have at most {max_length} characters",
        "input": value,
        "ctx": {"max_length": max_length},
    }


def list_too_short(loc: tuple[Any, ...], value: list[Any], min_length: int) -> dict[str, Any]:
    unit = "item" if min_length == 1 else "items"
    return {
        "type": "too_short",
        "loc": list(loc),
        "msg": f"List should have at least {min_length} {unit} after validation, not {len(value)}",
        "input": value,
        "ctx": {"field_type": "List", "min_length": min_length, "actual_length": len(value)},
    }


def json_invalid(position: int, error: str) -> dict[str, Any]:
    return {
        "type": "json_invalid",
        "loc": ["body", position],
        "msg": "JSON decode error",
        "input": {},
        "ctx": {"error": error},
    }


def model_attributes_type(value: Any) -> dict[str, Any]:
    return {
        "type": "model_attributes_type",
        "loc": ["body"],
        "msg": "Input should be a valid dictionary or object to extract fields from",
        "input": value,
    }


def _expected(allowed: tuple[str, ...]) -> str:
    quoted = [f"'{a}'" for a in allowed]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


class Errors:
    """Collects validation entries; :meth:`raise_if_any` raises them together as one 422."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, entry: dict[str, Any]) -> None:
        self.items.append(entry)

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationError(self.items)
