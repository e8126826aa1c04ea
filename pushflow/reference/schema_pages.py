"""A JSON Schema rendered as a Markdown reference: one section per object, one row per key.

Each row gives the key, its type (objects link to their own section), its default (or
*required*), its constraints (lengths, ranges, patterns, item and key rules), the request
parameter it becomes (``x-wire``, with ``x-wire-key`` for an entry of a map parameter and
``x-extended-param`` for an mPaaS extended parameter) and its description. Sections come in the
order a reader meets them from the document root, each saying where in a document it is used.

Everything is read from the schema dictionary that :mod:`pushflow.spec.schema` generates, so the
page says exactly what the checked-in schema says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pushflow.spec.units import CLOCK_PATTERN, DURATION_PATTERN

Schema = dict[str, Any]

#: Where the human units are explained (relative to docs/reference/).
UNITS_LINK = "../campaigns.md#human-units"
_NULL: Schema = {"type": "null"}


@dataclass
class Section:
    """One object of the schema (a ``$defs`` entry with properties)."""

    name: str
    schema: Schema
    #: Where it is used: a path such as `channels.android`, with the discriminator value that
    #: selects it when there is one.
    paths: list[str] = field(default_factory=list)


def _ref(node: Schema) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _alternatives(node: Schema) -> list[Schema]:
    """The non-null alternatives of an ``anyOf``/``oneOf`` node (or the node itself)."""
    for key in ("anyOf", "oneOf"):
        if key in node:
            return [option for option in node[key] if option != _NULL]
    return [node]


def _is_duration(options: list[Schema]) -> bool:
    return any(option.get("pattern") == DURATION_PATTERN for option in options)


def _code(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _anchor(name: str) -> str:
    return name.lower()


class Reference:
    """The sections of one schema and how to describe its nodes."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.defs: dict[str, Schema] = schema.get("$defs", {})
        self.sections: dict[str, Section] = {}
        self._collect()

    # --- walking ------------------------------------------------------------------------

    def _is_object(self, name: str) -> bool:
        return "properties" in self.defs.get(name, {})

    def _children(self, node: Schema, path: str) -> Iterator[tuple[str, str, str]]:
        """(definition name, path, qualifier) of every object reachable from ``node`` without
        passing through another object; the qualifier says which value of a discriminating key
        selects it (``kind: simple``)."""
        name = _ref(node)
        if name is not None:
            if self._is_object(name):
                yield name, path, ""
            else:
                yield from self._children(self.defs.get(name, {}), path)
            return
        selectors = _selectors(node)
        for key in ("anyOf", "oneOf", "allOf"):
            for option in node.get(key, []):
                for child, where, qualifier in self._children(option, path):
                    yield child, where, qualifier or selectors.get(child, "")
        if isinstance(node.get("items"), dict):
            yield from self._children(node["items"], f"{path}[]")
        if isinstance(node.get("additionalProperties"), dict):
            yield from self._children(node["additionalProperties"], f"{path}.<key>")
        for value in node.get("patternProperties", {}).values():
            yield from self._children(value, f"{path}.<name>")

    def _collect(self) -> None:
        queue = list(self._children(self.schema, ""))
        while queue:
            name, path, qualifier = queue.pop(0)
            section = self.sections.get(name)
            if section is None:
                section = self.sections[name] = Section(name, self.defs[name])
                for key, value in section.schema["properties"].items():
                    queue.extend(self._children(value, f"{path}.{key}".lstrip(".")))
            where = _code(path) if path else "the document root"
            if qualifier:
                where = f"{where} with {_code(qualifier)}"
            if where not in section.paths:
                section.paths.append(where)

    # --- describing ---------------------------------------------------------------------

    def type_text(self, node: Schema) -> str:
        """What a value of ``node`` is, in a few words, with links to object sections."""
        options = _alternatives(node)
        if _is_duration(options):
            return f"[duration]({UNITS_LINK})"
        if len(options) > 1 or node is not options[0]:
            return " or ".join(dict.fromkeys(self.type_text(option) for option in options))
        name = _ref(node)
        if name is not None:
            if self._is_object(name):
                return f"[{name}](#{_anchor(name)})"
            return self.type_text(self.defs.get(name, {}))
        if "const" in node:
            return _code(node["const"])
        if "enum" in node:
            return "/".join(_code(value) for value in node["enum"])
        kind = node.get("type")
        if kind == "string":
            if node.get("pattern") == CLOCK_PATTERN:
                return f"[wall-clock time]({UNITS_LINK})"
            return {"date": "date", "date-time": "date and time", "uri": "URL"}.get(
                node.get("format", ""), "string"
            )
        if kind == "array":
            return f"list of {self.type_text(node.get('items', {}))}"
        if kind == "object":
            return self._mapping_text(node)
        if isinstance(kind, str):
            return {"integer": "integer", "number": "number", "boolean": "boolean"}.get(kind, kind)
        return "any value"

    def _mapping_text(self, node: Schema) -> str:
        patterns = node.get("patternProperties", {})
        if patterns:
            value = self.type_text(next(iter(patterns.values())))
            return f"mapping of name → {value}"
        values = node.get("additionalProperties")
        keys = node.get("propertyNames", {})
        key_text = "key"
        if "enum" in keys:
            key_text = ", ".join(_code(key) for key in keys["enum"])
        if isinstance(values, dict) and values:
            return f"mapping of {key_text} → {self.type_text(values)}"
        return "mapping"

    def constraints(self, node: Schema) -> list[str]:
        """The rules a value must follow, beyond its type."""
        options = _alternatives(node)
        if _is_duration(options):
            return ["`30s`, `90m`, `6h`, `3d`, `1h30m`, or whole seconds ≥ 1"]
        found: list[str] = []
        for option in options:
            for text in self._own_constraints(option):
                if text not in found:
                    found.append(text)
        return found

    def _own_constraints(self, node: Schema) -> list[str]:
        found = _bounds(node, "minLength", "maxLength", "length")
        found += _bounds(node, "minItems", "maxItems", "items")
        found += _bounds(node, "minProperties", "maxProperties", "keys")
        found += _range(node)
        if node.get("examples") and not found:
            found.append("e.g. " + ", ".join(_code(example) for example in node["examples"]))
        if node.get("uniqueItems"):
            found.append("no repeats")
        pattern = node.get("pattern")
        if pattern and pattern != CLOCK_PATTERN:
            found.append(f"matches {_code(pattern)}")
        for name, inner in (("each item", node.get("items")), ("each value", _values(node))):
            if isinstance(inner, dict) and _ref(inner) is None:
                found += [f"{name}: {text}" for text in self._own_constraints(inner)]
        keys = node.get("propertyNames")
        if isinstance(keys, dict) and "enum" not in keys:
            found += [f"each key: {text}" for text in self._own_constraints(keys)]
        for pattern in node.get("patternProperties", {}):
            found.append(f"each name matches {_code(pattern)}")
        return found

    def wire(self, node: Schema) -> str:
        name = node.get("x-wire")
        param = node.get("x-extended-param")
        if name and node.get("x-wire-key"):
            return f"{_code(name)} entry {_code(node['x-wire-key'])}"
        if param:
            return f"`ExtendedParams` entry {_code(param)}"
        return _code(name) if name else ""

    # --- rendering ----------------------------------------------------------------------

    def row(self, key: str, node: Schema, required: bool) -> str:
        if required:
            default = "required"
        elif "default" in node and node["default"] is not None:
            default = _code(node["default"])
        else:
            default = "—"
        description = node.get("description", "")
        if node.get("deprecated") and not description.startswith("Deprecated"):
            description = f"**Deprecated.** {description}"
        cells = [
            _code(key),
            self.type_text(node),
            default,
            "; ".join(self.constraints(node)),
            self.wire(node),
            description,
        ]
        return "| " + " | ".join(_cell(text) for text in cells) + " |"

    def section(self, section: Section) -> list[str]:
        schema = section.schema
        required = set(schema.get("required", []))
        where = ", ".join(section.paths)
        lines = [f"## {section.name}", ""]
        if schema.get("description"):
            lines += [_text(schema["description"]), ""]
        lines += [f"Used at: {where}.", ""]
        lines += [
            "| key | type | default | constraints | wire | description |",
            "|---|---|---|---|---|---|",
        ]
        for key, node in schema["properties"].items():
            lines.append(self.row(key, node, key in required))
        return [*lines, ""]

    def root_text(self) -> str:
        """What the document itself is: one object, or one of several chosen by a key."""
        discriminator = self.schema.get("discriminator", {}).get("propertyName")
        kinds = self.type_text(self.schema)
        if discriminator:
            return f"A document is one of {kinds}, chosen by its `{discriminator}` key."
        return f"A document is a {kinds}."


