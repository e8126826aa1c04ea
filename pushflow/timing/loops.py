"""Loop calendars: which days a ``loop`` strategy sends on, and its occurrences between two
instants.

A loop sends at one wall-clock time on every matching day from ``from`` (inclusive) to ``until``
(inclusive): mPaaS's loop window, "from the start day's 0:00 to the end day's 24:00", counted in
the campaign's zone. Matching days:

- ``every: day``: every day;
- ``every: week``: the ISO weekdays of ``on`` (Monday = 1 … Sunday = 7, mPaaS's numbering);
- ``every: month``: the days of ``on``; a month without that day is skipped (no 31st in April, a
  29th in February only in leap years), never moved to the month's last day.

Days are walked one at a time from the first one that can lie after ``after``: enumeration is
lazy, starts near ``after`` however old the loop is, and never runs unbounded (``until``,
``until_instant`` or the caller's ``limit`` must end it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pushflow.spec.strategy import LoopStrategy
from pushflow.spec.units import WEEKDAYS
from pushflow.timing.occurrence import Occurrence, as_utc, day_skipped

Every = Literal["day", "week", "month"]
ONE_DAY = timedelta(days=1)
#: More than any UTC offset (±14 h) plus any DST shift: a margin when turning instants into days.
DAY_MARGIN = timedelta(days=2)
MIN_UTC = datetime.min.replace(tzinfo=UTC)


def circle(loop: LoopStrategy) -> tuple[Every, tuple[int, ...]]:
    """The loop's period and its day numbers, sorted: ``()`` for daily, ISO weekdays 1–7 for
    weekly, days of the month 1–31 for monthly. Raises ``ValueError`` for a combination
    ``pushflow validate`` reports (``loop-days-*``)."""
    on = loop.on or []
    if loop.every == "day":
        if on:
            raise ValueError("a daily loop takes no `on`")
        return "day", ()
    if not on:
        raise ValueError(f"a {loop.every}ly loop needs `on`")
    if loop.every == "week":
        if not all(isinstance(day, str) for day in on):
            raise ValueError("weekly `on` takes weekdays mon … sun")
        return "week", tuple(sorted({WEEKDAYS.index(str(day)) + 1 for day in on}))
    if not all(isinstance(day, int) and 1 <= day <= 31 for day in on):
        raise ValueError("monthly `on` takes days 1 … 31")
    return "month", tuple(sorted({int(day) for day in on}))


def day_matcher(every: Every, numbers: tuple[int, ...]) -> Callable[[date], bool]:
    """A test for one calendar day of a loop given by :func:`circle`."""
    wanted = frozenset(numbers)
    if every == "day":
        return lambda day: True
    if every == "week":
        return lambda day: day.isoweekday() in wanted
    return lambda day: day.day in wanted


def days_between(first: date, last: date) -> Iterator[date]:
    """``first`` … ``last`` inclusive, lazily, without overflowing at ``date.max``."""
    day = first
    while day <= last:
        yield day
        if day == last:
            return
        day += ONE_DAY


def loop_days(loop: LoopStrategy, first: date, last: date) -> Iterator[date]:
    """The loop's matching days within ``first`` … ``last`` and its own ``from`` … ``until``."""
    matches = day_matcher(*circle(loop))
    start = max(first, loop.from_)
    end = last if loop.until is None else min(last, loop.until)
    return (day for day in days_between(start, end) if matches(day))


def loop_occurrences(
    loop: LoopStrategy,
    zone: str,
    *,
    after: datetime,
    until_instant: datetime | None = None,
) -> Iterator[Occurrence]:
    """The loop's occurrences with ``after < instant <= until_instant``, in order.

    Without ``until_instant`` and ``until`` the iterator is endless: the caller bounds it (see
    :func:`pushflow.timing.occurrences`, which refuses to return an unbounded one).
    """
    tz = ZoneInfo(zone)
    after = as_utc(after, "after")
    end = None if until_instant is None else as_utc(until_instant, "until_instant")
    first = loop.from_
    if after - MIN_UTC > DAY_MARGIN and after.date() - DAY_MARGIN > first:
        first = after.date() - DAY_MARGIN
    last = date.max
    if end is not None and date.max - end.date() > DAY_MARGIN:
        last = end.date() + DAY_MARGIN
    for day in loop_days(loop, first, last):
        wall = datetime.combine(day, loop.at)
        if day_skipped(wall, tz):
            continue
        occurrence = Occurrence.at_wall(wall, zone)
        if end is not None and occurrence.instant > end:
            return
        if occurrence.instant > after:
            yield occurrence
