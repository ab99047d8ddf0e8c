"""Coercers for scalar parameters (pydantic lax-mode rules: ``"5"`` → 5, ``"yes"`` → True, ...)."""

from __future__ import annotations

import datetime as dt
import decimal
import pathlib
import uuid
from collections.abc import Callable
from typing import Any

Coercer = Callable[[Any], Any]


class CoercionError(ValueError):
    def __init__(self, expected: str, value: Any) -> None:
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"expected {expected}, got {type(value).__name__} {shown}")
        self.expected = expected


def to_int(v: Any) -> int:
    if type(v) is int:
        return v
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        text = v.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                pass
            else:
                if number.is_integer():
                    return int(number)
    raise CoercionError("an integer", v)


def to_float(v: Any) -> float:
    if type(v) is float:
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip())
        except ValueError:
            pass
    raise CoercionError("a number", v)


def to_str(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode()
    raise CoercionError("a string", v)


_TRUE = frozenset({"true", "1", "yes", "y", "on", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "off", "f"})


def to_bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        low = v.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    raise CoercionError("a boolean", v)


def to_decimal(v: Any) -> decimal.Decimal:
    if isinstance(v, decimal.Decimal):
        return v
    if isinstance(v, (int, float, str)) and not isinstance(v, bool):
        try:
            return decimal.Decimal(str(v).strip())
        except decimal.InvalidOperation:
            pass
    raise CoercionError("a number", v)


def to_complex(v: Any) -> complex:
    if isinstance(v, (int, float, complex)) and not isinstance(v, bool):
        return complex(v)
    raise CoercionError("a number", v)


# Checked in order: bool before int because bool is an int subclass.
SCALARS: tuple[tuple[type, str, Coercer, str], ...] = (
    (bool, "boolean", to_bool, "a boolean"),
    (int, "integer", to_int, "an integer"),
    (float, "number", to_float, "a number"),
    (decimal.Decimal, "number", to_decimal, "a number"),
    (complex, "number", to_complex, "a number"),
    (str, "string", to_str, "a string"),
)
STRINGLIKE: tuple[tuple[type, dict[str, str], str], ...] = (
    (dt.datetime, {"type": "string", "format": "date-time"}, "an ISO 8601 date-time string"),
    (dt.date, {"type": "string", "format": "date"}, "an ISO 8601 date string"),
    (dt.time, {"type": "string", "format": "time"}, "an ISO 8601 time string"),
    (uuid.UUID, {"type": "string", "format": "uuid"}, "a UUID string"),
    (pathlib.PurePath, {"type": "string"}, "a path string"),
)


def subclass(t: type, base: Coercer) -> Coercer:
    def coerce(v: Any) -> Any:
        return v if type(v) is t else t(base(v))

    return coerce


def from_string(t: type, expected: str) -> Coercer:
    if t is dt.date:

        def parse(text: str) -> Any:
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                return dt.datetime.fromisoformat(text).date()

    elif issubclass(t, (dt.datetime, dt.date, dt.time)):
        parse = t.fromisoformat  # type: ignore[attr-defined]
    else:
        parse = t

    def coerce(v: Any) -> Any:
        if isinstance(v, t):
            return v
        if isinstance(v, str):
            try:
                return parse(v.strip())
            except ValueError:
                pass
        raise CoercionError(expected, v)

    return coerce


def only_none(v: Any) -> None:
    if v is not None:
        raise CoercionError("null", v)


def check(cls: type, expected: str) -> Coercer:
    def coerce(v: Any) -> Any:
        if isinstance(v, cls):
            return v
        raise CoercionError(expected, v)

    return coerce
