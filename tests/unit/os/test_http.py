"""Query parameters, JSON bodies and times, failing and printing as FastAPI + pydantic v2 do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from brisk.os._http import Query, Request, iso, parse_bool, parse_int, read_json_body, validate_fields
from brisk.os.errors import ValidationError, enum_error


def q(raw: str) -> Query:
    return Query(raw.encode())


def test_query_typed_values_and_defaults() -> None:
    query = q("limit=5&page=0&type=agent&b=YES&s=x&s=y&blank=")
    assert query.int("limit", 20, ge=1) == 5
    assert query.int("page", 1, ge=0) == 0
    assert query.int("absent", 20) == 20
    assert query.enum("type", ("agent", "team")) == "agent"
    assert query.bool("b") is True
    assert query.str("s") == "y"  # the last value wins
    assert query.list("s") == ["x", "y"]
    assert query.str("blank") == ""
    query.check()


def test_query_reports_every_bad_parameter() -> None:
    query = q("limit=abc&page=-1&type=foo&sort_order=up&b=maybe")
    query.int("limit", 20, ge=1)
    query.int("page", 1, ge=0)
    query.enum("type", ("agent", "team", "workflow"))
    query.enum("sort_order", ("asc", "desc"), "desc")
    query.bool("b")
    query.str("session_id", required=True)
    with pytest.raises(ValidationError) as e:
        query.check()
    assert e.value.status == 422
    assert e.value.errors == [
        {
            "type": "int_parsing",
            "loc": ["query", "limit"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": "abc",
        },
        {
            "type": "greater_than_equal",
            "loc": ["query", "page"],
            "msg": "Input should be greater than or equal to 0",
            "input": "-1",
            "ctx": {"ge": 0},
        },
        {
            "type": "enum",
            "loc": ["query", "type"],
            "msg": "Input should be 'agent', 'team' or 'workflow'",
            "input": "foo",
            "ctx": {"expected": "'agent', 'team' or 'workflow'"},
        },
        {
            "type": "enum",
            "loc": ["query", "sort_order"],
            "msg": "Input should be 'asc' or 'desc'",
            "input": "up",
            "ctx": {"expected": "'asc' or 'desc'"},
        },
        {
            "type": "bool_parsing",
            "loc": ["query", "b"],
            "msg": "Input should be a valid boolean, unable to interpret input",
            "input": "maybe",
        },
        {"type": "missing", "loc": ["query", "session_id"], "msg": "Field required", "input": None},
    ]


@pytest.mark.parametrize(
    "text,value",
    [("5", 5), (" 7 ", 7), ("5.0", 5), ("-3", -3), ("1_000", 1000), ("5.5", None), ("1e3", None), ("", None)],
)
def test_parse_int(text: str, value: int | None) -> None:
    assert parse_int(text) == value


@pytest.mark.parametrize(
    "text,value", [("true", True), ("On", True), ("y", True), ("0", False), ("no", False), ("x", None)]
)
def test_parse_bool(text: str, value: bool | None) -> None:
    assert parse_bool(text) is value


def test_enum_message_for_one_value() -> None:
    assert enum_error(("query", "x"), "b", ("a",))["msg"] == "Input should be 'a'"


def test_iso_like_pydantic() -> None:
    assert iso(1795606522) == "2026-11-25T11:35:22Z"
    assert iso(1795606522.036378) == "2026-11-25T11:35:22.036378Z"
    assert iso(datetime(2026, 11, 25, tzinfo=UTC)) == "2026-11-25T00:00:00Z"
    assert iso(datetime(2026, 11, 25)) == "2026-11-25T00:00:00Z"
    assert iso("2026-11-25T11:35:22Z") == "2026-11-25T11:35:22Z"
    assert iso(datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2)))) == "2026-01-01T00:00:00+02:00"
    assert iso(None) is None and iso("not a date") is None


FIELDS = [
    ("memory", "str", True, {"min_length": 1, "max_length": 10}),
    ("user_id", "str", False, {}),
    ("topics", "list[str]", False, {}),
    ("state", "dict", False, {}),
    ("kinds", "list[enum]", False, {"allowed": ("a", "b"), "min_length": 1}),
]


def test_validate_fields_ok_and_nulls() -> None:
    assert validate_fields({"memory": "m", "user_id": None, "topics": ["t"]}, FIELDS) == {
        "memory": "m",
        "user_id": None,
        "topics": ["t"],
        "state": None,
        "kinds": None,
    }


def test_validate_fields_errors() -> None:
    body = {"memory": "", "topics": ["ok", 3], "state": "x", "kinds": []}
    with pytest.raises(ValidationError) as e:
        validate_fields(body, FIELDS)
    types = [(err["type"], err["loc"]) for err in e.value.errors]
    assert types == [
        ("string_too_short", ["body", "memory"]),
        ("string_type", ["body", "topics", 1]),
        ("dict_type", ["body", "state"]),
        ("too_short", ["body", "kinds"]),
    ]
    with pytest.raises(ValidationError) as e:
        validate_fields({"user_id": "u"}, FIELDS)
    assert e.value.errors == [
        {"type": "missing", "loc": ["body", "memory"], "msg": "Field required", "input": {"user_id": "u"}}
    ]
    with pytest.raises(ValidationError) as e:
        validate_fields({"memory": "x" * 11}, FIELDS)
    assert e.value.errors[0]["type"] == "string_too_long"


def test_validate_fields_body_shapes() -> None:
    from brisk.os._http import _MISSING

    with pytest.raises(ValidationError) as e:
        validate_fields(_MISSING, FIELDS)
    assert e.value.errors == [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]
    with pytest.raises(ValidationError) as e:
        validate_fields([1], FIELDS)
    assert e.value.errors[0]["type"] == "model_attributes_type"
    assert validate_fields(_MISSING, [("x", "str", False, {})]) == {}
    with pytest.raises(ValidationError) as e:
        validate_fields(_MISSING, [("session_name", "str", True, {})], embed=True)
    assert e.value.errors == [
        {"type": "missing", "loc": ["body", "session_name"], "msg": "Field required", "input": None}
    ]


def _request(body: bytes, ctype: str | None) -> Request:
    chunks = [
        {"type": "http.request", "body": body[:3], "more_body": True},
        {"type": "http.request", "body": body[3:]},
    ]

    async def receive() -> dict:
        return chunks.pop(0)

    headers = [(b"content-type", ctype.encode())] if ctype else []
    return Request({"type": "http", "headers": headers}, receive, None, {}, None)  # type: ignore[arg-type]


async def test_read_json_body() -> None:
    assert await read_json_body(_request(b'{"a": [1]}', "application/json")) == {"a": [1]}
    assert await read_json_body(_request(b'{"a": 1}', "application/vnd.x+json")) == {"a": 1}
    assert await read_json_body(_request(b"memory=x", "text/plain")) == "memory=x"
    with pytest.raises(ValidationError) as e:
        await read_json_body(_request(b"{bad", "application/json"))
    assert e.value.errors == [
        {
            "type": "json_invalid",
            "loc": ["body", 1],
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": "Expecting property name enclosed in double quotes"},
        }
    ]


async def test_body_cut_by_a_disconnect_is_refused() -> None:
    from brisk.os.errors import HTTPError

    messages = [
        {"type": "http.request", "body": b"message=hal", "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict:
        return messages.pop(0)

    req = Request({"type": "http", "headers": []}, receive, None, {}, None)  # type: ignore[arg-type]
    with pytest.raises(HTTPError):
        await req.body()


async def test_body_limit() -> None:
    from brisk.os.errors import HTTPError

    async def receive() -> dict:
        return {"type": "http.request", "body": b"x" * 10, "more_body": True}

    req = Request({"type": "http", "headers": []}, receive, None, {}, None)  # type: ignore[arg-type]
    with pytest.raises(HTTPError) as e:
        await req.body(limit=25)
    assert e.value.status == 413
