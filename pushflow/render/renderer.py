"""A campaign's templates, compiled once, rendered per target into the texts the services take.

::

    renderer = CampaignRenderer(facts, "emas", sources)      # compiles; RenderError if it cannot
    renderer.is_per_target                                     # PushTemplate or PushMultiple?
    message = renderer.render(row, occurrence)                 # RenderError names campaign + row

``sources`` maps the spec path of every text that may hold templates (``("message", "title")``,
``("message", "values", "name")``, ``("channels", "android", "popup", "title")`` …) to its text and
its YAML position. Texts that do not depend on the target are rendered once per occurrence.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jinja2 import UndefinedError
from jinja2.exceptions import SecurityError

from pushflow.audience.sources import Row
from pushflow.errors import Location, Problem
from pushflow.render.checks import check_message, has_checks
from pushflow.render.compiler import CompiledText, TemplateCompileError, compile_text
from pushflow.render.context import (
    CONTEXT_NAMES,
    PER_TARGET_NAMES,
    CampaignFacts,
    RowView,
    template_context,
)
from pushflow.render.errors import RenderError
from pushflow.render.limits import MAX_OUTPUT_CHARS, Path
from pushflow.render.message import Assembler, MessageKind, RenderedMessage, final_texts
from pushflow.render.sandbox import PushflowSandbox, TemplateLimitError
from pushflow.spec.limits import MPAAS_TARGET_EXTENDED_PARAMS_MAX

#: Why ``row`` and ``target`` are missing for audiences without rows.
NO_ROWS = "this campaign's audience has no rows (tag, all and broadcast audiences list no targets)"


@dataclass(frozen=True)
class Source:
    """One campaign text that may hold templates, and where the campaign file holds it."""

    text: str
    location: Location


@dataclass
class _Static:
    """Target-independent texts of one occurrence, rendered once, and the scope per-target texts
    start from (the environment's globals and the context without a row)."""

    occurrence: datetime
    key: tuple[datetime, str]
    scope: dict[str, Any]
    texts: dict[Path, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class CampaignRenderer:
    """Compiles a campaign's texts once; renders them for each target and occurrence."""

    def __init__(
        self,
        facts: CampaignFacts,
        kind: MessageKind,
        sources: Mapping[Path, Source],
        *,
        has_rows: bool = True,
    ) -> None:
        self.facts = facts
        self.kind: MessageKind = kind
        self.sources = dict(sources)
        self.has_rows = has_rows
        self._env = PushflowSandbox()
        self._compiled: dict[Path, CompiledText] = {}
        self._static: _Static | None = None
        self._assemble = Assembler(kind)
        problems = self._compile()
        if problems:
            raise RenderError(problems)
        self.per_target_paths = frozenset(p for p, c in self._compiled.items() if c.per_target)
        #: The per-target texts in source order, ready to render.
        self._per_target = [(p, c) for p, c in self._compiled.items() if c.per_target]
        #: Whether rendered texts of this kind can break a limit (mPaaS template values cannot).
        self._checked = has_checks(kind)

    @property
    def is_per_target(self) -> bool:
        """True when some text reads ``row`` or ``target``: each target needs its own values."""
        return bool(self.per_target_paths)

    @property
    def uses_occurrence(self) -> bool:
        """True when some text reads ``occurrence``: each occurrence needs its own texts."""
        return any("occurrence" in c.names for c in self._compiled.values())

    def render(self, row: Row | None, occurrence: datetime) -> RenderedMessage:
        """The message for ``row`` (None: one message for every target) at ``occurrence``.

        Raises :class:`RenderError` with every problem of this rendering.
        """
        texts = self._texts(row, occurrence)
        message = self._assemble(row.target if row is not None else None, texts)
        self._check(row, message.texts)
        return message

    def render_rows(self, rows: Sequence[Row], occurrence: datetime) -> list[RenderedMessage]:
        """:meth:`render` of each row, in order: the same messages, the same errors.

        A chunk's rows share the occurrence, its target-independent texts and the checks that
        apply, so those are looked up once per chunk. A text that is just ``{{ row.column }}``
        is the column's text, read here; others are interpolated
        (:meth:`CompiledText.interpolate`). A row with a text that is neither (a template that
        must run, a column that is missing or not text) goes through :meth:`render`.
        """
        if not self._per_target or occurrence.tzinfo is None or occurrence.utcoffset() is None:
            return [self.render(row, occurrence) for row in rows]
        static = self._render_static(occurrence)
        if static.problems:
            return [self.render(row, occurrence) for row in rows]  # raises, as render does
        base, assemble, checked = static.texts, self._assemble, self._checked
        plan = self._row_plan
        messages: list[RenderedMessage] = []
        for row in rows:
            columns, target = row.columns, row.target
            texts = dict(base)
            view: RowView | None = None
            for path, column, compiled in plan:
                if column is not None:
                    text = columns.get(column)
                    if type(text) is not str or len(text) > MAX_OUTPUT_CHARS:
                        text = None
                else:
                    if view is None:
                        view = RowView(columns)
                    text = compiled.interpolate(view, target)
                if text is None:
                    messages.append(self.render(row, occurrence))
                    break
                texts[path] = text
            else:
                message = assemble(target, texts)
                if checked:
                    self._check(row, message.texts)
                messages.append(message)
        return messages

    @functools.cached_property
    def _row_plan(self) -> list[tuple[Path, str | None, CompiledText]]:
        """The per-target texts for :meth:`render_rows`, each with the column it is, when it is
        just ``{{ row.column }}`` (:attr:`CompiledText.column`)."""
        return [(path, compiled.column, compiled) for path, compiled in self._per_target]

    def check(self, row: Row | None, occurrence: datetime) -> None:
        """Render ``row`` at ``occurrence`` and check the texts against their limits, as
        :meth:`render` does, without assembling the message (a plan checks every target but
        shows only a few)."""
        self._check(row, final_texts(self.kind, self._texts(row, occurrence)))

    def _texts(self, row: Row | None, occurrence: datetime) -> dict[Path, str]:
        """Every text rendered for ``row`` at ``occurrence``; RenderError with every problem."""
        if occurrence.tzinfo is None or occurrence.utcoffset() is None:
            raise ValueError("occurrence must be an aware datetime")
        if row is None and self._per_target:
            raise ValueError("this campaign's texts differ per target: render them with a row")
        static = self._render_static(occurrence)
        texts = dict(static.texts)
        failures: list[tuple[Path, Exception]] = []
        if self._per_target and row is not None:
            view = RowView(row.columns)
            scope: dict[str, Any] | None = None  # made for the first template that must run
            for path, compiled in self._per_target:
                text = compiled.interpolate(view, row.target)
                if text is not None:
                    texts[path] = text
                    continue
                if scope is None:
                    scope = static.scope.copy()
                    scope["row"] = view
                    scope["target"] = row.target
                try:
                    texts[path] = compiled.render_in(scope)
                except Exception as exc:  # the template's own failure, explained below
                    failures.append((path, exc))
        if failures or static.problems:
            prefix = f"{row.location}: " if row is not None else ""
            raise RenderError(
                [*static.problems, *(self._failure(path, exc, prefix) for path, exc in failures)]
            )
        return texts

    def _check(self, row: Row | None, texts: Mapping[Path, str]) -> None:
        """RenderError for every limit the final ``texts`` of ``row`` break."""
        found = check_message(self.kind, texts)
        if found:
            prefix = f"{row.location}: " if row is not None and self.is_per_target else ""
            raise RenderError(
                Problem(self.sources[path].location, prefix + text, rule=rule)
                for path, text, rule in found
            )

    def _compile(self) -> list[Problem]:
        known = (*CONTEXT_NAMES, *sorted(self._env.globals))
        cache: dict[str, CompiledText] = {}
        problems: list[Problem] = []
        for path, source in self.sources.items():
            try:
                compiled = cache.get(source.text) or compile_text(self._env, source.text)
            except TemplateCompileError as exc:
                problems.append(Problem(source.location, str(exc), rule="render-template"))
                continue
            cache[source.text] = self._compiled[path] = compiled
            for name in sorted(compiled.names - set(known)):
                problems.append(
                    Problem(
                        source.location,
                        f"`{name}` is undefined{_suggest(name)}; templates can use: "
                        + ", ".join(CONTEXT_NAMES),
                        rule="render-undefined",
                    )
                )
            if not self.has_rows:
                for name in sorted(compiled.names & PER_TARGET_NAMES):
                    problems.append(
                        Problem(
                            source.location,
                            f"`{name}` is not available: {NO_ROWS}",
                            rule="render-no-rows",
                        )
                    )
        problems.extend(self._check_target_extras())
        return problems

    def _check_target_extras(self) -> list[Problem]:
        """PushMultiple takes fewer than 10 extended parameters per target (mPaaS code 3049)."""
        if self.kind == "emas":
            return []
        varying = [
            path
            for path, compiled in self._compiled.items()
            if path[:2] == ("message", "extras") and compiled.per_target
        ]
        if len(varying) <= MPAAS_TARGET_EXTENDED_PARAMS_MAX:
            return []
        return [
            Problem(
                self.sources[varying[0]].location,
                f"{len(varying)} extras differ per target; mPaaS PushMultiple allows at most "
                f"{MPAAS_TARGET_EXTENDED_PARAMS_MAX} extended parameters per target (code 3049)",
                rule="mpaas-target-extended-params",
            )
        ]

    def _render_static(self, occurrence: datetime) -> _Static:
        static = self._static
        if static is not None and static.occurrence is occurrence:
            return static  # the same object: the same instant and zone
        key = (occurrence, str(occurrence.tzinfo))
        if static is not None and static.key == key:
            return static
        variables = template_context(self.facts, None, occurrence)
        static = _Static(occurrence, key, {**self._env.globals, **variables})
        for path, compiled in self._compiled.items():
            if path in self.per_target_paths:
                continue
            try:
                static.texts[path] = compiled.render(variables)
            except Exception as exc:  # the template's own failure, explained below
                static.problems.append(self._failure(path, exc, ""))
        self._static = static
        return static

    def _failure(self, path: Path, exc: Exception, prefix: str) -> Problem:
        if isinstance(exc, UndefinedError):
            message, rule = exc.message or "undefined value", "render-undefined"
        elif isinstance(exc, SecurityError):
            message, rule = f"not allowed in a template: {exc}", "render-sandbox"
        elif isinstance(exc, TemplateLimitError):
            message, rule = str(exc), "render-limit"
        else:
            message, rule = f"the template failed: {type(exc).__name__}: {exc}", "render-failed"
        return Problem(self.sources[path].location, prefix + message, rule=rule)


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, CONTEXT_NAMES, n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


__all__ = ["NO_ROWS", "CampaignRenderer", "MessageKind", "RenderedMessage", "Source"]
