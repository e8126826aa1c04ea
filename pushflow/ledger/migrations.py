"""A versioned schema: ordered steps, applied in one transaction, never run twice.

The ``schema_version`` table holds one row per applied step. Opening a ledger runs
:func:`upgrade`, which

1. serialises with any other process doing the same (``BEGIN IMMEDIATE`` on SQLite, a
   transaction-scoped advisory lock on PostgreSQL), so two daemons starting on an empty
   database do not both create it;
2. refuses a database whose version is newer than the code (:class:`SchemaTooNewError`): an old
   pushflow must not write into state whose rules it does not know;
3. on an empty database runs migration 1, which creates the *current* schema of
   :mod:`pushflow.ledger.schema`, and stamps every known version (like a squashed history);
4. on an older database runs each later step in order, in the same transaction (both backends
   have transactional DDL), so a failed step leaves the database at its old version.

Adding a migration (the next is 6): change the table in ``schema.py`` *and* append::

    def _add_send_note(conn: Connection) -> None:
        conn.execute(text("ALTER TABLE sends ADD COLUMN note TEXT"))

    MIGRATIONS = (..., Migration(6, "sends.note", _add_send_note))

Migration 2 added the ``revocations`` table (``pushflow revoke``); its step spells the table out
as it was then, so a later change to it needs a step of its own. Migration 3 dropped the index
of every send's state and lease; PostgreSQL gets a partial one of the ``claimed`` sends only,
keyed by their lease expiry, which migration 4 keys by the primary key instead. Migration 5
creates, on PostgreSQL, the function that records a call's sends (``schema.FINISH_SENDS``); a
new state gets it with the ``sends`` table.

A fresh database gets the column from ``schema.py``; an existing one from the step. The test
suite runs a step like this one against both backends.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection

from pushflow.ledger import schema
from pushflow.ledger.errors import SchemaTooNewError
from pushflow.ledger.url import describe

#: Key of the PostgreSQL advisory lock that serialises migrations (any stable 63-bit number).
MIGRATION_LOCK_KEY = zlib.crc32(b"pushflow.migrations")


@dataclass(frozen=True)
class Migration:
    """One step: from ``version - 1`` to ``version``."""

    version: int
    description: str
    upgrade: Callable[[Connection], None]


def _initial_schema(conn: Connection) -> None:
    schema.metadata.create_all(conn)
    conn.execute(insert(schema.state_version).values(id=1, version=0))


def _revocations(conn: Connection) -> None:
    """Create ``revocations`` as it was at version 2 (its shape is frozen here, so a later
    step that changes the table applies to what this step made, on every database)."""
    table = Table(
        "revocations",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("campaign", schema.CAMPAIGN, nullable=False),
        Column("occurrence", schema.OCCURRENCE, nullable=False),
        Column("api", String(64), nullable=False),
        Column("subject", String(255), nullable=False),
        Column("message_id", String(128)),
        Column("state", String(10), nullable=False),
        Column("result_code", String(64)),
        Column("error", Text),
        Column("sent_at", schema.UTCDateTime),
        Column("revoked_at", schema.UTCDateTime, nullable=False),
        Column("revoked_by", String(400), nullable=False),
        UniqueConstraint("campaign", "occurrence", "api", "subject", name="uq_revocations_subject"),
    )
    table.create(conn)


def _claimed_index(conn: Connection) -> None:
    """Drop ``ix_sends_state_lease`` (state, lease expiry of every send ever made); on
    PostgreSQL create ``ix_sends_claimed_lease`` instead: the lease expiry of the ``claimed``
    sends only, what its plan for an occurrence's stale claims reads. No query needs the old
    index for any other state, and keeping it cost every claim and every record B-tree writes
    in an index as large as the whole history; no SQLite plan uses even the partial one (see
    :mod:`.schema`). Building it reads the table once and holds only the claims in flight."""
    conn.execute(text("DROP INDEX IF EXISTS ix_sends_state_lease"))
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "CREATE INDEX ix_sends_claimed_lease ON sends (lease_expires_at) "
                "WHERE state = 'claimed'"
            )
        )


def _claims_by_key(conn: Connection) -> None:
    """On PostgreSQL, replace ``ix_sends_claimed_lease`` with ``ix_sends_claimed``: the claimed
    sends keyed by (campaign, occurrence, target), not by lease expiry.

    Without statistics (a new database, a table just emptied, before autovacuum's first
    ``ANALYZE``) the planner priced a lookup of one send in the lease index the same as in the
    primary key and took the lease index: the record of a call then read every entry of that
    index, the dead ones of sends recorded since the last vacuum included, once per target
    (see :mod:`.schema`). Keyed like the primary key, either index finds the send in one
    lookup. Building it reads the table once and holds only the claims in flight."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text("DROP INDEX IF EXISTS ix_sends_claimed_lease"))
    conn.execute(
        text(
            "CREATE INDEX ix_sends_claimed ON sends (campaign, occurrence, target) "
            "WHERE state = 'claimed'"
        )
    )


def _finish_function(conn: Connection) -> None:
    """On PostgreSQL, create :data:`~.schema.FINISH_SENDS`: the record of a call's sends in one
    statement from the client, each send still updated by its key inside the server (see
    :mod:`.schema`). A function only: no table is read or locked."""
    schema.create_finish_sends(schema.sends, conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _initial_schema),
    Migration(2, "revocations", _revocations),
    Migration(3, "sends: index of claims only, on PostgreSQL", _claimed_index),
    Migration(4, "sends: claims indexed by their key, on PostgreSQL", _claims_by_key),
    Migration(5, "sends: records by a function, on PostgreSQL", _finish_function),
)
LATEST = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    """The schema version of the database (0: empty)."""
    if not inspect(conn).has_table(schema.schema_version.name):
        return 0
    found = conn.execute(select(func.max(schema.schema_version.c.version))).scalar()
    return int(found or 0)


def upgrade(engine: Engine, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database to the latest version of ``migrations``; return that version."""
    _check_order(migrations)
    latest = migrations[-1].version
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        current = current_version(conn)
        if current > latest:
            raise SchemaTooNewError(describe(engine.url), current, latest)
        if current == latest:
            return current
        if current == 0:
            migrations[0].upgrade(conn)
            _stamp(conn, migrations)
            return latest
        pending = [m for m in migrations if m.version > current]
        for step in pending:
            step.upgrade(conn)
        _stamp(conn, pending)
    return latest


def _stamp(conn: Connection, steps: Sequence[Migration]) -> None:
    now = datetime.now(UTC)
    conn.execute(
        insert(schema.schema_version),
        [{"version": m.version, "description": m.description, "applied_at": now} for m in steps],
    )


def _check_order(migrations: Sequence[Migration]) -> None:
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migrations must be numbered 1, 2, 3 … without gaps: {versions}")
