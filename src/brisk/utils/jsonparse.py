"""Read a JSON object out of a model's text answer (code fences and chatter around it tolerated)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["parse_json_object"]


def parse_json_object(text: str) -> dict[str, Any] | None:
    """The first JSON object in ``text``, or None when there is none."""
    s = text.strip()
    if s.startswith("```"):
        s = s.strip("`")
        if s.startswith("json"):
            s = s[4:]
    start, end = s.find("{"), s.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        value = json.loads(s[start : end + 1])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
