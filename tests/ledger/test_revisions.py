"""Revisions: what was applied, superseded, removed; the anchor of ``now`` occurrences."""

from __future__ import annotations

from datetime import timedelta

from pushflow.ledger import Actor, Ledger
from tests.ledger.conftest import T0

SPEC = {"name": "promo", "title": "Hello", "strategy": "now"}


def test_a_revision_records_what_was_reviewed(ledger: Ledger) -> None:
    by = Actor(host="ci-runner", pid=42, user="deploy")
    revision = ledger.record_revision(
        "promo", "0123456789abcdef", SPEC, audience_digest="fedcba9876543210", applied_by=by, now=T0
    )
    assert ledger.current_revision("promo") == revision
    assert (revision.spec, revision.status, revision.epoch) == (SPEC, "active", 0)
    assert revision.applied_at == T0
    assert revision.applied_by == "deploy@ci-runner pid 42"
    assert ledger.revision(revision.id) == revision
    assert ledger.current_revision("other") is None


def test_reapplying_the_same_revision_is_a_no_op(ledger: Ledger) -> None:
    first = ledger.record_revision("promo", "a" * 16, SPEC, now=T0)
    version = ledger.state_version()
    again = ledger.record_revision("promo", "a" * 16, SPEC, now=T0 + timedelta(hours=1))
    assert again == first
    assert ledger.state_version() == version
    assert len(ledger.revisions("promo")) == 1


def test_a_new_digest_supersedes_and_keeps_the_history(ledger: Ledger) -> None:
    first = ledger.record_revision("promo", "a" * 16, SPEC, now=T0)
    second = ledger.record_revision(
        "promo", "b" * 16, {**SPEC, "title": "Hello!"}, now=T0 + timedelta(hours=1)
    )
    assert ledger.current_revision("promo") == second
    assert [(r.digest, r.status) for r in ledger.revisions("promo")] == [
        ("a" * 16, "superseded"),
        ("b" * 16, "active"),
    ]
    assert first.id != second.id
    # a changed audience is a new revision too, even with the same spec digest
    third = ledger.record_revision("promo", "b" * 16, SPEC, audience_digest="c" * 16)
    assert ledger.current_revision("promo") == third


def test_content_edits_keep_the_first_applied_time_and_an_epoch_bump_moves_it(
    ledger: Ledger,
) -> None:
    ledger.record_revision("promo", "a" * 16, SPEC, now=T0)
    ledger.record_revision("promo", "b" * 16, SPEC, now=T0 + timedelta(days=1))  # typo fix
    assert ledger.first_applied_at("promo", 0) == T0
    ledger.record_revision("promo", "b" * 16, SPEC, epoch=1, now=T0 + timedelta(days=2))
    assert ledger.first_applied_at("promo", 1) == T0 + timedelta(days=2)
    assert ledger.first_applied_at("promo", 0) == T0
    assert ledger.first_applied_at("promo", 7) is None
    assert ledger.first_applied_at("other", 0) is None


def test_removal_leaves_no_active_revision(ledger: Ledger) -> None:
    ledger.record_revision("promo", "a" * 16, SPEC, now=T0)
    ledger.record_revision("daily", "d" * 16, SPEC, now=T0)
    assert [r.campaign for r in ledger.active_revisions()] == ["daily", "promo"]
    assert ledger.remove_campaign("promo") is True
    assert ledger.remove_campaign("promo") is False
    assert ledger.current_revision("promo") is None
    assert [r.campaign for r in ledger.active_revisions()] == ["daily"]
    assert ledger.first_applied_at("promo", 0) == T0  # re-adding it does not resend `now`
