"""A rendered message: the texts one call (or one target of a call) carries.

The fields follow the services: mPaaS simple messages have a title and content (``body`` here,
also readable as ``content``), mPaaS template messages the values of the console template's
``#placeholders#`` (``template_key_value``), EMAS messages a title and body in which pushflow
has substituted the ``#placeholders#`` itself (EMAS has no server templates).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pushflow.render.limits import Path
from pushflow.spec.text import PLACEHOLDER

#: Which shape of message a campaign renders into.
MessageKind = Literal["mpaas-simple", "mpaas-template", "emas"]

TITLE: Path = ("message", "title")
CONTENT: Path = ("message", "content")
BODY: Path = ("message", "body")
VALUES: Path = ("message", "values")
EXTRAS: Path = ("message", "extras")


@dataclass(frozen=True)
class RenderedMessage:
    """The rendered texts of a message for one target (``target`` None: for all of them)."""

    target: str | None
    title: str | None = None
    body: str | None = None
    template_key_value: Mapping[str, str] = field(default_factory=dict)
    extras: Mapping[str, str] = field(default_factory=dict)
    #: Every rendered text by spec path, channel texts included; EMAS title and body with their
    #: placeholders substituted.
    texts: Mapping[Path, str] = field(default_factory=dict)

    @property
    def content(self) -> str | None:
        """The mPaaS name of :attr:`body`."""
        return self.body


def substitute(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``#name#`` that has a value replaced by it, in one pass (a value that
    holds ``#other#`` is not substituted again); unknown placeholders stay as written."""
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def final_texts(kind: MessageKind, rendered: Mapping[Path, str]) -> dict[Path, str]:
    """The texts a message of ``kind`` carries: ``rendered``, with EMAS title and body
    substituted (:func:`substitute`) with the rendered values."""
    texts = dict(rendered)
    if kind == "emas":
        values = _under(texts, VALUES)
        for path in (TITLE, BODY):
            if path in texts:
                texts[path] = substitute(texts[path], values)
    return texts


def _under(texts: Mapping[Path, str], prefix: Path) -> dict[str, str]:
    size = len(prefix)
    return {
        str(path[size]): text
        for path, text in texts.items()
        if len(path) == size + 1 and path[:size] == prefix
    }


def assemble(
    kind: MessageKind, target: str | None, rendered: Mapping[Path, str]
) -> RenderedMessage:
    """The message of ``kind`` from its rendered texts."""
    texts = final_texts(kind, rendered)
    values = _under(rendered, VALUES)
    extras = _under(texts, EXTRAS)
    if kind == "mpaas-template":
        return RenderedMessage(target, template_key_value=values, extras=extras, texts=texts)
    if kind == "mpaas-simple":
        return RenderedMessage(
            target, texts.get(TITLE), texts.get(CONTENT), extras=extras, texts=texts
        )
    return RenderedMessage(target, texts.get(TITLE), texts.get(BODY), extras=extras, texts=texts)


class Assembler:
    """:func:`assemble` for the texts of one renderer, which always come with the same paths in
    the same order: where each text goes (a template value, an extra) is worked out once per
    order of paths, not per target. The message is the one :func:`assemble` makes, its maps in
    the same order (a ``TemplateKeyValue`` is sent as JSON in that order)."""

    def __init__(self, kind: MessageKind) -> None:
        self.kind: MessageKind = kind
        self._paths: tuple[Path, ...] | None = None
        self._values: tuple[tuple[Path, str], ...] = ()
        self._extras: tuple[tuple[Path, str], ...] = ()

    def __call__(self, target: str | None, rendered: dict[Path, str]) -> RenderedMessage:
        """The message of :attr:`kind` from ``rendered``, which it keeps as the message's
        texts (pass a dict no one else changes)."""
        if self.kind == "emas":
            return assemble(self.kind, target, rendered)
        paths = tuple(rendered)
        if paths != self._paths:
            self._paths = paths
            self._values = _keys_under(paths, VALUES)
            self._extras = _keys_under(paths, EXTRAS)
        values = {key: rendered[path] for path, key in self._values}
        extras = {key: rendered[path] for path, key in self._extras}
        if self.kind == "mpaas-template":
            return _message(target, None, None, values, extras, rendered)
        return _message(target, rendered.get(TITLE), rendered.get(CONTENT), {}, extras, rendered)


def _message(
    target: str | None,
    title: str | None,
    body: str | None,
    values: Mapping[str, str],
    extras: Mapping[str, str],
    texts: Mapping[Path, str],
) -> RenderedMessage:
    """``RenderedMessage(target, title, body, values, extras, texts)``, its fields set in one
    step: a frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``,
    which cost more than the rest of a target's message (one per target of every call)."""
    message = object.__new__(RenderedMessage)
    message.__dict__.update(
        target=target,
        title=title,
        body=body,
        template_key_value=values,
        extras=extras,
        texts=texts,
    )
    return message


def _keys_under(paths: tuple[Path, ...], prefix: Path) -> tuple[tuple[Path, str], ...]:
    """Each path directly under ``prefix`` with its key, in order (as :func:`_under`)."""
    size = len(prefix)
    return tuple(
        (path, str(path[size])) for path in paths if len(path) == size + 1 and path[:size] == prefix
    )
