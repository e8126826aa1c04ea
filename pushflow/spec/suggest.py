"""Which keys a mapping in a user's file could have held: for "unknown key, did you mean …?".

pydantic reports an unknown key with its path but not the model it was checked against (a path
can cross unions: the message model depends on ``provider`` and ``kind``). This module walks the
model types along the path, choosing union members by the data the user wrote, and returns the
keys the model at the end accepts.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from typing import Any, Union

from pydantic import BaseModel, RootModel

from pushflow.spec.yaml_source import Path


def _members(annotation: Any) -> list[Any]:
    """The alternatives of a (possibly Annotated, possibly Optional) union."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _pick(annotation: Any, data: Any) -> Any:
    """The union member ``data`` was meant for: the model sharing most keys with it."""
    candidates = _members(annotation)
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    if not models or not isinstance(data, dict):
        return candidates[0] if len(candidates) == 1 else next(iter(models), None)

    def score(model: type[BaseModel]) -> tuple[int, int]:
        fields = model.model_fields
        literal_hits = 0
        for name, field in fields.items():
            allowed = typing.get_args(field.annotation)
            if typing.get_origin(field.annotation) is typing.Literal and data.get(name) in allowed:
                literal_hits += 1
        return literal_hits, len(set(_keys(model)) & set(data))

    return max(models, key=score)


def allowed_keys(root: type[BaseModel], data: Any, path: Path) -> list[str]:
    """Keys accepted by the mapping at ``path`` of ``data`` validated as ``root``."""
    annotation: Any = root
    if issubclass(root, RootModel):
        annotation = root.model_fields["root"].annotation
    for segment in path:
        current = _pick(annotation, data)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {field.alias or name: field for name, field in current.model_fields.items()}
            if not isinstance(segment, str) or segment not in fields:
                return []
            annotation = fields[segment].annotation
        else:
            args = typing.get_args(current)
            if not args:
                return []
            annotation = args[-1]  # list[X] or dict[str, X]
        if isinstance(data, dict) and isinstance(segment, str):
            data = data.get(segment)
        elif isinstance(data, list) and isinstance(segment, int) and segment < len(data):
            data = data[segment]
        else:
            data = None
    model = _pick(annotation, data)
    return _keys(model) if isinstance(model, type) and issubclass(model, BaseModel) else []


def did_you_mean(key: str, keys: Sequence[str]) -> str:
    """``"; did you mean `title`?"`` or, failing a close match, the keys allowed there."""
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    if close:
        return f"; did you mean `{close[0]}`?"
    if keys and len(keys) <= 12:
        return "; expected one of: " + ", ".join(keys)
    return ""
