"""Engines for the two backends, configured for many writers.

SQLite: a file in WAL mode (readers never block the writer), ``busy_timeout`` so a writer waits
for another instead of failing, foreign keys on. Write transactions start with
``BEGIN IMMEDIATE``: the write lock is taken at the start, so two writers queue up instead of
both reading and then one failing to upgrade its lock (``SQLITE_BUSY``, which busy_timeout
cannot retry). Read-only work passes ``execution_options(pushflow_read=True)`` and gets a plain
``BEGIN``. pysqlite's own transaction handling is turned off so these statements are the truth
(SQLAlchemy's documented recipe).

PostgreSQL: psycopg 3, ``pre_ping`` so a daemon survives a server restart.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry

from pushflow.ledger.errors import LedgerError
from pushflow.ledger.url import describe, is_sqlite

READ = {"pushflow_read": True}
MIN_SQLITE = (3, 35, 0)


def create(url: URL, *, busy_timeout: float = 30.0) -> Engine:
    """An engine for ``url`` (already normalised by :mod:`pushflow.ledger.url`)."""
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise LedgerError(
            f"{describe(url)}: SQLite {sqlite3.sqlite_version} is too old; pushflow needs "
            f"{'.'.join(map(str, MIN_SQLITE))} or newer (INSERT … ON CONFLICT … RETURNING)"
        )
    engine = create_engine(url, connect_args={"timeout": busy_timeout, "check_same_thread": False})
    millis = int(busy_timeout * 1000)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {millis}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        read = conn.get_execution_options().get("pushflow_read", False)
        # To the driver directly: every transaction of the ledger starts here.
        driver_execute(conn, "BEGIN" if read else "BEGIN IMMEDIATE", ()).close()

    return engine


def driver_execute(conn: Connection, sql: str, params: Sequence[Any], *, many: bool = False) -> Any:
    """Run ``sql`` with ``params`` on the driver connection of ``conn`` (inside its transaction)
    and return the driver's cursor; errors are raised as SQLAlchemy raises them
    (``sqlite3.IntegrityError`` as :class:`sqlalchemy.exc.IntegrityError`, with the statement).
    ``many``: ``params`` is a sequence of parameter rows, run with the driver's
    ``executemany`` (a pipeline on psycopg).

    For the statements of the claim → call → record path whose text the ledger writes itself:
    SQLAlchemy's execution (context, result object, events) costs about 40 µs a statement,
    more than the driver's own work for a statement of one row, and a sizeable share of a
    claim or record of 100; in an ``executemany``, its per-row parameter processing costs
    about as much as the driver's work.
    """
    cursor = conn.connection.cursor()
    try:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
    except conn.dialect.loaded_dbapi.Error as error:
        cursor.close()
        raise DBAPIError.instance(
            sql, params, error, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
        ) from error
    return cursor
