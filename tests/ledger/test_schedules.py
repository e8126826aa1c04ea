"""Local schedules, server tasks, occurrences, and the change counter the daemon follows."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from pushflow.ledger import Ledger
from tests.ledger.conftest import T0

TRIGGER = {"every": "day", "at": "08:00", "timezone": "Asia/Shanghai"}


def test_schedules_are_set_replaced_and_cancelled(ledger: Ledger) -> None:
    revision = ledger.record_revision("daily", "a" * 16, {}, now=T0)
    start = ledger.state_version()
    schedule = ledger.set_schedule("daily", revision.id, TRIGGER, next_fire_at=T0, now=T0)
    assert (schedule.trigger, schedule.status, schedule.next_fire_at) == (TRIGGER, "active", T0)
    assert ledger.state_version() == start + 1
    ledger.set_schedule("daily", revision.id, TRIGGER)  # unchanged: no reload for the daemon
    ledger.set_next_fire("daily", T0 + timedelta(days=1))  # the daemon's own note
    assert ledger.state_version() == start + 1
    assert [s.campaign for s in ledger.schedules()] == ["daily"]
    assert ledger.cancel_schedule("daily") is True
    assert ledger.cancel_schedule("daily") is False
    assert ledger.schedules() == []
    cancelled = ledger.schedule("daily")
    assert cancelled is not None
    assert cancelled.status == "cancelled"
    assert ledger.state_version() == start + 2


def test_server_tasks_are_recorded_once_and_cancelled(ledger: Ledger) -> None:
    revision = ledger.record_revision("launch", "a" * 16, {}, now=T0)
    task = ledger.record_server_task(
        "launch",
        "2026-12-01T08:00",
        revision.id,
        provider="mpaas",
        app="shop",
        api="mpaas.PushMultiple",
        task_id="9001",
        fire_at=T0,
    )
    again = ledger.record_server_task(
        "launch",
        "2026-12-01T08:00",
        revision.id,
        provider="mpaas",
        app="shop",
        api="mpaas.PushMultiple",
        task_id="9001",
    )
    assert again == task
    assert ledger.server_tasks("launch", statuses=["scheduled"]) == [task]
    assert ledger.set_server_task_status(task.id, "cancelled") is True
    assert ledger.server_tasks(statuses=["scheduled"]) == []
    assert ledger.server_tasks("launch")[0].status == "cancelled"


def test_occurrences_are_recorded_once_and_move_by_compare_and_set(ledger: Ledger) -> None:
    revision = ledger.record_revision("daily", "a" * 16, {}, now=T0)
    first = ledger.record_occurrence("daily", "2026-12-01T08:00", T0, revision.id, now=T0)
    other = ledger.record_occurrence(
        "daily", "2026-12-01T08:00", T0 + timedelta(hours=1), revision.id
    )
    assert other == first
    ledger.record_occurrence("daily", "2026-12-02T08:00", T0 + timedelta(days=1), revision.id)
    assert ledger.set_occurrence_status(
        "daily", "2026-12-01T08:00", "sending", only_from=["pending"]
    )
    assert not ledger.set_occurrence_status(
        "daily", "2026-12-01T08:00", "missed", only_from=["pending"]
    )
    assert ledger.cancel_occurrences("daily") == 1
    assert [(o.key, o.status) for o in ledger.occurrences("daily")] == [
        ("2026-12-01T08:00", "sending"),
        ("2026-12-02T08:00", "cancelled"),
    ]
    assert [o.key for o in ledger.occurrences("daily", statuses=["sending"])] == [
        "2026-12-01T08:00"
    ]


def test_claims_do_not_move_the_state_version(ledger: Ledger, occurrence: str) -> None:
    version = ledger.state_version()
    ledger.claim("promo", occurrence, [("a", "k")], "me", timedelta(minutes=1))
    ledger.record_sent("promo", occurrence, ["a"], "me")
    assert ledger.state_version() == version


def test_waiting_for_a_change_wakes_when_another_connection_changes_state(
    state_url: str, ledger: Ledger
) -> None:
    seen = ledger.state_version()
    assert ledger.wait_for_change(seen, timeout=0.2) == seen  # nothing happened: timeout

    def apply_later() -> None:
        time.sleep(0.3)
        with Ledger(state_url) as other:
            other.record_revision("promo", "a" * 16, {})

    thread = threading.Thread(target=apply_later)
    thread.start()
    started = time.monotonic()
    assert ledger.wait_for_change(seen, timeout=10) == seen + 1
    assert time.monotonic() - started < 2
    thread.join()
    assert ledger.wait_for_change(seen, timeout=10) == seen + 1  # already different: at once
