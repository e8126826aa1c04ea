"""One template string → one compiled, checked template (or the text itself when it is literal).

Compiling parses the text, refuses the tags that would read files or recurse, wraps every
``{% for %}`` iterable in the loop budget, and records which context names the template reads
(``jinja2.meta.find_undeclared_variables``): a template that reads ``row`` or ``target`` differs
per target.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Template, TemplateSyntaxError, meta, nodes

from pushflow.render.context import PER_TARGET_NAMES
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


@dataclass(frozen=True, eq=False)
class CompiledText:
    """A campaign text ready to render: a sandboxed template, or literal text."""

    text: str
    template: Template | None
    names: frozenset[str]
    #: The environment's globals, copied once (Jinja2 would merge its ChainMap each rendering).
    globals: Mapping[str, Any] = field(default_factory=dict)
    has_loops: bool = False

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
        loops = list(tree.find_all(nodes.For))
        for loop in loops:
            budgeted = nodes.Filter(
                loop.iter, BUDGET_FILTER, [], [], None, None, lineno=loop.lineno
            )
            loop.iter = budgeted.set_environment(env)
        template = env.from_string(tree)
    except TemplateSyntaxError as exc:
        raise TemplateCompileError(f"template error: {exc.message}{_line(text, exc)}") from exc
    return CompiledText(text, template, names, dict(template.globals), bool(loops))


def _line(text: str, where: TemplateSyntaxError | nodes.Node) -> str:
    """`` (line N of the template)`` for multi-line templates: the YAML position is the start."""
    if "\n" not in text.rstrip("\n") or where.lineno is None:
        return ""
    return f" (line {where.lineno} of the template)"
