"""Loop occurrences: calendars, month ends, DST, windows and bounds (pushflow.timing)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from itertools import islice

import pytest

from pushflow.spec.strategy import LoopStrategy
from pushflow.timing import Occurrence, next_occurrence, occurrences
from pushflow.timing.loops import circle, loop_days
from tests.timing.strategies import EARLIEST, day, loop, utc


def every(strategy: LoopStrategy, zone: str = "Asia/Shanghai") -> list[Occurrence]:
    return list(occurrences(strategy, zone, after=EARLIEST))


def keys(strategy: LoopStrategy, zone: str = "Asia/Shanghai") -> list[str]:
    return [o.key for o in every(strategy, zone)]


DST_LOOPS = [
    # zone, wall time, from, until, [(key, instant UTC, clock reading)]
    (
        "America/New_York",
        "02:30",
        "2027-03-13",
        "2027-03-15",
        [
            ("2027-03-13T02:30", "2027-03-13 07:30", "02:30-05:00"),
            ("2027-03-14T02:30", "2027-03-14 07:30", "03:30-04:00"),  # gap: shifted forward
            ("2027-03-15T02:30", "2027-03-15 06:30", "02:30-04:00"),
        ],
    ),
    (
        "America/New_York",
        "01:30",
        "2026-10-31",
        "2026-11-02",
        [
            ("2026-10-31T01:30", "2026-10-31 05:30", "01:30-04:00"),
            ("2026-11-01T01:30", "2026-11-01 05:30", "01:30-04:00"),  # fold: once, the first
            ("2026-11-02T01:30", "2026-11-02 06:30", "01:30-05:00"),
        ],
    ),
    (
        "America/New_York",
        "08:00",
        "2027-03-13",
        "2027-03-14",
        [
            ("2027-03-13T08:00", "2027-03-13 13:00", "08:00-05:00"),
            ("2027-03-14T08:00", "2027-03-14 12:00", "08:00-04:00"),
        ],
    ),
    (
        "Europe/Berlin",
        "02:30",
        "2027-03-27",
        "2027-03-29",
        [
            ("2027-03-27T02:30", "2027-03-27 01:30", "02:30+01:00"),
            ("2027-03-28T02:30", "2027-03-28 01:30", "03:30+02:00"),  # gap: shifted forward
            ("2027-03-29T02:30", "2027-03-29 00:30", "02:30+02:00"),
        ],
    ),
    (
        "Europe/Berlin",
        "02:30",
        "2026-10-24",
        "2026-10-26",
        [
            ("2026-10-24T02:30", "2026-10-24 00:30", "02:30+02:00"),
            ("2026-10-25T02:30", "2026-10-25 00:30", "02:30+02:00"),  # fold: once, the first
            ("2026-10-26T02:30", "2026-10-26 01:30", "02:30+01:00"),
        ],
    ),
    (
        "Asia/Shanghai",
        "02:30",
        "2027-03-13",
        "2027-03-15",
        [
            ("2027-03-13T02:30", "2027-03-12 18:30", "02:30+08:00"),
            ("2027-03-14T02:30", "2027-03-13 18:30", "02:30+08:00"),
            ("2027-03-15T02:30", "2027-03-14 18:30", "02:30+08:00"),
        ],
    ),
    (
        "Pacific/Apia",
        "08:00",
        "2011-12-29",
        "2011-12-31",  # Samoa skipped 2011-12-30
        [
            ("2011-12-29T08:00", "2011-12-29 18:00", "08:00-10:00"),
            ("2011-12-31T08:00", "2011-12-30 18:00", "08:00+14:00"),
        ],
    ),
]


@pytest.mark.parametrize(("zone", "clock", "start", "until", "expected"), DST_LOOPS)
def test_daily_loop_across_dst(
    zone: str, clock: str, start: str, until: str, expected: list[tuple[str, str, str]]
) -> None:
    found = every(loop("day", clock, start, until), zone)
    assert [(o.key, o.instant, o.local.isoformat(timespec="minutes")[11:]) for o in found] == [
        (key, utc(instant), reading) for key, instant, reading in expected
    ]
    assert all(o.zone == zone and o.key == o.wall.isoformat(timespec="minutes") for o in found)


CALENDARS = [
    # every, on, from, until, expected days
    (
        "day",
        None,
        "2027-02-27",
        "2027-03-02",
        ["2027-02-27", "2027-02-28", "2027-03-01", "2027-03-02"],
    ),
    ("day", None, "2028-02-28", "2028-03-01", ["2028-02-28", "2028-02-29", "2028-03-01"]),
    ("day", None, "2027-03-01", "2027-03-01", ["2027-03-01"]),
    (
        "week",
        ["mon", "wed", "fri"],
        "2027-03-01",
        "2027-03-14",
        ["2027-03-01", "2027-03-03", "2027-03-05", "2027-03-08", "2027-03-10", "2027-03-12"],
    ),
    ("week", ["sun"], "2027-03-01", "2027-03-21", ["2027-03-07", "2027-03-14", "2027-03-21"]),
    ("week", ["sat", "sun"], "2027-03-06", "2027-03-08", ["2027-03-06", "2027-03-07"]),
    ("week", ["fri", "mon"], "2027-03-02", "2027-03-05", ["2027-03-05"]),
    (
        "month",
        [31],
        "2027-01-01",
        "2027-12-31",
        [
            "2027-01-31",
            "2027-03-31",
            "2027-05-31",
            "2027-07-31",
            "2027-08-31",
            "2027-10-31",
            "2027-12-31",
        ],
    ),
    ("month", [30, 31], "2027-04-01", "2027-04-30", ["2027-04-30"]),
    ("month", [29], "2027-01-15", "2027-03-31", ["2027-01-29", "2027-03-29"]),
    ("month", [29], "2028-01-15", "2028-03-31", ["2028-01-29", "2028-02-29", "2028-03-29"]),
    ("month", [30], "2028-02-01", "2028-02-29", []),
    (
        "month",
        [15, 1],
        "2027-01-01",
        "2027-02-28",
        ["2027-01-01", "2027-01-15", "2027-02-01", "2027-02-15"],
    ),
    ("month", [1], "2027-01-02", "2027-02-01", ["2027-02-01"]),
]


@pytest.mark.parametrize(("kind", "on", "start", "until", "days"), CALENDARS)
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "Europe/Berlin"])
def test_calendar(
    kind: str, on: list[object] | None, start: str, until: str, days: list[str], zone: str
) -> None:
    strategy = loop(kind, "09:00", start, until, **({"on": on} if on else {}))
    assert keys(strategy, zone) == [f"{d}T09:00" for d in days]
    assert [str(d) for d in loop_days(strategy, date.min, date.max)] == days


@pytest.mark.parametrize(
    ("on", "numbers"),
    [
        (["mon"], (1,)),
        (["tue"], (2,)),
        (["wed"], (3,)),
        (["thu"], (4,)),
        (["fri"], (5,)),
        (["sat"], (6,)),
        (["sun"], (7,)),
        (["sun", "mon"], (1, 7)),
    ],
)
def test_weekday_numbers_are_iso(on: list[str], numbers: tuple[int, ...]) -> None:
    assert circle(loop("week", "08:00", "2027-03-01", on=on)) == ("week", numbers)


@pytest.mark.parametrize(
    ("kind", "on", "message"),
    [
        ("day", [1], "a daily loop takes no `on`"),
        ("week", None, "a weekly loop needs `on`"),
        ("month", None, "a monthly loop needs `on`"),
        ("week", [1], "weekly `on` takes weekdays"),
        ("month", ["mon"], "monthly `on` takes days"),
    ],
)
def test_invalid_loops_raise(kind: str, on: list[object] | None, message: str) -> None:
    strategy = loop(kind, "08:00", "2027-03-01", "2027-03-31", on=on)
    with pytest.raises(ValueError, match=message):
        list(occurrences(strategy, "UTC", after=EARLIEST))


def test_window_is_from_day_0000_to_until_day_2400_inclusive() -> None:
    assert keys(loop("day", "00:00", "2027-03-01", "2027-03-03")) == [
        "2027-03-01T00:00",
        "2027-03-02T00:00",
        "2027-03-03T00:00",
    ]
    assert keys(loop("day", "23:59:59", "2027-03-01", "2027-03-03")) == [
        "2027-03-01T23:59:59",
        "2027-03-02T23:59:59",
        "2027-03-03T23:59:59",
    ]
    assert keys(loop("day", "08:00", "2027-03-03", "2027-03-02")) == []


def test_after_is_exclusive_and_until_instant_inclusive() -> None:
    strategy = loop("day", "08:00", "2027-03-01", "2027-03-05")
    second = utc("2027-03-02 00:00")  # 08:00 Shanghai
    tiny = timedelta(microseconds=1)
    window = occurrences(
        strategy, "Asia/Shanghai", after=second, until_instant=second + timedelta(days=2)
    )
    assert [o.key for o in window] == ["2027-03-03T08:00", "2027-03-04T08:00"]
    window = occurrences(strategy, "Asia/Shanghai", after=second - tiny, until_instant=second)
    assert [o.key for o in window] == ["2027-03-02T08:00"]
    assert list(occurrences(strategy, "Asia/Shanghai", after=second, until_instant=second)) == []


PARTITION_CASES = [
    (loop("day", "02:30", "2027-03-10", "2027-03-31"), "America/New_York"),
    (loop("day", "01:30", "2026-10-25", "2026-11-10"), "America/New_York"),
    (loop("week", "02:30", "2027-03-01", "2027-04-30", on=["sun", "wed"]), "Europe/Berlin"),
    (loop("month", "00:15", "2027-01-01", "2028-12-31", on=[29, 31]), "Asia/Shanghai"),
    (loop("day", "23:45", "2027-03-10"), "Europe/Berlin"),
]


@pytest.mark.parametrize(
    ("strategy", "zone"),
    PARTITION_CASES,
    ids=["ny-spring", "ny-fall", "berlin-weekly", "month-ends", "berlin-open-ended"],
)
@pytest.mark.parametrize("step_hours", [1, 7, 24, 25, 240])
def test_consecutive_windows_partition_the_occurrences(
    strategy: LoopStrategy, zone: str, step_hours: int
) -> None:
    """(t0, t1], (t1, t2], …: every occurrence in exactly one window, in order; a daemon that
    fires what is due and asks for the next after now neither repeats nor skips."""
    start, stop = utc("2026-10-01 00:00"), utc("2029-01-01 00:00")
    whole = list(occurrences(strategy, zone, after=start, until_instant=stop))
    assert whole, "the case has occurrences"
    pieces: list[Occurrence] = []
    cut = start
    while cut < stop:
        following = min(cut + timedelta(hours=step_hours), stop)
        pieces += occurrences(strategy, zone, after=cut, until_instant=following)
        cut = following
    assert pieces == whole
    assert [o.instant for o in whole] == sorted({o.instant for o in whole})
    assert len({o.key for o in whole}) == len(whole)
    chained, now = [], start
    while (found := next_occurrence(strategy, zone, now)) is not None and found.instant <= stop:
        chained.append(found)
        now = found.instant
    assert chained == whole


def test_open_ended_loop_needs_a_bound() -> None:
    strategy = loop("day", "08:00", "2027-03-01")
    with pytest.raises(ValueError, match=r"open-ended loop .* pass until_instant or limit"):
        occurrences(strategy, "Asia/Shanghai", after=EARLIEST)
    assert len(list(occurrences(strategy, "Asia/Shanghai", after=EARLIEST, limit=5))) == 5
    bounded = occurrences(
        strategy, "Asia/Shanghai", after=EARLIEST, until_instant=utc("2027-03-03 00:00")
    )
    assert [o.key for o in bounded] == ["2027-03-01T08:00", "2027-03-02T08:00", "2027-03-03T08:00"]
    assert list(occurrences(strategy, "Asia/Shanghai", after=EARLIEST, limit=0)) == []
    with pytest.raises(ValueError, match="limit must be 0 or more"):
        occurrences(strategy, "Asia/Shanghai", after=EARLIEST, limit=-1)


def test_arguments_are_checked_at_the_call() -> None:
    strategy = loop("day", "08:00", "2027-03-01", "2027-03-02")
    with pytest.raises(ValueError, match="after must be timezone-aware"):
        occurrences(strategy, "UTC", after=datetime(2027, 3, 1))
    with pytest.raises(ValueError, match="a loop needs a time zone"):
        occurrences(strategy, None, after=EARLIEST)


def test_ten_year_daily_loop_is_lazy_and_fast() -> None:
    strategy = loop("day", "08:00", "2027-01-01", "2036-12-31")
    began = time.perf_counter()
    first = next(occurrences(strategy, "Europe/Berlin", after=EARLIEST))
    assert first.key == "2027-01-01T08:00"
    assert time.perf_counter() - began < 0.05
    found = list(occurrences(strategy, "Europe/Berlin", after=EARLIEST))
    elapsed = time.perf_counter() - began
    assert len(found) == 3653  # 10 × 365 + 3 leap days (2028, 2032, 2036)
    assert found[-1].key == "2036-12-31T08:00"
    assert elapsed < 1.0


def test_open_ended_loop_starts_near_after_not_at_from() -> None:
    strategy = loop("day", "08:00", "2000-01-01")
    began = time.perf_counter()
    found = next_occurrence(strategy, "America/New_York", datetime(9000, 6, 1, tzinfo=UTC))
    assert time.perf_counter() - began < 0.05
    assert found is not None
    assert found.key == "9000-06-01T08:00"
    assert list(
        islice(occurrences(strategy, "UTC", after=datetime(9999, 12, 30, tzinfo=UTC), limit=9), 9)
    ) == [
        Occurrence.at_wall(datetime(9999, 12, 30, 8), "UTC"),
        Occurrence.at_wall(datetime(9999, 12, 31, 8), "UTC"),
    ]


def test_ended_loop_has_no_next() -> None:
    strategy = loop("week", "08:00", "2027-03-01", "2027-03-31", on=["mon"])
    assert next_occurrence(strategy, "UTC", utc("2027-03-29 08:00")) is None
    assert next_occurrence(strategy, "UTC", utc("2027-03-29 07:59")) == Occurrence.at_wall(
        datetime(2027, 3, 29, 8), "UTC"
    )
    assert day("2027-03-29").isoweekday() == 1
