"""Claim → call → record: every state transition of a send, on every backend."""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from pushflow.ledger import Ledger
from tests.ledger.conftest import T0

LEASE = timedelta(minutes=5)
OCC = "2026-12-01T08:00"


def targets(*names: str) -> list[tuple[str, str]]:
    return [(name, f"key-{name}") for name in names]


def test_a_send_is_claimed_once(ledger: Ledger, occurrence: str) -> None:
    got = ledger.claim(
        "promo", occurrence, targets("b", "a", "c"), "one", LEASE, api="mpaas.PushMultiple", now=T0
    )
    assert got == ["a", "b", "c"]
    assert ledger.claim("promo", occurrence, targets("a", "b", "c", "d"), "two", LEASE, now=T0) == [
        "d"
    ]
    send = ledger.send("promo", occurrence, "a")
    assert send is not None
    assert (send.state, send.claim_owner, send.idempotency_key, send.attempts) == (
        "claimed",
        "one",
        "key-a",
        1,
    )
    assert (send.api, send.claimed_at, send.lease_expires_at) == (
        "mpaas.PushMultiple",
        T0,
        T0 + LEASE,
    )


def test_sends_need_a_recorded_occurrence(ledger: Ledger) -> None:
    with pytest.raises(IntegrityError):
        ledger.claim("promo", "nowhere", targets("a"), "one", LEASE)


def test_claiming_is_lazy_batch_by_batch(ledger: Ledger, occurrence: str) -> None:
    produced = count()
    endless = ((f"t{next(produced):07d}", "k") for _ in iter(int, 1))
    batches = ledger.claim_batches("promo", occurrence, endless, "one", LEASE, batch_size=100)
    assert len(next(batches)) == 100
    assert len(next(batches)) == 100
    assert next(produced) == 200  # nothing beyond the batches asked for was read
    batches.close()


def test_expired_claims_are_retaken_only_when_allowed(ledger: Ledger, occurrence: str) -> None:
    ledger.claim("promo", occurrence, targets("a", "b"), "crashed", LEASE, now=T0)
    ledger.record_sent("promo", occurrence, ["b"], "crashed", message_id="m1")
    later = T0 + LEASE + timedelta(seconds=1)
    assert ledger.claim("promo", occurrence, targets("a", "b"), "next", LEASE, now=later) == []
    early = T0 + LEASE - timedelta(seconds=1)
    assert (
        ledger.claim(
            "promo", occurrence, targets("a"), "next", LEASE, reclaim_expired=True, now=early
        )
        == []
    )
    assert ledger.claim(
        "promo", occurrence, targets("a", "b"), "next", LEASE, reclaim_expired=True, now=later
    ) == ["a"]
    send = ledger.send("promo", occurrence, "a")
    assert send is not None
    assert (send.claim_owner, send.attempts, send.lease_expires_at) == ("next", 2, later + LEASE)
    # the old owner was fenced off: its late record changes nothing
    assert ledger.record_sent("promo", occurrence, ["a"], "crashed", message_id="late") == 0
    assert ledger.record_sent("promo", occurrence, ["a"], "next", message_id="m2") == 1


def test_record_transitions(ledger: Ledger, occurrence: str) -> None:
    ledger.claim("promo", occurrence, targets("a", "b", "c", "d"), "me", LEASE, now=T0)
    done = T0 + timedelta(seconds=2)
    assert (
        ledger.record_sent(
            "promo",
            occurrence,
            ["a"],
            "me",
            message_id="m1",
            task_id="t1",
            result_code="OK",
            now=done,
        )
        == 1
    )
    assert (
        ledger.record_failed(
            "promo", occurrence, ["b"], "me", result_code="InvalidToken", error="x" * 5000
        )
        == 1
    )
    assert ledger.record_unknown("promo", occurrence, ["c"], "me", error="read timeout") == 1
    assert ledger.release("promo", occurrence, ["d"], "me") == 1
    assert (
        ledger.record_sent("promo", occurrence, ["a", "b", "c"], "me") == 0
    )  # only claimed rows move
    sent = ledger.send("promo", occurrence, "a")
    failed = ledger.send("promo", occurrence, "b")
    unknown = ledger.send("promo", occurrence, "c")
    assert sent is not None
    assert failed is not None
    assert unknown is not None
    assert (sent.state, sent.message_id, sent.task_id, sent.result_code, sent.finished_at) == (
        "sent",
        "m1",
        "t1",
        "OK",
        done,
    )
    assert sent.lease_expires_at is None
    assert (failed.state, failed.result_code, len(failed.error or "")) == (
        "failed",
        "InvalidToken",
        1000,
    )
    assert (unknown.state, unknown.error) == ("unknown", "read timeout")
    assert ledger.send("promo", occurrence, "d") is None
    assert ledger.send_counts("promo") == {"sent": 1, "failed": 1, "unknown": 1}


