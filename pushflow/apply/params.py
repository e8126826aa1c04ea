"""Where each spec key goes on the wire, read from the spec models' own metadata.

Every spec field that becomes a request parameter says so in its ``json_schema_extra``:

- ``x-wire``: the request parameter (``AndroidOpenType``);
- ``x-wire-key`` with it: the key inside a map parameter (``ThirdChannelCategory`` → ``hms``);
- ``x-extended-param``: the mPaaS ``extendedParams`` key (``badge``).

:func:`spec_params` walks a validated model and yields each set field with its metadata and its
value, strings taken from the rendered texts (``RenderedMessage.texts``, by spec path) where the
renderer rendered them. :func:`spec_fields` walks the model *classes* the same way, for the
generated table of ``docs/wire.md`` and the tests of the enum tables.
"""

from __future__ import annotations

import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from pushflow.render.compiler import is_template
from pushflow.render.limits import Path
from pushflow.spec.base import SpecModel


@dataclass(frozen=True)
class WireMeta:
    """The wire metadata of one spec field."""

    wire: str | None = None
    key: str | None = None
    extended: str | None = None

    @property
    def sent(self) -> bool:
        return self.wire is not None or self.extended is not None

    @property
    def table(self) -> str | None:
        """The name of the field's enum table: ``Parameter`` or ``Parameter.key``."""
        if self.wire is None:
            return None
        return f"{self.wire}.{self.key}" if self.key is not None else self.wire


@dataclass(frozen=True)
class SpecParam:
    """A set spec field that becomes (part of) a request parameter."""

    path: Path
    meta: WireMeta
    value: Any


def meta_of(field: FieldInfo) -> WireMeta:
    """The ``x-wire`` / ``x-wire-key`` / ``x-extended-param`` metadata of ``field``."""
    extra = field.json_schema_extra
    if not isinstance(extra, dict):
        return WireMeta()

    def text(name: str) -> str | None:
        value = extra.get(name)
        return value if isinstance(value, str) else None

    return WireMeta(text("x-wire"), text("x-wire-key"), text("x-extended-param"))


def rendered(value: Any, path: Path, texts: Mapping[Path, str]) -> Any:
    """``value`` with every string replaced by its rendering at the same spec path."""
    if isinstance(value, str):
        return texts.get(path, value)
    if isinstance(value, list):
        return [rendered(item, (*path, index), texts) for index, item in enumerate(value)]
    if isinstance(value, dict):
        return {key: rendered(item, (*path, key), texts) for key, item in value.items()}
    return value


def holds_template(value: Any) -> bool:
    """Whether ``value`` has a string with template syntax: only those differ once rendered."""
    if isinstance(value, str):
        return is_template(value)
    if isinstance(value, list):
        return any(holds_template(item) for item in value)
    if isinstance(value, dict):
        return any(holds_template(item) for item in value.values())
    return False


def spec_params(
    model: SpecModel,
    prefix: Path,
    texts: Mapping[Path, str],
    *,
    skip: frozenset[str] = frozenset(),
) -> Iterator[SpecParam]:
    """The set fields of ``model`` (and the sections below it) that go on the wire.

    ``skip`` names fields of ``model`` itself the caller handles (title, body …).
    """
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if name in skip or value is None:
            continue
        path = (*prefix, name)
        meta = meta_of(field)
        if meta.sent:
            yield SpecParam(path, meta, rendered(value, path, texts))
        elif isinstance(value, SpecModel):
            yield from spec_params(value, path, texts)


@dataclass(frozen=True)
class SpecField:
    """A spec field class-side: its path, metadata and the values an enum field takes."""

    path: Path
    meta: WireMeta
    field: FieldInfo

    @property
    def choices(self) -> tuple[str, ...]:
        """The values of a ``Literal`` field (empty for other types)."""
        return literal_values(self.field.annotation)


def literal_values(annotation: Any) -> tuple[str, ...]:
    """The string values of a ``Literal`` annotation, through ``Optional`` and ``Annotated``."""
    origin = get_origin(annotation)
    if origin is Literal:
        return tuple(str(value) for value in get_args(annotation))
    if origin is Annotated:
        return literal_values(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return tuple(value for arg in get_args(annotation) for value in literal_values(arg))
    return ()


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, SpecModel):
        yield annotation
        return
    for arg in get_args(annotation):
        yield from _models(arg)


def spec_fields(
    model: type[SpecModel], prefix: Path = (), *, skip: frozenset[str] = frozenset()
) -> Iterator[SpecField]:
    """Every field of ``model`` and the sections below it that goes on the wire."""
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        path = (*prefix, name)
        meta = meta_of(field)
        if meta.sent:
            yield SpecField(path, meta, field)
            continue
        for section in _models(field.annotation):
            if issubclass(section, SpecModel):
                yield from spec_fields(section, path)
