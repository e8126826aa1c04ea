"""One occurrence of one campaign, as the daemon handles it.

1. **late?** handled after the campaign's catch-up window it is recorded ``missed`` (if nobody
   recorded it yet, or from ``pending``) and never sent (:mod:`.catchup`);
2. **record** it (``pending``; the key is the identity, so N daemons end up with one row) and stop
   if it is already final (``done``, ``missed``, ``failed``, ``cancelled``);
3. **audience**: the file is read now; if its digest differs from the one recorded at apply, the
   occurrence is *not* sent: it becomes ``failed`` with a log line saying the audience changed
   since apply and a new ``pushflow apply`` is needed. The daemon sends what was reviewed, and a
   changed list was not (``failed`` is final: a later apply schedules the next occurrences, it
   does not resend this one);
4. **fire** it through :func:`pushflow.apply.fire.fire` (claim → call → record), after moving it
   ``pending`` → ``sending``. Other daemons fire it too: the claims split the targets between
   them, and a daemon that lost every claim sends nothing;
5. **settle**: while another process still holds live claims the occurrence stays ``sending``
   (that process, or the sweep after its lease, finishes it); otherwise it becomes ``done``, or
   ``failed`` if any send failed or is unknown.

Every status move is compare-and-set (``only_from``), so two daemons cannot both settle it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pushflow.apply.fire import Firing, fire
from pushflow.apply.sender import Sender
from pushflow.audience import read_audience
from pushflow.audience.zones import zone_column
from pushflow.daemon.catchup import lateness, verdict
from pushflow.daemon.metrics import Metrics
from pushflow.daemon.schedule import LocalSchedule
from pushflow.errors import PushflowError
from pushflow.ledger import Ledger
from pushflow.ledger.records import OccurrenceStatus
from pushflow.spec.loader import LoadedProject
from pushflow.timing import Occurrence

log = logging.getLogger("pushflow.daemon")

FINAL = frozenset({"done", "missed", "cancelled", "failed"})
OPEN: tuple[OccurrenceStatus, ...] = ("pending", "sending")


@dataclass
class OccurrenceHandler:
    """Handles occurrences for one daemon process (one claim owner)."""

    project: LoadedProject
    ledger: Ledger
    sender: Sender
    owner: str
    clock: Callable[[], datetime]
    metrics: Metrics
    concurrency: int = 8
    #: Occurrences this process is sending right now (the sweep leaves them alone).
    active: set[tuple[str, str]] = field(default_factory=set)

    @property
    def root(self) -> Path:
        return self.project.root

    async def handle(self, schedule: LocalSchedule, occurrence: Occurrence) -> str:
        """Handle a due occurrence; the status it was left in (or ``missed``)."""
        name, key = schedule.name, occurrence.key
        now = self.clock()
        late = lateness(occurrence, now)
        fields = {
            "campaign": name,
            "occurrence": key,
            "late_seconds": round(late.total_seconds(), 3),
        }
        if verdict(occurrence, now, schedule.catch_up) == "missed":
            row = await asyncio.to_thread(
                self.ledger.record_occurrence,
                name,
                key,
                occurrence.instant,
                schedule.revision.id,
                status="missed",
                now=now,
            )
            if row.status == "pending":
                await asyncio.to_thread(
                    self.ledger.set_occurrence_status,
                    name,
                    key,
                    "missed",
                    only_from=["pending"],
                    now=now,
                )
            log.warning(
                "occurrence missed: later than the campaign's catch-up window (%s)",
                schedule.catch_up,
                extra={**fields, "event": "missed"},
            )
            self.metrics.outcome("missed")
            return "missed"
        self.metrics.fired(late.total_seconds())
        row = await asyncio.to_thread(
            self.ledger.record_occurrence,
            name,
            key,
            occurrence.instant,
            schedule.revision.id,
            now=now,
        )
        if row.status in FINAL:
            return row.status
        return await self.send(schedule, occurrence)

    async def send(self, schedule: LocalSchedule, occurrence: Occurrence) -> str:
        """Steps 3 to 5 for an occurrence recorded and not final (also the sweep's path)."""
        ident = (schedule.name, occurrence.key)
        self.active.add(ident)
        try:
            return await self._send(schedule, occurrence)
        finally:
            self.active.discard(ident)

    async def _send(self, schedule: LocalSchedule, occurrence: Occurrence) -> str:
        name, key = schedule.name, occurrence.key
        fields = {"campaign": name, "occurrence": key, "revision": schedule.revision.digest}
        try:
            digest = await asyncio.to_thread(self._audience_digest, schedule)
        except PushflowError as error:
            return self._settle_failed(schedule, key, f"cannot read the audience: {error}", fields)
        if digest != schedule.revision.audience_digest:
            return self._settle_failed(
                schedule,
                key,
                "not sent: the audience changed since apply (digest "
                f"{schedule.revision.audience_digest} at apply, {digest} now); run "
                "`pushflow apply` to review and apply the new audience",
                fields,
            )
        self.ledger.set_occurrence_status(name, key, "sending", only_from=["pending"])
        log.info("firing", extra={**fields, "event": "fire"})
        firing = Firing(
            schedule.campaign,
            schedule.path(self.root),
            schedule.locate(self.root),
            occurrence,
            key,
            "local",
        )
        try:
            tally = await fire(
                firing,
                project=self.project,
                ledger=self.ledger,
                sender=self.sender,
                owner=self.owner,
                concurrency=self.concurrency,
                clock=self.clock,
            )
        except PushflowError as error:
            return self._settle_failed(schedule, key, str(error), fields)
        self.metrics.tally(tally.sent, tally.skipped, tally.unknown, tally.failed)
        counts = self.ledger.send_counts(name, key)
        summary = {
            **fields,
            "sent": tally.sent,
            "skipped": tally.skipped,
            "failed": sum(tally.failed.values()),
            "unknown": tally.unknown,
            "resolved": tally.resolved,
        }
        if counts.get("claimed"):
            log.info("fired; other claims still open", extra={**summary, "event": "fired"})
            return "sending"
        status: OccurrenceStatus = (
            "failed" if counts.get("failed") or counts.get("unknown") else "done"
        )
        if self.ledger.set_occurrence_status(name, key, status, only_from=OPEN, now=self.clock()):
            self.metrics.outcome(status)
        level = logging.INFO if status == "done" else logging.ERROR
        log.log(level, f"occurrence {status}", extra={**summary, "event": status})
        return status

    def _audience_digest(self, schedule: LocalSchedule) -> str | None:
        campaign = schedule.campaign
        zones = zone_column(campaign)
        path = schedule.path(self.root)
        with read_audience(campaign.audience, path, self.root, zones=zones) as audience:
            return audience.summary.digest

    def _settle_failed(
        self, schedule: LocalSchedule, key: str, reason: str, fields: Mapping[str, object]
    ) -> str:
        if self.ledger.set_occurrence_status(
            schedule.name, key, "failed", only_from=OPEN, now=self.clock()
        ):
            self.metrics.outcome("failed")
        log.error(reason, extra={**fields, "event": "failed"})
        return "failed"