def test_failed_and_unknown_sends_are_retaken_only_when_asked(
    ledger: Ledger, occurrence: str
) -> None:
    ledger.claim("promo", occurrence, targets("a", "b", "c"), "me", LEASE, now=T0)
    ledger.record_failed("promo", occurrence, ["a"], "me", result_code="Throttling")
    ledger.record_unknown("promo", occurrence, ["b"], "me")
    ledger.record_sent("promo", occurrence, ["c"], "me")
    every = targets("a", "b", "c")
    assert ledger.claim("promo", occurrence, every, "again", LEASE, reclaim_expired=True) == []
    assert ledger.claim("promo", occurrence, every, "again", LEASE, retry_failed=True) == ["a"]
    assert ledger.claim("promo", occurrence, every, "again", LEASE, resend_unknown=True) == ["b"]
    retried = ledger.send("promo", occurrence, "a")
    assert retried is not None
    assert (retried.state, retried.attempts, retried.result_code, retried.finished_at) == (
        "claimed",
        2,
        None,
        None,
    )


def test_unknown_sends_are_resolved_from_the_service(ledger: Ledger, occurrence: str) -> None:
    ledger.claim("promo", occurrence, targets("a", "b"), "me", LEASE, now=T0)
    ledger.record_unknown("promo", occurrence, ["a", "b"], "me")
    assert ledger.resolve_unknown("promo", occurrence, ["a"], "sent", message_id="m9") == 1
    assert ledger.resolve_unknown("promo", occurrence, ["a"], "failed") == 0
    assert ledger.send_counts("promo", occurrence) == {"sent": 1, "unknown": 1}


def test_a_lookup_settles_unknown_sends_or_notes_why_not(ledger: Ledger, occurrence: str) -> None:
    ledger.claim("promo", occurrence, targets("a", "b", "c"), "me", LEASE, now=T0)
    ledger.record_sent("promo", occurrence, ["c"], "me", task_id="t1", result_code="OK", now=T0)
    ledger.record_unknown("promo", occurrence, ["a", "b"], "me", error="ReadTimeout", now=T0)
    found = ledger.resolve_unknown(
        "promo",
        occurrence,
        ["a", "c"],  # c is sent: left alone
        "sent",
        task_id="t7",
        result_code="found:QueryPushAnalysisTaskList",
        error="found by QueryPushAnalysisTaskList",
        now=T0 + LEASE,
    )
    assert found == 1
    noted = ledger.record_lookup(
        "promo",
        occurrence,
        ["b", "c"],
        result_code="not-found:QueryPushAnalysisTaskList",
        error="looked up at 04:05: not found",
    )
    assert noted == 1
    a, b, c = (ledger.send("promo", occurrence, name) for name in "abc")
    assert a is not None
    assert b is not None
    assert c is not None
    assert (a.state, a.task_id, a.result_code, a.finished_at) == (
        "sent",
        "t7",
        "found:QueryPushAnalysisTaskList",
        T0 + LEASE,
    )
    assert (b.state, b.result_code, b.error, b.finished_at) == (
        "unknown",
        "not-found:QueryPushAnalysisTaskList",
        "looked up at 04:05: not found",
        T0,
    )
    assert (c.state, c.task_id, c.result_code) == ("sent", "t1", "OK")
    summary = ledger.send_summary("promo", occurrence)
    assert summary.counts == {"sent": 2, "unknown": 1}
    assert summary.resolved == {"QueryPushAnalysisTaskList": 1}
    assert summary.codes == {"not-found:QueryPushAnalysisTaskList": 1}
    assert summary.task_ids == ["t1", "t7"]


