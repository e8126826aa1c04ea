"""Schemas as released versions created them, to test migrations from real starting points.

Migration 1 creates the *current* schema, so an older state is made here: the current tables,
then each later step's change undone. Versions 1 and 2 keep the function of migration 5 (which
the new code's records need on PostgreSQL, and the tests write sends through the new code
before upgrading); :func:`version_4` has none.
"""

from __future__ import annotations

from sqlalchemy import insert, text
from sqlalchemy.engine import Connection

from pushflow.ledger.schema import FINISH_SENDS, metadata, state_version

#: ``sends``'s second index as versions 1 and 2 had it: every send's state and lease.
STATE_LEASE_INDEX = "CREATE INDEX ix_sends_state_lease ON sends (state, lease_expires_at)"


def version_2(conn: Connection) -> None:
    """Every table as version 2 had it: the state index over every send (migration 3 dropped
    it, and on PostgreSQL indexes the claims only, by lease; migration 4 by key)."""
    metadata.create_all(conn)
    _state_index(conn)
    conn.execute(insert(state_version).values(id=1, version=0))


def version_1(conn: Connection) -> None:
    """Every table as the first release created it: version 2 without ``revocations``."""
    tables = [t for t in metadata.sorted_tables if t.name != "revocations"]
    metadata.create_all(conn, tables=tables)
    _state_index(conn)
    conn.execute(insert(state_version).values(id=1, version=0))


def _state_index(conn: Connection) -> None:
    conn.execute(text("DROP INDEX IF EXISTS ix_sends_claimed"))
    conn.execute(text(STATE_LEASE_INDEX))


def version_4(conn: Connection) -> None:
    """Every table as version 4 had it: without the function that records sends on PostgreSQL
    (migration 5)."""
    metadata.create_all(conn)
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"DROP FUNCTION {FINISH_SENDS}"))
    conn.execute(insert(state_version).values(id=1, version=0))
