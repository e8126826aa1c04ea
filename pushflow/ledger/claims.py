"""Claims: taking sends atomically, so that each is made by exactly one caller.

Claiming a send is inserting its row. The primary key (campaign, occurrence, target) lets
exactly one insert win:

- on PostgreSQL, with ``INSERT … ON CONFLICT DO NOTHING RETURNING``: a concurrent insert of the
  same key waits for the first transaction to commit, then does nothing (or, if the first rolled
  back, inserts). ``RETURNING`` yields only the rows this statement inserted: exactly the sends
  this caller alone may now make;
- on SQLite, writers are serialised (``BEGIN IMMEDIATE`` takes the write lock before anything
  is read), so the claim reads which targets have a row and inserts the others, and no other
  writer can come between (:mod:`.sqlite_sends`; cheaper for SQLite than the upsert). An insert
  of a row that exists would still fail on the primary key rather than claim a send twice.

Each batch is sorted by target, so concurrent claimers lock keys in one order and cannot
deadlock on PostgreSQL; each batch is its own transaction, and targets are read lazily, so
millions of targets never sit in memory.

Retaking a row that exists, used only when the caller says a repeat is safe, is conditional on
what makes it retakeable (an expired lease, ``failed``, ``unknown``): on PostgreSQL the same
statement with ``ON CONFLICT DO UPDATE … WHERE`` that condition, evaluated on the conflicting
row under its lock (PostgreSQL re-reads the latest committed version); on SQLite an
``UPDATE … WHERE`` the same condition, under the write lock. So two reclaimers of one expired
claim cannot both win.

A local-time occurrence (``…@Europe/Berlin``) also leaves out, in the same transaction, the
targets already sent the same wall-clock time in another zone (:mod:`.zones`).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Generator, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ARRAY,
    Executable,
    and_,
    bindparam,
    delete,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from pushflow.ledger import sqlite_sends
from pushflow.ledger.base import BATCH, LedgerBase, batched, in_chunks, utcnow
from pushflow.ledger.records import Actor, Claim
from pushflow.ledger.schema import sends
from pushflow.ledger.zones import sent_in_other_zones


def new_owner() -> str:
    """A claim owner unique to this process run: ``user@host pid N/abcd1234``."""
    return f"{Actor.current()}/{uuid.uuid4().hex[:8]}"


def of(campaign: str, occurrence: str) -> Any:
    """The rows of one occurrence."""
    return (sends.c.campaign == campaign) & (sends.c.occurrence == occurrence)


KEY = ["campaign", "occurrence", "target"]
#: What a claim returns of each send it got: :meth:`Claims.claim` the target alone (its caller
#: has the keys), :meth:`Claims.claim_batches` a whole :class:`Claim`. Fewer columns are fewer
#: values for the database to hold and hand back, and fewer objects for Python to build.
TARGET = ("target",)
CLAIMED = ("target", "idempotency_key", "attempts")
#: What a retaken send forgets of its previous attempt.
RETRY = dict.fromkeys(sqlite_sends.FORGETS)


class Claims(LedgerBase):
    def claim(
        self,
        campaign: str,
        occurrence: str,
        targets: Iterable[tuple[str, str]],
        owner: str,
        lease: timedelta,
        *,
        api: str = "",
        reclaim_expired: bool = False,
        retry_failed: bool = False,
        resend_unknown: bool = False,
        now: datetime | None = None,
        batch_size: int = BATCH,
    ) -> list[str]:
        """Claim ``targets`` (target id, idempotency key); return the target ids this owner got.

        As :meth:`claim_batches`, but holds the answer in memory: for millions of targets,
        iterate :meth:`claim_batches` instead.
        """
        got = self._claimed_rows(
            campaign,
            occurrence,
            targets,
            owner,
            lease,
            api=api,
            reclaim_expired=reclaim_expired,
            retry_failed=retry_failed,
            resend_unknown=resend_unknown,
            now=now,
            batch_size=batch_size,
            returning=TARGET,
        )
        return [target for rows in got for target in sorted([target for (target,) in rows])]

    def claim_batches(
        self,
        campaign: str,
        occurrence: str,
        targets: Iterable[tuple[str, str]],
        owner: str,
        lease: timedelta,
        *,
        api: str = "",
        reclaim_expired: bool = False,
        retry_failed: bool = False,
        resend_unknown: bool = False,
        now: datetime | None = None,
        batch_size: int = BATCH,
    ) -> Generator[list[Claim], None, None]:
        """Claim lazily, one committed transaction per batch; yield each batch's claims.

        A target is got when its row did not exist, or (only if the matching flag is set) was an
        expired claim (``reclaim_expired``: the call may have been made, so only where the
        service deduplicates by the key), a ``failed`` send (``retry_failed``: the service
        refused, nothing was sent) or an ``unknown`` one (``resend_unknown``: the user asked).
        A retaken row counts one more attempt. ``api`` is recorded on new rows; ``lease`` is
        how long the claim is exclusive before it counts as expired.
        """
        got = self._claimed_rows(
            campaign,
            occurrence,
            targets,
            owner,
            lease,
            api=api,
            reclaim_expired=reclaim_expired,
            retry_failed=retry_failed,
            resend_unknown=resend_unknown,
            now=now,
            batch_size=batch_size,
            returning=CLAIMED,
        )
        for rows in got:
            yield _sorted_claims(rows)

    def _claimed_rows(
        self,
        campaign: str,
        occurrence: str,
        targets: Iterable[tuple[str, str]],
        owner: str,
        lease: timedelta,
        *,
        api: str,
        reclaim_expired: bool,
        retry_failed: bool,
        resend_unknown: bool,
        now: datetime | None,
        batch_size: int,
        returning: tuple[str, ...],
    ) -> Generator[Sequence[Any], None, None]:
        """:meth:`claim_batches`: each batch's rows (the ``returning`` columns of each send
        got) once committed."""
        for batch in batched(targets, batch_size):
            when = utcnow(now)
            keys = dict(sorted(batch))
            claimed = {
                "state": "claimed",
                "claim_owner": owner,
                "lease_expires_at": when + lease,
                "claimed_at": when,
            }
            got: Sequence[Any]
            with self._write() as conn:
                for target in sent_in_other_zones(
                    conn, campaign, occurrence, keys, resend_unknown=resend_unknown
                ):
                    del keys[target]
                if not keys:
                    got = []
                elif conn.dialect.name == "sqlite":
                    got = sqlite_sends.claim(
                        conn,
                        campaign,
                        occurrence,
                        list(keys.items()),
                        api,
                        claimed,
                        reclaim_expired=reclaim_expired,
                        retry_failed=retry_failed,
                        resend_unknown=resend_unknown,
                        returning=returning,
                    )
                else:
                    got = self._claim_rows(
                        conn,
                        campaign,
                        occurrence,
                        keys,
                        api,
                        claimed,
                        (reclaim_expired, retry_failed, resend_unknown),
                        returning,
                    )
            # After the commit: a claim is handed out only once it is durable (inside
            # Ledger.transaction(), the caller hands it out after that commits).
            yield got

    @staticmethod
    def _claim_rows(
        conn: Connection,
        campaign: str,
        occurrence: str,
        keys: dict[str, str],
        api: str,
        claimed: dict[str, Any],
        retake: tuple[bool, bool, bool],
        returning: tuple[str, ...],
    ) -> Sequence[Any]:
        """The claim on PostgreSQL (:func:`_claim_statement`), its values bound: the shared ones
        once, the targets and their keys as two arrays."""
        params = {
            "campaign": campaign,
            "occurrence": occurrence,
            "api": api,
            **claimed,
            "expired": claimed["claimed_at"],  # a lease that ended before now is retakeable
            "targets": list(keys),
            "keys": list(keys.values()),
        }
        return conn.execute(_claim_statement(retake, returning), params).all()

    def release(self, campaign: str, occurrence: str, targets: Sequence[str], owner: str) -> int:
        """Give back claims whose call was never made, as if never claimed."""
        statement = delete(sends).where(
            one_send(campaign, occurrence), sends.c.state == "claimed", sends.c.claim_owner == owner
        )
        with self._write() as conn:
            return each_target(conn, statement, targets)


def _sorted_claims(got: Iterable[Sequence[Any]]) -> list[Claim]:
    """Rows of (target, idempotency key, attempts) as claims, by target."""
    claims = [Claim(target=target, key=key, attempts=attempts) for target, key, attempts in got]
    return sorted(claims, key=lambda claim: claim.target)


#: What a claim sets on its sends, new or retaken (the keys of ``claimed`` in
#: :meth:`Claims._claimed_rows`).
CLAIM_SET = ("state", "claim_owner", "lease_expires_at", "claimed_at")
#: The values a claim binds once for all its rows, in the columns' order of the insert.
SHARED = ("campaign", "occurrence", "api", *CLAIM_SET)


@functools.lru_cache(maxsize=16)
def _claim_statement(retake: tuple[bool, bool, bool], returning: tuple[str, ...]) -> Executable:
    """The claim on PostgreSQL: ``INSERT … SELECT … FROM unnest(targets, keys) … ON CONFLICT``,
    the values every row shares bound once and the targets and their keys as two arrays,
    inserted in the batch's order (by target, ``WITH ORDINALITY``). ``retake``
    (reclaim_expired, retry_failed, resend_unknown) says which existing rows are taken again.

    Built once per shape, every value a bound parameter: building it (the ``excluded`` alias
    above all) cost more client CPU than executing it. A short statement, the same text every
    time. The multi-row ``VALUES`` form (SQLAlchemy's "insertmanyvalues", ten parameters a row)
    grew past the 4 KiB up to which psycopg remembers how it rewrote a statement's parameters,
    so it was parsed again in Python on every claim. Conflicts are still decided row by row by
    the primary key, which no plan can bypass.
    """
    pairs = (
        func.unnest(
            bindparam("targets", type_=ARRAY(sends.c.target.type)),
            bindparam("keys", type_=ARRAY(sends.c.idempotency_key.type)),
        )
        .table_valued("target", "key", with_ordinality="n")
        .render_derived()
    )
    rows = select(
        *(bindparam(name, type_=sends.c[name].type) for name in SHARED),
        literal_column("1"),
        pairs.c.target,
        pairs.c.key,
    ).order_by(pairs.c.n)
    names = [*SHARED, "attempts", "target", "idempotency_key"]
    statement = postgresql.insert(sends).from_select(names, rows)
    reclaim_expired, retry_failed, resend_unknown = retake
    if any(retake):
        conditions = [
            and_(
                sends.c.state == "claimed",
                sends.c.lease_expires_at
                < bindparam("expired", type_=sends.c.lease_expires_at.type),
            )
            if reclaim_expired
            else false(),
            sends.c.state == "failed" if retry_failed else false(),
            sends.c.state == "unknown" if resend_unknown else false(),
        ]
        # The SET clause takes the new claim from ``excluded`` (the row that was not
        # inserted, same values for every row).
        taken = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=KEY,
            set_={
                **{name: taken[name] for name in CLAIM_SET},
                **{name: null() for name in RETRY},
                "attempts": sends.c.attempts + literal_column("1"),
            },
            where=or_(*conditions),
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=KEY)
    return statement.returning(*(sends.c[name] for name in returning))


def one_send(campaign: str, occurrence: str) -> Any:
    """The row of one send, its target bound per execution (``each_target``).

    Statements about sends name the whole primary key, one row at a time, executed in batches
    (``executemany``: a pipeline on psycopg). ``target IN (…)`` would be shorter, but PostgreSQL
    may plan it as a scan of the whole occurrence filtered by target when its statistics think
    the occurrence is small (a new one always looks small): quadratic over a million targets.
    """
    return (
        (sends.c.campaign == campaign)
        & (sends.c.occurrence == occurrence)
        & (sends.c.target == bindparam("one_target"))
    )


def each_target(conn: Connection, statement: Executable, targets: Sequence[str]) -> int:
    """Run ``statement`` (built with :func:`one_send`) for each target; total rows affected."""
    total = 0
    for chunk in in_chunks(targets):
        result = conn.execute(statement, [{"one_target": target} for target in chunk])
        total += result.rowcount
    return total
