"""Migration 2 (revocations), revocations, and the summaries the lifecycle commands read."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import inspect

from pushflow.ledger import Ledger
from pushflow.ledger import engine as engines
from pushflow.ledger.migrations import LATEST, Migration, upgrade
from pushflow.ledger.url import normalise
from tests.ledger import released
from tests.ledger.conftest import T0

LEASE = timedelta(minutes=5)


def test_a_version_1_state_gains_the_revocations_table(state_url: str) -> None:
    if "://" not in state_url:  # SQLite: the file's folder
        Path(state_url).parent.mkdir(parents=True, exist_ok=True)
    engine = engines.create(normalise(state_url))
    try:
        assert upgrade(engine, (Migration(1, "initial schema", released.version_1),)) == 1
        assert "revocations" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    with Ledger(state_url) as ledger:
        assert ledger.schema_version() == LATEST
        assert "revocations" in inspect(ledger.engine).get_table_names()
        ledger.record_revocation(
            "promo", "now", api="mpaas.RevokePushTask", subject="7", state="revoked", now=T0
        )
        assert [r.subject for r in ledger.revocations("promo")] == ["7"]


def test_a_revoked_subject_is_final_and_a_failed_one_is_replaced(
    ledger: Ledger, occurrence: str
) -> None:
    api = "mpaas.RevokePushMessage"
    failed = ledger.record_revocation(
        "promo", occurrence, api=api, subject="u1", message_id="k1", state="failed",
        result_code="9000", error="busy", sent_at=T0, revoked_by="me@host pid 1", now=T0,
    )  # fmt: skip
    assert (failed.state, failed.result_code, failed.error) == ("failed", "9000", "busy")
    later = T0 + timedelta(minutes=1)
    done = ledger.record_revocation(
        "promo", occurrence, api=api, subject="u1", message_id="k1", state="revoked", now=later
    )
    assert (done.id, done.state, done.result_code, done.revoked_at) == (
        failed.id,
        "revoked",
        None,
        later,
    )
    again = ledger.record_revocation(
        "promo", occurrence, api=api, subject="u1", state="failed", result_code="x", now=later
    )
    assert (again.state, again.revoked_at) == ("revoked", later)  # never un-revoked
    assert ledger.revocations("promo", occurrence, states=["failed"]) == []
    assert ledger.revocations("other") == []


def test_send_summary_adds_up_one_occurrence(ledger: Ledger, occurrence: str) -> None:
    targets = [(name, f"key-{name}") for name in ("a", "b", "c", "d", "e")]
    ledger.claim("promo", occurrence, targets, "me", LEASE, api="emas.MassPush", now=T0)
    ledger.record_sent("promo", occurrence, ["a", "b"], "me", message_id="m1,m2", now=T0)
    ledger.record_sent("promo", occurrence, ["c"], "me", message_id="m3", task_id="t1", now=T0)
    ledger.record_failed("promo", occurrence, ["d"], "me", result_code="3022", now=T0)
    ledger.record_unknown("promo", occurrence, ["e"], "me", now=T0)
    summary = ledger.send_summary("promo", occurrence)
    assert summary.counts == {"sent": 3, "failed": 1, "unknown": 1}
    assert summary.codes == {"3022": 1, "none": 1}
    assert summary.apis == ["emas.MassPush"]
    assert summary.message_ids == ["m1", "m2", "m3"]
    assert summary.task_ids == ["t1"]
    assert (summary.first_sent_at, summary.last_sent_at) == (T0, T0)
    assert ledger.campaign_names() == ["promo"]
