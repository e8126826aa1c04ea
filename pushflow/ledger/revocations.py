"""Revocations (migration 2), and read-only summaries for the lifecycle commands.

A revocation is one revoke call's outcome for an occurrence: a task (mPaaS RevokePushTask, for
PushMultiple and PushBroadcast) or one target's message (RevokePushMessage, for PushSimple and
PushTemplate, named by the msgKey it was pushed with). Recording the same subject again replaces
a ``failed`` row and leaves a ``revoked`` one alone, so ``pushflow revoke`` can be re-run.

Revoking does not touch ``sends``: a revoked send *was* sent, and exactly-once rests on that row.
Revocations do not move :meth:`state_version` either: they change nothing that should run.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update

from pushflow.ledger.base import LedgerBase, insert_for, utcnow
from pushflow.ledger.records import FOUND, Actor, Revocation, RevocationState, SendSummary
from pushflow.ledger.schema import revisions, revocations, sends
from pushflow.ledger.sends import MAX_ERROR


def _revocation(row: Row[Any]) -> Revocation:
    values = row._mapping
    return Revocation(**{name: values[name] for name in Revocation.__dataclass_fields__})


class Revocations(LedgerBase):
    def record_revocation(
        self,
        campaign: str,
        occurrence: str,
        *,
        api: str,
        subject: str,
        state: RevocationState,
        message_id: str | None = None,
        result_code: str | None = None,
        error: str | None = None,
        sent_at: datetime | None = None,
        revoked_by: Actor | str | None = None,
        now: datetime | None = None,
    ) -> Revocation:
        """Record a revoke's outcome; a ``revoked`` row is final and never overwritten."""
        values = {
            "message_id": message_id,
            "state": state,
            "result_code": result_code,
            "error": None if error is None else error[:MAX_ERROR],
            "sent_at": sent_at,
            "revoked_at": utcnow(now),
            "revoked_by": str(revoked_by or Actor.current()),
        }
        ident = (
            (revocations.c.campaign == campaign)
            & (revocations.c.occurrence == occurrence)
            & (revocations.c.api == api)
            & (revocations.c.subject == subject)
        )
        with self._write() as conn:
            statement = insert_for(conn, revocations).values(
                campaign=campaign, occurrence=occurrence, api=api, subject=subject, **values
            )
            conn.execute(
                statement.on_conflict_do_nothing(
                    index_elements=["campaign", "occurrence", "api", "subject"]
                )
            )
            conn.execute(
                update(revocations).where(ident, revocations.c.state == "failed").values(**values)
            )
            row = conn.execute(select(revocations).where(ident)).one()
        return _revocation(row)

    def revocations(
        self,
        campaign: str,
        occurrence: str | None = None,
        *,
        states: Collection[RevocationState] | None = None,
    ) -> list[Revocation]:
        """The campaign's revocations (of one occurrence), oldest first."""
        query = select(revocations).where(revocations.c.campaign == campaign)
        if occurrence is not None:
            query = query.where(revocations.c.occurrence == occurrence)
        if states is not None:
            query = query.where(revocations.c.state.in_(list(states)))
        with self._read() as conn:
            rows = conn.execute(query.order_by(revocations.c.id)).all()
        return [_revocation(row) for row in rows]

    def campaign_names(self) -> list[str]:
        """Every campaign ever applied (whatever its status now), by name."""
        with self._read() as conn:
            rows = conn.execute(select(revisions.c.campaign).distinct()).scalars().all()
        return sorted(rows)

    def send_summary(
        self, campaign: str, occurrence: str, *, id_limit: int | None = 1000
    ) -> SendSummary:
        """The sends of one occurrence added up in the database (no row is loaded one by
        one); at most ``id_limit`` distinct message and task ids each (None: all)."""
        of = (sends.c.campaign == campaign) & (sends.c.occurrence == occurrence)
        sent = of & (sends.c.state == "sent")
        with self._read() as conn:
            counts = conn.execute(
                select(sends.c.state, func.count()).where(of).group_by(sends.c.state)
            ).all()
            codes = conn.execute(
                select(sends.c.result_code, func.count())
                .where(of, sends.c.state.in_(["failed", "unknown"]))
                .group_by(sends.c.result_code)
            ).all()
            apis = conn.execute(select(sends.c.api).distinct().where(of)).scalars().all()
            ids = []
            for column in (sends.c.message_id, sends.c.task_id):
                query = select(column).distinct().where(sent, column.is_not(None)).order_by(column)
                if id_limit is not None:
                    query = query.limit(id_limit)
                ids.append(conn.execute(query).scalars().all())
            first, last = conn.execute(
                select(func.min(sends.c.finished_at), func.max(sends.c.finished_at)).where(sent)
            ).one()
            found = conn.execute(
                select(sends.c.result_code, func.count())
                .where(sent, sends.c.result_code.startswith(FOUND, autoescape=True))
                .group_by(sends.c.result_code)
            ).all()
        message_ids = sorted({one for joined in ids[0] for one in joined.split(",") if one})
        return SendSummary(
            counts={state: int(count) for state, count in counts},
            codes={code or "none": int(count) for code, count in codes},
            apis=sorted(api for api in apis if api),
            message_ids=message_ids,
            task_ids=list(ids[1]),
            first_sent_at=first,
            last_sent_at=last,
            resolved={code.removeprefix(FOUND): int(count) for code, count in found},
        )
