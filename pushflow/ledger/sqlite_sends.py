"""The claim and the record on SQLite: statements the ledger writes for the driver itself.

They do what the SQLAlchemy statements of :mod:`.claims` and :mod:`.sends` do on PostgreSQL,
with less work per row, because the claim → call → record path runs them for every call:

- the values every row shares (campaign, occurrence, api, owner, lease, times, outcome) are
  bound once per statement, not once per row, converted by the columns' own types
  (:func:`sqlite_bound`), so the stored rows are identical;
- the statements go to the driver directly (:func:`~.engine.driver_execute`), their text made
  once per shape.

**The claim** is three steps in the caller's write transaction, not one
``INSERT … ON CONFLICT … RETURNING``: read which of the targets have a row, insert the others
with a plain ``INSERT``, and take again those of the existing rows that the caller allows
(``UPDATE … RETURNING``, under the same condition as the ``ON CONFLICT`` branch). Nothing can
come between the read and the writes: every SQLite write transaction of the ledger starts with
``BEGIN IMMEDIATE``, so this one holds the database's write lock before it reads, and no other
connection writes until it commits. The primary key is still the last word: an insert of a send
that exists fails (``IntegrityError``, the transaction rolls back) rather than claiming it
twice. It costs SQLite less than the upsert, which kept every returned row in a temporary table
and looked each key up twice; on a new occurrence the read is one lookup of a range that finds
nothing (:func:`_existing`), and no row comes back from the database at all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from sqlalchemy.engine import Connection, Dialect

from pushflow.ledger.base import in_chunks
from pushflow.ledger.engine import driver_execute
from pushflow.ledger.schema import UTCDateTime, sends

#: Targets per statement of the claim: two parameters each, with the shared ones under
#: SQLite's oldest limit of 999 bound parameters.
CLAIM_ROWS = 400
#: What a retaken send forgets of its previous attempt (as :data:`.claims.RETRY`).
FORGETS = ("finished_at", "result_code", "error")


def claim(
    conn: Connection,
    campaign: str,
    occurrence: str,
    pairs: Sequence[tuple[str, str]],
    api: str,
    claimed: dict[str, Any],
    *,
    reclaim_expired: bool,
    retry_failed: bool,
    resend_unknown: bool,
    returning: tuple[str, ...],
) -> list[Any]:
    """Claim ``pairs`` (target, key; distinct targets) inside ``conn``'s write transaction;
    the ``returning`` columns (target, or target, idempotency_key, attempts) of each send got.
    """
    dialect = conn.dialect
    owner = claimed["claim_owner"]
    lease = sqlite_bound(dialect, "lease_expires_at", claimed["lease_expires_at"])
    when = sqlite_bound(dialect, "claimed_at", claimed["claimed_at"])
    shared = (campaign, occurrence, api, claimed["state"], owner, lease, when)
    retake = (reclaim_expired, retry_failed, resend_unknown)
    # States an existing row may be taken again from (the UPDATE checks the full condition).
    again_from = {
        state
        for state, allowed in zip(("claimed", "failed", "unknown"), retake, strict=True)
        if allowed
    }
    # The reclaim condition's one parameter: a lease that ended before now.
    expired = sqlite_bound(dialect, "lease_expires_at", claimed["claimed_at"])
    got: list[Any] = []
    for start in range(0, len(pairs), CLAIM_ROWS):
        chunk = pairs[start : start + CLAIM_ROWS]
        targets = [target for target, _ in chunk]
        existing = _existing(conn, campaign, occurrence, targets)
        new: Sequence[tuple[str, str]]
        if existing:
            new = [pair for pair in chunk if pair[0] not in existing]
            targets = [target for target, _ in new]
        else:
            new = chunk
        if new:
            params = [*shared, *chain.from_iterable(new)]
            driver_execute(conn, _insert_sql(len(new)), params).close()
            if returning == ("target",):
                got.extend(zip(targets))  # (target,) rows
            else:
                got.extend([(target, key, 1) for target, key in new])
        again = [target for target, state in existing.items() if state in again_from]
        if again:
            params = [owner, lease, when, campaign, occurrence, *again]
            if reclaim_expired:
                params.append(expired)
            sql = _retake_sql(len(again), retake, returning)
            got.extend(driver_execute(conn, sql, params).fetchall())
    return got


def _existing(
    conn: Connection, campaign: str, occurrence: str, targets: list[str]
) -> dict[str, str]:
    """The state of each of ``targets`` that has a row.

    First one range of the primary key, from the least target to the greatest (SQLite's
    ``BINARY`` order of text is Python's order of ``str``): a claim's targets are a sorted
    chunk of the audience, so on a new occurrence this is one lookup that finds nothing, where
    ``target IN (…)`` is a lookup per target. Rows in the range that are not ``targets`` (sent
    before, to an earlier audience) are left out here. A range holding more than
    :data:`RANGE_SPARE` times as many rows as ``targets`` is not read to its end: then one
    lookup per target, as the range could be a large part of the occurrence.
    """
    limit = RANGE_SPARE * len(targets)
    params = [campaign, occurrence, min(targets), max(targets), limit]
    rows = driver_execute(conn, RANGE_SQL, params).fetchall()
    if len(rows) == limit:
        params = [campaign, occurrence, *targets]
        return dict(driver_execute(conn, _in_sql(len(targets)), params).fetchall())
    if not rows:
        return {}
    wanted = set(targets)
    return {target: state for target, state in rows if target in wanted}


#: See :func:`_existing`.
RANGE_SPARE = 4
RANGE_SQL = (
    "SELECT target, state FROM sends WHERE campaign = ? AND occurrence = ? "
    "AND target >= ? AND target <= ? LIMIT ?"
)


@functools.lru_cache(maxsize=64)
def _in_sql(targets: int) -> str:
    return (
        "SELECT target, state FROM sends WHERE campaign = ? AND occurrence = ? AND target IN ("
        + ", ".join("?" * targets)
        + ")"
    )


@functools.lru_cache(maxsize=64)
def _insert_sql(rows: int) -> str:
    return (
        "INSERT INTO sends (campaign, occurrence, api, state, claim_owner, "
        "lease_expires_at, claimed_at, attempts, target, idempotency_key) "
        "SELECT ?, ?, ?, ?, ?, ?, ?, 1, column1, column2 FROM (VALUES "
        + ", ".join(["(?, ?)"] * rows)
        + ")"
    )


@functools.lru_cache(maxsize=64)
def _retake_sql(targets: int, retake: tuple[bool, bool, bool], returning: tuple[str, ...]) -> str:
    """The new claim over existing rows, where ``retake`` (reclaim_expired, retry_failed,
    resend_unknown) allows it: the ``ON CONFLICT DO UPDATE`` of the generic claim."""
    reclaim_expired, retry_failed, resend_unknown = retake
    conditions = []
    if reclaim_expired:
        conditions.append("(state = 'claimed' AND lease_expires_at < ?)")
    if retry_failed:
        conditions.append("state = 'failed'")
    if resend_unknown:
        conditions.append("state = 'unknown'")
    return (
        "UPDATE sends SET state = 'claimed', claim_owner = ?, lease_expires_at = ?, "
        "claimed_at = ?, "
        + "".join(f"{name} = NULL, " for name in FORGETS)
        + "attempts = attempts + 1 WHERE campaign = ? AND occurrence = ? AND target IN ("
        + ", ".join("?" * targets)
        + ") AND ("
        + " OR ".join(conditions)
        + ") RETURNING "
        + ", ".join(returning)
    )


def finish(
    conn: Connection,
    campaign: str,
    occurrence: str,
    targets: Sequence[str],
    owner: str,
    values: dict[str, Any],
) -> int:
    """:meth:`.sends.Sends._finish` on SQLite: ``UPDATE … WHERE target IN (…)`` per slice of
    targets, the new values bound once per statement. One statement per slice costs a fraction
    of one execution per target.

    ``+state``: the unary plus keeps SQLite from using an index on ``state`` for the fence.
    Without statistics its planner preferred the index over every send's state (dropped by
    migration 3) to the primary key, and then read every claimed send of every occurrence to
    update a hundred: with 16 calls in flight, about 1 600 rows per record. The plus keeps any
    such index out of this plan. The rows are found by primary key (campaign, occurrence,
    target)."""
    names = tuple(values)  # column names from this module's callers, never from input
    assigned = bound_values(conn.dialect, values)
    total = 0
    for chunk in in_chunks(targets):
        params = [*assigned, campaign, occurrence, owner, *chunk]
        cursor = driver_execute(conn, _finish_sql(names, len(chunk)), params)
        total += cursor.rowcount
        cursor.close()
    return total


@functools.lru_cache(maxsize=64)
def _finish_sql(names: tuple[str, ...], targets: int) -> str:
    columns = ", ".join(f"{name} = ?" for name in names)
    return (
        f"UPDATE sends SET {columns} WHERE campaign = ? AND occurrence = ? "
        "AND +state = 'claimed' AND claim_owner = ? AND target IN ("
        + ", ".join("?" * targets)
        + ")"
    )


def bound_values(dialect: Dialect, values: dict[str, Any]) -> list[Any]:
    """Each of ``values`` (``sends`` column → value) as its column's own type binds it on
    ``dialect`` (:func:`sqlite_bound`), in order, the processors looked up once per set of
    columns: the new values of a record, bound once per statement."""
    processors = _bind_processors(dialect, tuple(values))
    return [
        value if process is None else process(value)
        for value, process in zip(values.values(), processors, strict=True)
    ]


@functools.lru_cache(maxsize=64)
def _bind_processors(
    dialect: Dialect, columns: tuple[str, ...]
) -> tuple[Callable[[Any], Any] | None, ...]:
    """:func:`sqlite_bound`'s processor of each of ``columns``, looked up once per shape."""
    return tuple(_bind_processor(dialect, column) for column in columns)


def sqlite_bound(dialect: Dialect, column: str, value: Any) -> Any:
    """``value`` as the ``sends`` column's own type binds it (a datetime as SQLite text), for
    statements sent without SQLAlchemy's parameter processing."""
    process = _bind_processor(dialect, column)
    return value if process is None else process(value)


@functools.cache
def _bind_processor(dialect: Dialect, column: str) -> Callable[[Any], Any] | None:
    if isinstance(sends.c[column].type, UTCDateTime) and dialect.name == "sqlite":
        return sqlite_time
    processor: Callable[[Any], Any] | None = (
        sends.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    )
    return processor


def sqlite_time(value: datetime | None) -> str | None:
    """``value`` as :class:`~.schema.UTCDateTime` binds it on SQLite (SQLAlchemy's ``DATETIME``
    text of the UTC time, microseconds always written), in a third of the time: the claim and
    the record bind three or four times each."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: the ledger stores aware UTC times")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # ``YYYY-MM-DD HH:MM:SS.ffffff+00:00`` (the year always has four digits), its offset cut.
    return value.isoformat(" ", "microseconds")[:26]
