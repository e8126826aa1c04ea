"""``at`` and ``now``, next_occurrence at the edges, ``due``, and the clock as an argument."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from pushflow.timing import (
    Occurrence,
    at_occurrence,
    due,
    next_occurrence,
    now_occurrence,
    occurrences,
)
from tests.timing.strategies import EARLIEST, at, loop, utc

AT_CASES = [
    # at as written, zone, instant (UTC), wall, key
    (
        "2026-12-01 08:00",
        "Asia/Shanghai",
        "2026-12-01 00:00",
        "2026-12-01 08:00",
        "2026-12-01T08:00",
    ),
    (
        "2026-12-01T08:00:00+08:00",
        "Asia/Shanghai",
        "2026-12-01 00:00",
        "2026-12-01 08:00",
        "2026-12-01T00:00Z",
    ),
    (
        "2026-12-01T08:00:00+08:00",
        "America/New_York",
        "2026-12-01 00:00",
        "2026-11-30 19:00",
        "2026-12-01T00:00Z",
    ),
    (
        "2026-12-01T08:00:00+08:00",
        None,
        "2026-12-01 00:00",
        "2026-12-01 00:00",
        "2026-12-01T00:00Z",
    ),
    (
        "2026-12-01T00:00:00Z",
        "Europe/Berlin",
        "2026-12-01 00:00",
        "2026-12-01 01:00",
        "2026-12-01T00:00Z",
    ),
    (
        "2027-03-14 02:30",
        "America/New_York",
        "2027-03-14 07:30",
        "2027-03-14 02:30",
        "2027-03-14T02:30",
    ),
    (
        "2026-11-01 01:30",
        "America/New_York",
        "2026-11-01 05:30",
        "2026-11-01 01:30",
        "2026-11-01T01:30",
    ),
    (
        "2026-11-01T01:30:00-05:00",
        "America/New_York",
        "2026-11-01 06:30",
        "2026-11-01 01:30",
        "2026-11-01T06:30Z",
    ),
    (
        "2027-03-28 02:30:15",
        "Europe/Berlin",
        "2027-03-28 01:30:15",
        "2027-03-28 02:30:15",
        "2027-03-28T02:30:15",
    ),
]


@pytest.mark.parametrize(("written", "zone", "instant", "wall", "key"), AT_CASES)
def test_at(written: str, zone: str | None, instant: str, wall: str, key: str) -> None:
    occurrence = at_occurrence(at(written), zone)
    assert occurrence == Occurrence(utc(instant), datetime.fromisoformat(wall), zone or "UTC", key)
    assert list(occurrences(at(written), zone, after=EARLIEST)) == [occurrence]


def test_at_with_offset_keeps_its_key_when_the_zone_changes() -> None:
    strategy = at("2026-12-01T08:00:00+08:00")
    assert {
        at_occurrence(strategy, zone).key for zone in ("Asia/Shanghai", "UTC", "Asia/Tokyo", None)
    } == {"2026-12-01T00:00Z"}


def test_at_without_offset_needs_a_zone() -> None:
    with pytest.raises(ValueError, match="an `at` without a UTC offset needs a time zone"):
        at_occurrence(at("2026-12-01 08:00"), None)


def test_at_window() -> None:
    strategy, instant = at("2026-12-01 08:00"), utc("2026-12-01 00:00")
    tiny = timedelta(microseconds=1)
    assert list(occurrences(strategy, "Asia/Shanghai", after=instant)) == []
    assert (
        len(
            list(
                occurrences(strategy, "Asia/Shanghai", after=instant - tiny, until_instant=instant)
            )
        )
        == 1
    )
    assert (
        list(occurrences(strategy, "Asia/Shanghai", after=EARLIEST, until_instant=instant - tiny))
        == []
    )
    assert list(occurrences(strategy, "Asia/Shanghai", after=EARLIEST, limit=0)) == []


def test_now_is_the_applied_instant() -> None:
    applied = datetime(2026, 11, 22, 12, 0, 0, 123456, tzinfo=datetime.now(UTC).astimezone().tzinfo)
    occurrence = now_occurrence(applied, "Asia/Shanghai")
    assert occurrence.instant == applied.astimezone(UTC)
    assert occurrence.key == "now"
    assert now_occurrence(applied, "Asia/Shanghai") == occurrence  # same record, same identity
    assert now_occurrence(applied, None).zone == "UTC"
    assert now_occurrence(applied, "UTC", key="revision-7").key == "revision-7"


def test_now_through_occurrences() -> None:
    applied = utc("2026-11-22 04:00")
    assert [
        o.key for o in occurrences("now", "Asia/Shanghai", after=EARLIEST, applied_at=applied)
    ] == ["now"]
    assert list(occurrences("now", "Asia/Shanghai", after=applied, applied_at=applied)) == []
    assert due("now", None, since=applied - timedelta(seconds=1), now=applied, applied_at=applied)
    with pytest.raises(ValueError, match="a `now` strategy fires when applied: pass applied_at"):
        occurrences("now", "Asia/Shanghai", after=EARLIEST)


def test_next_occurrence_is_strictly_after_now() -> None:
    """At exactly an occurrence's instant that occurrence is due, not next."""
    strategy = loop("day", "08:00", "2027-03-01", "2027-03-03")
    exactly = utc("2027-03-02 00:00")
    assert next_occurrence(strategy, "Asia/Shanghai", exactly) == Occurrence.at_wall(
        datetime(2027, 3, 3, 8), "Asia/Shanghai"
    )
    assert next_occurrence(strategy, "Asia/Shanghai", exactly - timedelta(microseconds=1)) == (
        Occurrence.at_wall(datetime(2027, 3, 2, 8), "Asia/Shanghai")
    )
    assert [
        o.key
        for o in due(strategy, "Asia/Shanghai", since=exactly - timedelta(hours=1), now=exactly)
    ] == ["2027-03-02T08:00"]
    assert next_occurrence(at("2027-03-02 08:00"), "Asia/Shanghai", exactly) is None


