"""Scheduled work: local schedules for the daemon, and tasks scheduled on the services.

- A **schedule** says what the daemon should fire for a campaign (``at`` or a loop): its
  revision and its trigger as JSON. The daemon derives APScheduler jobs from these rows (it keeps
  no job store of its own) and reloads when :meth:`state_version` moves, which every change here
  causes, except :meth:`Schedules.set_next_fire` (the daemon's own bookkeeping).
- A **server task** is work the service will run by itself: an mPaaS scheduled task id, an EMAS
  PushTime message id. Recorded so a removed or changed campaign can be cancelled later
  (CancelPushScheduler, CancelPush) and so ``pushflow drift`` can compare with the service.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update

from pushflow.ledger.base import LedgerBase, insert_for, utcnow
from pushflow.ledger.records import Schedule, ScheduleStatus, ServerTask, ServerTaskStatus
from pushflow.ledger.schema import schedules, server_tasks


def _schedule(row: Row[Any]) -> Schedule:
    values = row._mapping
    return Schedule(**{name: values[name] for name in Schedule.__dataclass_fields__})


def _task(row: Row[Any]) -> ServerTask:
    values = row._mapping
    return ServerTask(**{name: values[name] for name in ServerTask.__dataclass_fields__})


class Schedules(LedgerBase):
    def set_schedule(
        self,
        campaign: str,
        revision_id: int,
        trigger: dict[str, Any],
        *,
        next_fire_at: datetime | None = None,
        now: datetime | None = None,
    ) -> Schedule:
        """Make ``trigger`` the campaign's active local schedule (replacing any other)."""
        values = {
            "revision_id": revision_id,
            "trigger": trigger,
            "status": "active",
            "next_fire_at": next_fire_at,
            "updated_at": utcnow(now),
        }
        with self._write() as conn:
            old = conn.execute(select(schedules).where(schedules.c.campaign == campaign)).first()
            same = old is not None and (old.revision_id, old.trigger, old.status) == (
                revision_id,
                trigger,
                "active",
            )
            if not same:
                statement = insert_for(conn, schedules).values(campaign=campaign, **values)
                conn.execute(
                    statement.on_conflict_do_update(index_elements=["campaign"], set_=values)
                )
                self._changed(conn)
            row = conn.execute(select(schedules).where(schedules.c.campaign == campaign)).one()
        return _schedule(row)

    def set_next_fire(self, campaign: str, next_fire_at: datetime | None) -> None:
        """Note when the daemon will fire next (for ``pushflow status``); not a state change."""
        with self._write() as conn:
            conn.execute(
                update(schedules)
                .where(schedules.c.campaign == campaign)
                .values(next_fire_at=next_fire_at)
            )

    def cancel_schedule(self, campaign: str, *, now: datetime | None = None) -> bool:
        """Stop the campaign's local schedule. False if it had none active."""
        where = (schedules.c.campaign == campaign) & (schedules.c.status == "active")
        with self._write() as conn:
            done = conn.execute(
                update(schedules)
                .where(where)
                .values(status="cancelled", next_fire_at=None, updated_at=utcnow(now))
            ).rowcount
            if done:
                self._changed(conn)
        return bool(done)

    def schedule(self, campaign: str) -> Schedule | None:
        with self._read() as conn:
            row = conn.execute(select(schedules).where(schedules.c.campaign == campaign)).first()
        return None if row is None else _schedule(row)

    def schedules(self, *, status: ScheduleStatus | None = "active") -> list[Schedule]:
        """Local schedules by campaign (the active ones unless ``status`` says otherwise)."""
        query = select(schedules).order_by(schedules.c.campaign)
        if status is not None:
            query = query.where(schedules.c.status == status)
        with self._read() as conn:
            return [_schedule(row) for row in conn.execute(query).all()]

    def record_server_task(
        self,
        campaign: str,
        occurrence: str,
        revision_id: int,
        *,
        provider: str,
        app: str,
        api: str,
        task_id: str,
        fire_at: datetime | None = None,
        now: datetime | None = None,
    ) -> ServerTask:
        """Record work the service scheduled; recording the same task id again is a no-op."""
        when = utcnow(now)
        ident = (
            (server_tasks.c.provider == provider)
            & (server_tasks.c.app == app)
            & (server_tasks.c.task_id == task_id)
        )
        with self._write() as conn:
            inserted = conn.execute(
                insert_for(conn, server_tasks)
                .values(
                    campaign=campaign,
                    occurrence=occurrence,
                    revision_id=revision_id,
                    provider=provider,
                    app=app,
                    api=api,
                    task_id=task_id,
                    fire_at=fire_at,
                    status="scheduled",
                    created_at=when,
                    updated_at=when,
                )
                .on_conflict_do_nothing(index_elements=["provider", "app", "task_id"])
            ).rowcount
            if inserted:
                self._changed(conn)
            row = conn.execute(select(server_tasks).where(ident)).one()
        return _task(row)

    def set_server_task_status(
        self, task: int, status: ServerTaskStatus, *, now: datetime | None = None
    ) -> bool:
        """Mark a server task (by its row id) cancelled, fired or failed."""
        with self._write() as conn:
            done = conn.execute(
                update(server_tasks)
                .where(server_tasks.c.id == task)
                .values(status=status, updated_at=utcnow(now))
            ).rowcount
            if done:
                self._changed(conn)
        return bool(done)

    def server_tasks(
        self, campaign: str | None = None, *, statuses: Collection[ServerTaskStatus] | None = None
    ) -> list[ServerTask]:
        """Server tasks, optionally of one campaign and in some statuses, oldest first."""
        query = select(server_tasks).order_by(server_tasks.c.id)
        if campaign is not None:
            query = query.where(server_tasks.c.campaign == campaign)
        if statuses is not None:
            query = query.where(server_tasks.c.status.in_(list(statuses)))
        with self._read() as conn:
            return [_task(row) for row in conn.execute(query).all()]
