"""The few HTTP primitives the routers need, on raw ASGI (no Request/Response object per call).

* :class:`Request`: the scope, path parameters, the query string parsed once, the body read on demand.
* :class:`Query`: typed query parameters that fail like FastAPI (a 422 listing every bad parameter).
* :class:`Response` and :func:`json`: a status, a body and headers, sent by the dispatcher.
* :func:`read_json_body` / :func:`validate_fields`: JSON bodies checked the way FastAPI and pydantic
  check a body model, with the same error entries.
* :func:`iso`: epoch seconds as pydantic prints a UTC datetime (``2026-11-25T11:35:22Z``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import msgspec

from brisk.os import errors as E

__all__ = ["Query", "Request", "Response", "iso", "json", "no_content", "read_json_body", "validate_fields"]

_encode = msgspec.json.Encoder().encode
_JSON_CT = b"application/json"


class Response:
    """A complete (non-streamed) response: the dispatcher sends it in two ASGI messages."""

    __slots__ = ("status", "body", "headers")

    def __init__(self, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        self.status = status
        self.body = body
        self.headers = headers


def json(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = _encode(content)
    hdrs = [(b"content-length", str(len(body)).encode()), (b"content-type", _JSON_CT)]
    if headers:
        hdrs.extend((k.lower().encode(), v.encode()) for k, v in headers.items())
    return Response(status, body, hdrs)


def no_content() -> Response:
    # FastAPI answers 204 with its default media type and no length; uvicorn then sends no body framing.
    return Response(204, b"", [(b"content-type", _JSON_CT)])


def error_response(exc: E.HTTPError) -> Response:
    return json({"detail": exc.detail}, exc.status, exc.headers)


def iso(value: Any) -> str | None:
    """Epoch seconds (int/float), a datetime or an ISO string -> pydantic's UTC datetime text."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        dt = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    else:
        dt = datetime.fromtimestamp(value, tz=UTC)
    if dt.utcoffset():
        return dt.isoformat()
    text = dt.replace(tzinfo=None).isoformat()
    return text + "Z"


class Request:
    """One HTTP request: scope, path parameters and the receive channel."""

    __slots__ = ("scope", "receive", "send", "params", "_query", "_body", "os")

    def __init__(
        self,
        scope: dict[str, Any],
        receive: Callable[..., Any],
        send: Callable[..., Any],
        params: dict[str, str],
        os: Any,
    ) -> None:
        self.scope = scope
        self.receive = receive
        self.send = send
        self.params = params
        self.os = os
        self._query: Query | None = None
        self._body: bytes | None = None

    @property
    def query(self) -> Query:
        if self._query is None:
            self._query = Query(self.scope.get("query_string", b""))
        return self._query

    def header(self, name: bytes) -> str | None:
        """A request header (lower-case ``name``), decoded as latin-1 like Starlette does."""
        for k, v in self.scope["headers"]:
            if k == name:
                return v.decode("latin-1")
        return None

    async def body(self, limit: int = 64 * 1024 * 1024) -> bytes:
        if self._body is None:
            chunks: list[bytes] = []
            size = 0
            while True:
                message = await self.receive()
                if message["type"] == "http.disconnect":
                    # Gone before the body arrived: never act on a truncated form. (Nobody reads the answer.)
                    raise E.HTTPError(400, "The client disconnected before sending the whole body")
                chunk = message.get("body", b"")
                if chunk:
                    size += len(chunk)
                    if size > limit:
                        raise E.HTTPError(413, f"Request body larger than {limit} bytes")
                    chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            self._body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return self._body


class Query:
    """Typed query parameters. Read every parameter, then call :meth:`check` to raise one 422 for all."""

    __slots__ = ("_values", "errors")

    def __init__(self, raw: bytes) -> None:
        self._values: dict[str, list[str]] = {}
        if raw:
            for k, v in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
                self._values.setdefault(k, []).append(v)
        self.errors = E.Errors()

    def raw(self, name: str) -> str | None:
        values = self._values.get(name)
        return values[-1] if values else None  # the last one wins, as in Starlette

    def str(self, name: str, default: str | None = None, required: bool = False) -> str | None:
        value = self.raw(name)
        if value is None:
            if required:
                self.errors.add(E.missing(("query", name)))
            return default
        return value

    def list(self, name: str) -> list[str] | None:
        return self._values.get(name) or None

    def int(self, name: str, default: int | None = None, ge: int | None = None) -> int | None:
        value = self.raw(name)
        if value is None:
            return default
        parsed = parse_int(value)
        if parsed is None:
            self.errors.add(E.int_parsing(("query", name), value))
            return default
        if ge is not None and parsed < ge:
            self.errors.add(E.greater_than_equal(("query", name), value, ge))
            return default
        return parsed

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        parsed = parse_bool(value)
        if parsed is None:
            self.errors.add(E.bool_parsing(("query", name), value))
            return default
        return parsed

    def enum(self, name: str, allowed: tuple[str, ...], default: str | None = None) -> str | None:
        value = self.raw(name)
        if value is None:
            return default
        if value not in allowed:
            self.errors.add(E.enum_error(("query", name), value, allowed))
            return default
        return value

    def check(self) -> None:
        self.errors.raise_if_any()


