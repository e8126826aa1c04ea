"""Schedules built in memory, a recording handler and a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pushflow.daemon.campaigns import Campaigns
from pushflow.daemon.schedule import LocalSchedule
from pushflow.ledger import Revision, Schedule
from pushflow.timing import Occurrence

APPLIED = datetime(2026, 1, 1, tzinfo=UTC)


def local_schedule(
    strategy: dict[str, Any],
    zone: str,
    *,
    name: str = "loop",
    revision_id: int = 1,
    catch_up: str | None = None,
) -> LocalSchedule:
    spec: dict[str, Any] = {
        "name": name,
        "provider": "emas",
        "app": "shop-emas",
        "timezone": zone,
        "strategy": strategy,
        "message": {"kind": "notice", "title": "Hi", "body": "Hello"},
        "audience": {"kind": "all", "device_type": "android"},
    }
    if catch_up:
        spec["catch_up"] = catch_up
    trigger = {"strategy": strategy, "timezone": zone, "epoch": 0, "file": f"campaigns/{name}.yaml"}
    return LocalSchedule(
        Schedule(name, revision_id, trigger, None, "active", APPLIED),
        Revision(revision_id, name, f"rev{revision_id}", spec, None, 0, "active", APPLIED, "me"),
    )


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class Recorder:
    """A handler that records what it was asked to fire."""

    def __init__(self) -> None:
        self.fired: list[tuple[str, str, datetime]] = []

    async def __call__(self, schedule: LocalSchedule, occurrence: Occurrence) -> str:
        self.fired.append((schedule.name, occurrence.key, occurrence.instant))
        return "done"

    @property
    def keys(self) -> list[str]:
        return [key for _, key, _ in self.fired]


async def walk(
    schedule: LocalSchedule, start: datetime, end: datetime, step: timedelta
) -> Recorder:
    """Run the campaign's job at every ``step`` from ``start`` to ``end`` (as a daemon whose
    timer fires every step would)."""
    recorder = Recorder()
    clock = Clock(start)
    campaigns = Campaigns(recorder, clock)
    campaigns.put(schedule, start)
    while clock.now < end:
        clock.move(seconds=step.total_seconds())
        await campaigns.tick(schedule.name)
    return recorder
