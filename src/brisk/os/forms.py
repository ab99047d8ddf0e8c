"""The run form: ``POST /agents/{id}/runs`` bodies, multipart or urlencoded, read as AgentOS reads them.

What Agno 3.1.10 does and Brisk keeps:

* ``message`` is required; an empty value counts as missing (FastAPI's rule for form fields), so
  a JSON body, which carries no form fields at all, fails with ``loc ["body", "message"]``.
* ``stream`` defaults to **true**, also when the field is absent or empty; ``background`` to false.
* ``session_id=""`` (what Agno's Agent UI sends for a new chat) means "start a new session".
* Fields the route does not declare are run options: ``session_state``, ``dependencies`` and
  ``metadata`` are JSON strings; ``"true"``/``"false"`` become booleans and ``"null"``/``"none"`` None.

Where Brisk is stricter (``contracts/deviations.md``): Agno drops a ``session_state`` or
``dependencies`` that is not valid JSON and runs anyway; Brisk answers 400 naming the field, so a
caller's typo never runs with silently different state. Options Brisk does not implement yet
(uploads, knowledge filters, ...) answer 501 instead of being ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import msgspec

from brisk.os import errors as E
from brisk.os._http import parse_bool, parse_int

__all__ = ["RunForm", "UploadedFile", "check_uploads", "parse_form", "parse_run_form"]


@dataclass(slots=True)
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


@dataclass(slots=True)
class RunForm:
    message: str
    stream: bool = True
    session_id: str | None = None
    user_id: str | None = None
    version: int | None = None
    background: bool = False
    stream_events: bool = True
    files: list[UploadedFile] = field(default_factory=list)
    # Keyword arguments for ``Agent.arun`` (session_state, dependencies, metadata, output_schema, run_id).
    run_kwargs: dict[str, Any] = field(default_factory=dict)


# -- raw form parsing -------------------------------------------------------------------------------
FormItems = list[tuple[str, "str | UploadedFile"]]

_PARAM = re.compile(r';\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def _params(header_value: str) -> tuple[str, dict[str, str]]:
    """``form-data; name="a"; filename="b.txt"`` -> (``form-data``, ``{"name": "a", "filename": "b.txt"}``)."""
    main, _, rest = header_value.partition(";")
    out: dict[str, str] = {}
    for m in _PARAM.finditer(";" + rest):
        key, value = m.group(1).lower(), m.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out[key] = value
    return main.strip().lower(), out


def parse_multipart(body: bytes, boundary: bytes) -> FormItems:
    """Split a ``multipart/form-data`` body into (name, text or file) items, in order.

    A small parser on purpose: the whole body is in memory already (runs are small), so finding the
    delimiters with ``bytes.find`` is both simpler and faster than a streaming state machine.
    """
    delim = b"--" + boundary
    items: FormItems = []
    pos = body.find(delim)
    if pos < 0:
        raise E.HTTPError(400, "There was an error parsing the body")
    pos += len(delim)
    while not body.startswith(b"--", pos):
        eol = body.find(b"\r\n", pos)
        end = body.find(b"\r\n" + delim, eol)
        if eol < 0 or end < 0:
            raise E.HTTPError(400, "There was an error parsing the body")
        part = body[eol + 2 : end]
        pos = end + 2 + len(delim)
        if part.startswith(b"\r\n"):
            raw_headers, content = b"", part[2:]
        else:
            raw_headers, sep, content = part.partition(b"\r\n\r\n")
            if not sep:
                raise E.HTTPError(400, "There was an error parsing the body")
        name = filename = None
        ctype = "text/plain"
        for line in raw_headers.split(b"\r\n"):
            key, _, value = line.decode("latin-1").partition(":")
            key = key.strip().lower()
            if key == "content-disposition":
                _, p = _params(value)
                name, filename = p.get("name"), p.get("filename")
            elif key == "content-type":
                ctype = value.strip()
        if name is None:
            continue  # a part without a field name cannot be addressed; browsers never send one
        if filename is not None:
            items.append((name, UploadedFile(filename, ctype, content)))
        else:
            items.append((name, content.decode("utf-8", "replace")))
    return items


def parse_form(content_type: str | None, body: bytes) -> FormItems:
    """Form items of a multipart or urlencoded body; any other content type carries no fields."""
    main, p = _params(content_type or "")
    if main == "multipart/form-data":
        boundary = p.get("boundary")
        if not boundary:
            raise E.HTTPError(400, "There was an error parsing the body")
        return parse_multipart(body, boundary.encode("latin-1"))
    if main == "application/x-www-form-urlencoded":
        return list(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return []


# -- the run form -----------------------------------------------------------------------------------
_DECLARED = frozenset(
    {
        "message",
        "stream",
        "session_id",
        "user_id",
        "files",
        "files_metadata",
        "version",
        "background",
        "factory_input",
    }
)
# JSON-string options Brisk passes to ``Agent.arun`` after decoding; each must be a JSON object.
_JSON_OBJECT_OPTIONS = ("session_state", "dependencies", "metadata")
# Agno run options Brisk does not implement yet: a set value is refused (501) rather than ignored.
_UNSUPPORTED = (
    "images",
    "audio",
    "videos",
    "input_files",
    "knowledge_filters",
    "add_history_to_context",
    "add_dependencies_to_context",
    "add_session_state_to_context",
    "debug_mode",
    "retries",
)


def parse_run_form(content_type: str | None, body: bytes) -> RunForm:
    """Validate a run form into a :class:`RunForm`; 422/400/501 with a clear message otherwise."""
    items = parse_form(content_type, body)
    form: dict[str, Any] = {}
    uploads: list[UploadedFile] = []
    errors = E.Errors()
    for name, value in items:
        if name == "files":
            if isinstance(value, UploadedFile):
                uploads.append(value)
            elif value:
                errors.add(
                    {
                        "type": "value_error",
                        "loc": ["body", "files", len(uploads)],
                        "msg": f"Value error, Expected UploadFile, received: {type(value)}",
                        "input": value,
                        "ctx": {"error": {}},
                    }
                )
            continue
        form[name] = value  # the last value of a repeated field wins, as in Starlette's FormData

    def text(name: str) -> str | None:
        # FastAPI treats an empty form value as absent; a file where text is expected is absent too.
        v = form.get(name)
        return v if isinstance(v, str) and v != "" else None

    message = text("message")
    if message is None:
        errors.add(E.missing(("body", "message")))
    stream = True
    if (raw := text("stream")) is not None:
        parsed = parse_bool(raw)
        if parsed is None:
            errors.add(E.bool_parsing(("body", "stream"), raw))
        else:
            stream = parsed
    version = None
    if (raw := text("version")) is not None:
        version = parse_int(raw)
        if version is None:
            errors.add(E.int_parsing(("body", "version"), raw))
    background = False
    if (raw := text("background")) is not None:
        parsed = parse_bool(raw)
        if parsed is None:
            errors.add(E.bool_parsing(("body", "background"), raw))
        else:
            background = parsed
    errors.raise_if_any()
    assert message is not None

    extras = {k: v for k, v in form.items() if k not in _DECLARED}
    run_kwargs, stream_events = _run_options(extras)
    return RunForm(
        message=message,
        stream=stream,
        session_id=text("session_id"),
        user_id=text("user_id"),
        version=version,
        background=background,
        stream_events=stream_events,
        files=uploads,
        run_kwargs=run_kwargs,
    )


def _run_options(extras: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    values: dict[str, Any] = {}
    for name, raw in extras.items():
        if isinstance(raw, UploadedFile):
            continue  # an upload under an undeclared name is not a run option
        if name in _JSON_OBJECT_OPTIONS:
            if raw == "":
                continue  # an empty part from a FormData builder means "not sent"
            values[name] = _json_object(name, raw)
        elif name == "output_schema":
            values[name] = _output_schema(raw)
        else:
            values[name] = _scalar(raw)
    use_json_schema = values.pop("use_json_schema", False)
    del use_json_schema  # output_schema stays a JSON schema dict in Brisk either way
    stream_events = values.pop("stream_events", True)
    if stream_events is None:
        stream_events = True
    for name in _UNSUPPORTED:
        if values.get(name):
            raise E.HTTPError(501, f"The run option '{name}' is not supported by Brisk yet")
    kwargs: dict[str, Any] = {}
    for name in (*_JSON_OBJECT_OPTIONS, "output_schema"):
        if values.get(name) is not None:
            kwargs[name] = values[name]
    run_id = values.get("run_id")
    if isinstance(run_id, str) and run_id:
        kwargs["run_id"] = run_id
    return kwargs, bool(stream_events)


def _scalar(raw: str) -> Any:
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("null", "none"):
        return None
    return raw


def _json_object(name: str, raw: str) -> dict[str, Any] | None:
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError as e:
        raise E.HTTPError(400, f"Invalid {name} parameter: not valid JSON ({e})") from None
    if value is not None and not isinstance(value, dict):
        raise E.HTTPError(400, f"Invalid {name} parameter: expected a JSON object")
    return value


def _output_schema(raw: str) -> dict[str, Any]:
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise E.HTTPError(422, "Invalid output_schema: expected a JSON object schema") from None
    if not isinstance(value, dict):
        raise E.HTTPError(422, "Invalid output_schema: expected a JSON object schema")
    inner = value.get("json_schema", {}).get("schema") if value.get("type") == "json_schema" else value
    if value.get("type") != "json_object" and (not isinstance(inner, dict) or inner.get("type") != "object"):
        raise E.HTTPError(422, 'Invalid output_schema: root must declare "type": "object"')
    return value


# -- uploads ----------------------------------------------------------------------------------------
_IMAGE = frozenset(
    {"image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp", "image/bmp", "image/tiff"}
)
_AUDIO_PREFIX, _VIDEO_PREFIX = "audio/", "video/"
_DOCUMENT = frozenset(
    {
        "application/pdf",
        "application/json",
        "application/x-javascript",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/javascript",
        "application/x-python",
        "text/x-python",
        "text/plain",
        "text/html",
        "text/css",
        "text/md",
        "text/markdown",
        "text/csv",
        "text/xml",
        "text/rtf",
    }
)


def check_uploads(form: RunForm) -> None:
    """Uploaded files: 400 for a type Agno refuses too, 501 for the others (no media input yet)."""
    for f in form.files:
        ct = f.content_type.split(";", 1)[0].strip().lower()
        known = (
            ct in _IMAGE or ct in _DOCUMENT or ct.startswith(_AUDIO_PREFIX) or ct.startswith(_VIDEO_PREFIX)
        )
        if not known:
            raise E.HTTPError(400, "Unsupported file type")
    if form.files:
        raise E.HTTPError(
            501, "File uploads (images, audio, video, documents) are not supported by Brisk yet"
        )


def check_run_options(form: RunForm) -> None:
    """What a run request may ask that Brisk does not serve yet: answered before anything runs."""
    check_uploads(form)
    if form.background:
        raise E.HTTPError(501, "Background runs are not supported by Brisk yet")
    if form.version is not None:
        raise E.HTTPError(501, "Component versions are not supported by Brisk yet")
