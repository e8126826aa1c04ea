"""Unknown sends looked up on the service (docs/apply.md, "What you see after a crash"): over
TCP, on SQLite and PostgreSQL, with the emulator's call log as the ground truth.

A call is made unknown three ways: the process is killed between the call and its record; the
answer arrives after the client gave up (the emulator's ``late`` fault: the push is made, the
answer held past ``PUSHFLOW_TIMEOUT``); or the request times out without being acted on (the
``timeout`` fault). The first two are found and never sent again; the last stays unknown until
``--resend-unknown`` sends it, once.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time

from pushflow.apply.occurrence import LEASE
from pushflow.apply.run import Applied, ApplyOptions
from pushflow.apply.session import apply_plan, make_plan
from pushflow.commands.apply import summary
from pushflow.emulator import FaultSpec
from pushflow.ledger import Ledger, Send
from tests.apply.test_apply import (  # noqa: F401  (fixtures)
    FAST,
    USERS,
    Killed,
    Tcp,
    apply,
    crash_after_first_call,
    environ,
    project,
    pushed,
    root,
    server,
    state,
    state_url,
    tcp,
)
from tests.conftest import NOW
from tests.lifecycle.conftest import run

#: The client's read timeout, and how long a faulted answer is held: longer.
TIMEOUT = {"PUSHFLOW_TIMEOUT": "0.3"}
HELD = 1.0
TEMPLATE = {"name": "digest", "title": "Hi #name#", "content": "Your digest"}


def apply_with(
    where: Path, emulator: Tcp, extra: dict[str, str], *, at: datetime = NOW, **options: object
) -> Applied:
    """``apply`` with more environment (a short client timeout)."""
    env = {**environ(emulator), **extra}
    with freeze_time(at, tick=True, real_asyncio=True):
        plan = make_plan([], project_file=where / "pushflow.yaml", now=at, environ=env)
        return apply_plan(
            plan,
            [],
            project_file=where / "pushflow.yaml",
            options=ApplyOptions(environ=env, lock_timeout=2, retry=FAST, **options),  # type: ignore[arg-type]
        )


def faults(emulator: Tcp, action: str, *, late: float = 0.0, timeout: float = 0.0) -> None:
    spec = FaultSpec(late=late, timeout=timeout, timeout_seconds=HELD, actions=frozenset({action}))
    emulator.emulator.faults.configure(spec, seed=7)


def sends_of(where: Path, url: str, campaign: str) -> list[Send]:
    with Ledger(url, project_root=where) as ledger:
        return ledger.sends(campaign, "now")


def test_a_kill_after_the_call_is_found_in_the_task_list_and_not_resent(
    root: Path,  # noqa: F811
    tcp: Tcp,  # noqa: F811
    state: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project(root, tcp, state)
    tcp.emulator.add_template(TEMPLATE)
    with monkeypatch.context() as patch:
        crash_after_first_call(patch)
        with pytest.raises(Killed):
            apply(root, tcp)
    (made,) = tcp.emulator.calls.filter({"action": "PushMultiple"})
    later = apply(root, tcp, at=NOW + LEASE + timedelta(minutes=1))
    assert isinstance(later, Applied)
    total = later.total
    assert (total.sent, total.unknown, total.resolved, total.ok) == (0, 0, USERS, True)
    assert summary(later)[:2] == [
        "digest: 0 sent, 25 skipped (already sent), 0 failed, 0 unknown",
        "digest: 25 unknown sends found sent by a lookup on the service (recorded sent, not "
        "resent)",
    ]
    assert len(pushed(tcp.emulator)) == USERS  # one PushMultiple: nothing sent twice
    (lookup,) = tcp.emulator.calls.filter({"action": "QueryPushAnalysisTaskList"})
    assert lookup.params["TaskName"] == made.params["TaskName"]
    assert made.params["TaskName"].startswith("digest [pf")
    task = made.result["PushResult"]["Data"]
    assert {(s.state, s.task_id, s.result_code) for s in sends_of(root, state, "digest")} == {
        ("sent", task, "found:QueryPushAnalysisTaskList")
    }
    history = run(root, tcp, "history", "digest", "--json").json()["occurrences"][0]
    assert (history["sends"], history["resolved"], history["failures"], history["task_ids"]) == (
        {"sent": USERS},
        {"QueryPushAnalysisTaskList": USERS},
        {},
        [task],
    )
    row = run(root, tcp, "history", "digest").stdout.splitlines()[2].split()
    assert row[3:8] == ["sent", "25", "(25", "found", "by"]


def test_an_answer_lost_after_the_push_is_found_right_after(
    root: Path,  # noqa: F811
    tcp: Tcp,  # noqa: F811
    state: str,  # noqa: F811
) -> None:
    project(root, tcp, state)
    tcp.emulator.add_template(TEMPLATE)
    faults(tcp, "PushMultiple", late=1.0)
    result = apply_with(root, tcp, TIMEOUT)
    total = result.total
    assert (total.sent, total.unknown, total.resolved, total.ok) == (0, 0, USERS, True)
    (made,) = tcp.emulator.calls.filter({"action": "PushMultiple"})
    assert (made.code, made.fault) == ("OK", "late")
    task = made.result["PushResult"]["Data"]
    assert {(s.state, s.task_id, s.result_code) for s in sends_of(root, state, "digest")} == {
        ("sent", task, "found:QueryPushAnalysisTaskList")
    }


def test_a_call_that_was_never_acted_on_stays_unknown_until_resent_once(
    root: Path,  # noqa: F811
    tcp: Tcp,  # noqa: F811
    state: str,  # noqa: F811
) -> None:
    project(root, tcp, state)
    tcp.emulator.add_template(TEMPLATE)
    faults(tcp, "PushMultiple", timeout=1.0)
    first = apply_with(root, tcp, TIMEOUT)
    assert (first.total.unknown, first.total.resolved) == (USERS, 0)
    left = sends_of(root, state, "digest")
    assert {(s.state, s.result_code) for s in left} == {
        ("unknown", "not-found:QueryPushAnalysisTaskList")
    }
    notes = {re.sub(r"04:00:\d\dZ", "04:00:ssZ", s.error or "") for s in left}
    tag = re.escape("[pf") + "[0-9a-f]{10}]"
    (note,) = notes
    assert re.fullmatch(
        re.escape(
            "looked up with QueryPushAnalysisTaskList at 2026-11-22T04:00:ssZ: not found (the "
            "service's lists may lag behind a push, so this proves nothing): no task named "
            "'digest "
        )
        + tag
        + re.escape("'; not resent unless you pass --resend-unknown"),
        note,
    ), note
    history = run(root, tcp, "history", "digest", "--json").json()["occurrences"][0]
    assert (history["sends"], history["resolved"], history["failures"]) == (
        {"unknown": USERS},
        {},
        {"not-found:QueryPushAnalysisTaskList": USERS},
    )
    tcp.emulator.faults.configure(FaultSpec(), seed=7)
    again = apply(root, tcp, at=NOW + timedelta(hours=1))
    assert isinstance(again, Applied)
    assert again.campaigns == {}  # nothing to do: unknown is not resent
    assert pushed(tcp.emulator) == []
    forced = apply(root, tcp, at=NOW + timedelta(hours=2), resend_unknown=True)
    assert isinstance(forced, Applied)
    assert (forced.total.sent, forced.total.resolved) == (USERS, 0)
    assert sorted(pushed(tcp.emulator)) == [f"u{i:04}" for i in range(USERS)]  # once
    lookups = tcp.emulator.calls.filter({"action": "QueryPushAnalysisTaskList"})
    assert len(lookups) == 2  # right after the timeout, and again before resending


def test_emas_an_answer_lost_after_the_push_is_found_in_the_records(
    root: Path,  # noqa: F811
    tcp: Tcp,  # noqa: F811
    state: str,  # noqa: F811
) -> None:
    """Every attempt carries the same IdempotentToken, so the retries push nothing; all of them
    time out, and the records show the one push."""
    project(root, tcp, state, users=0, emas=3)
    faults(tcp, "Push", late=1.0)
    result = apply_with(root, tcp, TIMEOUT)
    sale = result.campaigns["sale"]
    assert (sale.sent, sale.unknown, sale.resolved) == (0, 0, 3)
    attempts = tcp.emulator.calls.filter({"action": "Push"})
    assert len(attempts) == FAST.attempts
    assert len({call.params["IdempotentToken"] for call in attempts}) == 1
    (message,) = tcp.emulator.store.values("emas_message")
    assert {(s.state, s.message_id, s.result_code) for s in sends_of(root, state, "sale")} == {
        ("sent", message["message_id"], "found:QueryPushRecords")
    }


def test_emas_a_kill_after_the_token_window_is_found_in_the_records(
    root: Path,  # noqa: F811
    tcp: Tcp,  # noqa: F811
    state: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After 15 minutes the token no longer protects a repeat: the records decide."""
    project(root, tcp, state, users=0, emas=3)
    with monkeypatch.context() as patch:
        crash_after_first_call(patch)
        with pytest.raises(Killed):
            apply(root, tcp)
    later = apply(root, tcp, at=NOW + timedelta(minutes=20))
    assert isinstance(later, Applied)
    sale = later.campaigns["sale"]
    assert (sale.sent, sale.unknown, sale.resolved) == (0, 0, 3)
    assert len(tcp.emulator.calls.filter({"action": "Push"})) == 1
    (records,) = tcp.emulator.calls.filter({"action": "QueryPushRecords"})
    # The span is the claim (at 04:00, give or take the ticking clock's few seconds) less 5
    # minutes of skew, to the end of its 5-minute lease plus the skew.
    start = datetime.fromisoformat(records.params["StartTime"])
    end = datetime.fromisoformat(records.params["EndTime"])
    claimed = start + timedelta(minutes=5)
    assert NOW <= claimed < NOW + timedelta(seconds=30)
    assert (end - start, records.params["Source"]) == (timedelta(minutes=15), "API")
    (message,) = tcp.emulator.store.values("emas_message")
    assert {(s.state, s.message_id) for s in sends_of(root, state, "sale")} == {
        ("sent", message["message_id"])
    }


def test_emas_a_push_never_made_stays_unknown_until_resent_once(
    root: Path,  # noqa: F811
    tcp: Tcp,  # noqa: F811
    state: str,  # noqa: F811
) -> None:
    project(root, tcp, state, users=0, emas=3)
    faults(tcp, "Push", timeout=1.0)
    first = apply_with(root, tcp, TIMEOUT)
    assert (first.campaigns["sale"].unknown, first.campaigns["sale"].resolved) == (3, 0)
    assert {(s.state, s.result_code) for s in sends_of(root, state, "sale")} == {
        ("unknown", "not-found:QueryPushRecords")
    }
    assert tcp.emulator.store.values("emas_message") == []
    tcp.emulator.faults.configure(FaultSpec(), seed=7)
    forced = apply(root, tcp, at=NOW + timedelta(hours=1), resend_unknown=True)
    assert isinstance(forced, Applied)
    assert forced.campaigns["sale"].sent == 3
    assert len(tcp.emulator.store.values("emas_message")) == 1
