"""The services' time values (pushflow.timing.wire), checked against the seeds and against the
emulator's independent reading of mPaaS loops."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from pushflow.emulator.strategy import parse
from pushflow.providers.mpaas_models import Strategy
from pushflow.spec.strategy import LoopStrategy
from pushflow.timing import at_occurrence, occurrences
from pushflow.timing.wire import (
    MpaasLoop,
    ServerScheduleError,
    emas_push_time,
    epoch_millis,
    mpaas_fixed_time,
    mpaas_loop,
    service_instants,
)
from tests.timing.strategies import EARLIEST, at, loop, utc

SHANGHAI = "Asia/Shanghai"


def test_seed_loop_example() -> None:
    """The seed's startTime 1640966400000 and endTime 1672416000000: 2022-01-01 and 2022-12-31,
    each at 00:00 +08:00 ("精确到天")."""
    detail = mpaas_loop(loop("month", "09:45:11", "2022-01-01", "2022-12-31", on=[3, 1]), SHANGHAI)
    assert detail == MpaasLoop(1640966400000, 1672416000000, 3, (1, 3), "09:45:11")


def test_seed_fixed_time_example() -> None:
    assert (
        mpaas_fixed_time(datetime(2021, 8, 30, 13, 58, 46, tzinfo=ZoneInfo(SHANGHAI)))
        == 1630303126000
    )
    assert mpaas_fixed_time(utc("2021-08-30 05:58:46.999")) == 1630303126000  # 精确到秒
    assert epoch_millis(utc("1970-01-01 00:00")) == 0


@pytest.mark.parametrize(
    ("written", "zone", "push_time", "fixed_time"),
    [
        ("2026-12-01T08:00:00+08:00", None, "2026-12-01T00:00:00Z", 1796083200000),
        ("2026-12-01 08:00", SHANGHAI, "2026-12-01T00:00:00Z", 1796083200000),
        ("2026-12-01 08:00", "America/New_York", "2026-12-01T13:00:00Z", 1796130000000),
        ("2027-03-14 02:30", "America/New_York", "2027-03-14T07:30:00Z", 1805009400000),
    ],
)
def test_at_on_the_wire(written: str, zone: str | None, push_time: str, fixed_time: int) -> None:
    instant = at_occurrence(at(written), zone).instant
    assert emas_push_time(instant) == push_time
    assert mpaas_fixed_time(instant) == fixed_time


def test_push_time_is_utc_whatever_the_offset() -> None:
    plus_eight = datetime(2026, 12, 1, 8, 0, 59, 999999, tzinfo=timezone(timedelta(hours=8)))
    assert emas_push_time(plus_eight) == "2026-12-01T00:00:59Z"
    with pytest.raises(ValueError, match="must be timezone-aware"):
        emas_push_time(datetime(2026, 12, 1))


@pytest.mark.parametrize(
    ("day", "number"),
    [("mon", 1), ("tue", 2), ("wed", 3), ("thu", 4), ("fri", 5), ("sat", 6), ("sun", 7)],
)
def test_weekday_numbering(day: str, number: int) -> None:
    detail = mpaas_loop(loop("week", "08:00", "2027-03-01", "2027-03-31", on=[day]), SHANGHAI)
    assert (detail.circle_type, detail.circle_value) == (2, (number,))


def test_daily_loop_has_no_circle_value() -> None:
    detail = mpaas_loop(loop("day", "08:00:30", "2027-03-01", "2027-03-02"), SHANGHAI)
    assert detail == MpaasLoop(1803830400000, 1803916800000, 1, None, "08:00:30")
    model = Strategy(**asdict(detail))
    assert model.model_dump(by_alias=True, exclude_none=True) == {
        "startTime": 1803830400000,
        "endTime": 1803916800000,
        "circleType": 1,
        "time": "08:00:30",
    }


EXPRESSIBLE = [
    # strategy, zone, the values on the service's clock (days, circleValue, time)
    (
        loop("week", "08:00", "2027-01-04", "2027-02-26", on=["mon", "fri"]),
        SHANGHAI,
        ("2027-01-04", "2027-02-26", (1, 5), "08:00:00"),
    ),
    (
        loop("week", "08:00", "2027-01-04", "2027-02-26", on=["mon", "fri"]),
        "America/New_York",
        ("2027-01-04", "2027-02-26", (1, 5), "21:00:00"),
    ),
    (
        loop("week", "20:00", "2027-01-04", "2027-02-26", on=["mon", "fri"]),
        "America/Los_Angeles",
        ("2027-01-05", "2027-02-27", (2, 6), "12:00:00"),
    ),
    (
        loop("week", "00:30", "2027-01-04", "2027-02-26", on=["mon", "wed"]),
        "Asia/Tokyo",
        ("2027-01-03", "2027-02-25", (2, 7), "23:30:00"),
    ),
    (
        loop("day", "08:00", "2027-04-01", "2027-09-27"),
        "Europe/Berlin",
        ("2027-04-01", "2027-09-27", None, "14:00:00"),
    ),
    (
        loop("month", "20:00", "2027-01-01", "2027-02-28", on=[1, 15]),
        "America/Los_Angeles",
        ("2027-01-02", "2027-03-01", (2, 16), "12:00:00"),
    ),
    (
        loop("day", "08:00", "2027-03-13", "2027-03-15"),
        "Asia/Tokyo",
        ("2027-03-13", "2027-03-15", None, "07:00:00"),
    ),
    # one day, its 02:30 shifted to 03:30 EDT: one Shanghai time, so a valid one-day loop
    (
        loop("day", "02:30", "2027-03-14", "2027-03-14"),
        "America/New_York",
        ("2027-03-14", "2027-03-14", None, "15:30:00"),
    ),
]


@pytest.mark.parametrize(
    ("strategy", "zone", "expected"),
    EXPRESSIBLE,
    ids=[
        "shanghai",
        "new-york-winter",
        "los-angeles-next-day",
        "tokyo-day-before",
        "berlin-summer",
        "los-angeles-monthly",
        "tokyo-daily",
        "new-york-one-shifted-day",
    ],
)
def test_loop_on_the_service_clock(
    strategy: LoopStrategy, zone: str, expected: tuple[str, str, tuple[int, ...] | None, str]
) -> None:
    first, last, value, clock = expected
    detail = mpaas_loop(strategy, zone)
    service = ZoneInfo(SHANGHAI)
    assert detail.start_time == epoch_millis(datetime.fromisoformat(first).replace(tzinfo=service))
    assert detail.end_time == epoch_millis(datetime.fromisoformat(last).replace(tzinfo=service))
    assert (detail.circle_value, detail.time) == (value, clock)
    wanted = [o.instant for o in occurrences(strategy, zone, after=EARLIEST)]
    assert service_instants(detail) == wanted


@pytest.mark.parametrize(
    ("strategy", "zone", "expected"),
    EXPRESSIBLE,
    ids=[
        "shanghai",
        "new-york-winter",
        "los-angeles-next-day",
        "tokyo-day-before",
        "berlin-summer",
        "los-angeles-monthly",
        "tokyo-daily",
        "new-york-one-shifted-day",
    ],
)
def test_emulator_reads_the_loop_as_the_campaign_means_it(
    strategy: LoopStrategy, zone: str, expected: object
) -> None:
    """The emulator's own model of mPaaS (independent of timing) fires at the same instants."""
    detail = mpaas_loop(strategy, zone)
    content = json.dumps(Strategy(**asdict(detail)).model_dump(by_alias=True, exclude_none=True))
    now = datetime.fromtimestamp(detail.start_time / 1000, UTC) - timedelta(hours=1)
    parsed = parse(2, content, now, ZoneInfo(SHANGHAI))
    assert list(parsed.occurrences) == [
        o.instant for o in occurrences(strategy, zone, after=EARLIEST)
    ]


