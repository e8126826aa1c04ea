"""Request parameters as the SDKs put them on the wire, with typed readers.

The SDKs send flat string parameters (query string for EMAS, form body for mPaaS); lists are
flattened as ``Name.1.Field`` (``TargetMsg.1.Target``, ``PushTask.2.Body``) and maps given as
JSON strings. :class:`Params` reads them; each reader takes the error to raise when a value is
unusable, so the mPaaS and EMAS rules can answer in their own codes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

Fail = Callable[[str], Exception]

_INDEXED = re.compile(r"^(\d+)\.(.+)$")


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
        groups: dict[int, dict[str, str]] = {}
        for key, value in self._values.items():
            if not key.startswith(prefix + "."):
                continue
            match = _INDEXED.match(key[len(prefix) + 1 :])
            if match:
                groups.setdefault(int(match.group(1)), {})[match.group(2)] = value
        return [groups[i] for i in sorted(groups)]


def json_map(raw: str, name: str, fail: Fail) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        raise fail(f"{name} is not valid JSON") from None
    if not isinstance(value, dict):
        raise fail(f"{name} must be a JSON object")
    return value