def test_leases_are_extended_by_their_owner_only(ledger: Ledger, occurrence: str) -> None:
    ledger.claim("promo", occurrence, targets("a"), "me", LEASE, now=T0)
    assert ledger.extend_lease("promo", occurrence, ["a"], "other", LEASE, now=T0 + LEASE) == 0
    assert ledger.extend_lease("promo", occurrence, ["a"], "me", LEASE, now=T0 + LEASE) == 1
    later = T0 + LEASE + timedelta(seconds=1)
    assert (
        ledger.claim("promo", occurrence, targets("a"), "x", LEASE, reclaim_expired=True, now=later)
        == []
    )


def test_a_record_sets_the_columns_it_names_and_keeps_the_others(
    ledger: Ledger, occurrence: str
) -> None:
    """A lease extended stays a claim; a failure keeps what it does not name (on PostgreSQL
    the record is a function that takes every column and a list of those to set)."""
    ledger.claim("promo", occurrence, targets("a", "b", "c"), "me", LEASE, now=T0)
    with ledger.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE sends SET message_id = 'm-1', task_id = 't-1'")
    later = T0 + timedelta(minutes=1)
    assert ledger.extend_lease("promo", occurrence, ["a", "b", "c"], "me", LEASE, now=later) == 3
    extended = ledger.send("promo", occurrence, "a")
    assert extended is not None
    assert (extended.state, extended.lease_expires_at, extended.finished_at) == (
        "claimed",
        later + LEASE,
        None,
    )
    assert (
        ledger.record_failed(
            "promo", occurrence, ["a", "b"], "me", result_code="3022", error="bad", now=later
        )
        == 2
    )
    failed = ledger.send("promo", occurrence, "b")
    assert failed is not None
    assert (failed.state, failed.result_code, failed.error, failed.finished_at) == (
        "failed",
        "3022",
        "bad",
        later,
    )
    assert (failed.message_id, failed.task_id, failed.lease_expires_at) == ("m-1", "t-1", None)
    assert ledger.record_sent("promo", occurrence, ["a", "c"], "me", task_id="t-2", now=later) == 1
    sent = ledger.send("promo", occurrence, "c")
    assert sent is not None
    assert (sent.state, sent.message_id, sent.task_id, sent.error) == ("sent", None, "t-2", None)


def test_sends_are_paged_by_target(ledger: Ledger, occurrence: str) -> None:
    names = [f"t{i:04d}" for i in range(1200)]
    assert len(ledger.claim("promo", occurrence, targets(*names), "me", LEASE)) == 1200
    ledger.record_sent("promo", occurrence, names[:700], "me")
    first = ledger.sends("promo", occurrence, states=["sent"])
    second = ledger.sends("promo", occurrence, states=["sent"], after=first[-1].target)
    assert [s.target for s in first + second] == names[:700]
    assert ledger.send_counts("promo", occurrence) == {"sent": 700, "claimed": 500}


def test_sends_are_paged_in_code_point_order(ledger: Ledger, occurrence: str) -> None:
    """Both backends order ids as Python does, whatever the database's locale, so a plan can
    merge the pages with an audience read back sorted."""
    names = ["b", "B", "a", "Z", "é", "e", "10", "9", "a-b", "a_b"]
    ledger.claim("promo", occurrence, targets(*names), "one", LEASE, now=T0)
    seen: list[str] = []
    after: str | None = None
    while page := ledger.sends("promo", occurrence, after=after, limit=3):
        seen += [send.target for send in page]
        after = page[-1].target
    assert seen == sorted(names)