NOT_EXPRESSIBLE = [
    (
        loop("week", "08:00", "2027-03-01", "2027-03-31", on=["mon"]),
        "America/New_York",
        "daylight saving",
    ),
    (loop("day", "08:00", "2027-03-20", "2027-04-10"), "Europe/Berlin", "daylight saving"),
    (loop("day", "01:30", "2026-10-31", "2026-11-02"), "America/New_York", "use `execute: local`"),
    (
        loop("month", "20:00", "2027-01-01", "2027-03-31", on=[31]),
        "America/Los_Angeles",
        "month days",
    ),
    (loop("month", "00:30", "2027-01-01", "2027-03-31", on=[1]), "Asia/Tokyo", "month days"),
    (
        loop("month", "08:00", "2027-04-01", "2027-04-30", on=[31]),
        SHANGHAI,
        "no occurrence between",
    ),
    (loop("day", "08:00", "2027-04-01"), SHANGHAI, "needs `until`"),
]


@pytest.mark.parametrize(
    ("strategy", "zone", "message"),
    NOT_EXPRESSIBLE,
    ids=[
        "ny-dst",
        "berlin-dst",
        "ny-fall-back",
        "la-31st",
        "tokyo-1st",
        "no-occurrence",
        "no-until",
    ],
)
def test_loops_the_service_cannot_keep(strategy: LoopStrategy, zone: str, message: str) -> None:
    with pytest.raises(ServerScheduleError, match=message):
        mpaas_loop(strategy, zone)


def test_server_schedule_error_names_the_zones() -> None:
    strategy = loop("week", "08:00", "2027-03-01", "2027-03-31", on=["mon"])
    with pytest.raises(ServerScheduleError) as caught:
        mpaas_loop(strategy, "America/New_York")
    assert str(caught.value) == (
        "mPaaS runs loops on Asia/Shanghai time: 08:00:00 America/New_York from 2027-03-01 to "
        "2027-03-31 is not one Asia/Shanghai time on matching days (a daylight saving change, or "
        "month days moved across midnight); use `execute: local`"
    )
    assert isinstance(caught.value, ValueError)
