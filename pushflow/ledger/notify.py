"""Waiting for state changes: LISTEN/NOTIFY on PostgreSQL, polling on SQLite.

Every change to what should run bumps the ``state_version`` counter in its own transaction and,
on PostgreSQL, sends ``NOTIFY pushflow_state`` delivered at commit. A daemon keeps the version it
last reconciled and calls :func:`wait_for_change`; it returns as soon as the version differs (at
once if it already does, so no change between two waits is ever missed) or at the timeout.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, select, text

from pushflow.ledger.base import CHANNEL
from pushflow.ledger.engine import READ
from pushflow.ledger.schema import state_version

#: How often SQLite is polled while waiting.
POLL_SECONDS = 0.25


def read_version(engine: Engine) -> int:
    with engine.connect().execution_options(**READ) as conn, conn.begin():
        query = select(state_version.c.version).where(state_version.c.id == 1)
        return int(conn.execute(query).scalar_one())


def wait_for_change(engine: Engine, seen: int, timeout: float) -> int:
    """Block until ``state_version`` differs from ``seen`` or ``timeout`` passes; return it."""
    if engine.dialect.name == "postgresql":
        return _listen(engine, seen, timeout)
    deadline = time.monotonic() + timeout
    while True:
        version = read_version(engine)
        left = deadline - time.monotonic()
        if version != seen or left <= 0:
            return version
        time.sleep(min(POLL_SECONDS, left))


def _listen(engine: Engine, seen: int, timeout: float) -> int:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"LISTEN {CHANNEL}"))
        try:
            version = read_version(engine)  # after LISTEN: a change from now on is heard
            if version == seen:
                driver: Any = conn.connection.driver_connection
                for _ in driver.notifies(timeout=timeout, stop_after=1):
                    break
                version = read_version(engine)
        finally:
            conn.execute(text(f"UNLISTEN {CHANNEL}"))
    return version
