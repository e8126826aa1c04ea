"""Strategies as the services' own time values, for the compile stage (pure functions).

- mPaaS scheduled push (strategyType 1): ``fixedTime``, epoch milliseconds "精确到秒"
  (:func:`mpaas_fixed_time`).
- mPaaS loop (strategyType 2): ``startTime``/``endTime`` epoch milliseconds "精确到天" (the days'
  00:00; the service runs the loop from the start day's 0:00 to the end day's 24:00),
  ``circleType`` 1 daily / 2 weekly / 3 monthly, ``circleValue`` (weekly: Monday = 1 … Sunday = 7,
  the numbering of the seed's "[1,3] 表示每周 1 和周 3"; monthly: days 1 … 31; daily: left out)
  and ``time`` ``HH:mm:ss`` (:func:`mpaas_loop`).
- EMAS ``PushTime``: ``YYYY-MM-DDThh:mm:ssZ`` in UTC (:func:`emas_push_time`).

The mPaaS service reads a loop's days and ``time`` on *its* clock (Asia/Shanghai, UTC+8: the
seed's ``startTime`` examples are 00:00 +08:00), not the campaign's. :func:`mpaas_loop` therefore
expresses the loop on the service's clock, shifting ``time`` and, when the shift crosses
midnight, the days; then it re-reads its answer the way the service will and raises
:class:`ServerScheduleError` unless that gives exactly the campaign's occurrences. A loop in a
zone whose offset to UTC+8 changes inside the window (New York across a DST change) cannot be a
server loop: it needs ``execute: local``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pushflow.spec.strategy import LoopStrategy
from pushflow.timing.loops import MIN_UTC, Every, circle, day_matcher, days_between
from pushflow.timing.occurrence import as_utc, resolve_wall
from pushflow.timing.occurrences import occurrences

#: The zone the mPaaS service counts loop days and ``time`` in.
MPAAS_SERVICE_ZONE = "Asia/Shanghai"
CIRCLE_TYPES: dict[Every, int] = {"day": 1, "week": 2, "month": 3}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)


class ServerScheduleError(ValueError):
    """A strategy the service's clock cannot express; the message says why and what to do."""


@dataclass(frozen=True)
class MpaasLoop:
    """A loop's ``StrategyContent`` values (strategyType 2). Field names are those of
    :class:`pushflow.providers.mpaas_models.Strategy`: ``Strategy(**dataclasses.asdict(x))``."""

    start_time: int
    end_time: int
    circle_type: int
    circle_value: tuple[int, ...] | None
    time: str


def epoch_millis(instant: datetime) -> int:
    """Milliseconds since the epoch, floored to the second (the services' precision)."""
    return (as_utc(instant, "instant") - EPOCH) // SECOND * 1000


def mpaas_fixed_time(instant: datetime) -> int:
    """``fixedTime`` of a scheduled mPaaS push: the occurrence's instant in epoch ms."""
    return epoch_millis(instant)


def emas_push_time(instant: datetime) -> str:
    """EMAS ``PushTime``: the instant in UTC, ISO 8601 ``YYYY-MM-DDThh:mm:ssZ``."""
    return as_utc(instant, "instant").strftime("%Y-%m-%dT%H:%M:%SZ")


def _day_millis(day: date, tz: ZoneInfo) -> int:
    return epoch_millis(resolve_wall(datetime.combine(day, time()), tz))


def service_instants(detail: MpaasLoop, service_zone: str = MPAAS_SERVICE_ZONE) -> list[datetime]:
    """The instants the mPaaS service fires ``detail`` at, read as its documentation says."""
    tz = ZoneInfo(service_zone)
    kind = {number: every for every, number in CIRCLE_TYPES.items()}[detail.circle_type]
    matches = day_matcher(kind, detail.circle_value or ())
    first = datetime.fromtimestamp(detail.start_time / 1000, tz).date()
    last = datetime.fromtimestamp(detail.end_time / 1000, tz).date()
    clock = time.fromisoformat(detail.time)
    return [
        resolve_wall(datetime.combine(day, clock), tz)
        for day in days_between(first, last)
        if matches(day)
    ]


def _shift_numbers(every: Every, numbers: tuple[int, ...], shift: int) -> tuple[int, ...] | None:
    if every == "day":
        return None
    if every == "week":
        return tuple(sorted((number - 1 + shift) % 7 + 1 for number in numbers))
    return tuple(sorted(number + shift for number in numbers))


def mpaas_loop(
    loop: LoopStrategy, zone: str, *, service_zone: str = MPAAS_SERVICE_ZONE
) -> MpaasLoop:
    """A loop's mPaaS ``StrategyContent`` values, checked against the campaign's occurrences.

    In the service's own zone this is ``startTime`` = ``from`` 00:00, ``endTime`` = ``until``
    00:00, ``time`` = ``at``. Raises :class:`ServerScheduleError` for a loop without ``until``,
    one with no occurrence, or one the service's clock would fire at other instants.
    """
    if loop.until is None:
        raise ServerScheduleError("an mPaaS server loop needs `until`")
    found = list(occurrences(loop, zone, after=MIN_UTC))
    if not found:
        raise ServerScheduleError(
            f"the loop has no occurrence between {loop.from_} and {loop.until}"
        )
    tz = ZoneInfo(service_zone)
    first = found[0].instant.astimezone(tz)
    shift = (first.date() - found[0].wall.date()).days
    every, numbers = circle(loop)
    detail = MpaasLoop(
        start_time=_day_millis(loop.from_ + timedelta(days=shift), tz),
        end_time=_day_millis(loop.until + timedelta(days=shift), tz),
        circle_type=CIRCLE_TYPES[every],
        circle_value=_shift_numbers(every, numbers, shift),
        time=first.strftime("%H:%M:%S"),
    )
    in_range = all(1 <= day <= 31 for day in detail.circle_value or ())
    if not in_range or service_instants(detail, service_zone) != [o.instant for o in found]:
        raise ServerScheduleError(
            f"mPaaS runs loops on {service_zone} time: {loop.at:%H:%M:%S} {zone} from "
            f"{loop.from_} to {loop.until} is not one {service_zone} time on matching days "
            "(a daylight saving change, or month days moved across midnight); use "
            "`execute: local`"
        )
    return detail
