"""The public surface of ``brisk.tools`` and what importing it costs."""

from __future__ import annotations

import subprocess
import sys

import brisk.tools
from brisk.tools._schema import copy_schema, inline_refs, make_strict


def test_public_names() -> None:
    assert brisk.tools.__all__ == ["tool", "Toolkit", "Function", "resolve_tools", "ToolArgumentError"]
    for name in brisk.tools.__all__:
        assert getattr(brisk.tools, name).__module__.startswith("brisk.tools")


def test_import_does_not_pull_pydantic_or_docstring_parser() -> None:
    code = "import sys, brisk.tools; print(sorted(m for m in ('pydantic', 'docstring_parser') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_inline_refs_resolves_definitions_and_stops_on_cycles() -> None:
    schema = {
        "type": "object",
        "properties": {
            "owner": {"$ref": "#/$defs/Person"},
            "other": {"$ref": "#/components/Elsewhere"},
        },
        "$defs": {
            "Person": {
                "type": "object",
                "properties": {"friend": {"$ref": "#/$defs/Person"}, "tags": [1, 2]},
            },
        },
    }
    assert inline_refs(schema) == {
        "type": "object",
        "properties": {
            "owner": {"type": "object", "properties": {"friend": {"type": "object"}, "tags": [1, 2]}},
            "other": {"type": "object"},
        },
    }


def test_make_strict_rules() -> None:
    schema = {
        "type": "object",
        "properties": {
            "untyped": {"properties": {"a": {"type": "string"}}},
            "titled": {"title": "Name"},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "items": {"type": "array", "items": {"type": "object", "properties": {}}},
        },
    }
    assert make_strict(schema) == {
        "type": "object",
        "properties": {
            "untyped": {
                "properties": {"a": {"type": "string"}},
                "additionalProperties": False,
                "type": "object",
            },
            "titled": {"title": "Name", "type": "string"},
            # As Agno: closing an object drops a typed additionalProperties.
            "counts": {"type": "object", "additionalProperties": False},
            "items": {
                "type": "array",
                "items": {"type": "object", "properties": {}, "additionalProperties": False},
            },
        },
        "additionalProperties": False,
    }
    assert make_strict("not a schema") == "not a schema"


def test_copy_schema_is_deep_for_json_containers() -> None:
    original = {"a": [{"b": 1}], "c": "x"}
    copied = copy_schema(original)
    assert copied == original
    copied["a"][0]["b"] = 2
    assert original["a"][0]["b"] == 1
