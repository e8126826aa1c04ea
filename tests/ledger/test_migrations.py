"""Versioned schema: created from empty, idempotent, steps run once, newer schemas refused."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, inspect, text
from sqlalchemy.engine import Connection

from pushflow.ledger import Ledger, SchemaTooNewError
from pushflow.ledger import engine as engines
from pushflow.ledger.migrations import LATEST, MIGRATIONS, Migration, upgrade
from pushflow.ledger.schema import metadata, schema_version
from pushflow.ledger.url import normalise
from tests.ledger.conftest import T0

TABLES = {
    "schema_version",
    "state_version",
    "apply_lock",
    "revisions",
    "occurrences",
    "sends",
    "schedules",
    "server_tasks",
    "revocations",
}


def test_from_empty_creates_every_table_at_the_latest_version(ledger: Ledger) -> None:
    assert set(inspect(ledger.engine).get_table_names()) == TABLES == set(metadata.tables)
    assert ledger.schema_version() == LATEST
    assert ledger.state_version() == 0


def test_opening_again_changes_nothing(state_url: str) -> None:
    with Ledger(state_url) as first:
        first.record_revision("promo", "a" * 16, {})
    with Ledger(state_url) as again:
        assert again.schema_version() == LATEST
        assert again.current_revision("promo") is not None
        with again.engine.connect() as conn:
            rows = conn.execute(schema_version.select()).all()
        assert [row.version for row in rows] == [m.version for m in MIGRATIONS]


def test_a_newer_schema_is_refused(state_url: str) -> None:
    with Ledger(state_url) as ledger, ledger.engine.begin() as conn:
        conn.execute(
            insert(schema_version).values(version=LATEST + 1, description="future", applied_at=T0)
        )
    with pytest.raises(SchemaTooNewError) as caught:
        Ledger(state_url)
    assert (
        f"state schema version {LATEST + 1} is newer than this pushflow supports ({LATEST})"
        in str(caught.value)
    )


def _add_note(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE sends ADD COLUMN note TEXT"))


def _broken(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE sends ADD COLUMN half_done TEXT"))
    raise RuntimeError("step 3 failed")


def test_a_later_step_runs_once_and_a_failing_step_changes_nothing(state_url: str) -> None:
    Ledger(state_url).close()  # the latest version, as released
    engine = engines.create(normalise(state_url))
    steps = (*MIGRATIONS, Migration(LATEST + 1, "sends.note", _add_note))
    try:
        assert upgrade(engine, steps) == LATEST + 1
        assert upgrade(engine, steps) == LATEST + 1  # a second ADD COLUMN would fail
        with pytest.raises(RuntimeError, match="step 3 failed"):
            upgrade(engine, (*steps, Migration(LATEST + 2, "broken", _broken)))
        columns = {c["name"] for c in inspect(engine).get_columns("sends")}
        assert "note" in columns
        assert "half_done" not in columns  # rolled back with the version stamp
        with pytest.raises(SchemaTooNewError):
            upgrade(engine)  # this code knows up to LATEST only
    finally:
        engine.dispose()


def test_migrations_must_be_numbered_without_gaps(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="without gaps"):
        upgrade(ledger.engine, (*MIGRATIONS, Migration(LATEST + 2, "gap", _add_note)))
