"""The ledger work of one occurrence's send, several claims and records a transaction.

:class:`OccurrenceRun` makes one claim per chunk of targets before its call, and one record per
call after its answer. Each its own transaction would cost a commit (an fsync on SQLite) and a
hop to and from a thread per claim and per record. The :class:`LedgerWriter` instead queues
them from the event loop and writes, in one thread of its own and in the order they were
queued, everything queued so far in one *round*:

1. every queued record (outcomes of finished calls);
2. every queued claim;
3. commit; then the claims are handed to their calls.

On SQLite a round is one transaction (writers are serialised: nothing can deadlock). On
PostgreSQL the records and the claims are a transaction each, every one a single pass over its
targets in order (records sorted by their first target), as concurrent claimers need to never
deadlock (:mod:`pushflow.ledger.claims`). Either way every transaction runs on the one
connection the writer takes from the pool in its first round and gives back when it is left: a
checkout and a check-in cost more than a small transaction's begin and commit, and on
PostgreSQL a checkout also pings the server (``pool_pre_ping``), one more round trip. Between
transactions that connection is in no transaction, so it holds no lock.

A round starts as soon as work is queued and no round is running (after the callbacks already
due on the event loop, and those they schedule, have run: so the claim a finished call makes room
for joins the round of that call's record); what is queued while a round runs goes into the next
one. Nothing waits on a timer.

**What this keeps of the protocol.** A claim is handed out only after its commit; a record
comes after its call's answer. Records are no longer committed before the call's slot is freed,
but a record queued before a claim is committed no later than that claim (same round or an
earlier one), and a claim is only queued by a caller holding a free slot. So the calls whose
sends are claimed and not recorded in the state are at most the calls in flight, at most
``concurrency``, as with a transaction per record. A record of a call that ends after the last
claim waits at most for the round running when it is queued.

**Failures.** If a round fails (the ledger raised, or a record did), its transaction is rolled
back, its claims get the error, and the writer stops: later claims get the error at once,
later records are dropped, :meth:`LedgerWriter.close` raises it. Nothing is retried here; the
claimed sends that were not recorded are settled by the next run (``claimed`` → ``unknown``,
see :mod:`pushflow.apply.occurrence`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from pushflow.ledger import Ledger

T = TypeVar("T")


@dataclass
class _Round:
    """What one round writes: records (with the order key for PostgreSQL) and claims."""

    records: list[tuple[str, Callable[[], object], Callable[[], object]]] = field(
        default_factory=list
    )
    claims: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = field(default_factory=list)


class LedgerWriter:
    """Queues an occurrence's claims and records and writes them in rounds, in one thread.

    Use as ``async with LedgerWriter(ledger) as writer:``; leaving the block waits for every
    queued record to be committed (and raises the first failure).
    """

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._combined = ledger.backend == "sqlite"
        #: The connection every round runs on, taken from the pool by the first round and given
        #: back when the writer is left (:meth:`_release`).
        self._conn: Connection | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="pushflow-ledger")
        self._queued = _Round()
        self._running: asyncio.Future[None] | None = None
        self._kick_due = False
        self.failure: BaseException | None = None
        self.rounds = 0

    async def __aenter__(self) -> LedgerWriter:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                await self.close()
        finally:
            self._thread.shutdown(wait=True)
            self._release()

    def _release(self) -> None:
        """Give the rounds' connection back to the pool (once no round can run)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    async def call(self, work: Callable[[], T]) -> T:
        """Run ``work`` (a read, or a write of its own) in the ledger thread, after every round
        queued before it."""
        while self._running is not None or self._queued.records or self._queued.claims:
            await self._drain()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, work)

    def claim(self, claim: Callable[[], T]) -> asyncio.Future[T]:
        """Queue ``claim`` (a ledger claim); its result once the round that makes it commits."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        if self.failure is not None:
            future.set_exception(self.failure)
            return future
        self._queued.claims.append((claim, future))
        self._kick()
        return future

    def record(
        self,
        record: Callable[[], object],
        order: str = "",
        after: Callable[[], object] = lambda: None,
    ) -> None:
        """Queue ``record`` (a ledger record of a call's outcome), committed in the next round,
        then ``after()`` on the event loop; ``order`` (the call's first target) orders a round's
        records on PostgreSQL."""
        if self.failure is not None:
            return
        self._queued.records.append((order, record, after))
        self._kick()

    async def close(self) -> None:
        """Wait until everything queued is committed; raise the first failure."""
        while self.failure is None and (
            self._running is not None or self._queued.records or self._queued.claims
        ):
            await self._drain()
        if self.failure is not None:
            raise self.failure

    async def _drain(self) -> None:
        self._kick()
        running = self._running
        if running is None:
            await asyncio.sleep(0)  # the kick is due: let it start the round
            return
        await asyncio.shield(running)

    def _kick(self) -> None:
        """Start a round once the callbacks already due on the event loop have run, and those
        they schedule: a call's record frees its slot, and the task waiting for that slot wakes
        one step later and queues the next claim, which then joins the round."""
        if self._kick_due or self._running is not None:
            return
        self._kick_due = True
        loop = asyncio.get_running_loop()
        loop.call_soon(loop.call_soon, self._start)

    def _start(self) -> None:
        self._kick_due = False
        work = self._queued
        if self._running is not None or not (work.records or work.claims):
            return
        self._queued = _Round()
        if self.failure is not None:
            for _, future in work.claims:
                future.set_exception(self.failure)
            return
        loop = asyncio.get_running_loop()
        written = loop.run_in_executor(self._thread, self._write, work)
        self._running = done = loop.create_future()
        written.add_done_callback(lambda result: self._finished(work, result, done))

    def _finished(
        self, work: _Round, result: asyncio.Future[list[Any]], done: asyncio.Future[None]
    ) -> None:
        self._running = None
        self.rounds += 1
        error = result.exception()
        if error is not None and self.failure is None:
            self.failure = error
        for index, (_, future) in enumerate(work.claims):
            if future.cancelled():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result.result()[index])
        if error is None:
            for _, _, after in work.records:
                after()
        done.set_result(None)
        if self._queued.records or self._queued.claims:
            self._kick()

    def _write(self, work: _Round) -> list[Any]:
        """One round, in the ledger thread: the records, then the claims; their results."""
        if self._conn is None:
            self._conn = self._ledger.connection()
        conn = self._conn
        if self._combined:
            with self._ledger.transaction(conn):
                for _, record, _ in work.records:
                    record()
                return [claim() for claim, _ in work.claims]
        records = sorted(work.records, key=lambda item: item[0])
        if records:
            with self._ledger.transaction(conn):
                for _, record, _ in records:
                    record()
        if not work.claims:
            return []
        with self._ledger.transaction(conn):
            return [claim() for claim, _ in work.claims]
