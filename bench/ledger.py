"""Benchmark: the state ledger's CPU per PushMultiple call, as ``pushflow apply`` uses it.

    python bench/ledger.py                       # SQLite, 1,000 calls of 100 targets, 5 runs
    python bench/ledger.py --calls 300 --runs 3  # a quick run
    python bench/ledger.py --state postgresql://postgres@127.0.0.1:5432/bench

Each call is what :class:`pushflow.apply.occurrence.OccurrenceRun` asks of the ledger: claim
100 targets (with the arguments apply passes: ``retry_failed``, the call's api, a 5-minute
lease, msgKeys as idempotency keys) before the call, record them ``sent`` after it. No network,
no rendering: only the ledger, so the figures are the ledger's own cost. Two modes, each run on
a fresh state:

- **rounds**: through a :class:`~pushflow.apply.writer.LedgerWriter` from an event loop, 16
  calls in flight, each "call" a sleep of ``--latency`` ms ± half of it (seeded), as apply
  does. Reports the process CPU per call (``resource.getrusage``: every thread, user + sys),
  the ledger thread's CPU per call (``RUSAGE_THREAD`` around each round; its system part, the
  WAL writes and fsyncs, shown too) and calls per round. Calls per round move with the
  machine's load and with the ledger's own speed (a faster round gathers fewer calls), so
  compare the ledger thread's figure with them in mind.
- **direct**: no event loop, no thread: one transaction per call holding the record of the
  call claimed 16 calls before and this call's claim, so 16 calls' sends are always claimed.
  The same work every run: the figure to compare before and after a change, and the one to
  count instructions of (``valgrind --tool=callgrind``, minus a run of one call).

The minimum over ``--runs`` runs is printed (the machine is shared: load only adds).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import random
import resource
import shutil
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pushflow.apply.writer import LedgerWriter
from pushflow.ledger import Ledger, new_owner
from pushflow.plan.keys import msg_keys

CAMPAIGN = "bench-reactivation"
OCCURRENCE = "2026-12-01T08:00:00+00:00"
API = "mpaas.PushMultiple"
LEASE = timedelta(minutes=5)
PER_CALL = 100
IN_FLIGHT = 16


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def chunks(calls: int) -> list[list[tuple[str, str]]]:
    """``calls`` chunks of (target, msgKey), targets as the apply bench's user ids."""
    key = msg_keys(CAMPAIGN, 0, OCCURRENCE)
    targets = sorted(f"user-{uuid.uuid4().int & (2**48 - 1):012x}" for _ in range(calls * PER_CALL))
    pairs = [(target, key(target)) for target in targets]
    return [pairs[start : start + PER_CALL] for start in range(0, len(pairs), PER_CALL)]


def open_state(where: str | None, folder: Path) -> Ledger:
    ledger = Ledger(where or str(folder / "state.db"))
    now = datetime.now(UTC)
    revision = ledger.record_revision(CAMPAIGN, "a" * 16, {"title": "Hi"}, now=now)
    ledger.record_occurrence(CAMPAIGN, OCCURRENCE, now, revision.id)
    return ledger


def claim(ledger: Ledger, owner: str, pairs: list[tuple[str, str]]) -> list[str]:
    """As :meth:`OccurrenceRun.claim` (an mPaaS call: no reclaim of expired claims)."""
    now = datetime.now(UTC)
    return ledger.claim(
        CAMPAIGN, OCCURRENCE, pairs, owner, LEASE, api=API, retry_failed=True, now=now
    )


def record(ledger: Ledger, owner: str, targets: list[str], task: int) -> int:
    """As :meth:`OccurrenceRun.record` of a PushMultiple call the service accepted."""
    now = datetime.now(UTC)
    return ledger.record_sent(
        CAMPAIGN, OCCURRENCE, targets, owner, task_id=f"task-{task:08d}", result_code="OK", now=now
    )


def thread_cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    return usage.ru_utime, usage.ru_stime


