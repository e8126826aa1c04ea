"""Shrink parameters are JSON as the SDK writes them: ``json.dumps`` compact, UTF-8 literal."""

from __future__ import annotations

import json
import random
import string
from typing import Any

import pytest

from pushflow.providers.wire import compact_json


def sdk(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_maps_of_texts_are_written_as_json_dumps_writes_them() -> None:
    rng = random.Random(3)
    alphabet = string.printable + '"\\\u2028é李🙂\x00\x1f'
    for _ in range(3000):
        value = {
            "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 6))): "".join(
                rng.choice(alphabet) for _ in range(rng.randrange(0, 12))
            )
            for _ in range(rng.randrange(0, 5))
        }
        assert compact_json(value) == sdk(value), value


@pytest.mark.parametrize(
    "value",
    [
        {"name": "Zoë", "price": "¥12"},
        {"level": 2, "sound": "default"},
        {1: "a"},
        {None: "x", True: "t"},
        {"a": None},
        {"a": {"b": "c"}, "list": [1, "2"]},
        {},
        [1, "x"],
        "text",
    ],
)
def test_any_other_value_too(value: Any) -> None:
    assert compact_json(value) == sdk(value)
