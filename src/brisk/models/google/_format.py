"""Brisk messages and OpenAI-shaped tool schemas -> Gemini's ``generateContent`` request parts.

Follows what Agno sends through google-genai:

* ``assistant`` becomes ``model``; a tool result becomes a ``user`` turn holding
  ``{"functionResponse": {"name", "response": {"result": <content>}}}``;
* ``system``/``developer`` messages leave the list and the last one becomes ``systemInstruction``;
* consecutive turns of one role are merged (Gemini rejects them), turns without parts are skipped;
* JSON Schema becomes Gemini's OpenAPI subset: UPPERCASE types, ``enum`` as STRING, nullable unions as
  ``nullable``, ``$ref`` inlined (a cycle becomes a plain OBJECT), and ``Dict[str, T]`` objects, which
  Gemini cannot express, get a placeholder ``example_key`` property.
"""

from __future__ import annotations

import json
from typing import Any

from brisk.models.message import Message

__all__ = ["format_contents", "function_declarations", "to_gemini_schema"]

_ROLES = {"assistant": "model", "tool": "user"}


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _meta(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": schema.get("description"),
        "default": schema.get("default"),
        "title": schema.get("title"),
    }


def to_gemini_schema(
    schema: dict[str, Any], root: dict[str, Any] | None = None, seen: frozenset[str] = frozenset()
) -> dict[str, Any] | None:
    """One JSON Schema node as a Gemini ``Schema`` dict; None for ``null`` or an unresolvable ``$ref``."""
    root = schema if root is None else root
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref in seen:
            return {"type": "OBJECT", "description": f"Circular reference to {ref}"}
        defs = root.get("$defs") or {}
        name = ref.rsplit("/", 1)[-1]
        if ref.startswith("#/$defs/") and name in defs:
            return to_gemini_schema(defs[name], root, seen | {ref})
        return None
    t = schema.get("type", "")
    if t is None or t == "null":
        return None
    if "enum" in schema:
        return _drop_none({"type": "STRING", "enum": schema["enum"], **_meta(schema)})
    if t == "object":
        props = schema.get("properties")
        if props:
            out_props: dict[str, Any] = {}
            for key, prop in props.items():
                prop = dict(prop)
                nullable = False
                ptype = prop.get("type")
                if isinstance(ptype, list) and "null" in ptype:
                    non_null = [x for x in ptype if x != "null"]
                    prop["type"] = non_null[0] if non_null else "null"
                    nullable = True
                conv = to_gemini_schema(prop, root, seen)
                if conv is None:
                    conv = _drop_none({"title": prop.get("title"), "description": prop.get("description")})
                elif nullable:
                    conv["nullable"] = True
                out_props[key] = conv
            return _drop_none(
                {
                    "type": "OBJECT",
                    "properties": out_props,
                    "required": schema.get("required", []),
                    **_meta(schema),
                }
            )
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and "type" in extra:
            vt = extra["type"]
            value_type = (vt[0] if vt else "string").upper() if isinstance(vt, list) else str(vt).upper()
            placeholder: dict[str, Any] = {
                "type": value_type,
                "description": f"Example key-value pair. This object can contain any number of keys with "
                f"{value_type.lower()} values.",
            }
            if value_type == "ARRAY":
                placeholder["items"] = {}
            return _drop_none(
                {
                    "type": "OBJECT",
                    "properties": {"example_key": placeholder},
                    "description": schema.get("description")
                    or f"Dictionary with {value_type.lower()} values. Can contain any number of key-value pairs.",
                    "default": schema.get("default"),
                }
            )
        return _drop_none({"type": "OBJECT", **_meta(schema)})
    if t == "array" and "items" in schema:
        items = to_gemini_schema(schema["items"], root, seen) if schema["items"] else None
        return _drop_none(
            {
                "type": "ARRAY",
                "items": items or {"type": "STRING"},
                "minItems": schema.get("minItems"),
                "maxItems": schema.get("maxItems"),
                "description": schema.get("description"),
                "title": schema.get("title"),
            }
        )
    if t == "string":
        return _drop_none({"type": "STRING", "format": schema.get("format"), **_meta(schema)})
    if t in ("integer", "number"):
        return _drop_none(
            {
                "type": t.upper(),
                "minimum": schema.get("minimum"),
                "maximum": schema.get("maximum"),
                **_meta(schema),
            }
        )
    if t == "" and "anyOf" in schema:
        subs = [to_gemini_schema(s, root, seen) for s in schema["anyOf"]]
        kept = [s for s in subs if s is not None]
        if len(kept) == 1:
            if len(subs) > 1:
                kept[0]["nullable"] = True
            return kept[0]
        return _drop_none({"anyOf": kept, **_meta(schema)})
    if isinstance(t, list):
        non_null = [x for x in t if x != "null"]
        t = non_null[0] if non_null else ""
    if t:
        return _drop_none({"type": str(t).upper(), **_meta(schema)})
    return None


def function_declarations(tools: list[dict[str, Any]]) -> dict[str, Any] | None:
    """OpenAI-shaped tools -> one ``{"functionDeclarations": [...]}`` tool (None when there are none)."""
    decls = []
    for t in tools:
        if t.get("type", "function") != "function":
            continue
        fn = t.get("function") or {}
        params = fn.get("parameters")
        decl: dict[str, Any] = {"name": fn.get("name"), "description": fn.get("description", "")}
        converted = to_gemini_schema(params) if isinstance(params, dict) else None
        if converted is not None:
            decl["parameters"] = converted
        decls.append(decl)
    return {"functionDeclarations": decls} if decls else None


def _text_part(text: str, m: Message) -> dict[str, Any]:
    part: dict[str, Any] = {"text": text}
    sig = (m.provider_data or {}).get("thought_signature")
    if sig:
        # Gemini 2.5+ needs the signature of its previous turn echoed back to keep its reasoning.
        part["thoughtSignature"] = sig
    return part


def _args(tc: dict[str, Any]) -> dict[str, Any]:
    raw = (tc.get("function") or {}).get("arguments")
    if isinstance(raw, dict):
        return raw
    try:
        args = json.loads(raw) if isinstance(raw, str) and raw.strip() else {}
    except json.JSONDecodeError:
        args = {}
    return args if isinstance(args, dict) else {}


def format_contents(messages: list[Message]) -> tuple[list[dict[str, Any]], str | None]:
    """(contents, system instruction text) for a ``generateContent`` body."""
    contents: list[dict[str, Any]] = []
    system: str | None = None
    for m in messages:
        if m.role in ("system", "developer"):
            system = m.content if isinstance(m.content, str) or m.content is None else str(m.content)
            continue
        role = _ROLES.get(m.role, m.role)
        content = m.content
        parts: list[dict[str, Any]] = []
        if role == "model" and m.tool_calls:
            if content is not None:
                parts.append(_text_part(content if isinstance(content, str) else str(content), m))
            for tc in m.tool_calls:
                part: dict[str, Any] = {
                    "functionCall": {"name": (tc.get("function") or {}).get("name"), "args": _args(tc)}
                }
                if tc.get("thought_signature"):
                    part["thoughtSignature"] = tc["thought_signature"]
                parts.append(part)
        elif m.role == "tool" and m.tool_call_id is not None and m.tool_name is not None:
            parts.append({"functionResponse": {"name": m.tool_name, "response": {"result": content}}})
        elif isinstance(content, str):
            parts.append(_text_part(content, m))
        if not parts:
            continue
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"parts": parts, "role": role})
    return contents, system
