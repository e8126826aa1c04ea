"""The emulator's form decoding and ``Name.N.Field`` grouping, against the general code they
replace: ``urllib.parse.parse_qsl``/``unquote_plus`` and the ``_INDEXED`` pattern."""

from __future__ import annotations

import json
import random
import re
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import unquote_plus as stdlib_unquote_plus

import pytest

from pushflow.emulator.wire import Params, json_loads, parse_form, unquote_plus

# Pieces that meet every branch: escapes valid and not (short, non-hex, stray, doubled), escapes
# of separators and of invalid or cut UTF-8, '+', backslashes (unicode_escape's own escapes),
# raw non-ASCII, control characters, and the separators themselves.
_PIECES = [
    "a", "Z", "0", "9", "f", "F", "g", ".", "~", "-", "%", "%4", "%41", "%e4", "%E4%B8%AD",
    "%E4%B8", "%ff", "%C3", "%c3%a9", "%F0%9F%98%80", "%ED%A0%80", "%26", "%3D", "%3d", "%2B",
    "%2b", "%25", "%25%32%35", "%0A", "%00", "%ZZ", "%%", "%%41", "+", " ", "&", "=", "&&", "==",
    "\\", "\\x41", "\\u0041", "\\N{DIGIT ONE}", "中", "é", "😀", "\ud800", "\n", "\t", "\x7f",
]  # fmt: skip

_TRICKY = [
    "",
    "&",
    "&&&",
    "=",
    "a",
    "a=",
    "=b",
    "a=b=c",
    "a=1&a=2&a=",
    "a&b=2&&c",
    "+=+&%20=%20",
    "name=%E4%B8%AD%E6%96%87+%F0%9F%98%80",
    "v=%7B%22name%22%3A%22Yang%22%2C%22price%22%3A%22%C2%A5123%22%7D",
    "v=%zz%4&w=100%&x=%%41",
    "v=%E4%B8&w=%ff%fe&x=%C3",
    "v=a\\x41%41&w=\\u4e2d%41",
    "v=中%E6%96%87&w=é+%C3%A9",
    "v=%26%3D&%3D=%26",
    "TargetMsg.1.Target=u%0A&TargetMsg.1.MsgKey=k%2B1+2",
]


# Pieces of texts that are decoded all at once (ASCII, every % an escape, no backslash, no %26):
# escapes of broken UTF-8 meet the separators that end each name and value.
_ESCAPED_PIECES = [
    "a", "0", "f", "=", "&", "+", "%41", "%e4", "%E4%B8%AD", "%E4%B8", "%E4", "%B8%AD", "%ff",
    "%C3", "%c3%a9", "%F0%9F%98", "%F0%9F%98%80", "%ED%A0%80", "%E0%80", "%C0%AF", "%80", "%3D",
    "%2B", "%25", "%0A", "%00", "%7B%22k%22%3A%22v%22%7D",
]  # fmt: skip


def _random_text(rng: random.Random, pieces: list[str] = _PIECES) -> str:
    return "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 24)))


@pytest.mark.parametrize("text", _TRICKY)
def test_parse_form_is_parse_qsl_with_blank_values(text: str) -> None:
    assert parse_form(text) == parse_qsl(text, keep_blank_values=True)


def test_parse_form_and_unquote_plus_agree_with_the_standard_library_on_random_texts() -> None:
    rng = random.Random(20240501)
    for _ in range(5000):
        text = _random_text(rng)
        assert unquote_plus(text) == stdlib_unquote_plus(text), text
        assert parse_form(text) == parse_qsl(text, keep_blank_values=True), text


def test_parse_form_decoding_a_whole_text_at_once_agrees_with_parse_qsl() -> None:
    rng = random.Random(11)
    for _ in range(5000):
        text = _random_text(rng, _ESCAPED_PIECES)
        assert parse_form(text) == parse_qsl(text, keep_blank_values=True), text


def test_unquote_plus_decodes_a_long_escaped_json_value_as_unquote_does() -> None:
    value = (
        "%7B%22name%22%3A%22Chen%22%2C%22item%22%3A%22running+shoes%22%2C"
        "%22price%22%3A%22%C2%A51024%22%7D"
    )
    assert unquote_plus(value) == '{"name":"Chen","item":"running shoes","price":"¥1024"}'
    assert unquote_plus(value) == stdlib_unquote_plus(value)


_INDEXED = re.compile(r"^(\d+)\.(.+)$")


def _indexed_by_pattern(values: dict[str, str], prefix: str) -> list[dict[str, str]]:
    """The general rule :meth:`Params.indexed` must follow: every key the pattern matches."""
    groups: dict[int, dict[str, str]] = {}
    for key, value in values.items():
        if key.startswith(prefix + "."):
            match = _INDEXED.match(key[len(prefix) + 1 :])
            if match:
                groups.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return [groups[i] for i in sorted(groups)]


_KEYS = [
    "TargetMsg.1.Target",
    "TargetMsg.1.MsgKey",
    "TargetMsg.01.Target",
    "TargetMsg.10.Target",
    "TargetMsg.2.Target.Sub",
    "TargetMsg.\u0663.Target",  # an Arabic-Indic 3: \d and int() both take it
    "TargetMsg.\u00b2.Target",  # superscript 2: a digit, but not a decimal one
    "TargetMsg.4.Target\n",  # $ matches before a final newline
    "TargetMsg.5.Tar\nget",
    "TargetMsg.6.\n",
    "TargetMsg.7.",
    "TargetMsg.8",
    "TargetMsg..Target",
    "TargetMsg.x.Target",
    "TargetMsg.-1.Target",
    "TargetMsg. 9.Target",
    "TargetMsgX.1.Target",
    "TargetMsg",
    "Other.1.Target",
]


def test_indexed_groups_exactly_what_the_pattern_matches() -> None:
    values = {key: f"v{n}" for n, key in enumerate(_KEYS)}
    assert Params(values).indexed("TargetMsg") == _indexed_by_pattern(values, "TargetMsg")
    rng = random.Random(7)
    parts = ["TargetMsg", ".", "1", "2", "01", "\u0663", "\u00b2", "x", "Target", "\n", " "]
    for _ in range(3000):
        keys = ["".join(rng.choice(parts) for _ in range(rng.randrange(1, 7))) for _ in range(6)]
        values = {key: str(n) for n, key in enumerate(keys)}
        expected = _indexed_by_pattern(values, "TargetMsg")
        assert Params(values).indexed("TargetMsg") == expected, keys


def _outcome(load: Any, raw: str) -> tuple[str, Any]:
    try:
        return "value", load(raw)
    except Exception as error:  # the outcome is compared, whatever it is
        return type(error).__name__, str(error)


@pytest.mark.parametrize(
    "raw",
    [
        '{"name":"Chen","item":"running shoes","price":"¥1024"}',
        '{"name": "A", "n": 1, "f": 1.5, "z": null, "l": [1, {"a": true}]}',
        " {}",
        "{} ",
        "{}\n",
        "\ufeff{}",
        "{}{}",
        "{},{}",
        '{"a": 1',
        '{"a": NaN, "b": -Infinity}',
        '"text"',
        "12",
        "1 2",
        "[]",
        "",
        "   ",
        "nul",
        '{"a": "\\ud800"}',
        '{"a": "tab\there"}',
        '{"a": 1, "a": 2}',
    ],
)
def test_json_loads_is_json_loads(raw: str) -> None:
    assert _outcome(json_loads, raw) == _outcome(json.loads, raw)
