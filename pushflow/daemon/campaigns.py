"""The campaigns a daemon runs: each one's schedule and cursor, and the run of its job.

A job's run (:meth:`Campaigns.tick`) does not trust the time APScheduler ran it at: it handles
``due(since=cursor, now=clock())``, every occurrence in the half-open window since the cursor, in
order, each with its key, then moves the cursor to ``now``. A coalesced late run, a run that
lasted past the next occurrence, a restart: each handles exactly what it owes, no occurrence
twice, none skipped. It reads the campaign's entry again before each occurrence, so a revision
applied meanwhile (reconcile replaces :attr:`Entry.schedule` in place) takes effect at the next
occurrence, and the one in flight finishes with the revision it started with.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from pushflow.daemon.schedule import LocalSchedule
from pushflow.timing import Occurrence, due

log = logging.getLogger("pushflow.daemon")

Handle = Callable[[LocalSchedule, Occurrence], Awaitable[str]]


@dataclass
class Entry:
    schedule: LocalSchedule
    #: Every occurrence at or before this instant has been handled.
    cursor: datetime


class Campaigns:
    """Schedules and cursors by campaign name; runs a campaign's due occurrences."""

    def __init__(self, handle: Handle, clock: Callable[[], datetime]) -> None:
        self.entries: dict[str, Entry] = {}
        self._handle = handle
        self._clock = clock

    def __contains__(self, name: str) -> bool:
        return name in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def put(self, schedule: LocalSchedule, cursor: datetime) -> Entry:
        """Add a campaign, or give an existing one its new schedule (keeping its cursor)."""
        entry = self.entries.get(schedule.name)
        if entry is None:
            entry = self.entries[schedule.name] = Entry(schedule, cursor)
        else:
            entry.schedule = schedule
        return entry

    def remove(self, name: str) -> None:
        self.entries.pop(name, None)

    async def tick(self, name: str) -> int:
        """Handle every occurrence of ``name`` due since its cursor; how many were handled."""
        handled = 0
        while (entry := self.entries.get(name)) is not None:
            now = self._clock()
            if now < entry.cursor:
                return handled  # the clock went back: nothing is due before the cursor
            schedule = entry.schedule
            window = due(
                schedule.strategy, schedule.zone, since=entry.cursor, now=now, zones=schedule.zones
            )
            if not window:
                entry.cursor = now
                return handled
            for occurrence in window:
                current = self.entries.get(name)
                if current is not entry:
                    return handled  # removed while running
                try:
                    await self._handle(entry.schedule, occurrence)
                except Exception:
                    # The occurrence stays pending/sending in the ledger: the sweep retries it.
                    log.exception(
                        "handling the occurrence failed",
                        extra={"campaign": name, "occurrence": occurrence.key, "event": "error"},
                    )
                entry.cursor = max(entry.cursor, occurrence.instant)
                handled += 1
            entry.cursor = max(entry.cursor, now)
        return handled
