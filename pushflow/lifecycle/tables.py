"""Text views shared by the lifecycle commands: aligned tables, times, counts.

Times are shown and serialised in UTC as ``2026-11-22T04:00:05Z`` (JSON too: one form for
people and tools); counts by state as ``sent 25, failed 2``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

#: The order send states are listed in.
STATES = ("sent", "failed", "unknown", "claimed")


def when(value: datetime | None) -> str | None:
    """An instant in UTC, to the second, or None."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def shown(value: datetime | None, missing: str = "-") -> str:
    return when(value) or missing


def counts(by_state: Mapping[str, int]) -> str:
    """``sent 25, failed 2`` (states in a fixed order, zeros left out); ``-`` for none."""
    order = [*STATES, *sorted(set(by_state) - set(STATES))]
    text = ", ".join(f"{state} {by_state[state]}" for state in order if by_state.get(state))
    return text or "-"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Rows under their headers, columns padded to the widest cell."""
    if not rows:
        return []
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = (str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True))
        return (indent + "  ".join(padded)).rstrip()

    return [line(headers), *(line(row) for row in rows)]


def ids(values: Sequence[str], most: int = 3) -> str:
    """A few ids and how many more: ``a, b, c (+12)``."""
    if not values:
        return "-"
    head = ", ".join(values[:most])
    return head if len(values) <= most else f"{head} (+{len(values) - most})"


class View(Protocol):
    """A lifecycle result: a text view for people, a JSON view for tools."""

    def to_json(self) -> dict[str, Any]: ...

    def to_text(self) -> str: ...


def render(view: View, as_json: bool) -> str:
    """The result as ``--json`` (stable keys, indented) or as text."""
    if as_json:
        return json.dumps(view.to_json(), indent=2, ensure_ascii=False)
    return view.to_text()
