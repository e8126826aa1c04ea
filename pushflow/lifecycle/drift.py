"""``pushflow drift``: scheduled work the state and the service disagree on.

For every mPaaS app a campaign uses (in the project or in the state), the service's scheduled
tasks not yet executed (``QueryPushSchedulerList``, by push time from a day ago to 181 days ahead:
loops end at most 180 days out) are grouped by their main task id (``parentId``: what pushflow
records) and compared with the state's server tasks:

- **unknown to the state**: a pending task no campaign recorded — created in the console, by
  another tool, or by an apply whose record was lost;
- **missing on the service**: a task the state holds as ``scheduled`` with a fire time still
  ahead, which the service no longer has (cancelled in the console, or expired);
- **stopped in the state**: a task the state holds as ``cancelled``, ``fired`` or ``failed``
  that the service will still push.

EMAS apps are not compared: EMAS has no operation that lists timed pushes not yet sent
(``QueryPushRecords`` lists pushes by creation time, with a status the API does not document).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pushflow.ledger import ServerTask
from pushflow.lifecycle.session import LifecycleSession
from pushflow.lifecycle.tables import shown, table, when
from pushflow.providers import MpaasClient
from pushflow.providers.mpaas_models import QueryPushSchedulerListRequest, ScheduledPush
from pushflow.spec.project import MpaasApp

PAGE = 500
LOOKBACK = timedelta(days=1)
AHEAD = timedelta(days=181)
EMAS_REASON = "EMAS has no operation listing timed pushes not yet sent"


@dataclass
class Pending:
    """A scheduled task on the service: a main task id and its sub-tasks not yet executed."""

    app: str
    task_id: str
    pending: int
    next_push_at: datetime | None
    title: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "app": self.app,
            "task_id": self.task_id,
            "pending": self.pending,
            "next_push_at": when(self.next_push_at),
            "title": self.title,
        }


@dataclass
class Drift:
    state: str
    now: datetime
    apps: list[str] = field(default_factory=list)
    unknown: list[Pending] = field(default_factory=list)
    missing: list[ServerTask] = field(default_factory=list)
    stopped: list[tuple[ServerTask, Pending]] = field(default_factory=list)
    not_compared: dict[str, str] = field(default_factory=dict)

    @property
    def in_sync(self) -> bool:
        return not self.unknown and not self.missing and not self.stopped

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "now": when(self.now),
            "apps": self.apps,
            "in_sync": self.in_sync,
            "unknown_to_state": [p.to_json() for p in self.unknown],
            "missing_on_service": [_task(t) for t in self.missing],
            "stopped_in_state": [
                {**_task(t), "pending": p.pending, "next_push_at": when(p.next_push_at)}
                for t, p in self.stopped
            ],
            "not_compared": [{"app": a, "reason": r} for a, r in self.not_compared.items()],
        }

    def to_text(self) -> str:
        lines = [f"Compared {', '.join(self.apps) or 'no mPaaS app'} with {self.state}."]
        if self.unknown:
            lines.append("On the service, unknown to the state:")
            rows = [
                [p.app, p.task_id, str(p.pending), shown(p.next_push_at), p.title or ""]
                for p in self.unknown
            ]
            lines += table(("APP", "TASK", "PENDING", "NEXT PUSH", "TITLE"), rows)
        if self.missing:
            lines.append("In the state as scheduled, missing on the service:")
            rows = [[t.campaign, t.app, t.task_id, shown(t.fire_at)] for t in self.missing]
            lines += table(("CAMPAIGN", "APP", "TASK", "FIRES"), rows)
        if self.stopped:
            lines.append("Stopped in the state, still pending on the service:")
            rows = [
                [t.campaign, t.app, t.task_id, t.status, shown(p.next_push_at)]
                for t, p in self.stopped
            ]
            lines += table(("CAMPAIGN", "APP", "TASK", "STATE SAYS", "NEXT PUSH"), rows)
        lines += [f"Not compared: {app}: {reason}." for app, reason in self.not_compared.items()]
        if self.in_sync:
            lines.append("No drift: the state and the service agree.")
        return "\n".join(lines)


def _task(task: ServerTask) -> dict[str, Any]:
    return {
        "campaign": task.campaign,
        "app": task.app,
        "task_id": task.task_id,
        "occurrence": task.occurrence,
        "fire_at": when(task.fire_at),
        "status": task.status,
    }


def _instant(millis: int | None) -> datetime | None:
    return None if millis is None else datetime.fromtimestamp(millis / 1000, UTC)


async def pending_tasks(
    client: MpaasClient, name: str, app: MpaasApp, now: datetime
) -> dict[str, Pending]:
    """The app's scheduled tasks not yet executed, by main task id."""
    scope = {"app_id": app.app_id, "workspace_id": app.workspace_id, "tenant_id": app.tenant_id}
    start, end = int((now - LOOKBACK).timestamp() * 1000), int((now + AHEAD).timestamp() * 1000)
    items: list[ScheduledPush] = []
    page = 1
    while True:
        answer = await client.query_push_scheduler_list(
            QueryPushSchedulerListRequest(
                start_time=start, end_time=end, page_number=page, page_size=PAGE, **scope
            )
        )
        data = answer.result_content.data if answer.result_content else None
        batch = data.items if data is not None else []
        items += batch
        total = data.total_count if data is not None and data.total_count is not None else 0
        if not batch or len(items) >= total:
            break
        page += 1
    found: dict[str, Pending] = {}
    for item in items:
        if str(item.executed_status) != "0":
            continue
        key = item.parent_id or item.unique_id or ""
        at = _instant(item.push_time)
        entry = found.setdefault(key, Pending(name, key, 0, at, item.push_title))
        entry.pending += 1
        if at is not None and (entry.next_push_at is None or at < entry.next_push_at):
            entry.next_push_at = at
    return found


def _campaign_apps(session: LifecycleSession, tasks: list[ServerTask]) -> list[str]:
    names = {task.app for task in tasks}
    for name in session.names():
        ref = session.find(name)
        names.add(ref.app or session.app_in_project(name) or "")
    return sorted(name for name in names if name in session.apps)


async def _compare(session: LifecycleSession, result: Drift, tasks: list[ServerTask]) -> None:
    try:
        for name in result.apps:
            app = session.apps[name]
            client = session.client(name)
            if not isinstance(app, MpaasApp) or not isinstance(client, MpaasClient):
                continue
            pending = await pending_tasks(client, name, app, session.now)
            mine = [t for t in tasks if t.app == name and t.provider == "mpaas"]
            known = {t.task_id for t in mine}
            result.unknown += [p for key, p in sorted(pending.items()) if key not in known]
            for task in mine:
                if task.status == "scheduled":
                    ahead = task.fire_at is None or task.fire_at > session.now
                    if ahead and task.task_id not in pending:
                        result.missing.append(task)
                elif task.task_id in pending:
                    result.stopped.append((task, pending[task.task_id]))
    finally:
        await session.aclose()


def drift(session: LifecycleSession) -> Drift:
    """Compare the state's server tasks with the services' scheduled work."""
    tasks = session.ledger.server_tasks() if session.has_state else []
    apps = _campaign_apps(session, tasks)
    result = Drift(session.where, session.now)
    for name in apps:
        if isinstance(session.apps[name], MpaasApp):
            result.apps.append(name)
        else:
            result.not_compared[name] = EMAS_REASON
    if result.apps:
        asyncio.run(_compare(session, result, tasks))
    return result
