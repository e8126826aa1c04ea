"""The wall-clock rules and the occurrence key (pushflow.timing.occurrence)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from pushflow.timing.occurrence import (
    Occurrence,
    day_skipped,
    gap,
    instant_key,
    resolve_wall,
    wall_key,
)
from tests.timing.strategies import utc

RESOLVE = [
    # zone, wall time, instant (UTC), clock reading when it fires
    ("America/New_York", "2027-03-14 01:59", "2027-03-14 06:59", "01:59-05:00"),
    ("America/New_York", "2027-03-14 02:00", "2027-03-14 07:00", "03:00-04:00"),  # gap
    ("America/New_York", "2027-03-14 02:30", "2027-03-14 07:30", "03:30-04:00"),  # gap
    ("America/New_York", "2027-03-14 03:00", "2027-03-14 07:00", "03:00-04:00"),
    ("America/New_York", "2026-11-01 00:30", "2026-11-01 04:30", "00:30-04:00"),
    ("America/New_York", "2026-11-01 01:30", "2026-11-01 05:30", "01:30-04:00"),  # fold: 1st
    ("America/New_York", "2026-11-01 02:00", "2026-11-01 07:00", "02:00-05:00"),
    ("Europe/Berlin", "2027-03-28 02:30", "2027-03-28 01:30", "03:30+02:00"),  # gap
    ("Europe/Berlin", "2027-03-28 03:00", "2027-03-28 01:00", "03:00+02:00"),
    ("Europe/Berlin", "2026-10-25 02:30", "2026-10-25 00:30", "02:30+02:00"),  # fold: 1st
    ("Europe/Berlin", "2026-10-25 03:00", "2026-10-25 02:00", "03:00+01:00"),
    ("Asia/Shanghai", "2027-03-14 02:30", "2027-03-13 18:30", "02:30+08:00"),
    ("Asia/Shanghai", "2026-11-01 01:30", "2026-10-31 17:30", "01:30+08:00"),
    ("UTC", "2028-02-29 12:00", "2028-02-29 12:00", "12:00+00:00"),
]


@pytest.mark.parametrize(("zone", "wall", "instant", "clock"), RESOLVE)
def test_resolve_wall(zone: str, wall: str, instant: str, clock: str) -> None:
    resolved = resolve_wall(datetime.fromisoformat(wall), ZoneInfo(zone))
    assert resolved == utc(instant)
    assert resolved.tzinfo is UTC
    assert resolved.astimezone(ZoneInfo(zone)).isoformat(timespec="minutes")[11:] == clock


@pytest.mark.parametrize(
    ("zone", "wall", "expected"),
    [
        ("America/New_York", "2027-03-14 02:30", timedelta(hours=1)),
        ("America/New_York", "2026-11-01 01:30", timedelta(hours=-1)),
        ("America/New_York", "2026-11-01 02:30", timedelta(0)),
        ("Europe/Berlin", "2027-03-28 02:00", timedelta(hours=1)),
        ("Australia/Lord_Howe", "2027-10-03 02:15", timedelta(minutes=30)),
        ("Pacific/Apia", "2011-12-30 08:00", timedelta(days=1)),
        ("Asia/Shanghai", "2027-03-14 02:30", timedelta(0)),
    ],
)
def test_gap(zone: str, wall: str, expected: timedelta) -> None:
    assert gap(datetime.fromisoformat(wall), ZoneInfo(zone)) == expected


@pytest.mark.parametrize(
    ("zone", "wall", "skipped"),
    [
        ("Pacific/Apia", "2011-12-30 00:00", True),
        ("Pacific/Apia", "2011-12-30 23:59", True),
        ("Pacific/Apia", "2011-12-31 00:00", False),
        ("Pacific/Apia", "2011-12-29 23:59", False),
        ("America/New_York", "2027-03-14 02:30", False),
    ],
)
def test_day_skipped(zone: str, wall: str, skipped: bool) -> None:
    assert day_skipped(datetime.fromisoformat(wall), ZoneInfo(zone)) is skipped


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (datetime(2026, 12, 1, 8, 0), "2026-12-01T08:00"),
        (datetime(2026, 12, 1, 8, 0, 30), "2026-12-01T08:00:30"),
        (datetime(2026, 12, 1, 8, 0, 0, 250), "2026-12-01T08:00:00.000250"),
        (datetime(2026, 11, 1, 1, 30, fold=1), "2026-11-01T01:30"),
        (datetime(2026, 12, 1, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo")), "2026-12-01T08:00"),
    ],
)
def test_wall_key(value: datetime, key: str) -> None:
    assert wall_key(value) == key


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (datetime(2026, 12, 1, 8, 0, tzinfo=timezone(timedelta(hours=8))), "2026-12-01T00:00Z"),
        (datetime(2026, 12, 1, 0, 0, 5, tzinfo=UTC), "2026-12-01T00:00:05Z"),
        (
            datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York")),
            "2026-11-01T06:30Z",
        ),
    ],
)
def test_instant_key(value: datetime, key: str) -> None:
    assert instant_key(value) == key


def test_instant_key_refuses_naive() -> None:
    with pytest.raises(ValueError, match="must be timezone-aware, got naive 2026-12-01T00:00:00"):
        instant_key(datetime(2026, 12, 1))


def test_both_readings_of_a_fold_share_one_key() -> None:
    """Why keys are wall-clock: whichever reading of 01:30 a process computed, one send."""
    zone = ZoneInfo("America/New_York")
    first = datetime(2026, 11, 1, 1, 30, fold=0, tzinfo=zone)
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=zone)
    assert first.astimezone(UTC) != second.astimezone(UTC)
    assert wall_key(first) == wall_key(second) == "2026-11-01T01:30"
    assert Occurrence.at_wall(second, "America/New_York").instant == first.astimezone(UTC)


def test_at_wall_keeps_the_scheduled_time_when_shifted() -> None:
    occurrence = Occurrence.at_wall(datetime(2027, 3, 14, 2, 30), "America/New_York")
    assert occurrence == Occurrence(
        utc("2027-03-14 07:30"),
        datetime(2027, 3, 14, 2, 30),
        "America/New_York",
        "2027-03-14T02:30",
    )
    assert occurrence.local.isoformat() == "2027-03-14T03:30:00-04:00"
    assert occurrence.shifted


def test_at_instant_reads_the_wall_on_the_zone_clock() -> None:
    occurrence = Occurrence.at_instant(utc("2026-12-01 00:00"), "America/New_York")
    assert occurrence.wall == datetime(2026, 11, 30, 19, 0)
    assert occurrence.key == "2026-12-01T00:00Z"
    assert not occurrence.shifted
    assert Occurrence.at_instant(utc("2026-12-01 00:00"), "UTC", key="k").key == "k"


def test_occurrence_checks_its_fields() -> None:
    with pytest.raises(ValueError, match="instant must be in UTC"):
        Occurrence(
            datetime(2026, 12, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai")),
            datetime(2026, 12, 1, 8),
            "Asia/Shanghai",
            "k",
        )
    with pytest.raises(ValueError, match="instant must be in UTC"):
        Occurrence(datetime(2026, 12, 1), datetime(2026, 12, 1), "UTC", "k")
    with pytest.raises(ValueError, match="wall must be naive"):
        Occurrence(utc("2026-12-01 00:00"), utc("2026-12-01 00:00"), "UTC", "k")


def test_occurrence_is_frozen_and_hashable() -> None:
    occurrence = Occurrence.at_wall(datetime(2026, 12, 1, 8), "Asia/Shanghai")
    assert {occurrence, Occurrence.at_wall(datetime(2026, 12, 1, 8), "Asia/Shanghai")} == {
        occurrence
    }
    with pytest.raises(AttributeError):
        occurrence.key = "other"  # type: ignore[misc]