def test_due_collects_missed_occurrences() -> None:
    strategy = loop("week", "08:00", "2027-03-01", on=["mon", "thu"])  # open-ended
    found = due(
        strategy, "Asia/Shanghai", since=utc("2027-03-01 00:00"), now=utc("2027-03-15 00:00")
    )
    assert [o.key for o in found] == [
        "2027-03-04T08:00",
        "2027-03-08T08:00",
        "2027-03-11T08:00",
        "2027-03-15T08:00",
    ]
    with pytest.raises(ValueError, match="is before since"):
        due(strategy, "UTC", since=utc("2027-03-02 00:00"), now=utc("2027-03-01 00:00"))


@pytest.mark.parametrize(
    ("frozen", "key"),
    [
        ("2027-03-13 06:58:59", "2027-03-13T01:59"),  # 1 s before: it
        ("2027-03-13 06:59:00", "2027-03-14T01:59"),  # at it: the next one
        ("2027-03-14 06:59:00", "2027-03-14T02:30"),  # the `at`, shifted to 03:30 EDT
        ("2027-03-14 07:30:00", "2027-03-15T01:59"),  # 01:59 EDT now: 05:59 UTC
    ],
)
def test_driven_by_freezegun(frozen: str, key: str) -> None:
    """No function reads the clock itself; a caller's frozen ``now`` is enough."""
    strategy = loop("day", "01:59", "2027-03-13", "2027-03-16")
    shifted = at("2027-03-14 02:30")
    with freeze_time(frozen):
        now = datetime.now(UTC)
        candidates = [
            found
            for found in (
                next_occurrence(strategy, "America/New_York", now),
                next_occurrence(shifted, "America/New_York", now),
            )
            if found is not None
        ]
    assert min(candidates, key=lambda o: o.instant).key == key
