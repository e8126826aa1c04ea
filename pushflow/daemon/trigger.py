"""An APScheduler trigger whose fire times are a campaign's occurrences.

APScheduler asks ``get_next_fire_time(previous_fire_time, now)``; the answer is the strategy's
first occurrence strictly after ``previous_fire_time`` (or, before the first fire, after the
point the campaign resumes from: :mod:`.catchup`). Time comes in as an argument, and the DST,
month-end and window rules are the timing module's (:mod:`pushflow.timing`), so the trigger
holds no calendar logic and a fall-back time, one occurrence key, is one fire. With ``zones``
(local-time delivery) it fires at each zone's occurrence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from apscheduler.triggers.base import BaseTrigger

from pushflow.spec.strategy import Strategy
from pushflow.timing import next_occurrence


class OccurrenceTrigger(BaseTrigger):  # type: ignore[misc]  # apscheduler has no stubs
    """Fires at each occurrence of ``strategy`` in ``zone`` strictly after ``after``."""

    __slots__ = ("after", "strategy", "zone", "zones")

    def __init__(
        self,
        strategy: Strategy,
        zone: str | None,
        after: datetime,
        zones: Sequence[str] | None = None,
    ) -> None:
        self.strategy = strategy
        self.zone = zone
        self.after = after
        self.zones = zones

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        since = previous_fire_time or self.after
        found = next_occurrence(self.strategy, self.zone, max(since, self.after), zones=self.zones)
        return None if found is None else found.instant

    def __str__(self) -> str:
        return f"occurrences after {self.after.isoformat()}"

    def __repr__(self) -> str:
        return f"<OccurrenceTrigger {self.strategy!r} zone={self.zone!r} after={self.after!r}>"
