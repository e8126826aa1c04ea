"""The :class:`Ledger`: pushflow's state, one API over SQLite and PostgreSQL.

Opening a ledger resolves nothing by itself: pass a URL from :func:`pushflow.ledger.url.resolve`
(or a path). It creates or upgrades the schema (:mod:`.migrations`), refusing a newer one.
A ledger is safe to share between threads (each operation checks a connection out of the
engine's pool); each process opens its own.

The parts, each its own module:

- :class:`~.revisions.Revisions`: what was reviewed and applied;
- :class:`~.occurrences.Occurrences`: each firing of a campaign;
- :class:`~.claims.Claims` and :class:`~.sends.Sends`: claim → call → record, the
  exactly-once protocol;
- :class:`~.schedules.Schedules`: local schedules and server-side tasks;
- :class:`~.revocations.Revocations`: revoked sends, and summaries for the lifecycle commands;
- :meth:`Ledger.apply_lock`, :meth:`Ledger.state_version`, :meth:`Ledger.wait_for_change`.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from sqlalchemy import delete, select
from sqlalchemy.engine import URL

from pushflow.ledger import engine as engines
from pushflow.ledger import migrations, notify
from pushflow.ledger.lock import ApplyLock, describe_holder
from pushflow.ledger.occurrences import Occurrences
from pushflow.ledger.records import Actor
from pushflow.ledger.revisions import Revisions
from pushflow.ledger.revocations import Revocations
from pushflow.ledger.schedules import Schedules
from pushflow.ledger.schema import apply_lock
from pushflow.ledger.sends import Sends
from pushflow.ledger.url import normalise

#: Default wait for the apply lock, seconds (``pushflow apply --lock-timeout``).
LOCK_TIMEOUT = 30.0


class Ledger(Revisions, Occurrences, Sends, Schedules, Revocations):
    """The state store. ``Ledger("postgresql://…")``, ``Ledger(".pushflow/state.db")``."""

    def __init__(
        self,
        location: URL | str,
        *,
        project_root: Path | None = None,
        busy_timeout: float = 30.0,
        upgrade: bool = True,
    ) -> None:
        url = location if isinstance(location, URL) else normalise(location, project_root)
        if url.get_backend_name() == "sqlite" and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(engines.create(url, busy_timeout=busy_timeout))
        if upgrade:
            try:
                migrations.upgrade(self._engine)
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def schema_version(self) -> int:
        with self._read() as conn:
            return migrations.current_version(conn)

    def apply_lock(
        self,
        holder: Actor | None = None,
        *,
        timeout: float = LOCK_TIMEOUT,
        name: str = "apply",
        poll: float = 0.1,
    ) -> ApplyLock:
        """The lock two applies share: ``with ledger.apply_lock(timeout=5): …``."""
        return ApplyLock(self._engine, name, holder or Actor.current(), timeout, poll)

    def lock_holder(self, name: str = "apply") -> str | None:
        """Who the lock row names (it may be stale on SQLite; see :mod:`.lock`)."""
        with self._read() as conn:
            row = conn.execute(select(apply_lock).where(apply_lock.c.name == name)).first()
        return describe_holder(row)

    def break_lock(self, name: str = "apply") -> bool:
        """Remove a lock row left by a crashed apply on another host (SQLite). Use with care."""
        with self._write() as conn:
            return bool(conn.execute(delete(apply_lock).where(apply_lock.c.name == name)).rowcount)

    def wait_for_change(self, seen: int, timeout: float) -> int:
        """Block until :meth:`state_version` differs from ``seen`` (or timeout); return it."""
        return notify.wait_for_change(self._engine, seen, timeout)
