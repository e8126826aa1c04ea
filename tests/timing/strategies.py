"""Strategy builders for the timing tests: the spec models, validated as YAML would be."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pushflow.spec.strategy import AtStrategy, LoopStrategy

#: Before every occurrence in these tests: "from the beginning".
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def loop(every: str, at: str, start: str, until: str | None = None, **extra: Any) -> LoopStrategy:
    """``loop("week", "08:00", "2027-03-01", "2027-03-14", on=["mon"])``."""
    data: dict[str, Any] = {"every": every, "at": at, "from": start, **extra}
    if until is not None:
        data["until"] = until
    return LoopStrategy.model_validate(data)


def at(value: str) -> AtStrategy:
    """``at("2026-12-01 08:00")`` (read in the zone) or ``at("2026-12-01T08:00+08:00")``."""
    return AtStrategy.model_validate({"at": value})


def utc(text: str) -> datetime:
    """``utc("2027-03-14 07:30")`` → that instant, aware, in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def day(text: str) -> date:
    return date.fromisoformat(text)
