"""One ledger test suite, run against every backend (as APScheduler's job store tests are).

``state_url`` is parametrized: ``sqlite`` is a file in ``tmp_path``; ``postgres`` is a database
created for this test session on 127.0.0.1:5432 (user postgres, trust auth) and dropped at the
end, its schema emptied after each test. If PostgreSQL is unreachable those tests are skipped,
except under ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest

from pushflow.ledger import Ledger

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(PG_ADMIN, autocommit=True)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh database for this session; its URL (the plain ``postgresql://`` form)."""
    name = f"pushflow_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = _admin()
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL on 127.0.0.1:5432 is unreachable: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty(dbname: str) -> None:
    """End every other session on the test database and drop all its tables."""
    with _admin() as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (dbname,),
        )
    conninfo = PG_ADMIN.replace("dbname=postgres", f"dbname={dbname}")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def state_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """Where a test's state lives: a SQLite path or a PostgreSQL URL, empty at the start."""
    if request.param == "sqlite":
        yield str(tmp_path) + "/state/state.db"
        return
    url: str = request.getfixturevalue("postgres_database")
    yield url
    _empty(url.rsplit("/", 1)[1])


@pytest.fixture
def ledger(state_url: str) -> Iterator[Ledger]:
    with Ledger(state_url) as opened:
        yield opened


@pytest.fixture
def occurrence(ledger: Ledger) -> str:
    """A campaign ``promo`` with one revision and one occurrence; returns the occurrence key."""
    revision = ledger.record_revision("promo", "a" * 16, {"title": "Hi"}, now=T0)
    ledger.record_occurrence("promo", "2026-12-01T08:00", T0, revision.id)
    return "2026-12-01T08:00"
