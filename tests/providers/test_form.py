"""Form bodies: byte for byte what the SDK's ``urlencode`` of the sorted parameters makes."""

from __future__ import annotations

import random
import string
from urllib.parse import quote_plus

import pytest

from pushflow.providers.form import Encoded, encode, json_map, quote_value
from pushflow.providers.signing import form_body
from pushflow.providers.wire import compact_json

AWKWARD = [
    "",
    "plain-id_0.9~",
    "hello world",
    "a+b&c=d/e?f%g#h",
    '{"name":"Zoë","item":"tea set","price":"¥12"}',
    "李四 🙂",
    "tab\tnew\nline\r",
    "\u00a0\u2028\x7f\x00",
]


@pytest.mark.parametrize("value", AWKWARD)
def test_values_are_quoted_as_quote_plus_does(value: str) -> None:
    assert quote_value(value) == quote_plus(value)


def test_random_values_are_quoted_as_quote_plus_does() -> None:
    rng = random.Random(7)
    alphabet = string.printable + "¥é李🙂\u00a0\u2028"
    for _ in range(2000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 20)))
        assert quote_value(value) == quote_plus(value), value


def test_a_value_that_is_not_utf8_fails_as_urlencode_does() -> None:
    with pytest.raises(UnicodeEncodeError):
        form_body({"a": "\ud800"})
    with pytest.raises(UnicodeEncodeError):
        encode({"a": "\ud800"})


def test_a_push_multiple_body_is_the_sdk_form() -> None:
    params = {
        "AppId": "ONEX570DA89211721",
        "WorkspaceId": "default",
        "DeliveryType": "3",
        "TaskName": "cart reminder ✓",
        "TemplateName": "cart_reminder",
    }
    for n in range(1, 101):
        params[f"TargetMsg.{n}.Target"] = f"user-{n:012x}"
        params[f"TargetMsg.{n}.MsgKey"] = f"{n:032x}"
        params[f"TargetMsg.{n}.TemplateKeyValue"] = f'{{"name":"Zoë {n}","price":"¥{n}"}}'
    assert encode(params) == form_body(params)
    assert encode({}) == form_body({}) == ""


def test_awkward_names_are_quoted_too() -> None:
    params = {f"Key {value}": value for value in AWKWARD if value != "\u00a0\u2028\x7f\x00"}
    assert encode(params) == form_body(params)


def test_random_bodies_are_the_sdk_form() -> None:
    """Every body, ASCII or not, with values that are empty, literal or full of escapes, is
    urlencode's."""
    rng = random.Random(11)
    alphabet = string.printable + "¥é李🙂\u00a0"
    for size in (1, 2, 3, 17, 300):
        for _ in range(20):
            params = {
                f"P.{n}": "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
                for n in range(size)
            }
            assert encode(params) == form_body(params), params


@pytest.mark.parametrize(
    "params",
    [
        {"a": "x\x00y", "b": "¥ 1", "c": ""},
        {"a": "\x00", "b": "\x00"},
        {"only": "\x00\x00"},
        {"a": "", "b": "", "c": "plain"},
    ],
)
def test_values_holding_nul_are_escaped_as_urlencode_does(params: dict[str, str]) -> None:
    assert encode(params) == form_body(params)


def _random_text(rng: random.Random, alphabet: str, longest: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, longest)))


def test_json_maps_are_compact_json_carrying_quote_plus_of_it() -> None:
    """Keys and texts of every kind (JSON escapes, controls, non-ASCII, long ones that are not
    remembered), each map twice (the second time from remembered pieces)."""
    rng = random.Random(5)
    alphabet = string.printable + '"\\\u2028é李🙂¥\x00\x1f'
    for _ in range(1500):
        value = {
            _random_text(rng, alphabet, 8): _random_text(rng, alphabet, rng.choice((12, 90)))
            for _ in range(rng.randrange(0, 5))
        }
        for _ in range(2):
            got = json_map(value)
            assert type(got) is Encoded
            assert got == compact_json(value), value
            assert got.form == quote_plus(compact_json(value)), value


def test_a_json_map_of_something_else_than_text_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        json_map({"price": 12})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        json_map({1: "a"})  # type: ignore[dict-item]


def test_a_body_with_json_maps_is_the_sdk_form() -> None:
    """:func:`encode` takes an :class:`Encoded` value's encoding: the body is urlencode's of
    the same texts."""
    params: dict[str, str] = {"TaskName": "cart reminder ✓"}
    for n in range(1, 101):
        params[f"TargetMsg.{n}.Target"] = f"user-{n:012x}"
        params[f"TargetMsg.{n}.TemplateKeyValue"] = json_map(
            {"name": f"Zoë {n % 7}", "item": "tea set", "price": f"¥{n}"}
        )
    plain = {name: str(value) for name, value in params.items()}
    assert encode(params) == form_body(plain) == encode(plain)


def test_an_encoded_value_is_sent_as_its_encoding() -> None:
    """The encoding is what goes out, whatever the text: the value carries it."""
    assert encode({"a": Encoded("x y", "x+y"), "b": "x y"}) == "a=x+y&b=x+y"
