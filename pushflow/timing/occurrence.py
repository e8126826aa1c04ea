"""One send of a campaign in time: :class:`Occurrence`, its stable key, and the wall-clock rules.

A campaign says *when* in one of two ways, and the key is built from what it pins:

- a **wall-clock time in a zone** (every loop, an ``at`` without an offset): the key is that wall
  time, ``2026-12-01T08:00``. Not the instant, because the instant is derived from the zone's
  rules, and two readings of one wall time must stay one send: at DST fall-back 01:30 happens twice
  (both readings have the key ``2026-11-01T01:30``, so the ledger sends it once, whichever instant
  a process computed), and a tzdata update that moves a future offset moves the instant of an
  already recorded occurrence without making it a new one;
- an **instant** (an ``at`` with an offset, a ``now`` apply): the key is that instant in UTC,
  ``2026-12-01T00:00Z``, whatever the campaign's ``timezone`` says (changing the zone must not
  resend a push pinned to an instant);
- **local time** (``local_time: true``, one occurrence per zone of the audience): the wall-clock
  key and the target zone, ``2026-12-01T09:00@Europe/Berlin``: distinct per zone, each with its
  own instant and status. The *send* is the wall-clock part (:func:`send_key`): the idempotency
  keys of a target's send derive from it, so a target that moves to another zone after its send
  does not get the same wall-clock occurrence again;
- **now**: the key is ``now``. With the campaign name and ``epoch`` in every idempotency key,
  that is one send per epoch, whenever and however often the campaign is applied: a content edit
  applied later must not resend (DESIGN.md), and bumping ``epoch`` resends on purpose.

Wall-clock rules (PEP 495 ``fold``, see ``docs/timing.md``):

- a wall time that does not exist (spring forward) fires shifted forward by the gap: New York
  2027-03-14 02:30 fires at 03:30 EDT, as cron and most schedulers do;
- a wall time that happens twice (fall back) fires once, at the first reading (``fold=0``):
  New York 2026-11-01 01:30 fires at 01:30 EDT, not again at 01:30 EST;
- a day a zone skips whole (Pacific/Apia 2011-12-30, gap of 24 hours) has no loop occurrences,
  as a 31st has none in April; an ``at`` on it is shifted like any other gap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

WHOLE_DAY = timedelta(days=1)
NOW_KEY = "now"
#: Between the wall-clock key and the zone in a local-time occurrence key.
ZONE_SEPARATOR = "@"
_LOCAL_KEY = re.compile(
    r"^(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{6})?)?)@([A-Za-z][A-Za-z0-9_+\-/]*)$"
)


def as_utc(value: datetime, name: str = "datetime") -> datetime:
    """``value`` in UTC; a naive datetime is refused (every instant here is explicit)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _offset(value: datetime) -> timedelta:
    offset = value.utcoffset()
    assert offset is not None  # an aware datetime (ZoneInfo always answers)
    return offset


def gap(wall: datetime, zone: ZoneInfo) -> timedelta:
    """How far the zone's clock jumps over ``wall``: positive inside a spring-forward gap,
    negative inside a fall-back fold, zero for an ordinary wall time."""
    naive = wall.replace(tzinfo=None)
    return _offset(naive.replace(tzinfo=zone, fold=1)) - _offset(naive.replace(tzinfo=zone, fold=0))


def resolve_wall(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant a naive wall-clock time in ``zone`` fires at.

    ``fold=0`` reads a wall time with the offset in force *before* the transition, which gives
    both rules at once: inside a gap that instant is the wall time shifted forward by the gap
    (02:30 EST = 03:30 EDT); inside a fold it is the first of the two readings.
    """
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def day_skipped(wall: datetime, zone: ZoneInfo) -> bool:
    """Whether ``wall`` lies in a gap of a whole day or more (the zone skipped its date)."""
    return gap(wall, zone) >= WHOLE_DAY


def _iso(value: datetime) -> str:
    """``2026-12-01T08:00``; seconds and microseconds only when they are not zero."""
    if value.microsecond:
        return value.isoformat(timespec="microseconds")
    return value.isoformat(timespec="seconds" if value.second else "minutes")


def wall_key(wall: datetime) -> str:
    """The key of an occurrence pinned to a wall-clock time: ``2026-12-01T08:00``."""
    return _iso(wall.replace(tzinfo=None))


def local_key(wall: str, zone: str) -> str:
    """The key of a local-time occurrence: ``2026-12-01T09:00@Europe/Berlin``."""
    return f"{wall}{ZONE_SEPARATOR}{zone}"


def split_local_key(key: str) -> tuple[str, str | None]:
    """``(wall-clock key, zone)`` of a local-time key; ``(key, None)`` for any other key."""
    found = _LOCAL_KEY.match(key)
    return (key, None) if found is None else (found[1], found[2])


def send_key(key: str) -> str:
    """What names the *send* of an occurrence key: the wall-clock part of a local-time key
    (the send is the same whichever zone the target is in), the key itself otherwise."""
    return split_local_key(key)[0]


def instant_key(instant: datetime) -> str:
    """The key of an occurrence pinned to an instant: ``2026-12-01T00:00Z`` (UTC)."""
    return _iso(as_utc(instant).replace(tzinfo=None)) + "Z"


@dataclass(frozen=True)
class Occurrence:
    """One send of a campaign.

    ``instant`` is when it fires (aware, UTC). ``wall`` is the naive wall-clock time in ``zone``
    it is scheduled for: the loop's or the ``at``'s own time, kept as written even when DST
    shifts the firing (``wall`` 02:30, :attr:`local` 03:30). ``key`` identifies the send across
    machines and restarts (see the module docstring); the compile stage adds the campaign name,
    target and epoch to it.
    """

    instant: datetime
    wall: datetime
    zone: str
    key: str

    def __post_init__(self) -> None:
        if self.instant.utcoffset() != timedelta(0):
            raise ValueError(f"Occurrence.instant must be in UTC, got {self.instant.isoformat()}")
        if self.wall.tzinfo is not None:
            raise ValueError(f"Occurrence.wall must be naive, got {self.wall.isoformat()}")

    @property
    def local(self) -> datetime:
        """The firing instant on the zone's clock (aware): what a wall clock shows then."""
        return self.instant.astimezone(ZoneInfo(self.zone))

    @property
    def shifted(self) -> bool:
        """Whether the zone's clock shows another time than ``wall`` when it fires (DST gap)."""
        return self.local.replace(tzinfo=None) != self.wall

    @classmethod
    def at_wall(cls, wall: datetime, zone: str) -> Occurrence:
        """The occurrence of a wall-clock time in ``zone``, keyed by that wall time."""
        naive = wall.replace(tzinfo=None, fold=0)
        return cls(resolve_wall(naive, ZoneInfo(zone)), naive, zone, wall_key(naive))

    def in_own_zone(self) -> Occurrence:
        """This wall-clock occurrence keyed for local-time delivery: ``key@zone``."""
        return replace(self, key=local_key(self.key, self.zone))

    @classmethod
    def at_instant(cls, instant: datetime, zone: str, key: str | None = None) -> Occurrence:
        """The occurrence of an instant, seen on ``zone``'s clock, keyed by the instant unless
        ``key`` is given."""
        utc = as_utc(instant, "instant")
        wall = utc.astimezone(ZoneInfo(zone)).replace(tzinfo=None, fold=0)
        return cls(utc, wall, zone, instant_key(utc) if key is None else key)
