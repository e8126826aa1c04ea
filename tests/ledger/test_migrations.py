"""Versioned schema: created from empty, idempotent, steps run once, newer schemas refused;
migrations 3 and 4 (the index of claims) from a version 2 state with sends in it, 4 from a
version 3 one, 5 (the function that records sends, on PostgreSQL) from a version 4 one; the
record of a send found by its key on a database without statistics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, inspect, select, text
from sqlalchemy.engine import Connection

from pushflow.ledger import Ledger, SchemaTooNewError
from pushflow.ledger import engine as engines
from pushflow.ledger.migrations import LATEST, MIGRATIONS, Migration, upgrade
from pushflow.ledger.schema import FINISH_SENDS, metadata, schema_version, sends
from pushflow.ledger.url import normalise
from tests.ledger import released
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


OCC = "2026-12-01T08:00"
LEASE = timedelta(minutes=5)


def _released_state(state_url: str, schema: Callable[[Connection], None], version: int) -> None:
    """A state as release ``version`` left it: ``schema`` makes its tables, stamped 1…version."""
    if "://" not in state_url:  # SQLite: the file's folder
        Path(state_url).parent.mkdir(parents=True, exist_ok=True)
    engine = engines.create(normalise(state_url))
    steps = [Migration(1, "initial schema", schema)]
    steps += [Migration(m.version, m.description, lambda _: None) for m in MIGRATIONS[1:version]]
    try:
        assert upgrade(engine, steps) == version
    finally:
        engine.dispose()


def _send_indexes(engine: Engine) -> dict[str, str]:
    """The definitions of ``sends``'s indexes other than its primary key, as the database
    reports them."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sends' "
                "AND sql IS NOT NULL"
            )
        else:
            rows = conn.exec_driver_sql(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'sends' "
                "AND indexname <> 'sends_pkey'"
            )
        return {name: " ".join(sql.split()) for name, sql in rows}


def _all_sends(ledger: Ledger) -> list[tuple[object, ...]]:
    with ledger.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(sends).order_by(sends.c.target))]


#: ``sends``'s indexes besides its primary key, from version 4 on: the claims' on PostgreSQL.
SEND_INDEXES = {
    "sqlite": {},
    "postgresql": {
        "ix_sends_claimed": "CREATE INDEX ix_sends_claimed ON public.sends USING btree "
        "(campaign, occurrence, target) WHERE ((state)::text = 'claimed'::text)"
    },
}


def test_a_version_2_state_keeps_its_sends_and_indexes_only_the_claims(state_url: str) -> None:
    _released_state(state_url, released.version_2, 2)
    with Ledger(state_url, upgrade=False) as old:
        assert old.schema_version() == 2
        assert set(_send_indexes(old.engine)) == {"ix_sends_state_lease"}
        revision = old.record_revision("promo", "a" * 16, {"title": "Hi"}, now=T0)
        old.record_occurrence("promo", OCC, T0, revision.id)
        pairs = [(name, f"key-{name}") for name in "abcdef"]
        old.claim("promo", OCC, pairs, "crashed", LEASE, api="mpaas.PushMultiple", now=T0)
        old.record_sent("promo", OCC, ["a", "b"], "crashed", task_id="t1", now=T0)
        old.record_failed("promo", OCC, ["c"], "crashed", result_code="3022", now=T0)
        old.record_unknown("promo", OCC, ["d"], "crashed", error="timed out", now=T0)
        before = _all_sends(old)  # "e" and "f" stay claimed: the apply stopped mid-call

    with Ledger(state_url) as ledger:
        assert ledger.schema_version() == LATEST
        assert _send_indexes(ledger.engine) == SEND_INDEXES[ledger.backend]
        assert _all_sends(ledger) == before
        stale = ledger.sends("promo", OCC, states=["claimed"])
        assert [(send.target, send.claim_owner) for send in stale] == [
            ("e", "crashed"),
            ("f", "crashed"),
        ]
        later = T0 + LEASE + timedelta(seconds=1)
        pairs = [(name, f"key-{name}") for name in "abcdefg"]
        got = ledger.claim(
            "promo", OCC, pairs, "next", LEASE, reclaim_expired=True, retry_failed=True, now=later
        )
        assert got == ["c", "e", "f", "g"]  # never a recorded send, nor an unknown one
        assert ledger.record_sent("promo", OCC, got, "next", task_id="t2", now=later) == 4
        assert ledger.send_counts("promo", OCC) == {"sent": 6, "unknown": 1}
        assert ledger.sends("promo", OCC, states=["claimed"]) == []


def test_a_version_3_state_gets_the_claims_keyed_like_the_primary_key(state_url: str) -> None:
    _released_state(state_url, released.version_2, 2)
    engine = engines.create(normalise(state_url))
    try:
        assert upgrade(engine, MIGRATIONS[:3]) == 3  # as release 3 left it
        lease_index = {"ix_sends_claimed_lease"} if engine.dialect.name == "postgresql" else set()
        assert set(_send_indexes(engine)) == lease_index
    finally:
        engine.dispose()
    with Ledger(state_url) as ledger:
        assert ledger.schema_version() == LATEST
        assert _send_indexes(ledger.engine) == SEND_INDEXES[ledger.backend]


