"""The apply lock: two applies against one state never interleave.

``with ledger.apply_lock(timeout=30):`` waits up to ``timeout`` seconds, then raises
:class:`~pushflow.ledger.errors.LockTimeoutError` naming the holder (user, host, pid, since).
The holder is kept in the ``apply_lock`` table on both backends, so anyone can see who holds it.

- **PostgreSQL**: a session advisory lock (``pg_try_advisory_lock``, polled) on a connection held
  for the lock's lifetime. If the holder dies, from any host, its session ends and the server
  releases the lock; the stale holder row is overwritten by the next holder.
- **SQLite**: the row itself is the lock, taken in a ``BEGIN IMMEDIATE`` transaction (read the
  row, and insert ours if free, atomically). A row left by a crashed apply is *stale* when its
  host is this host and its pid is no longer alive: the next apply takes the lock over. A row
  from another host cannot be checked (a SQLite file shared between hosts is not a supported
  setup anyway): it stays until :meth:`~pushflow.ledger.store.Ledger.break_lock` removes it.

The lock orders applies and keeps their output readable; exactly-once does not rest on it. Two
writers that bypass it (a daemon, a lost PostgreSQL connection) still cannot both claim a send.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, Row, delete, insert, select, text
from sqlalchemy.engine import Connection

from pushflow.ledger.base import utcnow
from pushflow.ledger.errors import LockTimeoutError
from pushflow.ledger.records import Actor
from pushflow.ledger.schema import apply_lock
from pushflow.ledger.url import describe


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for the PostgreSQL advisory lock of ``name``."""
    digest = hashlib.sha256(f"pushflow.lock:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def pid_alive(pid: int) -> bool:
    """Whether a process with ``pid`` exists on this host (pid reuse makes this a best guess)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def describe_holder(row: Row[Any] | None) -> str | None:
    return None if row is None else f"{row.user}@{row.host} pid {row.pid}"


class ApplyLock:
    """Context manager for one lock; see the module docstring for the per-backend rules."""

    def __init__(
        self, engine: Engine, name: str, holder: Actor, timeout: float, poll: float = 0.1
    ) -> None:
        self._engine = engine
        self.name = name
        self.holder = holder
        self.timeout = timeout
        self.poll = poll
        self.token = uuid.uuid4().hex
        self._conn: Connection | None = None

    def __enter__(self) -> ApplyLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock, polling until ``timeout``; raise naming the holder if it stays taken."""
        deadline = time.monotonic() + self.timeout
        while True:
            taken, other = self._try()
            if taken:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                self._close()
                raise LockTimeoutError(
                    describe(self._engine.url),
                    self.name,
                    self.timeout,
                    describe_holder(other),
                    other.since if other is not None else None,
                )
            time.sleep(min(self.poll, left))

    def _try(self) -> tuple[bool, Row[Any] | None]:
        """Try once: (True, None) when taken, else (False, the holder's row if written yet)."""
        if self._engine.dialect.name == "postgresql":
            return self._try_postgres()
        return self._try_sqlite()

    def _row(self, conn: Connection) -> Row[Any] | None:
        return conn.execute(select(apply_lock).where(apply_lock.c.name == self.name)).first()

    def _mine(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "token": self.token,
            "host": self.holder.host,
            "pid": self.holder.pid,
            "user": self.holder.user,
            "since": utcnow(),
        }

    def _try_sqlite(self) -> tuple[bool, Row[Any] | None]:
        with self._engine.begin() as conn:  # BEGIN IMMEDIATE: read and write atomically
            row = self._row(conn)
            if row is not None and not self._stale(row):
                return False, row
            conn.execute(delete(apply_lock).where(apply_lock.c.name == self.name))
            conn.execute(insert(apply_lock).values(**self._mine()))
        return True, None

    def _stale(self, row: Row[Any]) -> bool:
        return bool(row.host == self.holder.host and not pid_alive(row.pid))

    def _try_postgres(self) -> tuple[bool, Row[Any] | None]:
        if self._conn is None:
            self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        conn = self._conn
        key = advisory_key(self.name)
        if conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
            conn.execute(delete(apply_lock).where(apply_lock.c.name == self.name))
            conn.execute(insert(apply_lock).values(**self._mine()))
            return True, None
        return False, self._row(conn)

    def release(self) -> None:
        """Give the lock back (only ours: the token guards a lock taken over meanwhile)."""
        mine = (apply_lock.c.name == self.name) & (apply_lock.c.token == self.token)
        if self._conn is None:
            with self._engine.begin() as conn:
                conn.execute(delete(apply_lock).where(mine))
            return
        try:
            self._conn.execute(delete(apply_lock).where(mine))
            self._conn.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": advisory_key(self.name)}
            )
        finally:
            self._close()

    def _close(self) -> None:
        """End the held PostgreSQL session: discarded, not pooled, so no lock can outlive it."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.invalidate()
            conn.close()
