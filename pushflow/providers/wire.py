"""Typed request/response models and how they become RPC parameters.

Field names are snake_case; wire names come from an alias generator (``push_time`` →
``PushTime``, ``ios_badge`` → ``iOSBadge``) and the tests check every alias against the official
SDK's ``to_map()``. Serialisation follows the SDK exactly:

* scalars are ``str(value)`` (so booleans go out as ``True``/``False``, as the Python SDK sends),
* nested maps and lists are flattened ``Key.sub`` / ``Key.1.Sub`` (the SDK's ``_object_handler``),
* "shrink" parameters (a map sent as one JSON string) use compact JSON without ASCII escaping
  (the SDK's ``to_json_string``); :data:`JsonMap` fields serialise that way.

Requests forbid unknown fields; responses ignore them (services add fields over time).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from json.encoder import encode_basestring as _text
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer


def wire_name(field_name: str) -> str:
    """``android_xiao_mi_activity`` → ``AndroidXiaoMiActivity``; ``ios_*`` → ``iOS*``."""
    if field_name.startswith("ios_"):
        return "iOS" + wire_name(field_name[4:])
    return "".join(part[:1].upper() + part[1:] for part in field_name.split("_"))


def compact_json(value: object) -> str:
    """JSON as the SDK writes shrink parameters: ``{"k":"v"}``, UTF-8 kept literal.

    A map of texts (a ``TemplateKeyValue``: one per target of a PushMultiple call) is written
    directly, each text escaped by the encoder's own function: the same characters, about a
    quarter of the time of ``json.dumps``, which makes an encoder on every call.
    """
    if isinstance(value, dict):
        try:
            return "{" + ",".join([f"{_text(k)}:{_text(v)}" for k, v in value.items()]) + "}"
        except TypeError:  # a key or value that is not text
            pass
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


#: A map the service takes as one JSON string parameter (``TemplateKeyValue``, ``NotifyLevel``).
JsonMap = Annotated[dict[str, Any], PlainSerializer(compact_json, return_type=str)]
#: A string-to-string map sent as one JSON string (``TargetMsgkey``, ``ExtendedParams``).
JsonStrMap = Annotated[dict[str, str], PlainSerializer(compact_json, return_type=str)]


class WireRequest(BaseModel):
    """Base of every request model: frozen, strict about names, wire names as aliases."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        alias_generator=wire_name,
    )

    def wire(self) -> dict[str, Any]:
        """Wire name → value (``None`` dropped, ``JsonMap`` fields already JSON strings)."""
        return self.model_dump(by_alias=True, exclude_none=True)

    def params(self) -> dict[str, str]:
        """The RPC parameters of this request: :meth:`wire`, flattened (:func:`flatten`)."""
        return flatten(self.wire())


class WireResponse(BaseModel):
    """Base of every response model: tolerant of extra fields, ids taken as strings."""

    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        populate_by_name=True,
        alias_generator=wire_name,
        coerce_numbers_to_str=True,
    )


def flatten(params: Mapping[str, Any]) -> dict[str, str]:
    """Flatten a wire map into RPC parameters exactly as the SDK's ``Utils.query``/``to_form``.

    ``{"PushTask": [{"Title": "a"}]}`` → ``{"PushTask.1.Title": "a"}``.
    """
    out: dict[str, str] = {}
    for key, value in params.items():
        _flatten_into(out, key, value)
    return out


def _flatten_into(out: dict[str, str], key: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True, exclude_none=True)
    if isinstance(value, Mapping):
        for sub_key, sub_value in value.items():
            _flatten_into(out, f"{key}.{sub_key}", sub_value)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value, start=1):
            _flatten_into(out, f"{key}.{index}", item)
    elif isinstance(value, bytes):
        out[key] = value.decode("utf-8")
    else:
        out[key] = str(value)
