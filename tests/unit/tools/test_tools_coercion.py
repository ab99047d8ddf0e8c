"""Scalar and container coercion rules (pydantic's lax mode, which Agno validates tool calls with)."""

from __future__ import annotations

import datetime as dt
import decimal
import pathlib
import uuid
from typing import Any

import pytest

from brisk.tools._scalars import CoercionError, to_bool, to_complex, to_decimal, to_float, to_int, to_str
from brisk.tools._schema import spec_for_parameter


@pytest.mark.parametrize(
    ("coerce", "value", "expected"),
    [
        (to_int, 5, 5),
        (to_int, True, 1),
        (to_int, 5.0, 5),
        (to_int, " 7 ", 7),
        (to_int, "5.0", 5),
        (to_float, 2, 2.0),
        (to_float, "1.5", 1.5),
        (to_float, 1.25, 1.25),
        (to_str, "x", "x"),
        (to_str, b"bytes", "bytes"),
        (to_bool, "Yes", True),
        (to_bool, "off", False),
        (to_bool, 0, False),
        (to_bool, 1.0, True),
        (to_decimal, "1.10", decimal.Decimal("1.10")),
        (to_decimal, 2, decimal.Decimal(2)),
        (to_complex, 2, complex(2)),
    ],
)
def test_accepted(coerce: Any, value: Any, expected: Any) -> None:
    got = coerce(value)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("coerce", "value"),
    [
        (to_int, 5.5),
        (to_int, "5.5"),
        (to_int, "five"),
        (to_int, None),
        (to_float, "x"),
        (to_float, [1]),
        (to_str, 5),
        (to_str, True),
        (to_bool, 2),
        (to_bool, "maybe"),
        (to_decimal, "abc"),
        (to_decimal, True),
        (to_complex, "1"),
    ],
)
def test_rejected(coerce: Any, value: Any) -> None:
    with pytest.raises(CoercionError):
        coerce(value)


def test_error_text_is_short() -> None:
    with pytest.raises(CoercionError) as info:
        to_int("x" * 200)
    assert str(info.value).startswith("expected an integer, got str 'xxx")
    assert len(str(info.value)) < 120 and str(info.value).endswith("...")


@pytest.mark.parametrize(
    ("hint", "value", "expected"),
    [
        (dt.datetime, "2024-05-01T10:30:00", dt.datetime(2024, 5, 1, 10, 30)),
        (dt.date, "2024-05-01T00:00:00", dt.date(2024, 5, 1)),
        (dt.time, "10:30", dt.time(10, 30)),
        (
            uuid.UUID,
            "12345678-1234-5678-1234-567812345678",
            uuid.UUID("12345678-1234-5678-1234-567812345678"),
        ),
        (pathlib.Path, "/tmp/x", pathlib.Path("/tmp/x")),
        (frozenset[int], ["1", 2], frozenset({1, 2})),
        (tuple, [1, 2], (1, 2)),
        (list, (1, 2), [1, 2]),
        (dict, {"a": 1}, {"a": 1}),
        (dict[int, str], {"1": "a"}, {1: "a"}),
        (list[int | None], [1, None], [1, None]),
        (dict[str, int | None], {"a": None}, {"a": None}),
        (type(None), None, None),
    ],
)
def test_spec_coercion(hint: Any, value: Any, expected: Any) -> None:
    spec = spec_for_parameter(hint)
    assert spec.coerce is not None
    assert spec.coerce(value) == expected


@pytest.mark.parametrize(
    ("hint", "value"),
    [
        (dt.time, 5),
        (dict, [("a", 1)]),
        (dict[str, int], "x"),
        (tuple[int, int], "ab"),
        (type(None), 0),
    ],
)
def test_spec_rejects(hint: Any, value: Any) -> None:
    spec = spec_for_parameter(hint)
    assert spec.coerce is not None
    with pytest.raises(CoercionError):
        spec.coerce(value)


def test_str_and_int_subclasses_keep_their_class() -> None:
    class Name(str):
        pass

    spec = spec_for_parameter(Name)
    assert spec.schema == {"type": "string"}
    assert spec.coerce is not None and type(spec.coerce("x")) is Name