def test_a_new_state_has_the_indexes_a_migrated_one_gets(ledger: Ledger) -> None:
    """``schema.py`` (migration 1 of a new state) and steps 3 and 4 make the same indexes."""
    assert _send_indexes(ledger.engine) == SEND_INDEXES[ledger.backend]


def test_stale_claims_are_found_through_the_index_of_claims(
    ledger: Ledger, occurrence: str
) -> None:
    """The question the index is for: which sends of an occurrence are still claimed (their
    leases are checked one by one). PostgreSQL answers it from the index of claims; SQLite,
    which has none, from the table."""
    pairs = [(name, f"key-{name}") for name in ("a", "b", "c")]
    ledger.claim("promo", occurrence, pairs, "me", LEASE, now=T0)
    ledger.record_sent("promo", occurrence, ["b"], "me", now=T0)
    query = (
        "SELECT target FROM sends WHERE campaign = 'promo' AND occurrence = :occurrence "
        "AND state = 'claimed' ORDER BY target"
    )
    with ledger.engine.begin() as conn:
        if ledger.backend == "postgresql":
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a table this small
            explain = conn.execute(text(f"EXPLAIN {query}"), {"occurrence": occurrence})
            assert "ix_sends_claimed" in " ".join(row[0] for row in explain)
        found = conn.execute(text(query), {"occurrence": occurrence}).scalars().all()
    assert found == ["a", "c"]
    assert [s.target for s in ledger.sends("promo", occurrence, states=["claimed"])] == ["a", "c"]


def test_the_record_of_a_send_looks_it_up_by_its_key_without_statistics(
    ledger: Ledger, occurrence: str
) -> None:
    """On a new database (no ``ANALYZE`` yet) PostgreSQL priced a lookup in migration 3's
    index of claims by lease the same as in the primary key, took it, and filtered every
    claim entry by target, once per recorded target: quadratic in a large apply. The plan of
    the record's ``UPDATE`` (inside the function of migration 5, shown by ``auto_explain``)
    must look each send up by its target, whichever index it uses."""
    if ledger.backend != "postgresql":
        pytest.skip("SQLite records a call in one statement by primary key (sqlite_sends)")
    pairs = [(f"t{n:04}", f"key-{n}") for n in range(200)]
    ledger.claim("promo", occurrence, pairs, "me", LEASE, now=T0)
    ledger.record_sent("promo", occurrence, [t for t, _ in pairs[:100]], "me", now=T0)
    plans: list[str] = []
    with ledger.engine.begin() as conn:
        assert conn.exec_driver_sql(
            "SELECT last_analyze IS NULL AND last_autoanalyze IS NULL FROM pg_stat_user_tables "
            "WHERE relname = 'sends'"
        ).scalar()
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.add_notice_handler(lambda notice: plans.append(notice.message_primary or ""))
        for setting in (
            "LOAD 'auto_explain'",
            "SET LOCAL auto_explain.log_min_duration = 0",
            "SET LOCAL auto_explain.log_nested_statements = on",
            "SET LOCAL auto_explain.log_level = notice",
            "SET LOCAL client_min_messages = notice",
            "SET LOCAL plan_cache_mode = force_generic_plan",
        ):
            conn.exec_driver_sql(setting)
        params = ("promo", occurrence, "me", ["t0150", "t0151"], ["state"], "sent")
        conn.exec_driver_sql(
            f"SELECT {FINISH_SENDS}(%s, %s, %s, %s, %s, %s, NULL, NULL, NULL, NULL, NULL, NULL)",
            params,
        )
        conn.rollback()
    updates = [plan for plan in plans if "Update on sends" in plan]
    assert len(updates) == 2, plans  # one per target
    for plan in updates:
        conditions = " ".join(line for line in plan.splitlines() if "Index Cond" in line)
        assert "target" in conditions, plan


def test_a_version_4_state_gets_the_function_that_records_sends(state_url: str) -> None:
    _released_state(state_url, released.version_4, 4)
    engine = engines.create(normalise(state_url))
    try:
        assert _has_finish_function(engine) is False
    finally:
        engine.dispose()
    with Ledger(state_url) as ledger:
        assert ledger.schema_version() == LATEST
        assert _has_finish_function(ledger.engine) is (ledger.backend == "postgresql")
        revision = ledger.record_revision("promo", "a" * 16, {"title": "Hi"}, now=T0)
        ledger.record_occurrence("promo", OCC, T0, revision.id)
        ledger.claim("promo", OCC, [("a", "key-a"), ("b", "key-b")], "me", LEASE, now=T0)
        assert ledger.record_sent("promo", OCC, ["a", "b"], "me", task_id="t1", now=T0) == 2
        assert ledger.send_counts("promo", OCC) == {"sent": 2}


def test_a_new_state_has_the_function_a_migrated_one_gets(ledger: Ledger) -> None:
    assert _has_finish_function(ledger.engine) is (ledger.backend == "postgresql")


def _has_finish_function(engine: Engine) -> bool:
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_proc WHERE proname = %s", (FINISH_SENDS,)
        ).scalar()
    return bool(found)