def test_records_of_many_targets_move_only_this_owners_claims(
    ledger: Ledger, occurrence: str
) -> None:
    """Records go out in slices of targets (500 a statement on SQLite); the fence holds in
    every slice."""
    mine = [f"u{n:04d}" for n in range(1200)]
    ledger.claim("promo", occurrence, targets(*mine), "me", LEASE, now=T0)
    ledger.claim("promo", occurrence, targets("x1", "x2"), "other", LEASE, now=T0)
    done = T0 + timedelta(seconds=1)
    assert ledger.record_sent("promo", occurrence, [*mine, "x1"], "me", task_id="t9", now=done) == (
        1200
    )
    assert ledger.send_counts("promo", occurrence) == {"sent": 1200, "claimed": 2}
    last = ledger.send("promo", occurrence, "u1199")
    assert last is not None
    assert (last.task_id, last.finished_at, last.lease_expires_at) == ("t9", done, None)


def test_one_transaction_commits_claims_and_records_together(
    ledger: Ledger, occurrence: str
) -> None:
    ledger.claim("promo", occurrence, targets("a", "b"), "me", LEASE, now=T0)
    with ledger.transaction():
        assert ledger.record_sent("promo", occurrence, ["a", "b"], "me", task_id="t1") == 2
        assert ledger.claim("promo", occurrence, targets("c", "a"), "me", LEASE, now=T0) == ["c"]
    assert ledger.send_counts("promo", occurrence) == {"sent": 2, "claimed": 1}


def test_a_transaction_that_fails_leaves_nothing(ledger: Ledger, occurrence: str) -> None:
    ledger.claim("promo", occurrence, targets("a"), "me", LEASE, now=T0)

    def record_then_claim_where_no_occurrence_is() -> None:
        with ledger.transaction():
            ledger.record_sent("promo", occurrence, ["a"], "me", task_id="t1")
            ledger.claim("promo", occurrence, targets("b"), "me", LEASE, now=T0)
            ledger.claim("promo", "nowhere", targets("c"), "me", LEASE, now=T0)

    with pytest.raises(IntegrityError):
        record_then_claim_where_no_occurrence_is()
    assert ledger.send_counts("promo") == {"claimed": 1}
    with ledger.transaction():  # the ledger is usable again
        ledger.record_sent("promo", occurrence, ["a"], "me")
    assert ledger.send_counts("promo") == {"sent": 1}


def test_transactions_on_a_held_connection_commit_and_roll_back_each(
    ledger: Ledger, occurrence: str
) -> None:
    ledger.claim("promo", occurrence, targets("a"), "me", LEASE, now=T0)
    with ledger.connection() as conn:
        with ledger.transaction(conn):
            assert ledger.record_sent("promo", occurrence, ["a"], "me", task_id="t1") == 1
            assert ledger.claim("promo", occurrence, targets("b"), "me", LEASE, now=T0) == ["b"]
        assert not conn.in_transaction()  # committed: read on a connection of its own
        assert ledger.send_counts("promo", occurrence) == {"sent": 1, "claimed": 1}

        def record_then_claim_where_no_occurrence_is() -> None:
            with ledger.transaction(conn):
                ledger.record_sent("promo", occurrence, ["b"], "me", task_id="t2")
                ledger.claim("promo", "nowhere", targets("c"), "me", LEASE, now=T0)

        with pytest.raises(IntegrityError):
            record_then_claim_where_no_occurrence_is()
        assert not conn.in_transaction()  # rolled back: "b" still claimed
        assert ledger.send_counts("promo", occurrence) == {"sent": 1, "claimed": 1}
        with ledger.transaction(conn):  # the connection is usable again
            ledger.record_sent("promo", occurrence, ["b"], "me", task_id="t3")
    assert ledger.send_counts("promo", occurrence) == {"sent": 2}
    assert ledger.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_transaction_runs_only_on_a_connection_of_its_ledger(
    ledger: Ledger, tmp_path: Path
) -> None:
    with (
        Ledger(str(tmp_path / "other.db")) as other,
        other.connection() as conn,
        pytest.raises(ValueError, match="this ledger's engine"),
        ledger.transaction(conn),
    ):
        pass


