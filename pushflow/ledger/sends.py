"""Sends: one row per occurrence × target, the unit of exactly-once.

The protocol is **claim → call → record**:

1. :meth:`~.claims.Claims.claim` inserts a ``claimed`` row per target; the primary key
   (campaign, occurrence, target) lets exactly one claimer win (:mod:`.claims` says how, on
   both backends). The caller gets back only the sends it alone may make.
2. The caller makes the call, with the send's idempotency key.
3. :meth:`Sends.record_sent` / ``record_failed`` / ``record_unknown`` store the outcome, only
   where the row is still ``claimed`` by this owner (a fence: a claimer whose lease was taken
   over cannot overwrite the new owner's result). :meth:`~.claims.Claims.release` deletes
   claims whose call was never made.

A crash between 1 and 3 leaves a ``claimed`` row with an expired lease. Nobody takes it over by
default: the call may or may not have reached the service. The caller passes
``reclaim_expired=True`` only where a repeat is harmless (the service deduplicates by the
idempotency key, e.g. EMAS IdempotentToken within 15 minutes, or a records query showed nothing
was sent). Likewise ``retry_failed`` (the service refused: nothing was sent) and
``resend_unknown`` (the user asked, ``--resend-unknown``). So a recorded send is never repeated
and an unrecorded one is never silently dropped: it stays visible as ``claimed``/``unknown``.

Lease times use this process's clock (``now`` may be passed): keep leases long against the
clock skew between daemon hosts.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Row, func, select, update
from sqlalchemy.engine import Connection

from pushflow.ledger import sqlite_sends
from pushflow.ledger.base import BATCH, in_chunks, utcnow
from pushflow.ledger.claims import Claims, each_target, of, one_send
from pushflow.ledger.engine import driver_execute
from pushflow.ledger.records import Send, SendState
from pushflow.ledger.schema import FINISH_COLUMNS, FINISH_SENDS, sends

#: Longest error text kept; callers pass messages already free of secrets.
MAX_ERROR = 1000


def _send(row: Row[Any]) -> Send:
    values = row._mapping
    return Send(**{name: values[name] for name in Send.__dataclass_fields__})


class Sends(Claims):
    def extend_lease(
        self,
        campaign: str,
        occurrence: str,
        targets: Sequence[str],
        owner: str,
        lease: timedelta,
        *,
        now: datetime | None = None,
    ) -> int:
        """Push the lease of this owner's claims forward (a long call's heartbeat)."""
        values = {"lease_expires_at": utcnow(now) + lease}
        return self._finish(campaign, occurrence, targets, owner, values)

    def record_sent(
        self,
        campaign: str,
        occurrence: str,
        targets: Sequence[str],
        owner: str,
        *,
        message_id: str | None = None,
        task_id: str | None = None,
        result_code: str | None = None,
        now: datetime | None = None,
    ) -> int:
        """The service accepted the call: these sends are done and will never be repeated."""
        values = {
            "state": "sent",
            "message_id": message_id,
            "task_id": task_id,
            "result_code": result_code,
            "error": None,
        }
        return self._finish(campaign, occurrence, targets, owner, values, done=utcnow(now))

    def record_failed(
        self,
        campaign: str,
        occurrence: str,
        targets: Sequence[str],
        owner: str,
        *,
        result_code: str | None,
        error: str | None = None,
        now: datetime | None = None,
    ) -> int:
        """The service refused: nothing was sent (a later ``retry_failed`` claim may retry)."""
        values = {"state": "failed", "result_code": result_code, "error": _clip(error)}
        return self._finish(campaign, occurrence, targets, owner, values, done=utcnow(now))

    def record_unknown(
        self,
        campaign: str,
        occurrence: str,
        targets: Sequence[str],
        owner: str,
        *,
        error: str | None = None,
        now: datetime | None = None,
    ) -> int:
        """The call's outcome is unknown (timeout, connection lost after sending)."""
        values = {"state": "unknown", "error": _clip(error)}
        return self._finish(campaign, occurrence, targets, owner, values, done=utcnow(now))

    def resolve_unknown(
        self,
        campaign: str,
        occurrence: str,
        targets: Sequence[str],
        outcome: Literal["sent", "failed"],
        *,
        message_id: str | None = None,
        task_id: str | None = None,
        result_code: str | None = None,
        error: str | None = None,
        now: datetime | None = None,
    ) -> int:
        """Settle ``unknown`` sends from what the service says (a status or records query)."""
        statement = (
            update(sends)
            .where(one_send(campaign, occurrence), sends.c.state == "unknown")
            .values(
                state=outcome,
                message_id=message_id,
                task_id=task_id,
                result_code=result_code,
                error=_clip(error),
                finished_at=utcnow(now),
                lease_expires_at=None,
            )
        )
        with self._write() as conn:
            return each_target(conn, statement, targets)

    def record_lookup(
        self,
        campaign: str,
        occurrence: str,
        targets: Sequence[str],
        *,
        result_code: str,
        error: str,
    ) -> int:
        """Note on ``unknown`` sends what a lookup said without settling them (``not-found:…``,
        when and where it looked); they stay ``unknown``."""
        statement = (
            update(sends)
            .where(one_send(campaign, occurrence), sends.c.state == "unknown")
            .values(result_code=result_code, error=_clip(error))
        )
        with self._write() as conn:
            return each_target(conn, statement, targets)

    def _finish(
        self,
        campaign: str,
        occurrence: str,
        targets: Sequence[str],
        owner: str,
        values: dict[str, Any],
        done: datetime | None = None,
    ) -> int:
        """Update this owner's ``claimed`` rows among ``targets`` in one transaction."""
        if done is not None:
            values = {**values, "finished_at": done, "lease_expires_at": None}
        if self.backend == "sqlite":
            with self._write() as conn:
                return sqlite_sends.finish(conn, campaign, occurrence, targets, owner, values)
        with self._write() as conn:
            return _finish_each(conn, campaign, occurrence, targets, owner, values)

    def send(self, campaign: str, occurrence: str, target: str) -> Send | None:
        with self._read() as conn:
            row = conn.execute(
                select(sends).where(of(campaign, occurrence), sends.c.target == target)
            ).first()
        return None if row is None else _send(row)

    def sends(
        self,
        campaign: str,
        occurrence: str,
        *,
        states: Collection[SendState] | None = None,
        after: str | None = None,
        limit: int = BATCH,
    ) -> list[Send]:
        """One page of sends by target id; pass the last target as ``after`` for the next.

        Ids are ordered by code point on both backends (PostgreSQL's ``"C"`` collation, SQLite's
        ``BINARY``), as Python orders strings, so a caller can merge the pages with another
        sorted stream of ids (an audience read back in order).
        """
        target = sends.c.target.collate("C" if self.backend == "postgresql" else "BINARY")
        query = select(sends).where(of(campaign, occurrence))
        if states is not None:
            query = query.where(sends.c.state.in_(list(states)))
        if after is not None:
            query = query.where(target > after)
        with self._read() as conn:
            rows = conn.execute(query.order_by(target).limit(limit)).all()
        return [_send(row) for row in rows]

    def send_counts(self, campaign: str, occurrence: str | None = None) -> dict[str, int]:
        """How many sends are in each state, for a campaign or one of its occurrences."""
        where = sends.c.campaign == campaign
        if occurrence is not None:
            where = where & (sends.c.occurrence == occurrence)
        query = select(sends.c.state, func.count()).where(where).group_by(sends.c.state)
        with self._read() as conn:
            return {state: int(count) for state, count in conn.execute(query).all()}


