"""What will fire and when: the active local schedules' occurrences in the next days.

The same schedules and the same timing functions the daemon uses, read from the state: what
was applied, not the working tree. Server-side schedules are the service's (see ``pushflow
plan``); this lists what a pushflow daemon fires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pushflow.daemon.reconcile import read_schedules
from pushflow.ledger import Ledger
from pushflow.plan.views_summary import count
from pushflow.timing import occurrences

#: At most this many occurrences per campaign (a loop every day for a year is 365).
PER_CAMPAIGN = 1000


@dataclass(frozen=True)
class Upcoming:
    campaign: str
    key: str
    instant: datetime
    local: datetime
    zone: str
    revision: str


def upcoming(ledger: Ledger, *, now: datetime, days: int) -> list[Upcoming]:
    """The occurrences in ``(now, now + days]``, by instant then campaign."""
    until = now + timedelta(days=days)
    found = []
    for name, schedule in read_schedules(ledger).schedules.items():
        for occurrence in occurrences(
            schedule.strategy,
            schedule.zone,
            after=now,
            until_instant=until,
            limit=PER_CAMPAIGN,
            zones=schedule.zones,
        ):
            found.append(
                Upcoming(
                    name,
                    occurrence.key,
                    occurrence.instant,
                    occurrence.local,
                    occurrence.zone,
                    schedule.revision.digest,
                )
            )
    found.sort(key=lambda item: (item.instant, item.campaign))
    return found


def render_text(items: list[Upcoming], *, days: int) -> str:
    if not items:
        return f"Nothing fires in the next {days} days."
    width = max(len(item.campaign) for item in items)
    lines = [
        f"{item.local:%Y-%m-%d %a %H:%M %Z}  {item.instant:%Y-%m-%d %H:%M}Z  "
        f"{item.campaign:<{width}}  {item.key}"
        for item in items
    ]
    campaigns = len({item.campaign for item in items})
    lines.append(
        f"{count(len(items), 'occurrence')} of {count(campaigns, 'campaign')} "
        f"in the next {count(days, 'day')}."
    )
    return "\n".join(lines)
