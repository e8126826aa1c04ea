"""The questions a daemon asks for every campaign at once, each answered in one query."""

from __future__ import annotations

from datetime import timedelta

from pushflow.ledger import Ledger
from tests.ledger.conftest import T0

HOUR = timedelta(hours=1)


def test_latest_instants_and_first_applied(ledger: Ledger) -> None:
    a = ledger.record_revision("a", "1" * 16, {}, now=T0)
    ledger.record_revision("a", "2" * 16, {}, now=T0 + HOUR)  # a later revision, same epoch
    ledger.record_revision("a", "3" * 16, {}, epoch=1, now=T0 + 2 * HOUR)
    b = ledger.record_revision("b", "4" * 16, {}, now=T0 + HOUR)
    ledger.record_occurrence("a", "k1", T0 + 5 * HOUR, a.id)
    ledger.record_occurrence("a", "k2", T0 + 9 * HOUR, a.id)
    ledger.record_occurrence("b", "k1", T0 + 7 * HOUR, b.id)
    assert ledger.latest_instants() == {"a": T0 + 9 * HOUR, "b": T0 + 7 * HOUR}
    assert ledger.first_applied_all() == {
        ("a", 0): T0,
        ("a", 1): T0 + 2 * HOUR,
        ("b", 0): T0 + HOUR,
    }
    assert ledger.first_applied_all()[("a", 0)] == ledger.first_applied_at("a", 0)


def test_unfinished_occurrences(ledger: Ledger) -> None:
    revision = ledger.record_revision("a", "1" * 16, {}, now=T0)
    for key, hours, status in [
        ("done", 1, "done"),
        ("left", 2, "pending"),
        ("late", 30, "pending"),
    ]:
        ledger.record_occurrence("a", key, T0 + hours * HOUR, revision.id, now=T0)
        if status != "pending":
            ledger.set_occurrence_status("a", key, status, now=T0)
    found = ledger.unfinished_occurrences(older_than=T0 + HOUR, until=T0 + 24 * HOUR)
    assert [o.key for o in found] == ["left"]  # not done, not due after `until`
    assert ledger.unfinished_occurrences(older_than=T0, until=T0 + 24 * HOUR) == []  # too fresh


def test_occurrences_between(ledger: Ledger) -> None:
    a = ledger.record_revision("a", "1" * 16, {}, now=T0)
    b = ledger.record_revision("b", "2" * 16, {}, now=T0)
    for campaign, revision, key, hours in [
        ("a", a.id, "k1", 1),
        ("b", b.id, "k1", 3),
        ("a", a.id, "k2", 3),
        ("a", a.id, "k3", 6),
    ]:
        ledger.record_occurrence(campaign, key, T0 + hours * HOUR, revision, now=T0)
    found = ledger.occurrences_between(T0 + HOUR, T0 + 6 * HOUR)  # both ends excluded
    assert [(o.campaign, o.key, o.instant) for o in found] == [
        ("a", "k2", T0 + 3 * HOUR),
        ("b", "k1", T0 + 3 * HOUR),
    ]
