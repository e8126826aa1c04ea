"""Which existing sends a claim takes, under every combination of the retake flags.

SQLite claims with its own statements (read the rows, insert the new ones, take again the
allowed ones: :mod:`pushflow.ledger.sqlite_sends`), PostgreSQL with one upsert; both must
give exactly these answers, row for row. Rows outside the claimed targets sit inside the range
of targets the SQLite read looks at, and must be left alone.
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import timedelta

import pytest

from pushflow.ledger import Claim, Ledger, Send
from tests.ledger.conftest import T0

LEASE = timedelta(minutes=5)
NOW = T0 + LEASE + timedelta(seconds=1)
#: Every kind of row a claim can meet, by target name (``new`` has none).
KINDS = ["b-expired", "c-failed", "d-live", "e-new", "f-sent", "g-unknown"]
#: Rows not claimed this time, between the claimed ones in target order.
OUTSIDE = ["c-failed-other", "d-live-other", "f-sent-other"]
FLAGS = list(itertools.product([False, True], repeat=3))


def _existing(ledger: Ledger, occurrence: str) -> None:
    """Rows in every state, owned by ``first`` (``d-live``: ``other``, its lease running)."""
    names = [name for name in [*KINDS, *OUTSIDE] if "live" not in name and name != "e-new"]
    ledger.claim("promo", occurrence, [(n, f"key-{n}") for n in names], "first", LEASE, now=T0)
    sent = [name for name in names if "sent" in name]
    failed = [name for name in names if "failed" in name]
    ledger.record_sent("promo", occurrence, sent, "first", task_id="t1", result_code="OK", now=T0)
    ledger.record_failed("promo", occurrence, failed, "first", result_code="Throttling", now=T0)
    ledger.record_unknown("promo", occurrence, ["g-unknown"], "first", error="timeout", now=T0)
    live = [(n, f"key-{n}") for n in ("d-live", "d-live-other")]
    ledger.claim("promo", occurrence, live, "other", LEASE, now=NOW - timedelta(minutes=1))


def _rows(ledger: Ledger, occurrence: str) -> dict[str, Send]:
    return {send.target: send for send in ledger.sends("promo", occurrence)}


@pytest.mark.parametrize("batches", [False, True], ids=["claim", "claim_batches"])
@pytest.mark.parametrize(
    ("reclaim_expired", "retry_failed", "resend_unknown"),
    FLAGS,
    ids=[
        "".join(name for name, on in zip("RFU", flags, strict=True) if on) or "-" for flags in FLAGS
    ],
)
def test_a_claim_takes_new_sends_and_only_the_existing_ones_its_flags_allow(
    ledger: Ledger,
    occurrence: str,
    batches: bool,
    reclaim_expired: bool,
    retry_failed: bool,
    resend_unknown: bool,
) -> None:
    _existing(ledger, occurrence)
    before = _rows(ledger, occurrence)
    pairs = [(name, f"new-key-{name}") for name in reversed(KINDS)]
    flags = {
        "reclaim_expired": reclaim_expired,
        "retry_failed": retry_failed,
        "resend_unknown": resend_unknown,
    }
    if batches:
        claims = [
            claim
            for batch in ledger.claim_batches(
                "promo", occurrence, pairs, "me", LEASE, now=NOW, **flags
            )
            for claim in batch
        ]
        got = [claim.target for claim in claims]
    else:
        got = ledger.claim("promo", occurrence, pairs, "me", LEASE, now=NOW, **flags)

    retaken = {
        "b-expired": reclaim_expired,
        "c-failed": retry_failed,
        "g-unknown": resend_unknown,
    }
    assert got == sorted(["e-new", *(name for name, taken in retaken.items() if taken)])
    after = _rows(ledger, occurrence)
    assert set(after) == set(before) | {"e-new"}
    for name, send in after.items():
        if name not in got:
            assert send == before[name]  # untouched, outside the claim or not allowed
            continue
        previous = before.get(name)
        expected = Send(
            campaign="promo",
            occurrence=occurrence,
            target=name,
            # a retaken send keeps its key and its api, and counts one more attempt
            idempotency_key=previous.idempotency_key if previous else f"new-key-{name}",
            api="",
            state="claimed",
            claim_owner="me",
            lease_expires_at=NOW + LEASE,
            attempts=previous.attempts + 1 if previous else 1,
            message_id=previous.message_id if previous else None,
            task_id=previous.task_id if previous else None,
            result_code=None,
            error=None,
            claimed_at=NOW,
            finished_at=None,
        )
        assert send == expected
    if batches:
        assert claims == [
            Claim(target=s.target, key=s.idempotency_key, attempts=s.attempts)
            for s in (after[name] for name in got)
        ]


def test_a_claim_whose_target_range_holds_many_other_sends(ledger: Ledger, occurrence: str) -> None:
    """Far more rows between the least and the greatest target than targets: SQLite then
    looks the targets up one by one (:func:`pushflow.ledger.sqlite_sends._existing`)."""
    names = [f"t{n:04d}" for n in range(200)]
    ledger.claim("promo", occurrence, [(n, "k") for n in names], "first", LEASE, now=T0)
    ledger.record_failed("promo", occurrence, names[:100], "first", result_code="X", now=T0)
    ledger.record_sent("promo", occurrence, names[100:], "first", now=T0)
    before = _rows(ledger, occurrence)
    pairs = [(n, "k2") for n in ("t0000", "t0050", "t0150", "t0199", "t0500", "a-new", "u-new")]
    got = ledger.claim("promo", occurrence, pairs, "me", LEASE, retry_failed=True, now=NOW)
    assert got == ["a-new", "t0000", "t0050", "t0500", "u-new"]
    after = _rows(ledger, occurrence)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == set(got)
    assert dataclasses.astuple(after["t0050"])[5:9] == ("claimed", "me", NOW + LEASE, 2)
