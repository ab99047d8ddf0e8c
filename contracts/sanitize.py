"""What goes into a fixture: recorded data stripped of secrets, ports and irrelevant headers.

Shared by the generator (before writing) and the contract suite (on Brisk's side, so both sides are
cut the same way before comparison). Volatile values (ids, timestamps) are kept here; they are masked
only at comparison time (``contracts/compare.py``), so a fixture still shows real values to a reader.
"""

from __future__ import annotations

import re
from typing import Any

# Request headers that carry meaning for the provider (auth and body type); the SDK's own identification
# (user-agent, x-stainless-*) is not part of the contract and differs by design.
REQUEST_HEADERS = ("authorization", "x-goog-api-key", "content-type")
# Response headers of AgentOS that a client relies on.
RESPONSE_HEADERS = (
    "content-type",
    "location",
    "access-control-allow-origin",
    "access-control-allow-credentials",
)

_URL = re.compile(r"http://127\.0\.0\.1:\d+")
# Shapes of real provider keys; none may appear in a fixture.
KEY_PATTERNS = [
    re.compile(r"sk-(?:proj-)?[A-Za-z0-9_-]{20,}"),
    re.compile(r"gsk_[A-Za-z0-9]{20,}"),
    re.compile(r"AIza[0-9A-Za-z_-]{30,}"),
    re.compile(r"csk-[A-Za-z0-9]{20,}"),
    re.compile(r"sk-or-v1-[A-Za-z0-9]{20,}"),
    re.compile(r"(?i)bearer\s+(?!<API_KEY>)[A-Za-z0-9._-]{24,}"),
]


def scrub(value: Any, secrets: list[str], urls: dict[str, str]) -> Any:
    """Replace configured secrets with ``<API_KEY>`` and loopback URLs with their ``{name}`` placeholder."""
    if isinstance(value, str):
        for s in secrets:
            if s:
                value = value.replace(s, "<API_KEY>")
        for name, url in urls.items():
            value = value.replace(url, "{" + name + "}")
        return _URL.sub("{loopback}", value)
    if isinstance(value, dict):
        return {scrub(k, secrets, urls): scrub(v, secrets, urls) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, secrets, urls) for v in value]
    return value


def cut_request(req: dict[str, Any]) -> dict[str, Any]:
    headers = {k: v for k, v in (req.get("headers") or {}).items() if k.lower() in REQUEST_HEADERS}
    return {
        "method": req["method"],
        "path": req["path"],
        "query": req.get("query") or {},
        "headers": dict(sorted(headers.items())),
        "body": req.get("body"),
    }


def cut_response_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() in RESPONSE_HEADERS}


def find_keys(text: str) -> list[str]:
    """Key-looking strings in ``text`` (the generator refuses to write a fixture that has any)."""
    return [m.group(0) for p in KEY_PATTERNS for m in p.finditer(text)]
