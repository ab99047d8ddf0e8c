"""Read a tool's description and its parameters' descriptions from the docstring.

The model sees what this produces, so the rules follow what Agno 3.1.10 sends (it reads docstrings
with the ``docstring_parser`` package, which Brisk does not depend on):

* the description is the text before the first section: its first line, then the rest of that text
  (stripped) on the next line, so a blank line right after the summary disappears;
* a documented parameter becomes ``"desc"``, or ``"(type) desc"`` when the docstring names a type;
* Google (``Args:``), reST (``:param x:``), numpy (``Parameters`` + dashes) and epydoc (``@param x:``)
  styles are read; when a docstring parses in several styles the one that finds the most entries
  (parameters, returns, raises, examples...) wins, in that order of preference on a tie: reST,
  Google, numpy, epydoc.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from inspect import cleandoc
from textwrap import dedent


@dataclass(slots=True)
class ParamDoc:
    type_name: str | None
    text: str

    def for_schema(self) -> str:
        return f"({self.type_name}) {self.text}" if self.type_name else self.text


@dataclass(slots=True)
class ParsedDocstring:
    description: str = ""
    params: dict[str, ParamDoc] = field(default_factory=dict)


class _Unparseable(Exception):
    """This style cannot read the docstring; another style may."""


@dataclass(slots=True)
class _Reading:
    head: str
    params: list[tuple[str, ParamDoc]]
    entries: int


def parse_docstring(doc: str | None) -> ParsedDocstring:
    if not doc or not doc.strip():
        return ParsedDocstring()
    text = cleandoc(doc)
    readings: list[_Reading] = []
    for reader in (_read_rest, _read_google, _read_numpy, _read_epydoc):
        try:
            readings.append(reader(text))
        except _Unparseable:
            continue
    # max() keeps the first of equal counts, which gives the tie order above.
    best = max(readings, key=lambda r: r.entries)
    return ParsedDocstring(description=_description(best.head), params=dict(best.params))


def _description(head: str) -> str:
    first, _, rest = head.partition("\n")
    return "\n".join(part for part in (first, rest.strip()) if part)


# -- Google ------------------------------------------------------------------------------------------
_G_PARAM_SECTIONS = frozenset({"Arguments", "Args", "Parameters", "Params", "Attributes"})
_G_LIST_SECTIONS = _G_PARAM_SECTIONS | {"Raises", "Exceptions", "Except"}
_G_TITLES = re.compile(
    r"^(Arguments|Args|Parameters|Params|Raises|Exceptions|Except|Attributes|Example|Examples"
    r"|Returns|Yields):[ \t\r\f\v]*$",
    re.M,
)
_G_TYPED_NAME = re.compile(r"\s*(.+?)\s*\(\s*(.*\S)\s*\)")


def _read_google(text: str) -> _Reading:
    first = _G_TITLES.search(text)
    if first is None:
        return _Reading(text, [], 0)
    head, meta = text[: first.start()], text[first.start() :]
    titles = list(_G_TITLES.finditer(meta))
    chunks: dict[str, str] = {}
    for i, m in enumerate(titles):
        end = titles[i + 1].start() if i + 1 < len(titles) else len(meta)
        body = meta[m.end() : end]
        # A line back at column 0 (e.g. an unknown "Note:" heading) ends the section.
        stray = re.search(r"\n\S", body)
        if stray is not None:
            body = body[: stray.start()]
        chunks[m.group(1)] = body.strip("\n")

    params: list[tuple[str, ParamDoc]] = []
    entries = 0
    for title, chunk in chunks.items():
        if title not in _G_LIST_SECTIONS:
            entries += 1  # Returns / Yields / Examples: one entry each
            continue
        indent = re.match(r"^\s*", chunk).group()  # type: ignore[union-attr]
        starts = list(re.finditer("^" + indent + r"(?=\S)", chunk, re.M))
        if not starts:
            raise _Unparseable(title)
        for i, m in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(chunk)
            item = chunk[m.end() : end].strip("\n")
            name, doc = _google_item(item)
            entries += 1
            if title in _G_PARAM_SECTIONS:
                params.append((name, doc))
    return _Reading(head, params, entries)


def _google_item(item: str) -> tuple[str, ParamDoc]:
    if ":" not in item:
        raise _Unparseable(item)
    spec, desc = item.split(":", 1)
    if "\n" in spec:
        line, rest = spec.split("\n", 1)
        spec = line + cleandoc(rest)
    if desc:
        desc = desc[1:] if desc[0] == " " else desc
        if "\n" in desc:
            line, rest = desc.split("\n", 1)
            desc = line + "\n" + cleandoc(rest)
        desc = desc.strip("\n")
    typed = _G_TYPED_NAME.match(spec)
    if typed is None:
        return spec, ParamDoc(None, desc)
    name, type_name = typed.group(1), typed.group(2)
    if type_name.endswith(", optional"):
        type_name = type_name[: -len(", optional")]
    elif type_name.endswith("?"):
        type_name = type_name[:-1]
    return name, ParamDoc(type_name, desc)


# -- reST --------------------------------------------------------------------------------------------
_R_PARAM_KEYS = frozenset({"param", "parameter", "arg", "argument", "attribute", "key", "keyword"})
_R_SINGLE_ARG_KEYS = frozenset(
    {"return", "returns", "yield", "yields", "raises", "raise", "except", "exception"}
)


def _read_rest(text: str) -> _Reading:
    first = re.search("^:", text, re.M)
    if first is None:
        return _Reading(text, [], 0)
    head, meta = text[: first.start()], text[first.start() :]
    params: list[tuple[str, ParamDoc]] = []
    types: dict[str, str] = {}
    entries = 0
    returns = 0
    rtypes = 0
    for m in re.finditer(r"(^:.*?)(?=^:|\Z)", meta, re.S | re.M):
        chunk = m.group(0)
        try:
            spec, desc = chunk.lstrip(":").split(":", 1)
        except ValueError:
            raise _Unparseable(chunk) from None
        words = spec.split()
        desc = desc.strip()
        if "\n" in desc:
            line, rest = desc.split("\n", 1)
            desc = line + "\n" + cleandoc(rest)
        if len(words) == 2 and words[0] == "type":
            types[words[1]] = desc
            continue
        if words and words[0] == "rtype" and len(words) in (1, 2):
            rtypes += 1
            continue
        if not words:
            raise _Unparseable(chunk)
        key = words[0]
        entries += 1
        if key in _R_PARAM_KEYS:
            if len(words) == 3:
                type_name: str | None = words[1].removesuffix("?")
                name = words[2]
            elif len(words) == 2:
                type_name, name = None, words[1]
            else:
                raise _Unparseable(chunk)
            params.append((name, ParamDoc(type_name, desc)))
        elif key in _R_SINGLE_ARG_KEYS:
            if len(words) > 2:
                raise _Unparseable(chunk)
            returns += key in ("return", "returns", "yield", "yields")
    for name, doc in params:
        if doc.type_name is None and name in types:
            doc.type_name = types[name]
    if rtypes and not returns:
        entries += rtypes
    return _Reading(head, params, entries)


# -- numpy -------------------------------------------------------------------------------------------
_N_PARAM_SECTIONS = (
    "Parameters",
    "Params",
    "Arguments",
    "Args",
    "Other Parameters",
    "Other Params",
    "Other Arguments",
    "Other Args",
    "Receives",
    "Receive",
    "Attributes",
    "Attribute",
)
_N_KV_SECTIONS = ("Raises", "Raise", "Warns", "Warn", "Returns", "Return", "Yields", "Yield")
_N_PLAIN_SECTIONS = (
    "Warnings",
    "Warning",
    "See Also",
    "Related",
    "Notes",
    "Note",
    "References",
    "Reference",
)
_N_EXAMPLE_SECTIONS = ("Examples", "Example")
_N_TITLES = re.compile(
    "|".join(
        rf"^({re.escape(t)})\s*?\n{'-' * len(t)}\s*$"
        for t in (*_N_PARAM_SECTIONS, *_N_KV_SECTIONS, *_N_EXAMPLE_SECTIONS, *_N_PLAIN_SECTIONS)
    )
    + r"|^\.\.\s*(deprecated)\s*::",
    re.M,
)
_N_KEY = re.compile(r"^(?P<name>.*?)(?:\s*:\s*(?P<type>.*?))?$")
_N_OPTIONAL = re.compile(r"(?P<type>.*?)(?:, optional|\(optional\))$")
_N_DEFAULT = re.compile(r"(?P<type>.*?)(?:, default|\(default\))(?: | |=| = |= |: |)*(?P<value>.*)$")


def _read_numpy(text: str) -> _Reading:
    titles = list(_N_TITLES.finditer(text))
    if not titles:
        return _Reading(text, [], 0)
    head = text[: titles[0].start()]
    params: list[tuple[str, ParamDoc]] = []
    entries = 0
    for i, m in enumerate(titles):
        title = next(g for g in m.groups() if g is not None)
        body = text[m.end() : titles[i + 1].start() if i + 1 < len(titles) else len(text)]
        if title in _N_PARAM_SECTIONS or title in _N_KV_SECTIONS:
            for key, value in _numpy_items(body):
                entries += 1
                if title in _N_PARAM_SECTIONS:
                    params.append(_numpy_param(key, value))
        elif title in _N_EXAMPLE_SECTIONS:
            entries += _numpy_example_groups(body)
        else:
            entries += 1
    return _Reading(head, params, entries)


def _numpy_items(body: str) -> list[tuple[str, str]]:
    keys = list(re.finditer(r"^[^\s].*$", body, re.M))
    items = []
    for i, m in enumerate(keys):
        end = keys[i + 1].start() if i + 1 < len(keys) else len(body)
        items.append((m.group(), cleandoc(body[m.end() : end])))
    return items


def _numpy_param(key: str, value: str) -> tuple[str, ParamDoc]:
    m = _N_KEY.match(key)
    assert m is not None  # the pattern matches any single line
    name, type_name = m.group("name"), m.group("type")
    if type_name is not None:
        optional = _N_OPTIONAL.match(type_name)
        if optional is not None:
            type_name = optional.group("type")
        default = _N_DEFAULT.match(type_name)
        if default is not None:
            type_name = default.group("type")
    return name, ParamDoc(type_name, value.strip())


def _numpy_example_groups(body: str) -> int:
    lines = dedent(body).strip().splitlines()
    groups = 0
    i = 0
    while i < len(lines):
        groups += 1
        while i < len(lines) and lines[i].startswith(">>>"):
            i += 1
        while i < len(lines) and not lines[i].startswith(">>>"):
            i += 1
    return groups


# -- epydoc ------------------------------------------------------------------------------------------
_E_PARAM = re.compile(r"@(param|keyword|type)\s+([_A-Za-z][_A-Za-z0-9]*)\??:")
_E_OTHER = re.compile(r"@([_A-Za-z][_A-Za-z0-9]+)((?:\s+[_A-Za-z][_A-Za-z0-9]*\??)*):")


def _read_epydoc(text: str) -> _Reading:
    first = re.search("^@", text, re.M)
    if first is None:
        return _Reading(text, [], 0)
    head, meta = text[: first.start()], text[first.start() :]
    params: dict[str, ParamDoc] = {}
    entries = 0
    for m in re.finditer(r"(^@.*?)(?=^@|\Z)", meta, re.S | re.M):
        chunk = m.group(0)
        found = _E_PARAM.match(chunk) or _E_OTHER.match(chunk)
        if found is None:
            raise _Unparseable(chunk)
        desc = chunk[found.end() :].strip()
        if "\n" in desc:
            line, rest = desc.split("\n", 1)
            desc = line + "\n" + cleandoc(rest)
        if found.re is _E_PARAM:
            doc = params.setdefault(found.group(2), ParamDoc(None, ""))
            if found.group(1) == "type":
                doc.type_name = desc
            else:
                doc.text = desc
        elif found.group(1) not in ("rtype", "ytype"):
            entries += 1
    # A parameter documented only by "@type" still counts, as it does for docstring_parser.
    return _Reading(head, list(params.items()), entries + len(params))
