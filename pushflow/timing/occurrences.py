"""A strategy's occurrences as pure functions of time: the caller passes ``after`` / ``now``,
as APScheduler's ``get_next_fire_time(previous, now)`` takes its clock as an argument.

Windows are half-open, ``after < instant <= until_instant``: consecutive windows
``(t0, t1], (t1, t2], …`` hand every occurrence to exactly one of them, so a daemon that fires
what is due up to *now* and then asks for the next one after *now* neither repeats nor drops
one. :func:`next_occurrence` is therefore *strictly* after ``now``: an occurrence at exactly
``now`` is due (it is in the window ending at ``now``), not next.

Local-time delivery passes ``zones`` (the time zones of the audience): each wall-clock time then
gives one occurrence per zone, at that zone's instant (same DST rules), keyed ``wall@zone``
(:meth:`Occurrence.in_own_zone`), all zones merged in instant order (then key order).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import islice

from pushflow.spec.strategy import AtStrategy, LoopStrategy, Strategy
from pushflow.timing.loops import loop_occurrences
from pushflow.timing.occurrence import NOW_KEY, Occurrence, as_utc

UTC_ZONE = "UTC"


def _need_zone(zone: str | None, what: str) -> str:
    if not zone:
        raise ValueError(f"{what} needs a time zone (the campaign's `timezone`)")
    return zone


def at_occurrence(at: AtStrategy | datetime, zone: str | None) -> Occurrence:
    """The one occurrence of an ``at`` strategy.

    Without an offset the date-time is a wall-clock time read in ``zone`` (DST rules of
    :mod:`pushflow.timing.occurrence`) and keyed by it; with an offset the instant is kept as
    written and keyed by it in UTC, and ``zone`` (UTC when None) only says whose clock
    :attr:`Occurrence.wall` is read on.
    """
    value = at.at if isinstance(at, AtStrategy) else at
    if value.tzinfo is None:
        return Occurrence.at_wall(value, _need_zone(zone, "an `at` without a UTC offset"))
    return Occurrence.at_instant(value, zone or UTC_ZONE)


def now_occurrence(applied_at: datetime, zone: str | None, *, key: str | None = None) -> Occurrence:
    """The one occurrence of a ``now`` strategy, fired when the campaign is applied.

    Its key is ``now`` (:data:`~pushflow.timing.occurrence.NOW_KEY`): one send per campaign and
    ``epoch``, so a retry after a crash, on any machine, and a content edit applied later all name
    the same send (DESIGN.md). ``applied_at`` (the ledger's record of the apply) is its instant.
    ``key`` overrides the default.
    """
    instant = as_utc(applied_at, "applied_at")
    return Occurrence.at_instant(instant, zone or UTC_ZONE, NOW_KEY if key is None else key)


def occurrences(
    strategy: Strategy,
    zone: str | None,
    *,
    after: datetime,
    until_instant: datetime | None = None,
    limit: int | None = None,
    applied_at: datetime | None = None,
    zones: Sequence[str] | None = None,
) -> Iterator[Occurrence]:
    """The strategy's occurrences with ``after < instant <= until_instant``, in instant order,
    at most ``limit`` of them; lazy.

    ``now`` needs ``applied_at`` (see :func:`now_occurrence`). A loop without ``until`` is
    open-ended: the call needs ``until_instant`` or ``limit`` and raises ``ValueError`` at once
    without one, so no iterator here is ever endless. Datetimes must be timezone-aware.
    ``zones``: local-time delivery, one occurrence per zone (see the module docstring).
    """
    after = as_utc(after, "after")
    end = None if until_instant is None else as_utc(until_instant, "until_instant")
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, got {limit}")
    if zones is not None:
        return _local(strategy, zones, after=after, until_instant=end, limit=limit)
    found: Iterator[Occurrence]
    if isinstance(strategy, LoopStrategy):
        if strategy.until is None and end is None and limit is None:
            raise ValueError(
                "an open-ended loop (no `until`) has endless occurrences: pass until_instant "
                "or limit"
            )
        found = loop_occurrences(
            strategy, _need_zone(zone, "a loop"), after=after, until_instant=end
        )
    else:
        if isinstance(strategy, AtStrategy):
            one = at_occurrence(strategy, zone)
        elif applied_at is None:
            raise ValueError("a `now` strategy fires when applied: pass applied_at")
        else:
            one = now_occurrence(applied_at, zone)
        inside = after < one.instant and (end is None or one.instant <= end)
        found = iter([one] if inside else [])
    return found if limit is None else islice(found, limit)


def _local(
    strategy: Strategy,
    zones: Sequence[str],
    *,
    after: datetime,
    until_instant: datetime | None,
    limit: int | None,
) -> Iterator[Occurrence]:
    """Local-time delivery: each zone's occurrences keyed ``wall@zone``, merged in order."""
    if isinstance(strategy, str):
        raise ValueError("local-time delivery needs an `at` or a loop, not `now`")
    if isinstance(strategy, AtStrategy) and strategy.at.tzinfo is not None:
        raise ValueError("local-time delivery needs an `at` without a UTC offset")
    per_zone = [
        (
            occurrence.in_own_zone()
            for occurrence in occurrences(
                strategy, zone, after=after, until_instant=until_instant, limit=limit
            )
        )
        for zone in sorted(set(zones))
    ]
    merged = heapq.merge(*per_zone, key=lambda occurrence: (occurrence.instant, occurrence.key))
    return merged if limit is None else islice(merged, limit)


def next_occurrence(
    strategy: Strategy,
    zone: str | None,
    now: datetime,
    *,
    applied_at: datetime | None = None,
    zones: Sequence[str] | None = None,
) -> Occurrence | None:
    """The first occurrence strictly after ``now``, or None when there is none left."""
    found = occurrences(strategy, zone, after=now, limit=1, applied_at=applied_at, zones=zones)
    return next(found, None)


def due(
    strategy: Strategy,
    zone: str | None,
    *,
    since: datetime,
    now: datetime,
    applied_at: datetime | None = None,
    zones: Sequence[str] | None = None,
) -> list[Occurrence]:
    """The occurrences that fell due in ``(since, now]``: what a fire at ``now`` sends when the
    previous check was at ``since``. Bounded by ``now``, so safe for open-ended loops."""
    if as_utc(now, "now") < as_utc(since, "since"):
        raise ValueError(f"now {now.isoformat()} is before since {since.isoformat()}")
    return list(
        occurrences(
            strategy, zone, after=since, until_instant=now, applied_at=applied_at, zones=zones
        )
    )
