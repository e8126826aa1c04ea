"""mPaaS message templates: ``#placeholder#`` extraction, rendering, and loading from a file.

A template has a ``name`` (what ``TemplateName`` refers to), a ``title`` and a ``content``; both
may hold placeholders between two ``#`` (mpaas-server-api.zh.txt, 模板推送:
"两个 # 之间为占位符名称", e.g.
``恭喜#name#中了#money#元``). A templates file is JSON or YAML: either a list of such
objects or a mapping ``name -> {title, content}``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

_PLACEHOLDER = re.compile(r"#([^#\s]+)#")


@functools.lru_cache(maxsize=256)
def _segments(text: str) -> tuple[str, ...]:
    """``text`` cut at its placeholders: ``(literal, name, literal, …, name, literal)``.

    Remembered per text: a PushMultiple call renders one template's title and content for up to
    100 targets, and the templates in use are few.
    """
    return tuple(_PLACEHOLDER.split(text))


@functools.lru_cache(maxsize=256)
def _format(text: str) -> tuple[str, tuple[str, ...]]:
    """``text`` as a ``str.format`` pattern with one ``{}`` per placeholder, and their names."""
    segments = _segments(text)
    literals = [part.replace("{", "{{").replace("}", "}}") for part in segments[0::2]]
    return "{}".join(literals), segments[1::2]


@functools.lru_cache(maxsize=256)
def placeholders(*texts: str) -> frozenset[str]:
    """The placeholder names used in ``texts``."""
    return frozenset(name for text in texts for name in _segments(text)[1::2])


def render(text: str, values: Mapping[str, str]) -> str:
    """Replace each ``#name#`` by ``values[name]`` (unknown names stay as they are)."""
    pattern, names = _format(text)
    if not names:
        return text
    try:
        # the case of every call after TemplateKeyValue was checked: one format in C
        return pattern.format(*[str(values[name]) for name in names])
    except KeyError:
        pass
    segments = list(_segments(text))
    for index in range(1, len(segments), 2):
        name = segments[index]
        segments[index] = str(values[name]) if name in values else f"#{name}#"
    return "".join(segments)


def normalize(raw: Mapping[str, Any], name: str | None = None) -> dict[str, str]:
    """A template record from user input; raises ValueError naming what is wrong."""
    template_name = str(raw.get("name") or name or "").strip()
    if not template_name:
        raise ValueError("a template needs a name")
    content = raw.get("content")
    if not isinstance(content, str) or not content:
        raise ValueError(f"template {template_name!r} needs a non-empty content")
    title = raw.get("title", "")
    if not isinstance(title, str):
        raise ValueError(f"template {template_name!r}: title must be a string")
    return {"name": template_name, "title": title, "content": content}


def load_file(path: str | Path) -> list[dict[str, str]]:
    """Read templates from a JSON or YAML file."""
    text = Path(path).read_text(encoding="utf-8")
    data: Any
    data = json.loads(text) if str(path).endswith(".json") else YAML(typ="safe").load(text)
    return parse_collection(data)


def parse_collection(data: Any) -> list[dict[str, str]]:
    """Templates from a list of objects, a ``{name: {...}}`` mapping, or ``{"templates": ...}``."""
    if isinstance(data, Mapping) and "templates" in data:
        data = data["templates"]
    if isinstance(data, Mapping):
        return [normalize(body, str(name)) for name, body in data.items()]
    if isinstance(data, list):
        return [normalize(item) for item in data]
    if isinstance(data, Mapping) or data is None:
        return []
    raise ValueError("templates must be a list or a mapping of name to template")
