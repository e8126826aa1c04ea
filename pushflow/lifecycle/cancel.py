"""``pushflow cancel CAMPAIGN``: stop the campaign's pending scheduled work, here and on the
service, under the apply lock.

- the local schedule (the daemon's) is cancelled;
- every server task still ``scheduled`` is cancelled on the service (mPaaS CancelPushScheduler,
  EMAS CancelPush) through :func:`pushflow.apply.cancel.cancel_server_tasks`, the code apply
  uses for a removed campaign; one whose fire time has passed is marked ``fired`` instead;
- occurrences that nothing will fire any more are marked ``cancelled``: pending future ones
  with no sends, and server occurrences (``done`` once their tasks were scheduled) whose tasks
  are all cancelled. Sends already made stay.

The applied revision stays as it is, so the next ``pushflow apply`` of the unchanged campaign
does not schedule it again; change the campaign (or bump ``epoch``) to schedule it anew.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from pushflow.apply.cancel import TasksCancelled, cancel_server_tasks
from pushflow.ledger import Ledger, ServerTask
from pushflow.lifecycle.session import LifecycleSession
from pushflow.lifecycle.tables import shown, table, when


@dataclass
class Cancelled:
    campaign: str
    schedule: bool
    tasks: list[ServerTask] = field(default_factory=list)
    occurrences: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign,
            "schedule_cancelled": self.schedule,
            "server_tasks": [
                {
                    "task_id": t.task_id,
                    "app": t.app,
                    "api": t.api,
                    "fire_at": when(t.fire_at),
                    "status": t.status,
                }
                for t in self.tasks
            ],
            "occurrences_cancelled": self.occurrences,
            "problems": self.problems,
        }

    def to_text(self) -> str:
        if not self.schedule and not self.tasks and not self.occurrences and not self.problems:
            return f"{self.campaign}: no pending scheduled work; nothing to cancel."
        lines = [f"{self.campaign}:"]
        if self.schedule:
            lines.append("  local schedule cancelled (the daemon will not fire it)")
        if self.tasks:
            lines.append("  server tasks:")
            rows = [[t.task_id, t.app, t.api, shown(t.fire_at), t.status] for t in self.tasks]
            lines += table(("TASK", "APP", "API", "FIRES", "NOW"), rows, indent="    ")
        if self.occurrences:
            lines.append(f"  occurrences cancelled: {', '.join(self.occurrences)}")
        lines += [f"  problem: {problem}" for problem in self.problems]
        return "\n".join(lines)


def _settle_occurrences(session: LifecycleSession, ledger: Ledger, campaign: str) -> list[str]:
    """Mark ``cancelled`` the pending occurrences nothing will fire any more."""
    tasks = ledger.server_tasks(campaign)
    settled = []
    for occurrence in ledger.occurrences(campaign, statuses=["pending"]):
        own = [t for t in tasks if t.occurrence == occurrence.key]
        if own:
            stop = all(t.status == "cancelled" for t in own)
        else:
            stop = occurrence.instant > session.now and not ledger.send_counts(
                campaign, occurrence.key
            )
        if stop and ledger.set_occurrence_status(
            campaign, occurrence.key, "cancelled", only_from=["pending"], now=session.now
        ):
            settled.append(occurrence.key)
    return settled


async def _cancel_tasks(session: LifecycleSession, campaign: str) -> TasksCancelled:
    try:
        return await cancel_server_tasks(
            session.ledger, campaign, session.client, session.apps, keep=None, now=session.now
        )
    finally:
        await session.aclose()


def cancel(session: LifecycleSession, name: str, *, lock_timeout: float = 30.0) -> Cancelled:
    """Cancel the pending scheduled work of campaign ``name``."""
    session.applied(name)
    ledger = session.ledger
    with ledger.apply_lock(timeout=lock_timeout):
        pending = {t.id for t in ledger.server_tasks(name, statuses=["scheduled"])}
        schedule = ledger.cancel_schedule(name, now=session.now)
        done = asyncio.run(_cancel_tasks(session, name)) if pending else TasksCancelled()
        tasks = [t for t in ledger.server_tasks(name) if t.id in pending]
        occurrences = [*done.occurrences, *_settle_occurrences(session, ledger, name)]
    return Cancelled(name, schedule, tasks, occurrences, done.problems)
