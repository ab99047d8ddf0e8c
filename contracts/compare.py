"""Normalise recorded values and diff Agno's fixture against Brisk's replay.

The tolerance rules (documented in ``contracts/README.md``; change both together):

1. Any string that is a UUID, or contains one, has it replaced by ``<uuid>`` (run ids, message ids,
   generated session ids, Gemini tool-call ids).
2. Time-valued keys (``VOLATILE_KEYS``) are replaced by ``<t>`` when they hold a value; ``None`` stays
   ``None``, so "present" vs "absent" is still compared (e.g. ``time_to_first_token`` only on streamed
   content).
3. ``"<tool>(...) completed in 0.0005s."`` keeps everything but the number.
4. Dict key order is ignored (JSON objects are unordered; Agno's own order is checked separately by
   ``tests/unit`` where it matters for the wire).
5. Request headers: only ``authorization``/``x-goog-api-key`` (key masked) and the media type of
   ``content-type`` (no parameters) are compared; SDK identification headers are not part of the contract.
6. Embedding vectors are summarised (length and first four values, rounded to 1e-6) when recorded.
7. Lists of strings that Agno builds from a Python ``set`` (memory topics) are compared sorted: their
   order changes from one Agno process to the next (string hash randomisation).
8. Listings sorted by a timestamp (``GET /sessions``, ``GET /memories``): timestamps have one-second
   resolution, rows of the same second come in insertion order on both sides, but where the second
   boundaries fall depends on the timing of each run. So the ``data`` rows of those responses are
   compared ordered by their id (membership, count and every field are still compared). The tie order
   itself is held by the db conformance suite (``test_sessions_with_equal_timestamps_keep_insertion_order``).
   The same holds for Agno's client's ``get_sessions`` / ``list_memories`` results.
9. Concurrent requests of two models (``requests_by_model`` cases, e.g. an answer and the memory pass that
   runs beside it): requests are compared per model, each model's in the order sent, and the mock's arrival
   numbers in ids (``chatcmpl-mock00000002``, ``call_00000001``) are masked.
10. Everything else must be equal: request bodies byte-for-byte as JSON values, event names and order,
   token counts, content, statuses, stored rows.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
TOOL_TIMING = re.compile(r"completed in [0-9.]+(?:e-?\d+)?s")
VOLATILE_KEYS = frozenset(
    {
        "created_at",
        "updated_at",
        "time_to_first_token",
        "duration",
        "start_time",
        "end_time",
        "instantiated_at",
        "search_time_ms",
        "timer",
        "last_memory_updated_at",
    }
)
VOLATILE = "<t>"
# Enough to see every difference of a case: known deviations are filtered out of this list, so a cut
# list could hide a real difference behind known ones.
DIFF_LIMIT = 2000


def normalise(value: Any, key: str | None = None) -> Any:
    if key in VOLATILE_KEYS and value is not None:
        return VOLATILE
    if isinstance(value, str):
        value = UUID.sub("<uuid>", value)
        return TOOL_TIMING.sub("completed in <t>s", value)
    if isinstance(value, dict):
        return {k: normalise(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 1.0 vs 1: the same JSON number
    return value


def normalise_request(req: dict[str, Any]) -> dict[str, Any]:
    headers = dict(req.get("headers") or {})
    if "content-type" in headers:
        headers["content-type"] = headers["content-type"].split(";")[0].strip().lower()
    return normalise({**req, "headers": headers})


def diff(
    a: Any, b: Any, path: str = "$", out: list[dict[str, Any]] | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Differences between ``a`` (Agno) and ``b`` (Brisk) as ``{"path", "agno", "brisk"}`` entries."""
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a.keys() | b.keys():
            if k not in b:
                out.append({"path": f"{path}.{k}", "agno": _short(a[k]), "brisk": "<missing>"})
            elif k not in a:
                out.append({"path": f"{path}.{k}", "agno": "<missing>", "brisk": _short(b[k])})
            else:
                diff(a[k], b[k], f"{path}.{k}", out, limit)
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                diff(x, y, f"{path}[{i}]", out, limit)
            return out
        # Different lengths (an extra or a missing event): align the items first, so that one extra
        # item reads as one difference instead of a shift of everything after it.
        out.append({"path": f"{path}[len]", "agno": len(a), "brisk": len(b)})
        sa, sb = [_sig(x) for x in a], [_sig(y) for y in b]
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, sa, sb, autojunk=False).get_opcodes():
            if op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
                for k in range(i2 - i1):
                    diff(a[i1 + k], b[j1 + k], f"{path}[{i1 + k}]", out, limit)
                continue
            for k in range(i1, i2):
                out.append({"path": f"{path}[{k}]", "agno": _short(a[k]), "brisk": "<missing>"})
            for k in range(j1, j2):
                out.append({"path": f"{path}[+{k}]", "agno": "<missing>", "brisk": _short(b[k])})
        return out
    # True == 1 in Python but not in JSON: a bool only equals a bool.
    if a != b or isinstance(a, bool) != isinstance(b, bool):
        out.append({"path": path, "agno": _short(a), "brisk": _short(b)})
    return out


