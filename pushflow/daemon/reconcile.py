"""Reconcile: the schedules in the ledger → the daemon's campaigns and jobs.

On start and whenever the state changes (an apply, a cancel: :meth:`Ledger.state_version`
moves, announced by LISTEN/NOTIFY on PostgreSQL and polled on SQLite), the daemon reads every
active schedule with its revision (:func:`read_schedules`, in a worker thread) and then, on the
event loop, adds the new campaigns, replaces the job of a changed one (keeping its cursor, so no
occurrence is handled twice) and removes the cancelled ones (:func:`reconcile`).

The version is read *before* the schedules: a change committed while they are read moves it
again, so the next wait returns at once and nothing is missed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from pushflow.daemon import jobs
from pushflow.daemon.campaigns import Campaigns
from pushflow.daemon.catchup import resume_from
from pushflow.daemon.jobs import Tick
from pushflow.daemon.reads import revisions_by_id
from pushflow.daemon.schedule import LocalSchedule
from pushflow.ledger import Ledger

log = logging.getLogger("pushflow.daemon")


@dataclass
class Wanted:
    """The schedules the state holds, and where each campaign would resume."""

    version: int
    schedules: dict[str, LocalSchedule]
    resume: dict[str, datetime] = field(default_factory=dict)


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def read_schedules(ledger: Ledger) -> Wanted:
    """Every active local schedule with its revision (a few queries, whatever the count)."""
    version = ledger.state_version()
    rows = ledger.schedules()
    revisions = revisions_by_id(ledger, {row.revision_id for row in rows})
    last = ledger.latest_instants()
    anchors = ledger.first_applied_all()
    wanted = Wanted(version, {})
    for row in rows:
        revision = revisions.get(row.revision_id)
        if revision is None:
            log.error(
                "schedule names a revision the state does not hold; skipped",
                extra={"campaign": row.campaign, "event": "bad-schedule"},
            )
            continue
        schedule = LocalSchedule(row, revision)
        try:
            schedule.strategy  # noqa: B018 - validate now, not at the first fire
            schedule.campaign  # noqa: B018
        except (ValidationError, KeyError) as error:
            log.error(
                f"schedule cannot be read: {error}; skipped",
                extra={"campaign": row.campaign, "event": "bad-schedule"},
            )
            continue
        wanted.schedules[row.campaign] = schedule
        wanted.resume[row.campaign] = resume_from(
            schedule,
            last_recorded=last.get(row.campaign),
            first_applied=anchors.get((row.campaign, schedule.epoch)),
        )
    return wanted


def reconcile(scheduler: Any, campaigns: Campaigns, wanted: Wanted, tick: Tick) -> Changes:
    """Make ``campaigns`` and the scheduler's jobs what ``wanted`` says (on the loop thread)."""
    changes = Changes()
    for name in [name for name in campaigns.entries if name not in wanted.schedules]:
        campaigns.remove(name)
        jobs.remove_job(scheduler, name)
        changes.removed.append(name)
    for name, schedule in wanted.schedules.items():
        entry = campaigns.entries.get(name)
        if entry is not None and entry.schedule.identity == schedule.identity:
            continue
        if entry is None:
            entry = campaigns.put(schedule, wanted.resume[name])
            changes.added.append(name)
        else:
            campaigns.put(schedule, entry.cursor)
            changes.changed.append(name)
        jobs.put_job(scheduler, schedule, entry.cursor, tick)
    return changes


class ChangeWatcher:
    """A thread waiting for state changes; calls ``on_change(version)`` for each one seen."""

    def __init__(
        self, ledger: Ledger, seen: int, on_change: Callable[[int], None], *, poll: float
    ) -> None:
        self._ledger = ledger
        self._seen = seen
        self._on_change = on_change
        self._poll = poll
        self._stop = threading.Event()
        self._last_ok = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="pushflow-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def healthy(self, within: float) -> bool:
        """Whether the state answered in the last ``within`` seconds."""
        return self._thread.is_alive() and time.monotonic() - self._last_ok < within

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                version = self._ledger.wait_for_change(self._seen, self._poll)
            except Exception:
                log.exception("waiting for state changes failed", extra={"event": "watch-error"})
                self._stop.wait(self._poll)
                continue
            self._last_ok = time.monotonic()
            if version != self._seen and not self._stop.is_set():
                self._seen = version
                self._on_change(version)
