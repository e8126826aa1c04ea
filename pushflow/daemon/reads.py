"""Bulk reads for the daemon, over the ledger's public engine and schema (read-only).

The :class:`~pushflow.ledger.Ledger` API answers per campaign; a daemon of 10 000 campaigns
starting up would make tens of thousands of round trips. These are the same questions asked once
for every campaign. Nothing here writes: every change still goes through the Ledger's methods.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from pushflow.ledger import Ledger, Occurrence, Revision
from pushflow.ledger.engine import READ
from pushflow.ledger.schema import occurrences, revisions

#: An occurrence nobody finished: recorded, maybe partly sent, then its process stopped.
UNFINISHED = ("pending", "sending")


def last_occurrences(ledger: Ledger) -> dict[str, datetime]:
    """The instant of every campaign's latest recorded occurrence."""
    query = select(occurrences.c.campaign, func.max(occurrences.c.instant)).group_by(
        occurrences.c.campaign
    )
    with ledger.engine.connect().execution_options(**READ) as conn, conn.begin():
        return {str(name): instant for name, instant in conn.execute(query).all()}


def first_applied(ledger: Ledger) -> dict[tuple[str, int], datetime]:
    """When each campaign was first applied at each epoch (the anchor of its occurrences)."""
    query = select(
        revisions.c.campaign, revisions.c.epoch, func.min(revisions.c.applied_at)
    ).group_by(revisions.c.campaign, revisions.c.epoch)
    with ledger.engine.connect().execution_options(**READ) as conn, conn.begin():
        return {(name, int(epoch)): at for name, epoch, at in conn.execute(query).all()}


def revisions_by_id(ledger: Ledger, ids: set[int]) -> dict[int, Revision]:
    """The revisions ``ids`` name: the active ones in one query, any other one by one."""
    found = {revision.id: revision for revision in ledger.active_revisions()}
    for missing in ids - found.keys():
        revision = ledger.revision(missing)
        if revision is not None:
            found[missing] = revision
    return found


def unfinished(ledger: Ledger, *, older_than: datetime, until: datetime) -> list[Occurrence]:
    """Occurrences left ``pending`` or ``sending`` (not touched since ``older_than``), due by
    ``until``: work of a process that stopped mid-way, for the sweep to finish."""
    query = (
        select(occurrences)
        .where(
            occurrences.c.status.in_(UNFINISHED),
            occurrences.c.updated_at < older_than,
            occurrences.c.instant <= until,
        )
        .order_by(occurrences.c.instant)
    )
    with ledger.engine.connect().execution_options(**READ) as conn, conn.begin():
        rows = conn.execute(query).all()
    return [
        Occurrence(
            campaign=row.campaign,
            key=row.key,
            instant=row.instant,
            revision_id=row.revision_id,
            status=row.status,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
        for row in rows
    ]