def sort_string_lists(value: Any) -> Any:
    if isinstance(value, list):
        items = [sort_string_lists(v) for v in value]
        return sorted(items) if all(isinstance(v, str) for v in items) else items
    if isinstance(value, dict):
        return {k: sort_string_lists(v) for k, v in value.items()}
    return value


def _sig(v: Any) -> str:
    # What identifies a list item for alignment: an event's name and content, else the whole value.
    if isinstance(v, dict) and "event" in v:
        return f"{v['event']}|{v.get('content')!r}"
    if isinstance(v, dict) and "role" in v:
        return f"{v['role']}|{v.get('content')!r}"
    return json.dumps(v, sort_keys=True, default=repr)


def _short(v: Any, n: int = 300) -> Any:
    if isinstance(v, str) and len(v) > n:
        return v[:n] + "…"
    if isinstance(v, dict | list):
        s = json.dumps(v, default=repr)
        return v if len(s) <= n else s[:n] + "…"
    return v


def compare_case(fixture: dict[str, Any], brisk: dict[str, Any]) -> list[dict[str, Any]]:
    """All differences between a fixture and Brisk's replay of it (empty list: the case matches).

    ``brisk`` has the same keys as the fixture's recorded parts: ``requests`` and ``result``.
    """
    out: list[dict[str, Any]] = []
    inputs = fixture.get("inputs") or {}
    if inputs.get("unordered") or (inputs.get("step") or {}).get("unordered"):
        fixture = {**fixture, "result": sort_string_lists(fixture["result"])}
        brisk = {**brisk, "result": sort_string_lists(brisk["result"])}
    step = inputs.get("step") or {}
    listing = step.get("method") == "GET" and str(step.get("path", "")).split("?")[0] in (
        "/sessions",
        "/memories",
    )
    if listing or inputs.get("method") in ("get_sessions", "list_memories"):  # HTTP, or Agno's client
        fixture = {**fixture, "result": _rows_by_id(fixture["result"])}
        brisk = {**brisk, "result": _rows_by_id(brisk["result"])}
    by_model = bool(inputs.get("requests_by_model"))
    # Rule 10: requests of different models sent concurrently (the answer and a memory pass) are
    # compared per model, each model's in the order sent; the mock's arrival numbers are masked.
    mask = _mask_mock_numbers if by_model else (lambda v: v)
    if "requests" in fixture:
        a = [normalise_request(r) for r in fixture["requests"]]
        b = [normalise_request(r) for r in brisk.get("requests", [])]
        if by_model:
            a, b = _by_model(a), _by_model(b)
        diff(mask(a), mask(b), "requests", out, limit=DIFF_LIMIT)
    fa, fb = mask(normalise(fixture["result"])), mask(normalise(brisk["result"]))
    diff(fa, fb, "result", out, limit=DIFF_LIMIT)
    return out


_MOCK_NUMBER = re.compile(r"\b(chatcmpl-mock|call_)\d{8}")


def _mask_mock_numbers(value: Any) -> Any:
    """The mock numbers its ids by arrival (``chatcmpl-mock00000002``, ``call_00000001``): with
    concurrent requests the arrival order, and so the number, is not part of the contract."""
    if isinstance(value, str):
        return _MOCK_NUMBER.sub(r"\1<n>", value)
    if isinstance(value, dict):
        return {k: _mask_mock_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_mock_numbers(v) for v in value]
    return value


def _by_model(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(requests, key=lambda r: str((r.get("body") or {}).get("model") or ""))


def _rows_by_id(result: dict[str, Any]) -> dict[str, Any]:
    """Rule 8: a listing's rows ordered by their id (an HTTP body, or what Agno's client parsed)."""
    key = "response" if "response" in result else "parsed"
    holder = result.get(key) or {}
    body = holder.get("body") if key == "response" else holder
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return result
    rows = sorted(body["data"], key=lambda r: str(r.get("session_id") or r.get("memory_id") or ""))
    if key == "parsed":
        return {**result, "parsed": {**body, "data": rows}}
    return {**result, "response": {**holder, "body": {**body, "data": rows}}}
