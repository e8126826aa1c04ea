"""Request parameters as the SDKs put them on the wire, with typed readers.

The SDKs send flat string parameters (query string for EMAS, form body for mPaaS); lists are
flattened as ``Name.1.Field`` (``TargetMsg.1.Target``, ``PushTask.2.Body``) and maps given as
JSON strings. :func:`parse_form` decodes a query string or form body; :class:`Params` reads the
parameters; each reader takes the error to raise when a value is unusable, so the mPaaS and EMAS
rules can answer in their own codes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import unquote

Fail = Callable[[str], Exception]

_INDEXED = re.compile(r"^(\d+)\.(.+)$")
#: A ``%`` that does not start an escape (two hex digits): ``unquote`` keeps it as it is.
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def unquote_plus(text: str) -> str:
    """``urllib.parse.unquote_plus(text)``, the way ``parse_qsl`` decodes names and values.

    A PushMultiple body holds 100 ``TemplateKeyValue`` JSON maps of about 20 escapes each, and
    ``unquote`` turns every escape into a byte in a Python loop (the emulator's largest single
    cost per call). An ASCII text whose every ``%`` starts a valid escape and which holds no
    backslash (that would start an escape of ``unicode_escape``'s own) is decoded in C instead:
    each ``%`` becomes ``\\x``, ``unicode_escape`` turns ``\\xHH`` into the code point HH,
    Latin-1 gives the bytes back and they are decoded as UTF-8 with ``replace``, exactly as
    ``unquote`` decodes its bytes. Any other text takes ``unquote``.
    """
    if "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    if text.isascii() and "\\" not in text and _STRAY_PERCENT.search(text) is None:
        code_points = text.replace("%", "\\x").encode("ascii").decode("unicode_escape")
        return code_points.encode("latin-1").decode("utf-8", "replace")
    return unquote(text)


def parse_form(text: str) -> list[tuple[str, str]]:
    """``urllib.parse.parse_qsl(text, keep_blank_values=True)``: pairs in order, repeated names
    kept, empty fields skipped, a field without ``=`` read as a blank value."""
    pairs = []
    for field in text.split("&"):
        if field:
            name, _, value = field.partition("=")
            # most names and values need no decoding: skip the call for them
            if "%" in name or "+" in name:
                name = unquote_plus(name)
            if "%" in value or "+" in value:
                value = unquote_plus(value)
            pairs.append((name, value))
    return pairs


class Params(Mapping[str, str]):
    """Read-only string parameters with typed accessors."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def as_dict(self) -> dict[str, str]:
        """A copy as a plain ``dict`` (``dict(params)`` would read the ~300 parameters of a
        PushMultiple call one ``__getitem__`` at a time)."""
        return dict(self._values)

    def text(self, name: str) -> str:
        """The value stripped of surrounding blanks, or ``''`` when absent."""
        return self._values.get(name, "").strip()

    def int_or(self, name: str, default: int | None, fail: Fail) -> int | None:
        raw = self.text(name)
        if raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise fail(f"{name} must be an integer, got {raw!r}") from None

    def bool_or(self, name: str, default: bool, fail: Fail) -> bool:
        raw = self.text(name).lower()
        if raw == "":
            return default
        if raw in ("true", "false"):
            return raw == "true"
        raise fail(f"{name} must be true or false, got {raw!r}")

    def json_map(self, name: str, fail: Fail) -> dict[str, Any] | None:
        """A JSON object parameter (``None`` when absent)."""
        raw = self.text(name)
        if raw == "":
            return None
        return json_map(raw, name, fail)

    def indexed(self, prefix: str) -> list[dict[str, str]]:
        """``Prefix.N.Field`` parameters as a list of dicts ordered by N."""
        head = prefix + "."
        start = len(head)
        groups: dict[int, dict[str, str]] = {}
        for key, value in self._values.items():
            if not key.startswith(head):
                continue
            # ``N.Field`` is what _INDEXED matches: N the decimal digits before the first dot
            # (``\d`` is ``str.isdecimal``), Field not empty. Only a newline in Field needs the
            # pattern itself (``.`` stops at it, ``$`` also matches before a final one); a
            # partition per key costs half of a match and its groups (300 keys a call).
            number, dot, field = key[start:].partition(".")
            if "\n" in field:
                match = _INDEXED.match(key[start:])
                if match is None:
                    continue
                number, field = match.group(1), match.group(2)
            elif not (dot and field and number.isdecimal()):
                continue
            groups.setdefault(int(number), {})[field] = value
        return [groups[i] for i in sorted(groups)]


def json_map(raw: str, name: str, fail: Fail) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        raise fail(f"{name} is not valid JSON") from None
    if not isinstance(value, dict):
        raise fail(f"{name} must be a JSON object")
    return value
