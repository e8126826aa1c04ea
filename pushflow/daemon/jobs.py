"""APScheduler, configured explicitly, and the jobs derived from the ledger's schedules.

One job per campaign with a local schedule, id = the campaign name, its trigger the campaign's
occurrences (:mod:`.trigger`). The job store is APScheduler's memory store: jobs are derived
from the ledger on every start and every state change, never pickled, never shared (APScheduler
3's FAQ: a job store cannot be shared between processes). The ledger is the truth.

The settings, and why:

- ``misfire_grace_time=None``: APScheduler never drops a late run. Whether a late occurrence is
  still sent is the campaign's ``catch_up`` window, decided per occurrence (:mod:`.catchup`);
- ``coalesce=True``: late runs collapse into one, which handles every occurrence due since the
  campaign's cursor (so nothing is lost by coalescing);
- ``max_instances=1``: one run per campaign at a time; a run that lasts past the next occurrence
  loops until nothing more is due (:meth:`.campaigns.Campaigns.tick`);
- no jitter: occurrences fire at their instant;
- ``timezone=UTC``: every instant here is UTC; zones are the timing module's business.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from pushflow.daemon.schedule import LocalSchedule
from pushflow.daemon.trigger import OccurrenceTrigger

JOB_DEFAULTS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}

Tick = Callable[[str], Awaitable[None]]


def new_scheduler() -> Any:
    """An AsyncIOScheduler (started on the running loop) with the settings above."""
    return AsyncIOScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": AsyncIOExecutor()},
        job_defaults=JOB_DEFAULTS,
        timezone=UTC,
    )


def put_job(scheduler: Any, schedule: LocalSchedule, after: datetime, tick: Tick) -> Any:
    """Add or replace the campaign's job: ``tick(name)`` at each occurrence after ``after``."""
    return scheduler.add_job(
        tick,
        OccurrenceTrigger(schedule.strategy, schedule.zone, after, schedule.zones),
        args=(schedule.name,),
        id=schedule.name,
        name=schedule.name,
        replace_existing=True,
        **JOB_DEFAULTS,
    )


def remove_job(scheduler: Any, name: str) -> None:
    if scheduler.get_job(name) is not None:
        scheduler.remove_job(name)


def next_fire(scheduler: Any) -> datetime | None:
    """The earliest next run time of any job."""
    times = [job.next_run_time for job in scheduler.get_jobs() if job.next_run_time]
    return min(times) if times else None
