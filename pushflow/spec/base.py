"""What every spec model shares: strict about unknown keys, documented for the schema, and a
uniform way to state cross-field rules.

Field-level checks (types, enums, lengths, patterns) are pydantic's and reach the JSON Schema.
Rules that relate several fields, or a field and the clock, cannot be said in JSON Schema; each
model states them in :meth:`SpecModel.violations`, and :func:`collect_violations` walks a whole
validated campaign so that *every* broken rule is reported, each at the key it is about.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PathItem = str | int
Path = tuple[PathItem, ...]


@dataclass(frozen=True)
class RuleContext:
    """What rules may look at beyond the model itself: the clock (always an argument, never
    read inside a rule, so tests pass it explicitly)."""

    now: datetime


@dataclass(frozen=True)
class Violation:
    """A broken cross-field rule. ``path`` is relative to the model that found it, in YAML key
    names (aliases), so the loader can point at the exact line and column."""

    path: Path
    rule: str
    message: str
    severity: Literal["error", "warning"] = "error"


class SpecModel(BaseModel):
    """A part of what a user writes in YAML.

    ``extra="forbid"`` turns a misspelt key into an error at its position instead of silently
    ignoring it; ``frozen`` because a loaded spec is a value that later stages only read.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        """Cross-field rules of this model alone; children are visited by the walker."""
        return iter(())


def collect_violations(
    model: SpecModel, ctx: RuleContext, prefix: Path = ()
) -> Iterator[Violation]:
    """Every rule violation in ``model`` and everything below it, with paths from the root."""
    for violation in model.violations(ctx):
        yield replace(violation, path=prefix + violation.path)
    for name, field in type(model).model_fields.items():
        yield from _walk(getattr(model, name), ctx, (*prefix, field.alias or name))


def _walk(value: Any, ctx: RuleContext, path: Path) -> Iterator[Violation]:
    if isinstance(value, SpecModel):
        yield from collect_violations(value, ctx, path)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, ctx, (*path, index))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(item, ctx, (*path, str(key)))


def wire(name: str, description: str, **kwargs: Any) -> Any:
    """A field that maps one-to-one to an API request parameter.

    The wire name is kept in the JSON Schema as ``x-wire`` so docs and reviewers see which
    request parameter a YAML key becomes; compile reads it from the field's metadata.
    """
    extra = dict(kwargs.pop("json_schema_extra", None) or {})
    extra["x-wire"] = name
    return Field(description=description, json_schema_extra=extra, **kwargs)


def wire_name(model: type[BaseModel], field: str) -> str | None:
    """The API parameter a field maps to, as declared with :func:`wire`."""
    extra = model.model_fields[field].json_schema_extra
    if isinstance(extra, dict):
        value = extra.get("x-wire")
        return value if isinstance(value, str) else None
    return None