def _selectors(node: Schema) -> dict[str, str]:
    """Definition name → ``key: value, value`` of a discriminated ``oneOf``."""
    discriminator = node.get("discriminator", {})
    values: dict[str, list[str]] = {}
    for value, ref in discriminator.get("mapping", {}).items():
        values.setdefault(ref.rsplit("/", 1)[-1], []).append(value)
    key = discriminator.get("propertyName")
    return {name: f"{key}: {'|'.join(found)}" for name, found in values.items()}


def _values(node: Schema) -> Any:
    values = node.get("additionalProperties")
    return values if isinstance(values, dict) else None


def _bounds(node: Schema, low_key: str, high_key: str, what: str) -> list[str]:
    low, high = node.get(low_key), node.get(high_key)
    if low is not None and high is not None:
        return [f"{what} {low}–{high}" if low != high else f"{what} exactly {low}"]
    if low is not None and low > 0:
        return [f"{what} ≥ {low}"]
    if high is not None:
        return [f"{what} ≤ {high}"]
    return []


def _range(node: Schema) -> list[str]:
    low, high = node.get("minimum"), node.get("maximum")
    if low is not None and high is not None:
        return [f"{low}–{high}"]
    found = []
    if low is not None:
        found.append(f"≥ {low}")
    if node.get("exclusiveMinimum") is not None:
        found.append(f"> {node['exclusiveMinimum']}")
    if high is not None:
        found.append(f"≤ {high}")
    if node.get("exclusiveMaximum") is not None:
        found.append(f"< {node['exclusiveMaximum']}")
    return found


