"""Form bodies of RPC calls: byte for byte what :func:`~pushflow.providers.signing.form_body`
(the SDK's ``urlencode`` of the sorted parameters) makes, for less work per call.

A PushMultiple call carries about 300 parameters, most of them ids and keys that need no
escaping. ``urlencode`` quotes every name and value through ``quote_plus``, which encodes each
one to UTF-8 and, when one byte needs escaping, escapes it byte by byte in Python. Here:

- parameter names (the same ones call after call: ``TargetMsg.57.MsgKey``) are quoted once and
  remembered;
- a value made only of the characters that stay literal (``A-Za-z0-9_.~-``) is used as it is;
- any other value is escaped with one ``str.translate`` over a table of every character's
  escape (space → ``+``, others → ``%XX`` of their UTF-8 bytes, upper-case hex, as
  ``quote_plus``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote_plus

#: Characters ``quote_plus`` leaves as they are (``urllib.parse._ALWAYS_SAFE``).
_LITERAL = re.compile(r"[A-Za-z0-9_.~-]*")
#: Most parameter names and non-ASCII characters remembered.
_REMEMBERED = 4096


def _escape(char: str) -> str:
    if char == " ":
        return "+"
    if _LITERAL.fullmatch(char):
        return char
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))


class _Escapes(dict[int, str]):
    """Code point → its escape, for ``str.translate``; made on first use past ASCII."""

    def __missing__(self, code: int) -> str:
        escaped = _escape(chr(code))
        if len(self) < _REMEMBERED:
            self[code] = escaped
        return escaped


_ASCII = tuple(_escape(chr(code)) for code in range(128))
_ESCAPES = _Escapes(enumerate(_ASCII))
_NAMES: dict[str, str] = {}


def quote_value(value: str) -> str:
    """``quote_plus(value)``."""
    if value.isascii():
        return value if _LITERAL.fullmatch(value) else value.translate(_ASCII)
    return value.translate(_ESCAPES)


def _quote_name(name: str) -> str:
    quoted = _NAMES.get(name)
    if quoted is None:
        quoted = quote_plus(name)
        if len(_NAMES) < _REMEMBERED:
            _NAMES[name] = quoted
    return quoted


def encode(params: Mapping[str, str]) -> str:
    """The form body of ``params``: sorted by name, ``name=value`` pairs joined by ``&``, as
    :func:`~pushflow.providers.signing.form_body`."""
    return "&".join(
        [f"{_quote_name(name)}={quote_value(str(params[name]))}" for name in sorted(params)]
    )
