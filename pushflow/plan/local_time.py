"""Local-time delivery in a plan: which zone occurrences a plan lists, which are already due on
apply, which were missed, and what a reviewer is warned about.

A local-time ``at`` lists every zone's occurrence however far ahead (as a plain ``at``), plus the
zones already due when planned but at most the campaign's ``catch_up`` late: apply sends those at
once (:func:`fires_on_apply`); zones later than that are not sent (:func:`missed_zones`). A loop
lists the zones' occurrences within the horizon, as any loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pushflow.spec.campaign import EmasCampaign, MpaasCampaign
from pushflow.spec.strategy import AtStrategy
from pushflow.spec.units import format_duration
from pushflow.timing import Occurrence, occurrences
from pushflow.timing.loops import MIN_UTC
from pushflow.timing.occurrence import split_local_key

Campaign = MpaasCampaign | EmasCampaign


def local_time_occurrences(
    campaign: Campaign, zones: Sequence[str], *, now: datetime, horizon: timedelta
) -> list[Occurrence]:
    """The zone occurrences a plan lists (see the module docstring), in instant order."""
    strategy, zone = campaign.strategy, campaign.timezone
    assert not isinstance(strategy, str)
    if isinstance(strategy, AtStrategy):  # every zone's one occurrence, however far ahead
        after, until = now - campaign.catch_up_window(), None
    else:
        after, until = now, now + horizon
    return list(occurrences(strategy, zone, after=after, until_instant=until, zones=zones))


def fires_on_apply(occurrence: Occurrence, now: datetime) -> bool:
    """Whether a listed local-time ``at`` occurrence is already due: apply sends it."""
    return occurrence.instant <= now


def local_next(
    campaign: Campaign, zones: Sequence[str], now: datetime, listed: Sequence[Occurrence]
) -> Occurrence | None:
    """The next local-time occurrence after ``now`` (in ``listed``, or beyond the horizon)."""
    upcoming = [o for o in listed if o.instant > now]
    if upcoming or isinstance(campaign.strategy, str):
        return upcoming[0] if upcoming else None
    return next(
        occurrences(campaign.strategy, campaign.timezone, after=now, limit=1, zones=zones), None
    )


def missed_zones(campaign: Campaign, zones: Sequence[str], now: datetime) -> list[str]:
    """The zones whose local-time ``at`` passed more than the catch-up window before ``now``."""
    strategy = campaign.strategy
    if not isinstance(strategy, AtStrategy) or not campaign.local_time():
        return []
    late = now - campaign.catch_up_window()
    return [
        occurrence.zone
        for occurrence in occurrences(strategy, campaign.timezone, after=MIN_UTC, zones=zones)
        if occurrence.instant <= late
    ]


def local_warnings(
    campaign: Campaign,
    zones: dict[str, int],
    now: datetime,
    listed: list[Occurrence],
    moved: dict[str, int],
) -> list[str]:
    """What a reviewer should know: zones missed, zones sent late on apply, targets already sent
    a wall-clock time in another zone (``moved``: occurrence key → targets)."""
    warnings = []
    missed = missed_zones(campaign, list(zones), now)
    if missed:
        targets = sum(zones[zone] for zone in missed)
        window = format_duration(campaign.catch_up_window())
        warnings.append(
            f"`at` passed more than the catch-up window ({window}) ago in "
            f"{', '.join(missed)}: their {targets} targets are not sent"
        )
    if any(fires_on_apply(o, now) for o in listed):
        late = [o.zone for o in listed if fires_on_apply(o, now)]
        warnings.append(f"`at` is already due in {', '.join(late)}: sent late, on apply")
    for key, count in moved.items():
        wall, zone = split_local_key(key)
        warnings.append(
            f"{count} target{'' if count == 1 else 's'} of {zone} already had {wall} in another "
            "time zone (moved since): not sent again"
        )
    return warnings
