"""The run form: multipart/urlencoded parsing and Agno's field rules."""

from __future__ import annotations

import pytest

from brisk.os.errors import HTTPError, ValidationError
from brisk.os.forms import UploadedFile, parse_form, parse_multipart, parse_run_form
from tests.support.live_server import encode_multipart


def mp(fields: dict) -> tuple[str, bytes]:
    body, ctype = encode_multipart(fields)
    return ctype, body


def test_multipart_fields_files_and_order() -> None:
    ctype, body = mp(
        {"message": "héllo\r\nworld", "files": [("a.txt", b"x\r\n--y", "text/plain")], "stream": "false"}
    )
    items = parse_form(ctype, body)
    assert items[0] == ("message", "héllo\r\nworld")
    assert items[1] == ("files", UploadedFile("a.txt", "text/plain", b"x\r\n--y"))
    assert items[2] == ("stream", "false")


def test_multipart_quoted_name_and_headerless_part() -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="a\\"b"\r\n\r\nv1\r\n'
        b"--b\r\n\r\nno-name\r\n"
        b"--b\r\nContent-Disposition: form-data; name=plain\r\n\r\nv2\r\n--b--\r\n"
    )
    assert parse_multipart(body, b"b") == [('a"b', "v1"), ("plain", "v2")]


@pytest.mark.parametrize(
    "ctype,body",
    [
        ("multipart/form-data", b"--b\r\n"),  # no boundary parameter
        ("multipart/form-data; boundary=b", b"garbage"),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated',
        ),
    ],
)
def test_malformed_multipart_is_400(ctype: str, body: bytes) -> None:
    with pytest.raises(HTTPError) as e:
        parse_form(ctype, body)
    assert e.value.status == 400


def test_urlencoded_and_other_types() -> None:
    assert parse_form("application/x-www-form-urlencoded", b"message=a+b%21&x=") == [
        ("message", "a b!"),
        ("x", ""),
    ]
    assert parse_form("application/json", b'{"message": "x"}') == []
    assert parse_form(None, b"message=x") == []


def run_form(fields: dict):
    return parse_run_form(*mp(fields))


def test_defaults() -> None:
    f = run_form({"message": "hi", "session_id": "", "user_id": ""})
    assert (f.message, f.stream, f.session_id, f.user_id, f.background, f.stream_events) == (
        "hi",
        True,
        None,
        None,
        False,
        True,
    )
    assert f.run_kwargs == {}
    assert run_form({"message": "hi", "stream": ""}).stream is True  # empty counts as absent
    assert run_form({"message": "hi", "stream": "FALSE"}).stream is False
    assert run_form({"message": "hi", "stream": "0"}).stream is False


def test_missing_message_and_bad_types_reported_together() -> None:
    with pytest.raises(ValidationError) as e:
        run_form({"message": "", "stream": "maybe", "version": "x"})
    assert e.value.errors == [
        {"type": "missing", "loc": ["body", "message"], "msg": "Field required", "input": None},
        {
            "type": "bool_parsing",
            "loc": ["body", "stream"],
            "msg": "Input should be a valid boolean, unable to interpret input",
            "input": "maybe",
        },
        {
            "type": "int_parsing",
            "loc": ["body", "version"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": "x",
        },
    ]


def test_json_body_has_no_message() -> None:
    with pytest.raises(ValidationError) as e:
        parse_run_form("application/json", b'{"message": "hi"}')
    assert e.value.errors[0]["loc"] == ["body", "message"]


def test_json_options_and_scalars() -> None:
    f = run_form(
        {
            "message": "hi",
            "session_state": '{"a": 1}',
            "dependencies": '{"d": [1]}',
            "metadata": "null",
            "stream_events": "false",
            "run_id": "r-1",
            "something_else": "true",
        }
    )
    assert f.run_kwargs == {"session_state": {"a": 1}, "dependencies": {"d": [1]}, "run_id": "r-1"}
    assert f.stream_events is False


@pytest.mark.parametrize(
    "name,value,fragment",
    [
        ("session_state", "{bad", "Invalid session_state parameter: not valid JSON"),
        ("session_state", "[1, 2]", "Invalid session_state parameter: expected a JSON object"),
        ("dependencies", "nope", "Invalid dependencies parameter"),
        ("metadata", '"text"', "Invalid metadata parameter: expected a JSON object"),
    ],
)
def test_bad_json_option_is_400(name: str, value: str, fragment: str) -> None:
    with pytest.raises(HTTPError) as e:
        run_form({"message": "hi", name: value})
    assert e.value.status == 400 and fragment in e.value.detail


def test_unsupported_option_is_501_and_falsy_is_accepted() -> None:
    with pytest.raises(HTTPError) as e:
        run_form({"message": "hi", "knowledge_filters": '{"a": 1}'})
    assert e.value.status == 501 and "knowledge_filters" in e.value.detail
    assert run_form({"message": "hi", "add_history_to_context": "false"}).run_kwargs == {}


def test_output_schema() -> None:
    schema = '{"type": "object", "properties": {"a": {"type": "string"}}}'
    assert (
        run_form({"message": "hi", "output_schema": schema}).run_kwargs["output_schema"]["type"] == "object"
    )
    for bad in ("[1]", "{bad", '{"type": "array"}'):
        with pytest.raises(HTTPError) as e:
            run_form({"message": "hi", "output_schema": bad})
        assert e.value.status == 422


def test_files_collected_and_text_files_rejected() -> None:
    f = run_form({"message": "hi", "files": [("a.png", b"\x89PNG", "image/png")]})
    assert [u.filename for u in f.files] == ["a.png"]
    assert run_form({"message": "hi", "files": ""}).files == []  # an empty part means "none"
    with pytest.raises(ValidationError) as e:
        run_form({"message": "hi", "files": "not a file"})
    assert e.value.errors[0]["loc"] == ["body", "files", 0]
