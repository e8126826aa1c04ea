"""Local-time delivery: one occurrence per zone, at that zone's wall-clock time, keyed per zone.

2026-11-01 01:30 is chosen for New York's fall-back (01:30 happens at 05:30 UTC and again at
06:30 UTC), Asia/Kolkata has a half-hour offset (+05:30), Berlin left summer time a week before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pushflow.spec.strategy import AtStrategy, LoopStrategy
from pushflow.timing import due, next_occurrence, occurrences
from pushflow.timing.occurrence import local_key, send_key, split_local_key

ZONES = ["America/New_York", "Asia/Kolkata", "Europe/Berlin"]
BEFORE = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def at(value: str) -> AtStrategy:
    return AtStrategy.model_validate({"at": value, "local_time": True})


def test_an_at_gives_each_zone_its_own_instant_and_key() -> None:
    found = list(occurrences(at("2026-11-01 01:30"), "Asia/Shanghai", after=BEFORE, zones=ZONES))
    assert [(o.key, o.instant, o.zone, o.shifted) for o in found] == [
        ("2026-11-01T01:30@Asia/Kolkata", utc(2026, 10, 31, 20, 0), "Asia/Kolkata", False),
        ("2026-11-01T01:30@Europe/Berlin", utc(2026, 11, 1, 0, 30), "Europe/Berlin", False),
        # the first of the two readings of 01:30 (EDT), as for the campaign zone
        ("2026-11-01T01:30@America/New_York", utc(2026, 11, 1, 5, 30), "America/New_York", False),
    ]
    assert [o.local.strftime("%H:%M %Z") for o in found] == ["01:30 IST", "01:30 CET", "01:30 EDT"]


def test_the_fold_is_one_occurrence_and_windows_hand_each_zone_out_once() -> None:
    strategy = at("2026-11-01 01:30")
    keys: list[str] = []
    since = BEFORE
    for hour in range(1, 30):  # a daemon checking every hour, through the fold
        now = BEFORE + timedelta(hours=hour)
        keys += [o.key for o in due(strategy, None, since=since, now=now, zones=ZONES)]
        since = now
    assert keys == [
        "2026-11-01T01:30@Asia/Kolkata",
        "2026-11-01T01:30@Europe/Berlin",
        "2026-11-01T01:30@America/New_York",
    ]


def test_a_spring_forward_gap_shifts_only_that_zone() -> None:
    found = occurrences(at("2027-03-14 02:30"), None, after=utc(2027, 3, 13), zones=ZONES)
    assert {o.zone: (o.instant, o.shifted) for o in found} == {
        "America/New_York": (utc(2027, 3, 14, 7, 30), True),  # 03:30 EDT
        "Asia/Kolkata": (utc(2027, 3, 13, 21, 0), False),
        "Europe/Berlin": (utc(2027, 3, 14, 1, 30), False),
    }


def test_loops_merge_the_zones_in_instant_order() -> None:
    loop = LoopStrategy.model_validate(
        {"every": "day", "at": "09:00", "from": "2026-12-01", "local_time": True}
    )
    found = list(occurrences(loop, "UTC", after=utc(2026, 11, 30), limit=5, zones=ZONES))
    assert [o.key for o in found] == [
        "2026-12-01T09:00@Asia/Kolkata",
        "2026-12-01T09:00@Europe/Berlin",
        "2026-12-01T09:00@America/New_York",
        "2026-12-02T09:00@Asia/Kolkata",
        "2026-12-02T09:00@Europe/Berlin",
    ]
    following = next_occurrence(loop, "UTC", found[1].instant, zones=ZONES)
    assert following is not None
    assert following.key == "2026-12-01T09:00@America/New_York"
    with pytest.raises(ValueError, match="open-ended loop"):
        occurrences(loop, "UTC", after=utc(2026, 11, 30), zones=ZONES)


def test_zones_at_the_same_instant_come_in_key_order() -> None:
    found = occurrences(
        at("2026-12-01 09:00"), None, after=BEFORE, zones=["Europe/Paris", "Europe/Berlin"]
    )
    assert [o.key for o in found] == [
        "2026-12-01T09:00@Europe/Berlin",
        "2026-12-01T09:00@Europe/Paris",
    ]


def test_keys_name_the_zone_and_the_send_is_the_wall_clock_part() -> None:
    key = local_key("2026-11-01T01:30", "America/Argentina/Buenos_Aires")
    assert key == "2026-11-01T01:30@America/Argentina/Buenos_Aires"
    assert split_local_key(key) == ("2026-11-01T01:30", "America/Argentina/Buenos_Aires")
    assert send_key(key) == "2026-11-01T01:30"
    assert split_local_key("2026-11-01T01:30:15@Etc/GMT+5") == ("2026-11-01T01:30:15", "Etc/GMT+5")
    for other in ("now", "2026-12-01T08:00", "2026-12-01T00:00Z", "loop:2026-12-01..@08:00:00"):
        assert split_local_key(other) == (other, None)
        assert send_key(other) == other
    server = "server:2026-12-01T08:00@Europe/Berlin@0123456789abcdef"
    assert send_key(server) == server


def test_local_time_needs_a_wall_clock_time() -> None:
    with pytest.raises(ValueError, match="not `now`"):
        occurrences("now", None, after=BEFORE, applied_at=BEFORE, zones=ZONES)
    with_offset = AtStrategy.model_validate({"at": "2026-12-01T09:00:00+01:00"})
    with pytest.raises(ValueError, match="without a UTC offset"):
        occurrences(with_offset, None, after=BEFORE, zones=ZONES)
    assert list(occurrences(at("2026-12-01 09:00"), None, after=BEFORE, zones=[])) == []
