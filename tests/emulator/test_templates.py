"""Template rendering and payload sizes against the general code they replace: one regex
substitution per text, one ``json.dumps`` per message."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping

import pytest

from pushflow.emulator import mpaas_rules as rules
from pushflow.emulator import templates as tpl

_PLACEHOLDER = re.compile(r"#([^#\s]+)#")

_TEXTS = [
    "",
    "no placeholders",
    "#",
    "##",
    "###",
    "#a#",
    "#a##b#",
    "##a## #a##b# #not here# #x",
    "Still thinking, #name#?",
    "Your #item# is waiting at #price#",
    "恭喜#name#中了#money#元",
    "#中文#\t#a#\n#b c# #\n#",
    "#a#b#c#d#",
    "#unknown# and #a#",
    "{} {0} {a} }{ {{ }} #a# {#b#}",
    "#{x}# #a{# #}# {",
]
_VALUES: list[dict[str, str]] = [
    {},
    {"a": "A"},
    {"a": "#b#", "b": "B", "name": "Yang", "item": "tea", "price": "¥9"},
    {"中文": "文", "money": "100", "c": "", "b c": "x"},
    {"a": "{0}", "b": "}{", "{x}": "X", "a{": "{", "}": "}}", "unknown": "u", "name": "n"},
]


def _render_by_pattern(text: str, values: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


@pytest.mark.parametrize("text", _TEXTS)
def test_render_and_placeholders_follow_the_pattern(text: str) -> None:
    for values in _VALUES:
        assert tpl.render(text, values) == _render_by_pattern(text, values)
    assert tpl.placeholders(text) == set(_PLACEHOLDER.findall(text))
    assert tpl.placeholders(text, "#z# #a#") == set(_PLACEHOLDER.findall(text + " #z# #a#"))


def test_render_follows_the_pattern_on_random_texts() -> None:
    rng = random.Random(3)
    pieces = ["#", "a", "b", "ab", " ", "\n", "中", "#a#", "##", "#b#", "{", "}", "{0}"]
    values = {"a": "<A>", "b": "#a#", "ab": "", "中": "z", "{": "{}", "}": "{{"}
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12)))
        assert tpl.render(text, values) == _render_by_pattern(text, values), text
        assert tpl.placeholders(text) == set(_PLACEHOLDER.findall(text)), text


def _size_by_dumping(title: str, content: str, extended: Mapping[str, str]) -> int:
    body = {"title": title, "content": content, "extendedParams": dict(extended)}
    return len(json.dumps(body, ensure_ascii=False).encode("utf-8"))


_STRINGS = [
    "",
    "plain",
    'quote " and \\ backslash',
    "\n\r\t\b\f\x00\x1f\x7f",
    "é中😀",
    "\u2028\u2029",
]


def test_payload_size_is_the_size_of_the_dumped_message() -> None:
    extendeds: list[dict[str, str]] = [{}, {"k": "v"}, {"a\n": 'b"', "中": "😀", "": ""}]
    for title in _STRINGS:
        for content in _STRINGS:
            for extended in extendeds:
                expected = _size_by_dumping(title, content, extended)
                assert rules.payload_size(title, content, extended) == expected
                share = rules.extended_size(extended)
                assert rules.message_size(title, content, share) == expected


def test_payload_size_refuses_a_lone_surrogate_as_dumping_does() -> None:
    with pytest.raises(UnicodeEncodeError):
        _size_by_dumping("\ud800", "", {})
    with pytest.raises(UnicodeEncodeError):
        rules.payload_size("\ud800", "", {})
    with pytest.raises(UnicodeEncodeError):
        rules.payload_size("", "", {"k": "\udfff"})
