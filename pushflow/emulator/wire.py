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
from json.scanner import make_scanner
from typing import Any
from urllib.parse import unquote

Fail = Callable[[str], Exception]

_INDEXED = re.compile(r"^(\d+)\.(.+)$")


def _decode(text: str) -> str | None:
    """``unquote_plus(text)`` in C, or ``None`` when that would not be what ``unquote`` does:
    ``text`` not ASCII, holding a backslash (it would start an escape of ``unicode_escape``'s
    own), or a ``%`` that starts no escape (``unquote`` keeps it; here it fails the decoding).

    ``unquote`` turns each escape into a byte in a Python loop, and a PushMultiple body holds
    100 ``TemplateKeyValue`` JSON maps of about 20 escapes each: this was the emulator's largest
    cost per call. Here each ``%`` becomes ``\\x``, ``unicode_escape`` turns ``\\xHH`` into the
    code point HH, Latin-1 gives the bytes back and they are decoded as UTF-8 with ``replace``,
    as ``unquote`` decodes its bytes.
    """
    if not text.isascii() or "\\" in text:
        return None
    escaped = text.replace("+", " ").replace("%", "\\x").encode("ascii")
    try:
        code_points = escaped.decode("unicode_escape")
    except UnicodeDecodeError:
        return None
    return code_points.encode("latin-1").decode("utf-8", "replace")


def unquote_plus(text: str) -> str:
    """``urllib.parse.unquote_plus(text)``, the way ``parse_qsl`` decodes names and values."""
    if "%" not in text:
        return text.replace("+", " ")
    decoded = _decode(text)
    return decoded if decoded is not None else unquote(text.replace("+", " "))


def _pairs(text: str) -> list[tuple[str, str]]:
    """Names and values of ``text`` as they are: fields cut at ``&``, each at its first ``=``."""
    return [(name, value) for name, _, value in (f.partition("=") for f in text.split("&") if f)]


def parse_form(text: str) -> list[tuple[str, str]]:
    """``urllib.parse.parse_qsl(text, keep_blank_values=True)``: pairs in order, repeated names
    kept, empty fields skipped, a field without ``=`` read as a blank value."""
    if "%" not in text and "+" not in text:
        return _pairs(text)
    if "%26" not in text and "%3D" not in text and "%3d" not in text:
        # Decoded as a whole and then cut: without those escapes no "&" or "=" comes out of
        # decoding, and UTF-8 decoding cannot run across a separator (an ASCII byte always ends
        # a broken sequence before it, as the end of a name or value would).
        decoded = _decode(text)
        if decoded is not None:
            return _pairs(decoded)
    return [(unquote_plus(name), unquote_plus(value)) for name, value in _pairs(text)]


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
        known = _INDEX_KEYS.setdefault(head, {})
        groups: dict[int, dict[str, str]] = {}
        for key, value in self._values.items():
            index = known.get(key)
            if index is None:
                index = _index_key(head, key)
                if len(known) < _INDEX_KEYS_KEPT:
                    known[key] = index
            if index is not _NOT_INDEXED:
                groups.setdefault(index[0], {})[index[1]] = value
        return [groups[i] for i in sorted(groups)]


#: What :func:`_index_key` says of a key that is not ``Prefix.N.Field``.
_NOT_INDEXED = (-1, "")
#: Per ``Prefix.``: keys already read, and what they are. A PushMultiple call has ~300 names,
#: the same ones (``TargetMsg.57.MsgKey``) call after call: each is read once, not per call.
_INDEX_KEYS: dict[str, dict[str, tuple[int, str]]] = {}
_INDEX_KEYS_KEPT = 8192


def _index_key(head: str, key: str) -> tuple[int, str]:
    """``(N, Field)`` of ``head + "N.Field"`` as ``_INDEXED`` reads it, else ``_NOT_INDEXED``.

    N is the decimal digits before the first dot (``\\d`` is ``str.isdecimal``) and Field is
    not empty. Only a newline in Field needs the pattern itself (``.`` stops at it, ``$`` also
    matches before a final one).
    """
    if not key.startswith(head):
        return _NOT_INDEXED
    rest = key[len(head) :]
    number, dot, field = rest.partition(".")
    if "\n" in field:
        match = _INDEXED.match(rest)
        if match is None:
            return _NOT_INDEXED
        number, field = match.group(1), match.group(2)
    elif not (dot and field and number.isdecimal()):
        return _NOT_INDEXED
    return int(number), field


#: The C scanner ``json.loads`` ends in (for the default decoder), made as ``JSONDecoder`` makes
#: it; typeshed types its argument as a ``make_scanner`` (a to-do there: any object with the
#: decoder's attributes will do).
_scan = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def json_loads(raw: str) -> Any:
    """``json.loads(raw)``, without its three Python layers around the C scanner when ``raw``
    is one JSON value with nothing around it (each of the 100 ``TemplateKeyValue`` maps of a
    PushMultiple call). Anything else, errors included, is left to ``json.loads``."""
    try:
        value, end = _scan(raw, 0)
    except (StopIteration, ValueError):
        return json.loads(raw)
    return value if end == len(raw) else json.loads(raw)


def json_map(raw: str, name: str, fail: Fail) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        raise fail(f"{name} is not valid JSON") from None
    if not isinstance(value, dict):
        raise fail(f"{name} must be a JSON object")
    return value
