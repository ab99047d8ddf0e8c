"""Regenerate ``src/brisk/os/openapi.json`` from the Agno 3.1.10 reference schema.

Keeps the operations Brisk implements and the component schemas they reference, and removes every
``description`` and example (Agno's prose is not ours to ship): what remains is the machine-readable
contract (paths, parameters, types, required fields, status codes). Run after a route is added:

    .venv/bin/python scripts/trim_openapi.py [path/to/reference/openapi.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = Path("/work/shared/reference/agno-3.1.10/openapi.json")
TARGET = ROOT / "src" / "brisk" / "os" / "openapi.json"

# path -> methods Brisk implements
IMPLEMENTED: dict[str, tuple[str, ...]] = {
    "/health": ("get",),
    "/info": ("get",),
    "/config": ("get",),
    "/agents": ("get",),
    "/agents/{agent_id}": ("get",),
    "/agents/{agent_id}/runs": ("get", "post"),
    "/agents/{agent_id}/runs/{run_id}": ("get",),
    "/agents/{agent_id}/runs/{run_id}/cancel": ("post",),
    "/agents/{agent_id}/runs/{run_id}/continue": ("post",),
    "/teams": ("get",),
    "/workflows": ("get",),
    "/workflows/{workflow_id}": ("get",),
    "/workflows/{workflow_id}/runs": ("get", "post"),
    "/workflows/{workflow_id}/runs/{run_id}": ("get",),
    "/workflows/{workflow_id}/runs/{run_id}/cancel": ("post",),
    "/sessions": ("get", "post", "delete"),
    "/sessions/{session_id}": ("get", "patch", "delete"),
    "/sessions/{session_id}/runs": ("get",),
    "/sessions/{session_id}/run-previews": ("get",),
    "/sessions/{session_id}/runs/{run_id}": ("get",),
    "/sessions/{session_id}/rename": ("post",),
    "/memories": ("get", "post", "delete"),
    "/memories/{memory_id}": ("get", "patch", "delete"),
    "/memory_topics": ("get",),
    "/user_memory_stats": ("get",),
    "/metrics": ("get",),
    "/metrics/refresh": ("post",),
}


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        # A string "description" is prose; a dict under that key is a schema property of that name.
        return {
            k: _strip(v)
            for k, v in node.items()
            if k not in ("example", "examples") and not (k == "description" and isinstance(v, str))
        }
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for v in node.values():
            _refs(v, found)
    elif isinstance(node, list):
        for v in node:
            _refs(v, found)


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    spec = json.loads(source.read_text())
    paths: dict[str, Any] = {}
    for path, methods in IMPLEMENTED.items():
        ops = spec["paths"].get(path, {})
        kept = {m: _strip(ops[m]) for m in methods if m in ops}
        if kept:
            paths[path] = kept
    schemas = spec.get("components", {}).get("schemas", {})
    needed: set[str] = set()
    _refs(paths, needed)
    while True:
        more: set[str] = set()
        for name in needed:
            _refs(schemas.get(name, {}), more)
        if more <= needed:
            break
        needed |= more
    out = {
        "openapi": spec["openapi"],
        "info": {"title": "Brisk AgentOS", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": {n: _strip(schemas[n]) for n in sorted(needed) if n in schemas},
            "securitySchemes": _strip(spec.get("components", {}).get("securitySchemes", {})),
        },
    }
    TARGET.write_text(json.dumps(out, separators=(",", ":"), sort_keys=False) + "\n")
    print(f"wrote {TARGET} ({len(paths)} paths, {len(out['components']['schemas'])} schemas)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