def test_transactions_do_not_nest(ledger: Ledger) -> None:
    with pytest.raises(RuntimeError) as caught, ledger.transaction(), ledger.transaction():
        pass
    assert str(caught.value) == "ledger transactions do not nest"


def test_records_on_sqlite_find_their_rows_by_primary_key(tmp_path: Path) -> None:
    """Without statistics SQLite picked an index on ``state`` (before migration 3: over every
    send) for ``state = 'claimed'`` and read every claimed send of every occurrence to record a
    hundred. The statement is taken as the driver ran it, its values written in (SQLite's
    trace), so the planner sees at least what it saw with them bound."""
    statements: list[str] = []
    with Ledger(str(tmp_path / "state.db")) as ledger:
        revision = ledger.record_revision("promo", "a" * 16, {"title": "Hi"}, now=T0)
        ledger.record_occurrence("promo", OCC, T0, revision.id)
        names = [f"u{n:03d}" for n in range(100)]  # a PushMultiple call
        ledger.claim("promo", OCC, targets(*names), "me", LEASE, now=T0)

        def traced(statement: str) -> None:
            if statement.startswith("UPDATE sends"):
                statements.append(statement)

        with ledger.engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            driver.set_trace_callback(traced)
            conn.commit()  # the connection goes back to the pool, traced
        assert ledger.record_sent("promo", OCC, names, "me") == 100
        (statement,) = statements
        with ledger.engine.connect() as conn:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}").all()
    assert [row[3] for row in plan] == [
        "SEARCH sends USING INDEX sqlite_autoindex_sends_1 (campaign=? AND occurrence=? AND "
        "target=?)"
    ]


@pytest.mark.postgres
@pytest.mark.parametrize("state_url", ["postgres"], indirect=True)
def test_claims_on_postgresql_are_one_short_statement_whatever_their_size(
    ledger: Ledger, occurrence: str
) -> None:
    """A claim sends its targets and keys as two arrays: the same statement text for 3 targets
    or 500 (one batch), under the 4 KiB up to which psycopg remembers how it rewrote a
    statement's parameters. The multi-row VALUES form it replaced grew with the batch and was
    parsed again on every claim."""
    from sqlalchemy import event

    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *rest: object) -> None:
        if statement.startswith("INSERT INTO sends"):
            statements.append(statement)

    event.listen(ledger.engine, "before_cursor_execute", seen)
    small = [f"s{n:03d}" for n in range(3)]
    large = [f"l{n:03d}" for n in range(500)]
    assert ledger.claim("promo", occurrence, targets(*small), "me", LEASE, now=T0) == small
    got = ledger.claim("promo", occurrence, targets(*large), "me", LEASE, retry_failed=True, now=T0)
    assert got == large
    assert ledger.claim("promo", occurrence, targets(*small), "me", LEASE, now=T0) == []
    first, second, third = statements
    assert first == third
    assert len(first) < 4096
    assert len(second) < 4096  # the retaking form (ON CONFLICT DO UPDATE)


@pytest.mark.postgres
@pytest.mark.parametrize("state_url", ["postgres"], indirect=True)
def test_a_record_postgresql_refuses_is_raised_as_sqlalchemy_raises_it(
    ledger: Ledger, occurrence: str
) -> None:
    """Records on PostgreSQL go to the driver directly: its errors still come as SQLAlchemy's
    (a task id longer than its column), the transaction is rolled back, and the claims stay."""
    from sqlalchemy.exc import DataError

    ledger.claim("promo", occurrence, targets("u1", "u2"), "me", LEASE, now=T0)
    with pytest.raises(DataError, match="UPDATE sends SET"):
        ledger.record_sent("promo", occurrence, ["u1", "u2"], "me", task_id="t" * 200, now=T0)
    assert [send.state for send in ledger.sends("promo", occurrence)] == ["claimed", "claimed"]
    assert ledger.record_sent("promo", occurrence, ["u1", "u2"], "me", task_id="t1", now=T0) == 2