_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def parse_bool(value: str) -> bool | None:
    """pydantic's lax bool parsing of a string (``None`` when it is not a boolean)."""
    low = value.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    return None


def parse_int(value: str) -> int | None:
    """pydantic's lax int parsing of a string: ``"5"`` and ``"5.0"`` are 5, ``"5.5"`` and ``"1e3"`` are not."""
    text = value.strip().replace("_", "") if "_" in value else value.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    head, dot, frac = text.partition(".")
    if dot and head.lstrip("+-").isdigit() and frac and set(frac) == {"0"}:
        return int(head)
    return None


# -- JSON bodies ------------------------------------------------------------------------------------
_MISSING = object()


async def read_json_body(req: Request) -> Any:
    """The body as FastAPI hands it to a body model: decoded JSON, ``_MISSING`` when empty, or the raw
    text when the content type is not JSON (which then fails validation, as in FastAPI)."""
    raw = await req.body()
    if not raw:
        return _MISSING
    ctype = (req.header(b"content-type") or "").split(";", 1)[0].strip().lower()
    if ctype and not (
        ctype == "application/json" or (ctype.startswith("application/") and ctype.endswith("+json"))
    ):
        return raw.decode("utf-8", "replace")
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError:
        # Report position and message as Python's json module words them (what FastAPI shows).
        import json as _json

        try:
            _json.loads(raw)
        except ValueError as e:
            pos, msg = getattr(e, "pos", 0), getattr(e, "msg", str(e))
            raise E.ValidationError([E.json_invalid(pos, msg)]) from None
        raise E.ValidationError([E.json_invalid(0, "Invalid JSON")]) from None


# A field spec: (name, kind, required, constraints). Kinds: "str", "list[str]", "dict", "list[enum]".
FieldSpec = tuple[str, str, bool, dict[str, Any]]


def validate_fields(body: Any, fields: list[FieldSpec], *, embed: bool = False) -> dict[str, Any]:
    """Check a JSON body against ``fields`` like a pydantic model would; 422 with every problem.

    ``embed``: the fields are separate ``Body(embed=True)`` parameters (no model), so a missing body
    reports each missing field instead of the body as a whole.
    """
    errors = E.Errors()
    if body is _MISSING:
        if not embed:
            if any(required for _, _, required, _ in fields):
                raise E.ValidationError([E.missing(("body",))])
            return {}
        body = {}
    if not isinstance(body, dict):
        if embed:
            body = {}
        else:
            raise E.ValidationError([E.model_attributes_type(body)])
    out: dict[str, Any] = {}
    for name, kind, required, cons in fields:
        loc = ("body", name)
        value = body.get(name, _MISSING)
        if value is _MISSING:
            if required:
                errors.add(E.missing(loc, None if embed else body))
            out[name] = None
            continue
        if value is None and not required:
            out[name] = None
            continue
        out[name] = _check(value, kind, cons, loc, errors)
    errors.raise_if_any()
    return out


def _check(value: Any, kind: str, cons: dict[str, Any], loc: tuple[Any, ...], errors: E.Errors) -> Any:
    if kind == "str":
        if not isinstance(value, str):
            errors.add(E.type_error(loc, value, "string"))
            return None
        if "min_length" in cons and len(value) < cons["min_length"]:
            errors.add(E.string_too_short(loc, value, cons["min_length"]))
        elif "max_length" in cons and len(value) > cons["max_length"]:
            errors.add(E.string_too_long(loc, value, cons["max_length"]))
        return value
    if kind == "dict":
        if not isinstance(value, dict):
            errors.add(E.type_error(loc, value, "dict"))
            return None
        return value
    if kind in ("list[str]", "list[enum]"):
        if not isinstance(value, list):
            errors.add(E.type_error(loc, value, "list"))
            return None
        before = len(errors.items)
        for i, item in enumerate(value):
            if kind == "list[str]":
                if not isinstance(item, str):
                    errors.add(E.type_error((*loc, i), item, "string"))
            elif item not in cons["allowed"]:
                errors.add(E.enum_error((*loc, i), item, cons["allowed"]))
        if "min_length" in cons and len(value) < cons["min_length"]:
            errors.items.insert(before, E.list_too_short(loc, value, cons["min_length"]))
        return value
    raise ValueError(f"unknown field kind {kind!r}")  # a programming error in a route's spec


def is_missing(value: Any) -> bool:
    return value is _MISSING
