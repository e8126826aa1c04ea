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
  ``quote_plus``);
- a value made by :func:`json_map` (a ``TargetMsg.N.TemplateKeyValue``: one per target) comes
  with its encoding (:class:`Encoded`), put together from the encodings of its keys and texts,
  which repeat from target to target (first names, products), so they are escaped once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from json.encoder import encode_basestring as _json_text
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


class Encoded(str):
    """A parameter value that carries its form encoding, :attr:`form` (``quote_plus`` of the
    value): :func:`encode` takes it as it is. Otherwise the text itself, for everything else
    that reads parameters (v2 signatures, logs)."""

    form: str

    def __new__(cls, value: str, form: str) -> Encoded:
        self = super().__new__(cls, value)
        self.form = form
        return self


#: Texts up to this length are remembered by :func:`_piece` (longer ones rarely repeat).
_PIECE_CHARS = 64
_PIECES: dict[str, tuple[str, str]] = {}


def _piece(text: str) -> tuple[str, str]:
    """``text`` as a JSON string literal, and that literal form-encoded."""
    got = _PIECES.get(text)
    if got is None:
        literal = _json_text(text)  # TypeError for a key or value that is not text
        got = (literal, quote_value(literal))
        if len(text) <= _PIECE_CHARS and len(_PIECES) < _REMEMBERED:
            _PIECES[text] = got
    return got


def json_map(value: Mapping[str, str]) -> Encoded:
    """A map of texts as compact JSON, as :func:`~pushflow.providers.wire.compact_json` writes
    it (``{"k":"v"}``, UTF-8 literal), carrying its form encoding (:class:`Encoded`).

    The encoding is put together from the encoded keys and texts: ``{``, ``:`` and ``,`` are
    ``%7B``, ``%3A`` and ``%2C``, and nothing else in the JSON is outside a string literal.
    Raises TypeError when a key or a value is not text.
    """
    plain: list[str] = []
    encoded: list[str] = []
    for key, text in value.items():
        key_json, key_form = _PIECES.get(key) or _piece(key)
        text_json, text_form = _PIECES.get(text) or _piece(text)
        plain.append(f"{key_json}:{text_json}")
        encoded.append(f"{key_form}%3A{text_form}")
    return Encoded("{" + ",".join(plain) + "}", "%7B" + "%2C".join(encoded) + "%7D")


def encode(params: Mapping[str, str]) -> str:
    """The form body of ``params``: sorted by name, ``name=value`` pairs joined by ``&``, as
    :func:`~pushflow.providers.signing.form_body`."""
    pairs = []
    for name in sorted(params):
        value = params[name]
        if type(value) is Encoded:
            quoted = value.form
        else:
            quoted = quote_value(value if type(value) is str else str(value))
        pairs.append(f"{_NAMES.get(name) or _quote_name(name)}={quoted}")
    return "&".join(pairs)
