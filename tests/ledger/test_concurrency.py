"""Real concurrency: threads with their own connections, and separate processes (spawn).

Every target must be claimed by exactly one claimer: no target claimed twice (a duplicate
send), none left unclaimed (a lost one).
"""

from __future__ import annotations

import multiprocessing
import random
import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from pushflow.ledger import Ledger
from pushflow.ledger.schema import sends
from tests.ledger import workers
from tests.ledger.conftest import T0

LEASE = timedelta(minutes=5)


def _assert_each_claimed_once(ledger: Ledger, results: dict[str, list[str]], count: int) -> None:
    claimed = Counter(target for got in results.values() for target in got)
    assert len(claimed) == count
    assert set(claimed.values()) == {1}
    with ledger.engine.connect() as conn:
        owners: dict[str, int] = dict(
            conn.execute(
                select(sends.c.claim_owner, func.count()).group_by(sends.c.claim_owner)
            ).all()
        )
    assert owners == {owner: len(got) for owner, got in results.items() if got}


def test_threads_racing_for_the_same_targets_each_get_a_disjoint_share(
    state_url: str, ledger: Ledger, occurrence: str
) -> None:
    count, threads = 2000, 6
    names = [(f"device-{i:05d}", f"k{i}") for i in range(count)]
    results: dict[str, list[str]] = {}
    barrier = threading.Barrier(threads)

    def race(owner: str) -> None:
        mine = names[:]
        random.Random(owner).shuffle(mine)
        with Ledger(state_url) as own:  # its own engine, its own connections
            barrier.wait(timeout=30)
            results[owner] = own.claim("promo", occurrence, mine, owner, LEASE, batch_size=100)

    pool = [threading.Thread(target=race, args=(f"thread-{i}",)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert len(results) == threads
    _assert_each_claimed_once(ledger, results, count)


def test_threads_reclaiming_the_same_expired_claims_get_each_once(
    state_url: str, ledger: Ledger, occurrence: str
) -> None:
    names = [(f"device-{i:05d}", "k") for i in range(1000)]
    ledger.claim("promo", occurrence, names, "crashed", LEASE, now=T0)
    later = T0 + 2 * LEASE
    results: dict[str, list[str]] = {}
    barrier = threading.Barrier(4)

    def race(owner: str) -> None:
        barrier.wait(timeout=30)
        results[owner] = ledger.claim(
            "promo", occurrence, names, owner, LEASE, reclaim_expired=True, now=later, batch_size=50
        )

    pool = [threading.Thread(target=race, args=(f"thread-{i}",)) for i in range(4)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    _assert_each_claimed_once(ledger, results, 1000)
    assert ledger.send_counts("promo") == {"claimed": 1000}


def test_processes_racing_for_10000_targets_claim_each_exactly_once(
    state_url: str, ledger: Ledger, occurrence: str
) -> None:
    count, processes = 10_000, 4
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    queue = context.Queue()
    pool = [
        context.Process(
            target=workers.claim_all, args=(state_url, f"process-{i}", count, i, barrier, queue)
        )
        for i in range(processes)
    ]
    for process in pool:
        process.start()
    results = dict(queue.get(timeout=120) for _ in pool)
    for process in pool:
        process.join(timeout=30)
        assert process.exitcode == 0
    _assert_each_claimed_once(ledger, results, count)
    shares = sorted(len(got) for got in results.values())
    print(f"{ledger.backend}: shares of {count} targets among {processes} processes: {shares}")