class TimedWriter(LedgerWriter):
    """A writer that adds up its thread's CPU time over the rounds (user, system)."""

    user = system = 0.0

    def _write(self, work: Any) -> list[Any]:
        user, system = thread_cpu()
        try:
            return super()._write(work)
        finally:
            now = thread_cpu()
            self.user += now[0] - user
            self.system += now[1] - system


async def rounds(ledger: Ledger, work: list[list[tuple[str, str]]], latency: float) -> TimedWriter:
    owner = new_owner()
    rng = random.Random(5)
    slots = asyncio.Semaphore(IN_FLIGHT)
    tasks: set[asyncio.Task[None]] = set()
    async with TimedWriter(ledger) as writer:

        async def one(index: int, claimed: asyncio.Future[list[str]]) -> None:
            try:
                got = await claimed
                await asyncio.sleep(latency * rng.uniform(0.5, 1.5))
                writer.record(functools.partial(record, ledger, owner, got, index), got[0])
            finally:
                slots.release()

        for index, pairs in enumerate(work):
            await slots.acquire()
            claimed = writer.claim(functools.partial(claim, ledger, owner, pairs))
            task = asyncio.create_task(one(index, claimed))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        while tasks:
            await asyncio.wait(set(tasks))
    return writer


def direct(ledger: Ledger, work: list[list[tuple[str, str]]]) -> None:
    owner = new_owner()
    in_flight: list[list[str]] = []
    with ledger.connection() as conn:  # on SQLite the writer's rounds share one connection
        for index, pairs in enumerate(work):
            with ledger.transaction(conn):
                if len(in_flight) == IN_FLIGHT:
                    record(ledger, owner, in_flight.pop(0), index)
                in_flight.append(claim(ledger, owner, pairs))
        with ledger.transaction(conn):
            for index, targets in enumerate(in_flight):
                record(ledger, owner, targets, index)


def one_run(mode: str, where: str | None, calls: int, latency: float) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="pushflow-ledger-bench-"))
    try:
        ledger = open_state(where, folder)
        try:
            work = chunks(calls)
            start = cpu()
            if mode == "direct":
                direct(ledger, work)
                figures = {}
            else:
                writer = asyncio.run(rounds(ledger, work, latency))
                figures = {
                    "thread": (writer.user + writer.system) * 1000 / calls,
                    "system": writer.system * 1000 / calls,
                    "per_round": calls / writer.rounds,
                }
            figures["process"] = (cpu() - start) * 1000 / calls
            assert ledger.send_counts(CAMPAIGN, OCCURRENCE) == {"sent": calls * PER_CALL}
        finally:
            if where is not None:
                with ledger.engine.begin() as conn:
                    for table in ("sends", "occurrences", "revisions"):
                        conn.exec_driver_sql(f"DELETE FROM {table}")
            ledger.close()
    finally:
        shutil.rmtree(folder)
    return figures


def best(runs: list[dict[str, float]], name: str) -> float:
    return min(run[name] for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--state", help="a PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency", type=float, default=50.0, help="ms a call takes")
    parser.add_argument("--mode", choices=["direct", "rounds", "both"], default="both")
    args = parser.parse_args()
    show: Callable[[str], None] = print
    modes = ["direct", "rounds"] if args.mode == "both" else [args.mode]
    for mode in modes:
        runs = [
            one_run(mode, args.state, args.calls, args.latency / 1000) for _ in range(args.runs)
        ]
        line = f"{mode:7} process CPU {best(runs, 'process'):.3f} ms/call"
        if mode == "rounds":
            per_round = sorted(run["per_round"] for run in runs)
            line += (
                f", ledger thread {best(runs, 'thread'):.3f} ms/call "
                f"(system {best(runs, 'system'):.3f}), "
                f"calls/round {per_round[0]:.1f}-{per_round[-1]:.1f}"
            )
        show(f"{line}   (min of {args.runs} x {args.calls} calls)")


if __name__ == "__main__":
    main()
