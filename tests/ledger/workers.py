"""Code run in separate processes by the concurrency tests (importable under ``spawn``)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from pushflow.ledger import Ledger

LEASE = timedelta(minutes=5)


def claim_all(url: str, owner: str, count: int, seed: int, barrier: Any, results: Any) -> None:
    """Race the other workers to claim ``count`` targets, in a shuffled order of our own."""
    names = [f"device-{i:05d}" for i in range(count)]
    random.Random(seed).shuffle(names)
    with Ledger(url) as ledger:
        barrier.wait(timeout=60)
        got = ledger.claim(
            "promo", "2026-12-01T08:00", ((n, f"k-{n}") for n in names), owner, LEASE
        )
    results.put((owner, got))
