"""Applied campaign revisions: what was reviewed and applied, and since when.

Apply and the daemon act on the *recorded* revision (its spec JSON and audience digest), never on
whatever the working tree holds at fire time. One revision per campaign is ``active`` (enforced
by a partial unique index); applying a different digest supersedes it; removing the campaign
from git marks it ``removed``.

:meth:`Revisions.first_applied_at` anchors ``now`` occurrences: the occurrence key of a ``now``
campaign is the moment the campaign (at its epoch) was *first* applied, so re-applying it after
a content edit (a new digest) lands on the same occurrence key and resends nothing. Bumping the
epoch starts a new anchor, and so a deliberate resend.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select, update

from pushflow.ledger.base import LedgerBase, utcnow
from pushflow.ledger.records import Actor, Revision
from pushflow.ledger.schema import revisions

_ACTIVE = revisions.c.status == "active"


def _revision(row: Row[Any]) -> Revision:
    return Revision(
        id=row.id,
        campaign=row.campaign,
        digest=row.digest,
        spec=row.spec,
        audience_digest=row.audience_digest,
        epoch=row.epoch,
        status=row.status,
        applied_at=row.applied_at,
        applied_by=row.applied_by,
    )


class Revisions(LedgerBase):
    def record_revision(
        self,
        campaign: str,
        digest: str,
        spec: dict[str, Any],
        *,
        audience_digest: str | None = None,
        epoch: int = 0,
        applied_by: Actor | str | None = None,
        now: datetime | None = None,
    ) -> Revision:
        """Make this the campaign's active revision; a no-op if it already is.

        "Already is" means the same digest, audience digest and epoch: re-applying an unchanged
        campaign records nothing and does not move :meth:`state_version`.
        """
        when = utcnow(now)
        by = str(applied_by or Actor.current())
        with self._write() as conn:
            row = conn.execute(
                select(revisions).where(revisions.c.campaign == campaign, _ACTIVE)
            ).first()
            if row is not None:
                if (row.digest, row.audience_digest, row.epoch) == (digest, audience_digest, epoch):
                    return _revision(row)
                conn.execute(
                    update(revisions).where(revisions.c.id == row.id).values(status="superseded")
                )
            conn.execute(
                insert(revisions).values(
                    campaign=campaign,
                    digest=digest,
                    spec=spec,
                    audience_digest=audience_digest,
                    epoch=epoch,
                    status="active",
                    applied_at=when,
                    applied_by=by,
                )
            )
            self._changed(conn)
            created = conn.execute(
                select(revisions).where(revisions.c.campaign == campaign, _ACTIVE)
            ).one()
        return _revision(created)

    def remove_campaign(self, campaign: str) -> bool:
        """Mark the active revision ``removed`` (the campaign left git). False if none was."""
        with self._write() as conn:
            done = conn.execute(
                update(revisions)
                .where(revisions.c.campaign == campaign, _ACTIVE)
                .values(status="removed")
            ).rowcount
            if done:
                self._changed(conn)
        return bool(done)

    def current_revision(self, campaign: str) -> Revision | None:
        """The active revision of ``campaign``, or None (never applied, or removed)."""
        with self._read() as conn:
            row = conn.execute(
                select(revisions).where(revisions.c.campaign == campaign, _ACTIVE)
            ).first()
        return None if row is None else _revision(row)

    def revision(self, revision_id: int) -> Revision | None:
        with self._read() as conn:
            row = conn.execute(select(revisions).where(revisions.c.id == revision_id)).first()
        return None if row is None else _revision(row)

    def revisions(self, campaign: str) -> list[Revision]:
        """Every revision of ``campaign``, oldest first."""
        query = select(revisions).where(revisions.c.campaign == campaign)
        with self._read() as conn:
            rows = conn.execute(query.order_by(revisions.c.applied_at, revisions.c.id)).all()
        return [_revision(row) for row in rows]

    def active_revisions(self) -> list[Revision]:
        """The active revision of every campaign, by campaign name."""
        with self._read() as conn:
            rows = conn.execute(
                select(revisions).where(_ACTIVE).order_by(revisions.c.campaign)
            ).all()
        return [_revision(row) for row in rows]

    def first_applied_at(self, campaign: str, epoch: int) -> datetime | None:
        """When ``campaign`` was first applied at ``epoch`` (any status since), or None."""
        query = select(func.min(revisions.c.applied_at)).where(
            revisions.c.campaign == campaign, revisions.c.epoch == epoch
        )
        with self._read() as conn:
            found: datetime | None = conn.execute(query).scalar()  # min() keeps UTCDateTime
        return found

    def first_applied_all(self) -> dict[tuple[str, int], datetime]:
        """:meth:`first_applied_at` of every campaign and epoch, in one query."""
        query = select(
            revisions.c.campaign, revisions.c.epoch, func.min(revisions.c.applied_at)
        ).group_by(revisions.c.campaign, revisions.c.epoch)
        with self._read() as conn:
            return {(name, int(epoch)): at for name, epoch, at in conn.execute(query).all()}
