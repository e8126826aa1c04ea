"""One template string → one compiled, checked template (or the text itself when it is literal).

Compiling parses the text, refuses the tags that would read files or recurse, wraps every
``{% for %}`` iterable in the loop budget, and records which context names the template reads
(``jinja2.meta.find_undeclared_variables``): a template that reads ``row`` or ``target`` differs
per target.

Most per-target texts only put columns into text (``{{ row.first_name }}``, ``Hi {{ row.name
}}!``). Such a template is also kept as its parts (:attr:`CompiledText.parts`): literal text,
``row`` columns and ``target``. When every column it reads holds text, it is rendered by joining
the parts, without running the template (about ten times cheaper); the result is the same string
Jinja2 would make (``str`` of a text is itself). Anything else (a missing column, a value that is
not text, a result over the output budget) runs the template, which gives the usual result or
error.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Template, TemplateSyntaxError, meta, nodes

from pushflow.render.context import PER_TARGET_NAMES, RowView
from pushflow.render.limits import MAX_OUTPUT_CHARS
from pushflow.render.sandbox import (
    BUDGET_FILTER,
    BUDGET_KEY,
    LoopBudget,
    PushflowSandbox,
    TemplateLimitError,
)

_JINJA = re.compile(r"\{\{|\{%|\{#")

_FILES = "templates cannot read files"
_RECURSION = "templates have no macros (they could recurse without bound)"
#: Tags refused at compile time, with the reason given to the user.
_FORBIDDEN: dict[type[nodes.Node], tuple[str, str]] = {
    nodes.Include: ("{% include %}", _FILES),
    nodes.Import: ("{% import %}", _FILES),
    nodes.FromImport: ("{% from … import %}", _FILES),
    nodes.Extends: ("{% extends %}", _FILES),
    nodes.Macro: ("{% macro %}", _RECURSION),
    nodes.CallBlock: ("{% call %}", _RECURSION),
}


class TemplateCompileError(Exception):
    """A template that cannot be compiled; the message says why, without a position."""


#: One part of a template that only interpolates: literal text, or ``(name, column)`` for
#: ``{{ row.column }}`` / ``{{ row["column"] }}`` (name ``row``) and ``{{ target }}`` (``target``,
#: column "").
Part = str | tuple[str, str]


@dataclass(frozen=True, eq=False)
class CompiledText:
    """A campaign text ready to render: a sandboxed template, or literal text."""

    text: str
    template: Template | None
    names: frozenset[str]
    #: The environment's globals, copied once (Jinja2 would merge its ChainMap each rendering).
    globals: Mapping[str, Any] = field(default_factory=dict)
    has_loops: bool = False
    #: The template as literal text, ``row`` columns and ``target``, when that is all it is.
    parts: tuple[Part, ...] | None = None

    @functools.cached_property
    def column(self) -> str | None:
        """The ``row`` column this template is, when it is just ``{{ row.column }}``."""
        parts = self.parts
        if parts is None or len(parts) != 1 or isinstance(parts[0], str):
            return None
        name, column = parts[0]
        return column if name == "row" else None

    @property
    def per_target(self) -> bool:
        """True when the rendered text can differ between targets."""
        return not self.names.isdisjoint(PER_TARGET_NAMES)

    def render(self, variables: Mapping[str, Any]) -> str:
        """The text for one set of context variables, within the output budget."""
        if self.template is None:
            return self.text
        return self.render_in({**self.globals, **variables})

    def render_in(self, scope: dict[str, Any]) -> str:
        """The text for ``scope``: the environment's globals and the context variables in one
        dict, which the rendering reads but does not change (the loop budget aside), so one
        scope serves every text of a target.

        Cheaper than :meth:`render`: no merged dict, and the template's context is made
        directly (Jinja2's ``new_context`` copies the globals' key set on every rendering, for
        imports, which templates here cannot use).
        """
        template = self.template
        if template is None:
            return self.text
        if self.parts is not None:
            row = scope.get("row")
            target = scope.get("target")
            if isinstance(row, RowView) and isinstance(target, str | None):
                text = self.interpolate(row, target)
                if text is not None:
                    return text
        if self.has_loops:
            scope[BUDGET_KEY] = LoopBudget()
        environment = template.environment
        context = environment.context_class(environment, scope, template.name, template.blocks)
        parts: list[str] = []
        size = 0
        for chunk in template.root_render_func(context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateLimitError(
                    f"the template renders more than {MAX_OUTPUT_CHARS} characters"
                )
            parts.append(chunk)
        return "".join(parts)

    def interpolate(self, row: RowView, target: str | None) -> str | None:
        """The text of an interpolating template (:attr:`parts`) for ``row`` and ``target``,
        when every part is text; None when the template must run (:meth:`render_in`)."""
        parts = self.parts
        if parts is None:
            return None
        first = parts[0]
        if len(parts) == 1 and not isinstance(first, str):  # the common `{{ row.column }}`
            name, column = first
            value = row.text(column) if name == "row" else target
            return None if value is None or len(value) > MAX_OUTPUT_CHARS else value
        out: list[str] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            name, column = part
            value = row.text(column) if name == "row" else target
            if value is None:
                return None
            out.append(value)
        text = "".join(out)
        return text if len(text) <= MAX_OUTPUT_CHARS else None


def _parts(tree: nodes.Template) -> tuple[Part, ...] | None:
    """The parts of a template that only puts ``row`` columns and ``target`` into literal text,
    or None for any other template."""
    if len(tree.body) != 1 or not isinstance(tree.body[0], nodes.Output):
        return None
    parts: list[Part] = []
    for node in tree.body[0].nodes:
        column = _row_column(node)
        if isinstance(node, nodes.TemplateData):
            parts.append(node.data)
        elif isinstance(node, nodes.Name) and node.name == "target":
            parts.append(("target", ""))
        elif column is not None:
            parts.append(("row", column))
        else:
            return None
    return tuple(parts) or None


def _row_column(node: nodes.Node) -> str | None:
    """The column of ``row.column`` or ``row["column"]``; None for any other expression."""
    if not isinstance(node, nodes.Getattr | nodes.Getitem):
        return None
    if not isinstance(node.node, nodes.Name) or node.node.name != "row":
        return None
    if isinstance(node, nodes.Getattr):
        return str(node.attr)
    if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        return node.arg.value
    return None


def is_template(text: str) -> bool:
    """True when ``text`` holds Jinja2 syntax (``{{``, ``{%`` or ``{#``)."""
    return _JINJA.search(text) is not None


def compile_text(env: PushflowSandbox, text: str) -> CompiledText:
    """Compile ``text`` in ``env``; raise :class:`TemplateCompileError` when it cannot be."""
    if not is_template(text):
        return CompiledText(text, None, frozenset())
    try:
        tree = env.parse(text)
    except TemplateSyntaxError as exc:
        raise TemplateCompileError(
            f"template syntax error: {exc.message}{_line(text, exc)}"
        ) from exc
    for node_type, (tag, reason) in _FORBIDDEN.items():
        found = next(tree.find_all(node_type), None)
        if found is not None:
            raise TemplateCompileError(f"`{tag}` is not available: {reason}{_line(text, found)}")
    try:
        # Both run the code generator, which also finds unknown filters and tests.
        names = frozenset(meta.find_undeclared_variables(tree))
        parts = _parts(tree)
        loops = list(tree.find_all(nodes.For))
        for loop in loops:
            budgeted = nodes.Filter(
                loop.iter, BUDGET_FILTER, [], [], None, None, lineno=loop.lineno
            )
            loop.iter = budgeted.set_environment(env)
        template = env.from_string(tree)
    except TemplateSyntaxError as exc:
        raise TemplateCompileError(f"template error: {exc.message}{_line(text, exc)}") from exc
    return CompiledText(text, template, names, dict(template.globals), bool(loops), parts)


def _line(text: str, where: TemplateSyntaxError | nodes.Node) -> str:
    """`` (line N of the template)`` for multi-line templates: the YAML position is the start."""
    if "\n" not in text.rstrip("\n") or where.lineno is None:
        return ""
    return f" (line {where.lineno} of the template)"
