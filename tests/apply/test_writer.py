"""The ledger writer: claims and records in rounds, a claim answered after its commit, the
records queued before a claim committed no later than it, and a failed round stopping it all.

On both backends (SQLite: one transaction a round; PostgreSQL: one for the records, one for the
claims)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from pushflow.apply.writer import LedgerWriter
from pushflow.ledger import Ledger
from tests.ledger.conftest import T0, _empty, postgres_database  # noqa: F401

LEASE = timedelta(minutes=5)
OCC = "2026-12-01T08:00"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    """A ledger with a campaign ``promo`` and its occurrence :data:`OCC`."""
    url = str(tmp_path / "state.db")
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_database")
    with Ledger(url) as opened:
        revision = opened.record_revision("promo", "a" * 16, {"title": "Hi"}, now=T0)
        opened.record_occurrence("promo", OCC, T0, revision.id)
        yield opened
    if request.param == "postgres":
        _empty(url.rsplit("/", 1)[1])


def claim(state: Ledger, *names: str) -> Callable[[], list[str]]:
    pairs = [(name, f"key-{name}") for name in names]
    return lambda: state.claim("promo", OCC, pairs, "me", LEASE, now=T0)


def record(state: Ledger, *names: str) -> Callable[[], int]:
    return lambda: state.record_sent("promo", OCC, list(names), "me", task_id="t")


def test_what_is_queued_together_is_one_round(state: Ledger) -> None:
    state.claim("promo", OCC, [("a", "k"), ("b", "k")], "me", LEASE, now=T0)
    done: list[str] = []

    async def main() -> tuple[list[list[str]], int]:
        async with LedgerWriter(state) as writer:
            writer.record(record(state, "b"), "b", after=lambda: done.append("b"))
            writer.record(record(state, "a"), "a", after=lambda: done.append("a"))
            first = writer.claim(claim(state, "c", "d"))
            second = writer.claim(claim(state, "a", "e"))
            got = [await first, await second]
            return got, writer.rounds

    got, rounds = asyncio.run(main())
    assert got == [["c", "d"], ["e"]]  # "a" was sent: not claimed again
    assert rounds == 1
    assert done == ["b", "a"]  # after the commit, in the order queued
    assert state.send_counts("promo", OCC) == {"sent": 2, "claimed": 3}


def test_a_claim_is_answered_after_the_records_queued_before_it_are_committed(
    state: Ledger,
) -> None:
    state.claim("promo", OCC, [("a", "k")], "me", LEASE, now=T0)

    async def main() -> dict[str, int]:
        async with LedgerWriter(state) as writer:
            writer.record(record(state, "a"), "a")
            await writer.claim(claim(state, "b"))
            # Read on a connection of its own: only what is committed.
            return await asyncio.to_thread(state.send_counts, "promo", OCC)

    assert asyncio.run(main()) == {"sent": 1, "claimed": 1}


def test_leaving_the_writer_commits_every_record(state: Ledger) -> None:
    names = [f"u{n}" for n in range(30)]
    state.claim("promo", OCC, [(n, "k") for n in names], "me", LEASE, now=T0)

    async def main() -> int:
        async with LedgerWriter(state) as writer:
            for name in names:
                writer.record(record(state, name), name)
                await asyncio.sleep(0)
        return writer.rounds

    rounds = asyncio.run(main())
    assert state.send_counts("promo", OCC) == {"sent": 30}
    assert 1 <= rounds <= 30


def test_a_failed_round_stops_the_writer(state: Ledger) -> None:
    state.claim("promo", OCC, [("a", "k")], "me", LEASE, now=T0)
    threads: list[str] = []
    errors: list[BaseException] = []

    def failing() -> None:
        threads.append(threading.current_thread().name)
        raise OSError("disk full")

    async def caught(work: Awaitable[object]) -> None:
        try:
            await work
        except OSError as error:
            errors.append(error)

    async def main() -> None:
        async with LedgerWriter(state) as writer:
            writer.record(record(state, "a"), "a")
            writer.record(failing, "b")
            await caught(writer.claim(claim(state, "c")))
            await caught(writer.claim(claim(state, "d")))  # refused at once
            writer.record(record(state, "a"), "a")  # dropped
            assert writer.failure is errors[0]
            # leaving the block raises the failure

    with pytest.raises(OSError, match="disk full") as closing:
        asyncio.run(main())
    assert [str(error) for error in [*errors, closing.value]] == ["disk full"] * 3
    assert threads == ["pushflow-ledger_0"]
    # The round was rolled back: "a" still claimed (not sent), "c" not claimed, "d" never tried.
    assert state.send_counts("promo", OCC) == {"claimed": 1}
    assert state.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_sqlite_rounds_share_one_connection_and_hold_no_lock_between(tmp_path: Path) -> None:
    """Every round is a ``BEGIN IMMEDIATE`` … ``COMMIT`` on the one connection the writer takes
    from the pool; between rounds another writer gets the lock at once; leaving gives it back."""
    path = tmp_path / "state.db"
    with Ledger(str(path)) as state:
        revision = state.record_revision("promo", "a" * 16, {"title": "Hi"}, now=T0)
        state.record_occurrence("promo", OCC, T0, revision.id)
        checkouts: list[int] = []
        statements: dict[int, list[str]] = {}

        @event.listens_for(state.engine, "checkout")
        def traced(dbapi_connection: sqlite3.Connection, *_: object) -> None:
            checkouts.append(id(dbapi_connection))
            trace = statements.setdefault(id(dbapi_connection), [])
            dbapi_connection.set_trace_callback(lambda sql: trace.append(sql.split(" (")[0]))

        def take_the_lock() -> None:
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")  # SQLITE_BUSY if a round held the lock
                other.execute("ROLLBACK")
            finally:
                other.close()

        async def main() -> int:
            async with LedgerWriter(state) as writer:
                assert await writer.claim(claim(state, "a")) == ["a"]
                await asyncio.to_thread(take_the_lock)
                writer.record(record(state, "a"), "a")
                assert await writer.claim(claim(state, "b")) == ["b"]
                await asyncio.to_thread(take_the_lock)
                assert state.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
            return writer.rounds

        checkouts.clear()
        assert asyncio.run(main()) == 2
        assert state.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        assert len(checkouts) == 1
        trace = statements[checkouts[0]]
        transactions = [sql for sql in trace if sql in ("BEGIN IMMEDIATE", "COMMIT", "BEGIN")]
        assert transactions == ["BEGIN IMMEDIATE", "COMMIT"] * 2
        assert state.send_counts("promo", OCC) == {"sent": 1, "claimed": 1}


def test_the_rounds_connection_is_given_back_when_the_writer_is_cancelled(
    state: Ledger,
) -> None:
    async def main() -> None:
        async with LedgerWriter(state) as writer:
            await writer.claim(claim(state, "a"))
            await asyncio.sleep(3600)

    async def cancelled() -> None:
        task = asyncio.create_task(main())
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancelled())
    assert state.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert state.send_counts("promo", OCC) == {"claimed": 1}


def test_work_outside_rounds_runs_after_them(state: Ledger) -> None:
    async def main() -> dict[str, int]:
        async with LedgerWriter(state) as writer:
            pending = writer.claim(claim(state, "a", "b"))
            counts = await writer.call(lambda: state.send_counts("promo", OCC))
            await pending
            return counts

    assert asyncio.run(main()) == {"claimed": 2}
