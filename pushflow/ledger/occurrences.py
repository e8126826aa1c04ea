"""Occurrences: each firing of a campaign, keyed by its occurrence key.

The key (see docs/timing.md) is the identity: recording an occurrence twice is a no-op, so apply
and any number of daemons may all "record" the same firing and end up with one row. Status moves
with compare-and-set (:meth:`Occurrences.set_occurrence_status` with ``only_from``) so two
daemons cannot both mark the same occurrence ``missed`` and ``sending``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update

from pushflow.ledger.base import LedgerBase, insert_for, utcnow
from pushflow.ledger.records import Occurrence, OccurrenceStatus
from pushflow.ledger.schema import occurrences

#: Statuses after which nothing more happens to an occurrence.
FINAL: frozenset[OccurrenceStatus] = frozenset({"done", "missed", "cancelled", "failed"})


def _occurrence(row: Row[Any]) -> Occurrence:
    return Occurrence(
        campaign=row.campaign,
        key=row.key,
        instant=row.instant,
        revision_id=row.revision_id,
        status=row.status,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _where(campaign: str, key: str) -> Any:
    return (occurrences.c.campaign == campaign) & (occurrences.c.key == key)


class Occurrences(LedgerBase):
    def record_occurrence(
        self,
        campaign: str,
        key: str,
        instant: datetime,
        revision_id: int,
        *,
        status: OccurrenceStatus = "pending",
        now: datetime | None = None,
    ) -> Occurrence:
        """Record an occurrence unless it exists; return the row as stored (first one wins)."""
        when = utcnow(now)
        with self._write() as conn:
            statement = insert_for(conn, occurrences).values(
                campaign=campaign,
                key=key,
                instant=utcnow(instant),
                revision_id=revision_id,
                status=status,
                created_at=when,
                updated_at=when,
            )
            conn.execute(statement.on_conflict_do_nothing(index_elements=["campaign", "key"]))
            row = conn.execute(select(occurrences).where(_where(campaign, key))).one()
        return _occurrence(row)

    def set_occurrence_status(
        self,
        campaign: str,
        key: str,
        status: OccurrenceStatus,
        *,
        only_from: Collection[OccurrenceStatus] | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Move an occurrence to ``status``; with ``only_from``, only from those statuses.

        Returns whether the row changed: the compare-and-set that lets one daemon of several win.
        """
        condition = _where(campaign, key)
        if only_from is not None:
            condition = condition & occurrences.c.status.in_(list(only_from))
        with self._write() as conn:
            changed = conn.execute(
                update(occurrences).where(condition).values(status=status, updated_at=utcnow(now))
            ).rowcount
        return bool(changed)

    def cancel_occurrences(self, campaign: str, *, now: datetime | None = None) -> int:
        """Cancel the campaign's ``pending`` occurrences (removed or cancelled campaign)."""
        condition = (occurrences.c.campaign == campaign) & (occurrences.c.status == "pending")
        with self._write() as conn:
            count = conn.execute(
                update(occurrences)
                .where(condition)
                .values(status="cancelled", updated_at=utcnow(now))
            ).rowcount
            if count:
                self._changed(conn)
        return int(count)

    def occurrence(self, campaign: str, key: str) -> Occurrence | None:
        with self._read() as conn:
            row = conn.execute(select(occurrences).where(_where(campaign, key))).first()
        return None if row is None else _occurrence(row)

    def occurrences(
        self, campaign: str, *, statuses: Collection[OccurrenceStatus] | None = None
    ) -> list[Occurrence]:
        """The campaign's occurrences by instant, optionally only those in ``statuses``."""
        query = select(occurrences).where(occurrences.c.campaign == campaign)
        if statuses is not None:
            query = query.where(occurrences.c.status.in_(list(statuses)))
        with self._read() as conn:
            rows = conn.execute(query.order_by(occurrences.c.instant, occurrences.c.key)).all()
        return [_occurrence(row) for row in rows]

    def occurrences_between(self, after: datetime, before: datetime) -> list[Occurrence]:
        """Every campaign's occurrences with ``after < instant < before``, by instant (the
        policy's frequency cap reads the sends of those)."""
        query = select(occurrences).where(
            occurrences.c.instant > utcnow(after), occurrences.c.instant < utcnow(before)
        )
        with self._read() as conn:
            rows = conn.execute(
                query.order_by(occurrences.c.instant, occurrences.c.campaign, occurrences.c.key)
            ).all()
        return [_occurrence(row) for row in rows]

    def latest_instants(self) -> dict[str, datetime]:
        """The instant of every campaign's latest recorded occurrence, in one query (a daemon
        of thousands of campaigns asks this at start-up)."""
        query = select(occurrences.c.campaign, func.max(occurrences.c.instant)).group_by(
            occurrences.c.campaign
        )
        with self._read() as conn:
            return {str(name): instant for name, instant in conn.execute(query).all()}

    def unfinished_occurrences(self, *, older_than: datetime, until: datetime) -> list[Occurrence]:
        """Occurrences left ``pending`` or ``sending``, untouched since ``older_than`` and due by
        ``until``: the work of a process that stopped mid-way, for a sweep to finish."""
        query = (
            select(occurrences)
            .where(
                occurrences.c.status.in_(["pending", "sending"]),
                occurrences.c.updated_at < older_than,
                occurrences.c.instant <= until,
            )
            .order_by(occurrences.c.instant)
        )
        with self._read() as conn:
            return [_occurrence(row) for row in conn.execute(query).all()]
