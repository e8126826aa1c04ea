"""The lifecycle commands end to end: apply a project to the emulator over TCP, then read and
act on what was applied — on SQLite and PostgreSQL. The emulator's state and call log are the
ground truth of what reached the service."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx
from freezegun import freeze_time

from pushflow.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from pushflow.ledger import Ledger
from pushflow.plan.keys import msg_key
from pushflow.providers import Credentials, MpaasClient
from pushflow.providers.mpaas_models import CancelPushSchedulerRequest, PushSimpleRequest, Strategy
from tests.apply.test_apply import USERS
from tests.conftest import NOW
from tests.lifecycle.conftest import Tcp, apply, make_project, run, set_clock

DAY = timedelta(days=1)
SHIPPED = ["0d4c7a2e9f1b4c3a8e6d5b2f1a0c9e8d", "9b1f0c3e2a7d4e58b6c1f0a9d3e2b7c4"]


def applied(root: Path, tcp: Tcp | None, state: str) -> None:
    make_project(root, tcp, state)
    result = apply(root, tcp)
    assert result.total.ok, result  # type: ignore[attr-defined]


def test_status_and_history_show_what_apply_did(root: Path, tcp: Tcp, state: str) -> None:
    applied(root, tcp, state)
    ran = run(root, tcp, "status", "--json")
    assert ran.code == 0, ran.error
    found = {c["name"]: c for c in ran.json()["campaigns"]}
    assert set(found) == {"digest", "sale", "order-shipped", "morning-briefing", "weekly-digest"}
    digest = found["digest"]
    assert digest["revision"]["status"] == "active"
    assert digest["revision"]["applied_at"] == "2026-11-22T04:00:00Z"
    assert digest["app"] == "shop"
    assert [(o["key"], o["sends"]) for o in digest["last"]] == [("now", {"sent": USERS})]
    weekly = found["weekly-digest"]
    assert (weekly["schedule"]["status"], weekly["fired_by"]) == ("active", "daemon")
    assert weekly["next"] == [{"key": "2026-11-28T09:30", "instant": "2026-11-28T01:30:00Z"}]
    briefing = found["morning-briefing"]
    assert briefing["fired_by"] == "service"
    assert [t["status"] for t in briefing["server_tasks"]] == ["scheduled"]
    assert [o["instant"] for o in briefing["next"]] == [
        "2026-12-01T00:00:00Z",  # Tuesday 08:00 in Shanghai: weekdays from Dec 1
        "2026-12-02T00:00:00Z",
        "2026-12-03T00:00:00Z",
    ]
    history = run(root, tcp, "history", "digest", "--json").json()
    (now,) = history["occurrences"]
    assert (now["key"], now["status"], now["sends"], now["failures"]) == (
        "now",
        "done",
        {"sent": USERS},
        {},
    )
    assert now["apis"] == ["mpaas.PushMultiple"]
    assert len(now["task_ids"]) == 1
    text = run(root, tcp, "history", "digest").stdout
    assert text.splitlines()[:2] == [
        "digest: 1 occurrence",
        "  OCCURRENCE  INSTANT               STATUS  SENDS    FAILURES  IDS",
    ]
    sale = run(root, tcp, "history", "sale", "--json").json()["occurrences"][0]
    assert (sale["sends"], len(sale["message_ids"])) == ({"sent": 3}, 1)


def test_status_before_any_apply_writes_nothing(root: Path, tcp: Tcp, state: str) -> None:
    make_project(root, tcp, state)
    ran = run(root, tcp, "status", "digest")
    assert (ran.code, ran.stdout.splitlines()[-2:]) == (
        0,
        ["digest (campaigns/digest.yaml)", "  not applied yet"],
    )
    assert not (root / ".pushflow").exists()
    ran = run(root, tcp, "history", "digest")
    assert ran.code == 1
    assert "campaign 'digest' (campaigns/digest.yaml) has never been applied" in ran.error


def test_unknown_campaign_names_are_refused(root: Path, tcp: Tcp, state: str) -> None:
    applied(root, tcp, state)
    for args in (["history", "digets"], ["status", "digets"], ["revoke", "digets"]):
        ran = run(root, tcp, *args)
        assert ran.code == 1
        assert ran.error.startswith(
            "CAMPAIGN 'digets': no campaign of that name in the project (pushflow.yaml) or in "
        )
        assert "did you mean 'digest'?" in ran.error


def test_revoke_within_the_window_and_refused_outside(root: Path, tcp: Tcp, state: str) -> None:
    applied(root, tcp, state)
    later = NOW + 8 * DAY
    set_clock(tcp, later)
    ran = run(root, tcp, "revoke", "digest", at=later)
    assert ran.code == 1
    assert "campaign 'digest', occurrence 'now': sent 2026-11-22T04:00:0" in ran.error
    assert "mPaaS revokes messages of the last 7 days only, and that window closed " in ran.error
    assert "2026-11-29T04:00:0" in ran.error
    assert not tcp.emulator.calls.filter({"action": "RevokePushTask"})

    set_clock(tcp, NOW + DAY)
    ran = run(root, tcp, "revoke", "digest", "--json", at=NOW + DAY)
    assert ran.code == 0, ran.error
    assert ran.json()["counts"] == {"revoked": 1, "already": 0, "refused": 0, "failed": 0}
    (call,) = tcp.emulator.calls.filter({"action": "RevokePushTask", "code": "OK"})
    assert call.params["AppId"] == "ONEX1"
    again = run(root, tcp, "revoke", "digest", "--json", at=NOW + DAY).json()
    assert again["counts"]["already"] == 1
    assert len(tcp.emulator.calls.filter({"action": "RevokePushTask"})) == 1

    ran = run(root, tcp, "revoke", "order-shipped", "--occurrence", "now", at=NOW + DAY)
    assert ran.code == 0, ran.error
    calls = tcp.emulator.calls.filter({"action": "RevokePushMessage", "code": "OK"})
    assert sorted((c.params["TargetId"], c.params["MessageId"]) for c in calls) == sorted(
        (target, msg_key("order-shipped", 0, "now", target)) for target in SHIPPED
    )
    assert all(m["revoked"] for m in tcp.emulator.store.values("mpaas_message")
               if m["target"] in SHIPPED)  # fmt: skip
    history = run(root, tcp, "history", "order-shipped", "--json").json()
    assert history["occurrences"][0]["revoked"] == 2

    ran = run(root, tcp, "revoke", "sale")
    assert ran.code == 1
    assert "EMAS Push has no revoke operation" in ran.error
    ran = run(root, tcp, "revoke", "digest", "--occurrence", "2026-12-01T08:00")
    assert (ran.code, ran.error) == (
        1,
        "--occurrence '2026-12-01T08:00': campaign 'digest' has no such occurrence (its "
        "occurrences: now)",
    )


def test_revoke_refuses_an_occurrence_the_service_schedules(
    root: Path, tcp: Tcp, state: str
) -> None:
    """A server-side loop's only recorded send is the scheduling call: its ledger key is
    ``server:<occurrence>@<revision>`` and pushflow never learns the pushes the service makes
    from the task, so revoke refuses before it names any message to the service."""
    applied(root, tcp, state)
    with Ledger(state, project_root=root) as ledger:
        (occurrence,) = ledger.occurrences("morning-briefing")
    assert occurrence.key.startswith("server:")
    for args in ([], ["--occurrence", occurrence.key]):
        ran = run(root, tcp, "revoke", "morning-briefing", *args, at=NOW + DAY)
        assert ran.code == 1
        assert f"occurrence {occurrence.key!r} of campaign 'morning-briefing' was scheduled " \
               "on the service" in ran.error  # fmt: skip
        assert "cancel what has not fired with `pushflow cancel morning-briefing`" in ran.error
    assert not tcp.emulator.calls.filter({"action": "RevokePushMessage"})
    assert not tcp.emulator.calls.filter({"action": "RevokePushTask"})


def test_a_revoke_the_service_refuses_is_recorded_failed(root: Path, tcp: Tcp, state: str) -> None:
    """pushflow's clock says inside the window, the service's says outside: the service's
    answer is reported and recorded, and a later revoke tries again."""
    applied(root, tcp, state)
    set_clock(tcp, NOW + 8 * DAY)
    ran = run(root, tcp, "revoke", "digest", "--json", at=NOW + 6 * DAY)
    assert ran.code == 1
    (unit,) = ran.json()["units"]
    assert unit["state"] == "failed"
    assert unit["detail"].startswith("RevokePushTask: 3028: INVALID_PARAM")
    with Ledger(state, project_root=root) as ledger:
        (revocation,) = ledger.revocations("digest")
        assert revocation.state == "failed"


def test_cancel_removes_schedules_and_server_tasks(root: Path, tcp: Tcp, state: str) -> None:
    applied(root, tcp, state)
    ran = run(root, tcp, "cancel", "morning-briefing", "--json")
    assert ran.code == 0, ran.error
    result = ran.json()
    assert [t["status"] for t in result["server_tasks"]] == ["cancelled"]
    schedules = httpx.get(f"{tcp.url}/_emulator/state/schedule").json()["records"]
    assert schedules  # one sub-task per weekday of the loop, all cancelled on the service
    assert all(s["cancelled"] and not s["executed"] for s in schedules)
    assert len(tcp.emulator.calls.filter({"action": "CancelPushScheduler", "code": "OK"})) == 1
    (briefing,) = run(root, tcp, "history", "morning-briefing", "--json").json()["occurrences"]
    assert result["occurrences_cancelled"] == [briefing["key"]]
    assert briefing["key"].startswith("server:")
    assert (briefing["status"], briefing["sends"]) == ("cancelled", {"sent": 2})  # sends stay

    ran = run(root, tcp, "cancel", "weekly-digest")
    assert ran.code == 0, ran.error
    assert "local schedule cancelled" in ran.stdout
    status = {c["name"]: c for c in run(root, tcp, "status", "--json").json()["campaigns"]}
    assert status["weekly-digest"]["schedule"]["status"] == "cancelled"
    assert status["weekly-digest"]["next"] == []
    assert status["morning-briefing"]["next"] == []
    assert run(root, tcp, "cancel", "weekly-digest").stdout.strip() == (
        "weekly-digest: no pending scheduled work; nothing to cancel."
    )
    assert run(root, tcp, "drift").code == 0


def test_stats_add_up_to_what_was_pushed(root: Path, tcp: Tcp, state: str) -> None:
    applied(root, tcp, state)
    digest = run(root, tcp, "stats", "digest", "--json").json()
    assert digest["total"] == {
        "recorded_sent": USERS,
        "figures": {"pushed": USERS, "succeeded": USERS, "arrived": USERS, "opened": 0,
                    "ignored": 0},
    }  # fmt: skip
    shipped = run(root, tcp, "stats", "order-shipped", "--json").json()
    assert shipped["total"]["figures"]["pushed"] == shipped["total"]["recorded_sent"] == 2
    sale = run(root, tcp, "stats", "sale", "--json").json()
    assert sale["total"]["figures"]["sent"] == sale["total"]["recorded_sent"] == 3
    assert sale["problems"] == []
    text = run(root, tcp, "stats", "digest").stdout.splitlines()
    assert text[1].split() == ["OCCURRENCE", "RECORDED", "SENT", "PUSHED", "SUCCEEDED",
                               "ARRIVED", "OPENED", "IGNORED"]  # fmt: skip
    assert text[2].split() == ["now", "25", "25", "25", "25", "0", "0"]


async def _behind_the_back(tcp: Tcp, cancel: str) -> str:
    """Schedule a push on the service, and cancel ``cancel`` there, as a console user would."""
    credentials = Credentials(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
    async with MpaasClient(endpoint=tcp.url, credentials=credentials) as client:
        scope = {"app_id": "ONEX1", "workspace_id": "default"}
        at = int((NOW + 2 * DAY).timestamp() * 1000)
        pushed = await client.push_simple(
            PushSimpleRequest(
                task_name="console", title="Hand made", content="From the console",
                target_msgkey={"u0001": "k1"},
                delivery_type=3, expired_seconds=3600, strategy_type=1,
                strategy_content=Strategy(fixed_time=at), **scope,
            )
        )  # fmt: skip
        await client.cancel_push_scheduler(CancelPushSchedulerRequest(unique_ids=cancel, **scope))
    assert pushed.push_result is not None
    return str(pushed.push_result.data)


def test_drift_finds_both_sides(root: Path, tcp: Tcp, state: str) -> None:
    applied(root, tcp, state)
    assert run(root, tcp, "drift").code == 0
    with Ledger(state, project_root=root) as ledger:
        (task,) = ledger.server_tasks("morning-briefing")
    with freeze_time(NOW, tick=True, real_asyncio=True):
        stranger = asyncio.run(_behind_the_back(tcp, task.task_id))
    ran = run(root, tcp, "drift", "--json")
    assert ran.code == 1
    found = ran.json()
    assert found["in_sync"] is False
    assert [(p["app"], p["task_id"], p["pending"]) for p in found["unknown_to_state"]] == [
        ("shop", stranger, 1)
    ]
    assert [(t["campaign"], t["task_id"]) for t in found["missing_on_service"]] == [
        ("morning-briefing", task.task_id)
    ]
    assert found["not_compared"] == [
        {"app": "shop-emas", "reason": "EMAS has no operation listing timed pushes not yet sent"}
    ]
    text = run(root, tcp, "drift").stdout
    assert "On the service, unknown to the state:" in text
    assert "In the state as scheduled, missing on the service:" in text


def test_the_sandbox(root: Path, state: str) -> None:
    """No endpoint and no credentials: the embedded emulator serves every command."""
    applied(root, None, state)
    ran = run(root, None, "revoke", "digest")
    assert ran.code == 0, ran.error
    assert ran.stderr.startswith("SANDBOX: app shop is served by pushflow's embedded emulator")
    stats = run(root, None, "stats", "digest", "--json").json()
    assert stats["total"]["figures"]["pushed"] == USERS
    status = run(root, None, "status", "digest").stdout
    assert "  last results:" in status
    assert "sent 25 (revoked 1)" in status
