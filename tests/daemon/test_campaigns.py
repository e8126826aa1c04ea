"""The daemon's run of one campaign: every occurrence handled once, in order, with its key,
across DST, month ends, leap days, loop bounds and restarts (plain clock arguments)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from pushflow.daemon.campaigns import Campaigns
from pushflow.daemon.catchup import resume_from, verdict
from pushflow.daemon.trigger import OccurrenceTrigger
from pushflow.timing import occurrences
from tests.daemon.helpers import Clock, Recorder, local_schedule, walk

HOUR = timedelta(hours=1)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    "step", [timedelta(minutes=7), HOUR, timedelta(hours=5), timedelta(days=2)]
)
def test_new_york_fall_back_fires_the_doubled_time_once(step: timedelta) -> None:
    loop = local_schedule({"every": "day", "at": "01:30", "from": "2026-10-30"}, "America/New_York")
    fired = asyncio.run(walk(loop, utc(2026, 10, 30), utc(2026, 11, 3), step))
    assert fired.keys == [
        "2026-10-30T01:30",
        "2026-10-31T01:30",
        "2026-11-01T01:30",
        "2026-11-02T01:30",
    ]
    # 01:30 happens twice on 1 November: the first reading (EDT, UTC-4) fires.
    assert fired.fired[2][2] == utc(2026, 11, 1, 5, 30)
    assert fired.fired[3][2] == utc(2026, 11, 2, 6, 30)


def test_new_york_spring_forward_shifts_the_missing_time() -> None:
    loop = local_schedule({"every": "day", "at": "02:30", "from": "2027-03-13"}, "America/New_York")
    fired = asyncio.run(walk(loop, utc(2027, 3, 13), utc(2027, 3, 16), HOUR))
    assert [(key, at) for _, key, at in fired.fired] == [
        ("2027-03-13T02:30", utc(2027, 3, 13, 7, 30)),
        ("2027-03-14T02:30", utc(2027, 3, 14, 7, 30)),  # 03:30 EDT: shifted by the gap
        ("2027-03-15T02:30", utc(2027, 3, 15, 6, 30)),
    ]


@pytest.mark.parametrize(
    ("start", "wall", "expected"),
    [
        # spring forward 2027-03-28: 02:30 does not exist, fires at 03:30 CEST = 01:30 UTC
        (
            "2027-03-27",
            "02:30",
            [utc(2027, 3, 27, 1, 30), utc(2027, 3, 28, 1, 30), utc(2027, 3, 29, 0, 30)],
        ),
        # fall back 2026-10-25: 02:30 happens twice, fires once at the CEST reading
        (
            "2026-10-24",
            "02:30",
            [utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)],
        ),
    ],
)
def test_berlin_dst_days(start: str, wall: str, expected: list[datetime]) -> None:
    loop = local_schedule({"every": "day", "at": wall, "from": start}, "Europe/Berlin")
    begin = datetime.fromisoformat(start).replace(tzinfo=UTC) - HOUR * 3
    fired = asyncio.run(walk(loop, begin, begin + timedelta(days=3), timedelta(minutes=20)))
    assert [at for _, _, at in fired.fired] == expected
    assert len(set(fired.keys)) == 3


def test_shanghai_month_ends_and_the_leap_day() -> None:
    loop = local_schedule(
        {"every": "month", "on": [29, 31], "at": "09:00", "from": "2027-12-01"}, "Asia/Shanghai"
    )
    fired = asyncio.run(walk(loop, utc(2027, 12, 1), utc(2028, 5, 1), timedelta(hours=13)))
    assert fired.keys == [
        "2027-12-29T09:00",
        "2027-12-31T09:00",
        "2028-01-29T09:00",
        "2028-01-31T09:00",
        "2028-02-29T09:00",  # a leap year's February has the 29th, never a "last day" 31st
        "2028-03-29T09:00",
        "2028-03-31T09:00",
        "2028-04-29T09:00",  # no 31 April
    ]
    assert fired.fired[4][2] == utc(2028, 2, 29, 1, 0)


def test_the_loop_window_bounds_the_fires() -> None:
    loop = local_schedule(
        {
            "every": "week",
            "on": ["mon", "sun"],
            "at": "00:00",
            "from": "2026-12-06",
            "until": "2026-12-14",
        },
        "Asia/Shanghai",
    )
    fired = asyncio.run(walk(loop, utc(2026, 12, 1), utc(2026, 12, 31), timedelta(hours=6)))
    assert fired.keys == [
        "2026-12-06T00:00",
        "2026-12-07T00:00",
        "2026-12-13T00:00",
        "2026-12-14T00:00",
    ]


def test_a_restart_mid_loop_resumes_after_the_last_recorded_occurrence() -> None:
    loop = local_schedule({"every": "day", "at": "08:00", "from": "2026-12-01"}, "Asia/Shanghai")
    first = asyncio.run(walk(loop, utc(2026, 11, 30), utc(2026, 12, 3, 1), HOUR))
    assert first.keys == ["2026-12-01T08:00", "2026-12-02T08:00", "2026-12-03T08:00"]
    # The process stops; a new one starts 2 days later from what the ledger recorded.
    cursor = resume_from(loop, last_recorded=first.fired[-1][2], first_applied=utc(2026, 11, 30))
    recorder, clock = Recorder(), Clock(utc(2026, 12, 5, 3))
    campaigns = Campaigns(recorder, clock)
    campaigns.put(loop, cursor)
    asyncio.run(campaigns.tick("loop"))
    assert recorder.keys == ["2026-12-04T08:00", "2026-12-05T08:00"]  # each once, none again
    asyncio.run(campaigns.tick("loop"))
    assert len(recorder.fired) == 2


def test_a_new_campaign_owes_only_what_follows_its_first_apply() -> None:
    loop = local_schedule({"every": "day", "at": "08:00", "from": "2026-01-01"}, "Asia/Shanghai")
    applied = utc(2026, 12, 1, 12)
    assert resume_from(loop, last_recorded=None, first_applied=applied) == applied
    assert resume_from(loop, last_recorded=applied - HOUR, first_applied=applied) == applied


def test_catch_up_window() -> None:
    loop = local_schedule({"every": "day", "at": "08:00", "from": "2026-12-01"}, "Asia/Shanghai")
    two_hours = local_schedule(loop.trigger["strategy"], "Asia/Shanghai", catch_up="2h")
    occurrence = next(occurrences(loop.strategy, loop.zone, after=utc(2026, 12, 1), limit=1))
    assert loop.catch_up == HOUR  # the documented default
    assert verdict(occurrence, occurrence.instant + HOUR, loop.catch_up) == "fire"
    assert verdict(occurrence, occurrence.instant + HOUR * 1.5, loop.catch_up) == "missed"
    assert verdict(occurrence, occurrence.instant + HOUR * 1.5, two_hours.catch_up) == "fire"


def test_a_run_that_outlasts_the_next_occurrence_loops_until_nothing_is_due() -> None:
    """APScheduler skips a run while the previous one lasts (max_instances=1): the running one
    handles what fell due meanwhile."""
    loop = local_schedule({"every": "day", "at": "08:00", "from": "2026-12-01"}, "Asia/Shanghai")
    clock = Clock(utc(2026, 12, 1, 0, 0, 1))
    seen: list[str] = []

    async def slow(schedule: object, occurrence: object) -> str:
        seen.append(occurrence.key)  # type: ignore[attr-defined]
        if len(seen) == 1:
            clock.move(days=1)  # the first send took a day: the next fell due meanwhile
        return "done"

    campaigns = Campaigns(slow, clock)
    campaigns.put(loop, utc(2026, 11, 30, 23))
    assert asyncio.run(campaigns.tick("loop")) == 2
    assert seen == ["2026-12-01T08:00", "2026-12-02T08:00"]
    assert campaigns.entries["loop"].cursor == clock.now


def test_the_trigger_fires_at_each_occurrence() -> None:
    loop = local_schedule({"every": "day", "at": "01:30", "from": "2026-10-30"}, "America/New_York")
    trigger = OccurrenceTrigger(loop.strategy, loop.zone, utc(2026, 10, 30))
    times, previous = [], None
    for _ in range(4):
        previous = trigger.get_next_fire_time(previous, utc(2026, 10, 30))
        times.append(previous)
    assert times == [
        utc(2026, 10, 30, 5, 30),
        utc(2026, 10, 31, 5, 30),
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 2, 6, 30),
    ]
    ended = local_schedule(
        {"every": "day", "at": "01:30", "from": "2026-10-30", "until": "2026-10-30"}, "UTC"
    )
    assert (
        OccurrenceTrigger(ended.strategy, "UTC", utc(2026, 10, 31)).get_next_fire_time(
            None, utc(2026, 11, 1)
        )
        is None
    )
