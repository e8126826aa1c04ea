"""``pushflow status [CAMPAIGN]``: where each campaign stands.

Per campaign: the applied revision (digest, when, by whom, epoch, status), the local schedule
the daemon keeps and the next occurrences of the applied strategy (from :mod:`pushflow.timing`,
listed while someone will fire them: the daemon, or the service for server tasks still
scheduled), the server tasks, and the last results (sends by state of the latest occurrences).
Campaigns in the project that were never applied are listed as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from pushflow.ledger import Revision, Schedule, ServerTask
from pushflow.lifecycle.history import HEADERS, OccurrenceReport, occurrence_reports
from pushflow.lifecycle.session import CampaignRef, LifecycleSession
from pushflow.lifecycle.tables import shown, table, when
from pushflow.spec.strategy import Strategy
from pushflow.timing import Occurrence, occurrences
from pushflow.timing.occurrence import split_local_key

#: Upcoming occurrences and latest results listed per campaign, by default.
NEXT = 3
LAST = 3

FiredBy = Literal["daemon", "service"]
_STRATEGY: TypeAdapter[Any] = TypeAdapter(Strategy)


def upcoming(
    revision: Revision, now: datetime, count: int, zones: Sequence[str] | None = None
) -> list[Occurrence]:
    """The next ``count`` occurrences of the revision's strategy after ``now`` (one per zone of
    ``zones`` for local-time delivery)."""
    try:
        strategy = _STRATEGY.validate_python(revision.spec.get("strategy"))
    except ValidationError:
        return []
    if isinstance(strategy, str):  # now: fired by apply, never again
        return []
    zone = revision.spec.get("timezone")
    return list(occurrences(strategy, zone, after=now, limit=count, zones=zones))


@dataclass
class CampaignStatus:
    name: str
    file: str | None
    provider: str | None
    app: str | None
    revision: Revision | None
    schedule: Schedule | None = None
    fired_by: FiredBy | None = None
    next: list[Occurrence] = field(default_factory=list)
    server_tasks: list[ServerTask] = field(default_factory=list)
    last: list[OccurrenceReport] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        revision = self.revision
        schedule = self.schedule
        return {
            "name": self.name,
            "file": self.file,
            "provider": self.provider,
            "app": self.app,
            "revision": None
            if revision is None
            else {
                "digest": revision.digest,
                "status": revision.status,
                "applied_at": when(revision.applied_at),
                "applied_by": revision.applied_by,
                "epoch": revision.epoch,
                "audience_digest": revision.audience_digest,
            },
            "schedule": None
            if schedule is None
            else {
                "status": schedule.status,
                "next_fire_at": when(schedule.next_fire_at),
                "updated_at": when(schedule.updated_at),
            },
            "fired_by": self.fired_by,
            "next": [{"key": o.key, "instant": when(o.instant)} for o in self.next],
            "server_tasks": [_task_json(task) for task in self.server_tasks],
            "last": [report.to_json() for report in self.last],
        }

    def to_text(self) -> list[str]:
        where = f" ({self.file})" if self.file else " (no longer in the project)"
        lines = [f"{self.name}{where}"]
        revision = self.revision
        if revision is None:
            return [*lines, "  not applied yet"]
        lines.append(
            f"  revision {revision.digest} ({revision.status}), epoch {revision.epoch}, applied "
            f"{shown(revision.applied_at)} by {revision.applied_by}"
        )
        lines.append(f"  {self.provider} app {self.app}")
        if self.schedule is not None:
            lines.append(f"  local schedule: {self.schedule.status}")
        if self.next:
            who = "the daemon" if self.fired_by == "daemon" else "the service"
            instants = ", ".join(_next(o) for o in self.next)
            lines.append(f"  next (fired by {who}): {instants}")
        if self.server_tasks:
            lines.append("  server tasks:")
            lines += table(
                ("TASK", "APP", "API", "FIRES", "STATUS"),
                [[t.task_id, t.app, t.api, shown(t.fire_at), t.status] for t in self.server_tasks],
                indent="    ",
            )
        if self.last:
            lines.append("  last results:")
            lines += table(HEADERS, [report.row() for report in self.last], indent="    ")
        else:
            lines.append("  nothing has fired yet")
        return lines


def _next(occurrence: Occurrence) -> str:
    """``2026-12-01 08:00 UTC``, and the zone of a local-time occurrence."""
    zone = split_local_key(occurrence.key)[1]
    return shown(occurrence.instant) + (f" ({zone})" if zone else "")


def _task_json(task: ServerTask) -> dict[str, Any]:
    return {
        "task_id": task.task_id,
        "provider": task.provider,
        "app": task.app,
        "api": task.api,
        "occurrence": task.occurrence,
        "fire_at": when(task.fire_at),
        "status": task.status,
    }


@dataclass
class Status:
    state: str
    now: datetime
    campaigns: list[CampaignStatus]

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "now": when(self.now),
            "campaigns": [c.to_json() for c in self.campaigns],
        }

    def to_text(self) -> str:
        if not self.campaigns:
            return f"No campaigns in the project or in {self.state}."
        blocks = ["\n".join(c.to_text()) for c in self.campaigns]
        return "\n\n".join([f"State: {self.state} (at {shown(self.now)})", *blocks])


def campaign_status(
    session: LifecycleSession, ref: CampaignRef, *, next_count: int, last_count: int
) -> CampaignStatus:
    status = CampaignStatus(ref.name, ref.file, ref.provider, ref.app, ref.revision)
    if ref.revision is None or not session.has_state:
        return status
    ledger = session.ledger
    status.schedule = ledger.schedule(ref.name)
    status.server_tasks = ledger.server_tasks(ref.name)
    if status.schedule is not None and status.schedule.status == "active":
        status.fired_by = "daemon"
    elif any(t.status == "scheduled" for t in status.server_tasks):
        status.fired_by = "service"
    if status.fired_by is not None and ref.revision.status == "active":
        zones = status.schedule.trigger.get("zones") if status.schedule is not None else None
        status.next = upcoming(ref.revision, session.now, next_count, zones)
    status.last = occurrence_reports(ledger, ref.name, limit=last_count)
    return status


def status(
    session: LifecycleSession,
    name: str | None = None,
    *,
    next_count: int = NEXT,
    last_count: int = LAST,
) -> Status:
    """The status of campaign ``name`` (refused if unknown), or of every campaign."""
    refs = [session.find(name)] if name is not None else [session.find(n) for n in session.names()]
    found = [
        campaign_status(session, ref, next_count=next_count, last_count=last_count) for ref in refs
    ]
    return Status(session.where, session.now, found)
