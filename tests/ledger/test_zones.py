"""Local-time occurrences in the ledger: one occurrence per zone, but one send per target and
wall-clock time across them (a target that moved zone is not sent the same time again)."""

from __future__ import annotations

import threading
from datetime import timedelta

from pushflow.ledger import Ledger
from tests.ledger.conftest import T0

LEASE = timedelta(minutes=5)
BERLIN = "2026-12-01T09:00@Europe/Berlin"
NEW_YORK = "2026-12-01T09:00@America/New_York"
KOLKATA = "2026-12-01T09:00@Asia/Kolkata"
NEXT_DAY = "2026-12-02T09:00@America/New_York"


def pairs(*names: str) -> list[tuple[str, str]]:
    return [(name, f"key-{name}") for name in names]


def record(ledger: Ledger, *keys: str) -> None:
    revision = ledger.record_revision("wake", "a" * 16, {"title": "Hi"}, now=T0)
    for key in keys:
        ledger.record_occurrence("wake", key, T0, revision.id)


def test_a_target_sent_in_one_zone_is_not_claimed_in_another(ledger: Ledger) -> None:
    record(ledger, BERLIN, KOLKATA, NEW_YORK, NEXT_DAY)
    assert ledger.claim("wake", BERLIN, pairs("a", "b", "c", "d"), "one", LEASE, now=T0) == [
        "a",
        "b",
        "c",
        "d",
    ]
    ledger.record_sent("wake", BERLIN, ["a"], "one", now=T0)
    ledger.record_failed("wake", BERLIN, ["b"], "one", result_code="X", now=T0)
    ledger.record_unknown("wake", BERLIN, ["c"], "one", error="timeout", now=T0)
    # d is still claimed in Berlin (being sent, or its process died mid-call)
    got = ledger.claim("wake", NEW_YORK, pairs("a", "b", "c", "d", "e"), "two", LEASE, now=T0)
    assert got == ["b", "e"]  # failed in Berlin: nothing reached b
    assert ledger.claim("wake", KOLKATA, pairs("c"), "three", LEASE, resend_unknown=True) == ["c"]
    # another wall-clock time is another send
    assert ledger.claim("wake", NEXT_DAY, pairs("a", "d"), "four", LEASE, now=T0) == ["a", "d"]


def test_plain_occurrences_are_not_affected(ledger: Ledger) -> None:
    record(ledger, "2026-12-01T09:00", BERLIN)
    ledger.claim("wake", BERLIN, pairs("a"), "one", LEASE, now=T0)
    ledger.record_sent("wake", BERLIN, ["a"], "one", now=T0)
    assert ledger.claim("wake", "2026-12-01T09:00", pairs("a"), "two", LEASE, now=T0) == ["a"]


def test_concurrent_claims_in_two_zones_give_a_target_to_one(state_url: str) -> None:
    with Ledger(state_url) as ledger:
        record(ledger, BERLIN, NEW_YORK)
    names = [f"t{i:04}" for i in range(300)]
    won: dict[str, list[str]] = {}

    def claim(key: str) -> None:
        with Ledger(state_url) as mine:
            won[key] = mine.claim("wake", key, pairs(*names), key, LEASE, batch_size=50, now=T0)

    threads = [threading.Thread(target=claim, args=(key,)) for key in (BERLIN, NEW_YORK)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won[BERLIN] + won[NEW_YORK]) == names
