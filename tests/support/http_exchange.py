"""Compare HTTP responses with captured ones (``curl -i`` files), after masking what varies per run.

Generic on purpose: the AgentOS integration tests and the contract suite both use it.

* :func:`load_exchange` reads a ``.http`` capture: status, headers (in order), body bytes.
* :func:`parse_sse` splits an SSE body into ``(event, data)`` pairs (and checks the framing).
* :func:`normalise` masks ids (UUIDs, ``chatcmpl-*``, ``call_*``), timestamps (``*_at`` keys, ISO
  strings, ``date``), durations and the tool-timing text, so two runs of the same scenario compare equal.
* :func:`diff` is a deep diff that reports every difference with its JSON path.
* :func:`compare_exchange` puts it together: status, the headers that matter, and the body (JSON, SSE or
  text).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Exchange", "compare_exchange", "diff", "load_exchange", "normalise", "parse_sse"]

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_CHATCMPL = re.compile(r"chatcmpl-[A-Za-z0-9]+")
_CALL = re.compile(r"\bcall_[A-Za-z0-9_]+")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMING = re.compile(r"completed in \d+\.\d+s")
TIME_KEYS = frozenset(
    {
        "created_at",
        "updated_at",
        "instantiated_at",
        "date",
        "last_memory_updated_at",
        "start_time",
        "end_time",
    }
)
DURATION_KEYS = frozenset({"duration", "time_to_first_token", "search_time_ms"})


@dataclass
class Exchange:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def json(self) -> Any:
        return json.loads(self.body)


def load_exchange(path: str | Path) -> Exchange:
    raw = Path(path).read_bytes()
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, _, body = raw.partition(b"\n\n")
    lines = head.decode("latin-1").splitlines()
    _, status, reason = (lines[0].split(" ", 2) + [""])[:3]
    headers = [tuple(x.strip() for x in line.split(":", 1)) for line in lines[1:] if ":" in line]
    return Exchange(int(status), reason, headers, body, name=Path(path).stem)  # type: ignore[arg-type]


def parse_sse(body: bytes) -> list[tuple[str, Any]]:
    """``event: X\\ndata: {...}\\n\\n`` frames -> ``[(X, decoded data), ...]``; strict about the framing."""
    text = body.decode("utf-8")
    assert text == "" or text.endswith("\n\n"), f"SSE body does not end with a blank line: {text[-80:]!r}"
    events = []
    for block in text.split("\n\n"):
        if not block:
            continue
        lines = block.split("\n")
        assert len(lines) == 2 and lines[0].startswith("event: ") and lines[1].startswith("data: "), (
            f"not an Agno SSE frame: {block[:200]!r}"
        )
        name, data = lines[0][7:], json.loads(lines[1][6:])
        events.append((name, data))
    return events


def _mask_str(value: str) -> str:
    value = _UUID.sub("<uuid>", value)
    value = _CHATCMPL.sub("<chatcmpl>", value)
    value = _CALL.sub("<call>", value)
    value = _ISO.sub("<ts>", value)
    value = _TIMING.sub("completed in <dur>s", value)
    return _DAY.sub("<day>", value)


def normalise(value: Any, key: str | None = None) -> Any:
    """A copy of ``value`` with run-specific ids, times and durations replaced by placeholders."""
    if key in TIME_KEYS and isinstance(value, int | float | str) and not isinstance(value, bool):
        return "<ts>"
    if key in DURATION_KEYS and isinstance(value, int | float) and not isinstance(value, bool):
        return "<dur>"
    if isinstance(value, dict):
        return {_mask_str(k): normalise(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, str):
        return _mask_str(value)
    return value


def diff(expected: Any, actual: Any, path: str = "$", *, ordered_keys: bool = True) -> list[str]:
    """Every difference between two JSON values, as ``path: expected X, got Y`` lines.

    ``ordered_keys`` also reports a different key order in objects (Agno's field order is part of
    the contract for SSE payloads and most bodies).
    """
    out: list[str] = []
    if isinstance(expected, dict) and isinstance(actual, dict):
        for k in expected:
            if k not in actual:
                out.append(f"{path}.{k}: missing (expected {_short(expected[k])})")
            else:
                out.extend(diff(expected[k], actual[k], f"{path}.{k}", ordered_keys=ordered_keys))
        for k in actual:
            if k not in expected:
                out.append(f"{path}.{k}: unexpected key (value {_short(actual[k])})")
        common_e = [k for k in expected if k in actual]
        common_a = [k for k in actual if k in expected]
        if ordered_keys and common_e != common_a:
            out.append(f"{path}: key order {common_a} != expected {common_e}")
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            out.append(f"{path}: list length {len(actual)} != expected {len(expected)}")
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            out.extend(diff(e, a, f"{path}[{i}]", ordered_keys=ordered_keys))
        return out
    if type(expected) is not type(actual) and not (
        isinstance(expected, int | float) and isinstance(actual, int | float) and not isinstance(actual, bool)
    ):
        return [f"{path}: expected {_short(expected)} ({type(expected).__name__}), got {_short(actual)}"]
    if expected != actual:
        return [f"{path}: expected {_short(expected)}, got {_short(actual)}"]
    return out


def _short(v: Any) -> str:
    text = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else repr(v)
    return text if len(text) <= 120 else text[:117] + "..."


def _media_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def compare_exchange(
    expected: Exchange,
    actual: Exchange,
    *,
    headers: tuple[str, ...] = ("content-type",),
    ordered_keys: bool = True,
) -> list[str]:
    """Differences between a captured exchange and a live response (empty when they match)."""
    problems: list[str] = []
    if expected.status != actual.status:
        problems.append(f"status: expected {expected.status}, got {actual.status}")
    for name in headers:
        e, a = expected.header(name), actual.header(name)
        if (e or "").lower() != (a or "").lower():
            problems.append(f"header {name}: expected {e!r}, got {a!r}")
    ctype = _media_type(expected.header("content-type"))
    if not expected.body.strip() or not ctype:
        if actual.body.strip() != expected.body.strip():
            problems.append(f"body: expected {expected.body[:200]!r}, got {actual.body[:200]!r}")
        return problems
    if ctype == "text/event-stream":
        exp, act = parse_sse(expected.body), parse_sse(actual.body)
        exp_names, act_names = [n for n, _ in exp], [n for n, _ in act]
        if exp_names != act_names:
            problems.append(f"SSE event sequence: expected {exp_names}, got {act_names}")
        for i, ((en, ed), (an, ad)) in enumerate(zip(exp, act, strict=False)):
            if en == an:
                problems.extend(diff(normalise(ed), normalise(ad), f"$[{i}:{en}]", ordered_keys=ordered_keys))
        return problems
    if ctype == "application/json":
        try:
            act_json = actual.json()
        except ValueError:
            return [*problems, f"body is not JSON: {actual.body[:200]!r}"]
        problems.extend(diff(normalise(expected.json()), normalise(act_json), ordered_keys=ordered_keys))
        return problems
    if actual.body != expected.body:
        problems.append(f"body: expected {expected.body[:200]!r}, got {actual.body[:200]!r}")
    return problems