def _finish_each(
    conn: Connection,
    campaign: str,
    occurrence: str,
    targets: Sequence[str],
    owner: str,
    values: dict[str, Any],
) -> int:
    """:meth:`Sends._finish` on PostgreSQL: one call of :data:`~.schema.FINISH_SENDS` per slice
    of targets, which updates each send by the whole primary key inside the server (for the
    planner reason in :func:`~pushflow.ledger.claims.one_send`), the new values converted by
    the columns' own types. It replaced a pipeline of one ``UPDATE`` per target: the same plan
    per send, without a bind, an execution and an answer per target on both sides."""
    unknown = set(values) - set(FINISH_COLUMNS)
    if unknown:
        raise ValueError(f"a record cannot set {sorted(unknown)}")
    assigned = dict(zip(values, sqlite_sends.bound_values(conn.dialect, values), strict=True))
    shared = [list(values), *(assigned.get(name) for name in FINISH_COLUMNS)]
    total = 0
    for chunk in in_chunks(targets):
        params = [campaign, occurrence, owner, list(chunk), *shared]
        cursor = driver_execute(conn, FINISH_SQL, params)
        total += int(cursor.fetchone()[0])
        cursor.close()
    return total


#: The call of :data:`~.schema.FINISH_SENDS` (:func:`_finish_each`).
FINISH_SQL = f"SELECT {FINISH_SENDS}({', '.join(['%s'] * (5 + len(FINISH_COLUMNS)))})"


def _clip(error: str | None) -> str | None:
    return None if error is None else error[:MAX_ERROR]