_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)


def _text(text: str) -> str:
    """Prose from a description: ``<``/``>`` outside code spans shown as text, not as HTML."""
    out, last = [], 0
    for match in _CODE_SPAN.finditer(text):
        out.append(_escape_html(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_escape_html(text[last:]))
    return "".join(out)


def _escape_html(text: str) -> str:
    return text.replace("<", "&lt;")


def _cell(text: str) -> str:
    """A table cell: one line, ``|`` escaped (GitHub unescapes it inside code spans too)."""
    return _text(" ".join(text.split())).replace("|", "\\|")


def render_page(schema: Schema, *, heading: str, intro: str, source: str) -> str:
    """The whole Markdown page for ``schema``."""
    reference = Reference(schema)
    lines = [
        f"# {heading}",
        "",
        f"<!-- Generated by `pushflow schema --write` from {source}: do not edit. -->",
        "",
        intro,
        "",
        reference.root_text(),
        "",
        "Columns: *type* links to the section of an object; *default* is the value used when the "
        "key is left out (*required* keys have none, — means the key is simply absent); "
        "*constraints* are checked by `pushflow validate`; *wire* is the request parameter the "
        "key becomes.",
        "",
    ]
    lines += [f"- [{name}](#{_anchor(name)})" for name in reference.sections]
    lines.append("")
    for section in reference.sections.values():
        lines += reference.section(section)
    return "\n".join(lines).rstrip("\n") + "\n"
