"""The SQLite claim and record bind the send's times themselves (:func:`sqlite_time`): it must
give exactly the text SQLAlchemy's own binding of :class:`UTCDateTime` gives, which it replaces,
for every aware time, and refuse naive ones the same way."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.dialects import sqlite

from pushflow.ledger.schema import UTCDateTime, sends
from pushflow.ledger.sqlite_sends import sqlite_bound, sqlite_time

DIALECT = sqlite.dialect()
TIMES = [column.name for column in sends.c if isinstance(column.type, UTCDateTime)]
ZONES: list[tzinfo] = [
    UTC,
    timezone(timedelta(hours=-23, minutes=-59)),
    timezone(timedelta(hours=5, minutes=45)),
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Pacific/Chatham"),
]


def times(count: int) -> list[datetime]:
    """``count`` aware times from year 2 to 9998, every zone, microseconds or none."""
    rng = random.Random(5)
    start, end = datetime(2, 1, 1).timestamp(), datetime(9998, 12, 31).timestamp()
    values = []
    for index in range(count):
        naive = datetime.fromtimestamp(rng.uniform(start, end))
        if index % 3 == 0:
            naive = naive.replace(microsecond=0)
        values.append(naive.replace(tzinfo=ZONES[index % len(ZONES)]))
    return values


def sqlalchemy_bound(column: str, value: Any) -> Any:
    """What SQLAlchemy's processing binds for ``value`` in ``column`` (the replaced code)."""
    process = sends.c[column].type.dialect_impl(DIALECT).bind_processor(DIALECT)
    assert process is not None
    return process(value)


def test_the_send_times_are_the_columns_bound_by_sqlite_time() -> None:
    assert TIMES == ["lease_expires_at", "claimed_at", "finished_at"]


def test_sqlite_time_binds_as_sqlalchemy_does() -> None:
    for value in times(20_000):
        expected = sqlalchemy_bound("claimed_at", value)
        assert sqlite_time(value) == expected, value
        for column in TIMES:
            assert sqlite_bound(DIALECT, column, value) == expected


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 12, 1, tzinfo=UTC),  # no microseconds: written all the same
        datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),  # a year of three digits: padded
        datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=-5))),  # the next day
    ],
)
def test_sqlite_time_at_the_edges(value: datetime) -> None:
    assert sqlite_time(value) == sqlalchemy_bound("claimed_at", value)


def test_sqlite_time_keeps_none_and_refuses_naive_times_as_sqlalchemy_does() -> None:
    assert sqlite_time(None) is None is sqlalchemy_bound("claimed_at", None)
    naive = datetime(2026, 12, 1, 8, 0)
    with pytest.raises(ValueError, match="naive datetime") as ours:
        sqlite_time(naive)
    with pytest.raises(ValueError, match="naive datetime") as theirs:
        sqlalchemy_bound("claimed_at", naive)
    assert str(ours.value) == str(theirs.value)
