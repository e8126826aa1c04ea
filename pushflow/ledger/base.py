"""What every part of the ledger shares: the engine, transactions, the clock, the change counter.

The parts (:mod:`.revisions`, :mod:`.occurrences`, :mod:`.sends`, :mod:`.schedules`) are mixins
over :class:`LedgerBase`, combined into :class:`~pushflow.ledger.store.Ledger`, so each stays a
small module while callers see one object.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Engine, Table, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from pushflow.ledger import schema
from pushflow.ledger.engine import READ
from pushflow.ledger.url import describe

#: Rows per statement/transaction in bulk work: under SQLite's oldest limit of 999 bound
#: parameters for ``IN (…)`` lists, large enough that a million targets is 2 000 round trips.
BATCH = 500
#: Channel of ``NOTIFY`` on PostgreSQL when :meth:`LedgerBase._changed` commits.
CHANNEL = "pushflow_state"

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``, lazily (targets may be millions)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_for(conn: Connection, table: Table) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_nothing``/``on_conflict_do_update``."""
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    return module.insert(table)


def utcnow(now: datetime | None = None) -> datetime:
    """``now`` (must be aware) or the current time, in UTC. Read at call time (freezegun)."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: pass an aware time")
    return now.astimezone(UTC)


class LedgerBase:
    """Holds the engine; gives write and read transactions and bumps the change counter."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        #: The connection of :meth:`transaction`, per thread.
        self._joined = threading.local()

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def where(self) -> str:
        """The state's URL for messages (password masked)."""
        return describe(self._engine.url)

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    @contextmanager
    def transaction(self, on: Connection | None = None) -> Iterator[None]:
        """One write transaction for every ledger write this thread makes inside the block:
        several claims and records, one commit (``BEGIN IMMEDIATE`` … ``COMMIT`` on SQLite).

        Nothing is durable before the block ends: a claim made inside may be handed out only
        after it. If the block raises, every write in it is rolled back. Reads inside the block
        (on their own connections) do not see its writes. Blocks do not nest.

        ``on``: a connection of this ledger's engine (:meth:`connection`) that the caller holds
        across many transactions, not in one when the block starts, and used by no other thread
        meanwhile; the transaction runs on it instead of on one checked out of the pool for the
        block (a checkout and a check-in, with its reset, cost more than a small transaction's
        begin and commit). Between blocks it holds no transaction, so no lock.
        """
        if getattr(self._joined, "conn", None) is not None:
            raise RuntimeError("ledger transactions do not nest")
        if on is not None and on.engine is not self._engine:
            raise ValueError("a transaction runs on a connection of this ledger's engine")
        if on is None:
            with self._engine.begin() as conn:
                yield from self._joining(conn)
        else:
            with on.begin():
                yield from self._joining(on)

    def _joining(self, conn: Connection) -> Iterator[None]:
        """``conn`` as this thread's :meth:`transaction` while the caller's block runs."""
        self._joined.conn = conn
        try:
            yield
        finally:
            self._joined.conn = None

    def connection(self) -> Connection:
        """A connection of the pool, to hold for :meth:`transaction`; close it to give it back."""
        return self._engine.connect()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction (``BEGIN IMMEDIATE`` on SQLite): commit on success; inside
        :meth:`transaction`, that transaction."""
        joined: Connection | None = getattr(self._joined, "conn", None)
        if joined is not None:
            yield joined
            return
        with self._engine.begin() as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A read-only transaction: one consistent snapshot, never takes SQLite's write lock."""
        with self._engine.connect().execution_options(**READ) as conn, conn.begin():
            yield conn

    def _changed(self, conn: Connection) -> int:
        """Count a change to what should run (revisions, schedules, server tasks).

        Called inside the writing transaction, so the counter moves exactly when the change
        commits; on PostgreSQL ``pg_notify`` is delivered at that commit too. Sends do not call
        this: N daemons claiming in parallel must not all queue on this one row.
        """
        table = schema.state_version
        conn.execute(update(table).where(table.c.id == 1).values(version=table.c.version + 1))
        version = int(conn.execute(select(table.c.version).where(table.c.id == 1)).scalar_one())
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {"channel": CHANNEL, "payload": str(version)},
            )
        return version

    def state_version(self) -> int:
        """The change counter: cheap to poll; it moves whenever what should run changes."""
        with self._read() as conn:
            table = schema.state_version
            return int(conn.execute(select(table.c.version).where(table.c.id == 1)).scalar_one())


def in_chunks(values: Sequence[str], size: int = BATCH) -> Iterator[Sequence[str]]:
    """Slices of ``values`` small enough for one ``IN (…)`` list."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
