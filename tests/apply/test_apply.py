"""``pushflow apply`` end to end: exactly once, through crashes, faults, locks and stale plans.

Every test runs on both state backends (SQLite, and PostgreSQL with a database of its own), and
the emulator is reached over TCP (a uvicorn server on loopback) unless the test is about the
embedded sandbox. The emulator's call log is the ground truth of what was sent.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time

from pushflow.apply.occurrence import LEASE, OccurrenceRun
from pushflow.apply.retry import RetryPolicy
from pushflow.apply.run import ApplyOptions
from pushflow.apply.session import StalePlanError, apply_plan, make_plan
from pushflow.audience.sources import Block, CsvRecords, RowError
from pushflow.emulator import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    EmulatorConfig,
    FaultSpec,
)
from pushflow.emulator.service import Emulator
from pushflow.ledger import Ledger, LockTimeoutError
from pushflow.plan.keys import msg_key
from pushflow.plan.views import render_json
from tests.conftest import NOW
from tests.emulator.conftest import serving

USERS = 25
#: Retries without real waiting (the backoff itself is tested in test_sender.py).
FAST = RetryPolicy(attempts=6, base=0.001, cap=0.01, rng=random.Random(1))
EMAS_IDS = [f"{i:032x}" for i in range(1, 1501)]


@dataclass
class Tcp:
    url: str
    emulator: Emulator


@pytest.fixture(scope="module")
def server() -> Iterator[Tcp]:
    # stop_wait: a daemon thread, idle keep-alive connections may hold it longer
    with serving(EmulatorConfig(frozen_at=NOW, seed=7), stop_wait=2) as (port, emulator):
        yield Tcp(f"http://127.0.0.1:{port}", emulator)


@pytest.fixture
def tcp(server: Tcp) -> Tcp:
    """The module's emulator over TCP, as new: no state, no calls, no templates, no faults."""
    emulator = server.emulator
    emulator.reset()
    for template in emulator.store.values("template"):
        emulator.store.delete("template", template["name"])
    emulator.faults.configure(FaultSpec(), seed=7)
    return server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return ".pushflow/state.db"
    url: str = request.getfixturevalue("state_url")
    return url


@pytest.fixture
def state_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostgreSQL database for one test (created and dropped here)."""
    from tests.ledger.conftest import _admin

    name = f"pushflow_apply_{threading.get_ident()}_{int(time.time() * 1000) % 10**9}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def project(root: Path, tcp: Tcp | None, state: str, *, users: int = USERS, emas: int = 0) -> Path:
    endpoint = f"    endpoint: {tcp.url}\n" if tcp else ""
    (root / "campaigns").mkdir(parents=True, exist_ok=True)
    (root / "pushflow.yaml").write_text(
        f"version: 1\nstate: {state}\napps:\n"
        f"  shop:\n    provider: mpaas\n{endpoint}    app_id: ONEX1\n    workspace_id: default\n"
        f"  shop-emas:\n    provider: emas\n{endpoint}    app_keys: {{android: 23267207}}\n"
        "defaults:\n  all:\n    timezone: Asia/Shanghai\n",
        encoding="utf-8",
    )
    write_users(root, users)
    (root / "campaigns" / "digest.yaml").write_text(
        "name: digest\nprovider: mpaas\napp: shop\n"
        "message:\n  kind: template\n  template: digest\n"
        "  template_text: {title: 'Hi #name#', content: 'Your digest'}\n"
        "  values: {name: '{{ row.name }}'}\n"
        "audience:\n  kind: user\n  source: {csv: users.csv, id_column: user_id}\n",
        encoding="utf-8",
    )
    if emas:
        (root / "campaigns" / "devices.csv").write_text(
            "device\n" + "".join(f"{d}\n" for d in EMAS_IDS[:emas]), encoding="utf-8"
        )
        (root / "campaigns" / "sale.yaml").write_text(
            "name: sale\nprovider: emas\napp: shop-emas\n"
            "message: {kind: notice, title: Sale, body: Today only}\n"
            "audience:\n  kind: device\n  device_type: android\n"
            "  source: {csv: devices.csv, id_column: device}\n",
            encoding="utf-8",
        )
    return root


def write_users(root: Path, count: int) -> None:
    rows = "".join(f"u{i:04},name{i}\n" for i in range(count))
    (root / "campaigns" / "users.csv").write_text("user_id,name\n" + rows, encoding="utf-8")


def environ(tcp: Tcp | None) -> dict[str, str]:
    if tcp is None:
        return {"PUSHFLOW_SANDBOX": "1"}
    return {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_ACCESS_KEY_SECRET,
    }


def apply(root: Path, tcp: Tcp | None, *, at: datetime = NOW, **options: object) -> object:
    env = environ(tcp)
    with freeze_time(at, tick=True, real_asyncio=True):
        plan = make_plan(
            [],
            project_file=root / "pushflow.yaml",
            now=at,
            environ=env,
            resend_unknown=bool(options.get("resend_unknown")),
        )
        return apply_plan(
            plan,
            [],
            project_file=root / "pushflow.yaml",
            options=ApplyOptions(environ=env, lock_timeout=2, retry=FAST, **options),  # type: ignore[arg-type]
        )


def pushed(emulator: Emulator, action: str = "PushMultiple") -> list[str]:
    """Every target the emulator accepted a push for (with repeats)."""
    targets = []
    for call in emulator.calls.filter({"action": action, "code": "OK"}):
        params = call.params
        if action == "PushMultiple":
            count = sum(1 for key in params if key.endswith(".Target"))
            targets += [params[f"TargetMsg.{n}.Target"] for n in range(1, count + 1)]
        else:
            targets += params.get("TargetValue", "").split(",")
    return targets


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PUSHFLOW_LOG_DIR", str(tmp_path))
    return tmp_path


def test_apply_sends_once_and_reapply_sends_nothing(root: Path, tcp: Tcp, state: str) -> None:
    project(root, tcp, state)
    tcp.emulator.add_template({"name": "digest", "title": "Hi #name#", "content": "Your digest"})
    result = apply(root, tcp)
    assert result.total.sent == USERS  # type: ignore[attr-defined]
    assert sorted(pushed(tcp.emulator)) == [f"u{i:04}" for i in range(USERS)]
    again = make_plan([], project_file=root / "pushflow.yaml", now=NOW, environ=environ(tcp))
    assert again.changes is False
    assert len(pushed(tcp.emulator)) == USERS


def test_a_grown_audience_sends_only_the_new_targets(root: Path, tcp: Tcp, state: str) -> None:
    project(root, tcp, state)
    tcp.emulator.add_template({"name": "digest", "title": "Hi #name#", "content": "Your digest"})
    apply(root, tcp)
    write_users(root, USERS + 7)
    result = apply(root, tcp)
    assert result.total.sent == 7  # type: ignore[attr-defined]
    assert sorted(pushed(tcp.emulator)) == sorted(f"u{i:04}" for i in range(USERS + 7))


def test_the_sandbox_serves_a_newcomer(root: Path, state: str) -> None:
    project(root, None, state)
    result = apply(root, None)
    assert result.total.sent == USERS  # type: ignore[attr-defined]
    assert (root / ".pushflow" / "emulator.db").is_file()


def test_retryable_faults_are_retried_until_sent(root: Path, tcp: Tcp, state: str) -> None:
    project(root, tcp, state, users=250)
    tcp.emulator.add_template({"name": "digest", "title": "Hi #name#", "content": "Your digest"})
    tcp.emulator.faults.configure(FaultSpec(error=0.3, throttle=0.2), seed=3)
    result = apply(root, tcp)
    total = result.total  # type: ignore[attr-defined]
    assert (total.sent, total.unknown, dict(total.failed)) == (250, 0, {})
    assert sorted(pushed(tcp.emulator)) == sorted(f"u{i:04}" for i in range(250))
    assert tcp.emulator.calls.filter({"fault": "error"})  # the faults did happen


def test_a_refused_call_is_failed_and_retried_by_the_next_apply(
    root: Path, tcp: Tcp, state: str
) -> None:
    project(root, tcp, state)  # the template is missing: mPaaS answers 3022
    result = apply(root, tcp)
    assert dict(result.total.failed) == {"3022": USERS}  # type: ignore[attr-defined]
    tcp.emulator.add_template({"name": "digest", "title": "Hi #name#", "content": "Your digest"})
    assert apply(root, tcp).total.sent == USERS  # type: ignore[attr-defined]


class Killed(BaseException):
    """The process dies (as with SIGKILL, nothing after it runs)."""


def crash_after_first_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """The service gets the first call, then the process is killed before recording it."""

    def record(self: OccurrenceRun, call: object, outcome: object, tally: object) -> None:
        raise Killed

    monkeypatch.setattr(OccurrenceRun, "record", record)


def test_a_crash_after_sending_is_unknown_not_resent(
    root: Path, tcp: Tcp, state: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mPaaS keeps no idempotency (a repeated msgKey is accepted), and no query names a
    PushSimple call (it makes no task in QueryPushAnalysisTaskList), so the sends of a call whose
    outcome was never recorded become unknown: reported, not looked up, not sent again unless
    asked. (PushMultiple calls are found: test_resolve.py.)"""
    project(root, tcp, state)
    campaign = root / "campaigns" / "digest.yaml"
    campaign.write_text(
        "name: digest\nprovider: mpaas\napp: shop\n"
        "message: {kind: simple, title: Hi, content: Your digest}\n"
        "audience:\n  kind: user\n  source: {csv: users.csv, id_column: user_id}\n",
        encoding="utf-8",
    )
    with monkeypatch.context() as patch:
        crash_after_first_call(patch)
        with pytest.raises(Killed):
            apply(root, tcp)
    made = len(tcp.emulator.calls.filter({"action": "PushSimple"}))
    assert made >= 1  # the service did send
    later = apply(root, tcp, at=NOW + LEASE + timedelta(minutes=1))
    total = later.total  # type: ignore[attr-defined]
    assert (total.sent, total.unknown, total.resolved) == (0, 0, 0)
    with Ledger(state, project_root=root) as ledger:
        assert ledger.send_counts("digest", "now") == {"unknown": USERS}
    assert len(tcp.emulator.calls.filter({"action": "PushSimple"})) == made  # nothing twice
    assert tcp.emulator.calls.filter({"action": "QueryPushAnalysisTaskList"}) == []
    # The next plan has nothing to send, and says why the unknown sends are not in it.
    after = NOW + LEASE * 2
    with freeze_time(after):
        plan = make_plan([], project_file=root / "pushflow.yaml", now=after, environ=environ(tcp))
        asked = make_plan(
            [],
            project_file=root / "pushflow.yaml",
            now=after,
            environ=environ(tcp),
            resend_unknown=True,
        )
    (digest,) = plan.campaigns
    assert digest.action == "unchanged"
    assert digest.warnings == [
        f"{USERS} sends have an unknown outcome (a call got no answer, or the process stopped "
        "before recording it) and will not be resent: `pushflow history digest` lists them; "
        "`pushflow apply --resend-unknown` looks them up on the service first and resends only "
        "those it cannot find"
    ]
    (again,) = asked.campaigns
    assert (again.action, again.warnings) == ("send", [])
    forced = apply(root, tcp, at=after, resend_unknown=True)
    assert forced.total.sent == USERS  # type: ignore[attr-defined]


def test_emas_crash_is_resent_with_the_same_token(
    root: Path, tcp: Tcp, state: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EMAS honours an IdempotentToken for 15 minutes: after a crash the same call (same
    targets, same token) is sent again, and the service answers without sending twice."""
    project(root, tcp, state, users=0, emas=3)
    with monkeypatch.context() as patch:
        crash_after_first_call(patch)
        with pytest.raises(Killed):
            apply(root, tcp)
    later = apply(root, tcp, at=NOW + LEASE + timedelta(minutes=1))
    assert later.campaigns["sale"].sent == 3  # type: ignore[attr-defined]
    tokens = [c.params["IdempotentToken"] for c in tcp.emulator.calls.filter({"action": "Push"})]
    assert len(tokens) == 2
    assert tokens[0] == tokens[1]
    assert len(tcp.emulator.calls.filter({"action": "Push", "duplicate": "true"})) <= 1


def test_two_applies_never_interleave(root: Path, tcp: Tcp, state: str) -> None:
    project(root, tcp, state)
    with (
        Ledger(state, project_root=root) as ledger,
        ledger.apply_lock(timeout=1),
        pytest.raises(LockTimeoutError) as caught,
    ):
        apply(root, tcp)
    assert "held by" in str(caught.value)


def test_a_saved_plan_is_refused_when_stale(root: Path, tcp: Tcp, state: str) -> None:
    project(root, tcp, state)
    tcp.emulator.add_template({"name": "digest", "title": "Hi #name#", "content": "Your digest"})
    saved = root / "plan.json"
    with freeze_time(NOW):
        plan = make_plan([], project_file=root / "pushflow.yaml", now=NOW, environ=environ(tcp))
    saved.write_text(render_json(plan), encoding="utf-8")
    write_users(root, USERS + 1)
    with pytest.raises(StalePlanError) as caught:
        make_plan([saved], project_file=root / "pushflow.yaml", now=NOW, environ=environ(tcp))
    assert "campaign digest changed" in str(caught.value)
    write_users(root, USERS)
    fresh = make_plan([saved], project_file=root / "pushflow.yaml", now=NOW, environ=environ(tcp))
    assert fresh.campaigns[0].revision == plan.campaigns[0].revision


def test_a_bad_row_written_after_the_plan_stops_apply_before_anything(
    root: Path, tcp: Tcp, state: str
) -> None:
    """The check before apply reads the audience it sends (and keeps it for the send): a row
    broken while the plan was shown still stops everything, before any revision is recorded."""
    project(root, tcp, state)
    tcp.emulator.add_template({"name": "digest", "title": "Hi #name#", "content": "Your digest"})
    env = environ(tcp)
    with freeze_time(NOW, tick=True, real_asyncio=True):
        plan = make_plan([], project_file=root / "pushflow.yaml", now=NOW, environ=env)
        users = root / "campaigns" / "users.csv"
        users.write_text(users.read_text(encoding="utf-8") + "u 9,broken\n", encoding="utf-8")
        with pytest.raises(StalePlanError, match="no longer validates"):
            apply_plan(
                plan,
                [],
                project_file=root / "pushflow.yaml",
                options=ApplyOptions(environ=env, lock_timeout=2, retry=FAST),
            )
    assert pushed(tcp.emulator) == []
    write_users(root, USERS)
    again = make_plan([], project_file=root / "pushflow.yaml", now=NOW, environ=env)
    assert again.campaigns[0].diff == ["new campaign"]


def test_apply_reads_the_audience_it_sends_once(
    root: Path, tcp: Tcp, state: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two campaigns sent now: the first one's audience is read by the check and sent from;
    the second's is checked as a stream and read again to send (one audience held at a time)."""
    project(root, tcp, state, emas=30)
    tcp.emulator.add_template({"name": "digest", "title": "Hi #name#", "content": "Your digest"})
    env = environ(tcp)
    with freeze_time(NOW, tick=True, real_asyncio=True):
        plan = make_plan([], project_file=root / "pushflow.yaml", now=NOW, environ=env)
        assert [(c.name, c.action) for c in plan.campaigns] == [
            ("digest", "send"),
            ("sale", "send"),
        ]
        reads: list[str] = []
        read = CsvRecords.blocks  # every read of the records, one at a time or in runs

        def counted(records: CsvRecords, size: int | None = None) -> Iterator[Block | RowError]:
            reads.append(records.path.name)
            return read(records, size)

        monkeypatch.setattr(CsvRecords, "blocks", counted)
        result = apply_plan(
            plan,
            [],
            project_file=root / "pushflow.yaml",
            options=ApplyOptions(environ=env, lock_timeout=2, retry=FAST),
        )
    assert result.total.sent == USERS + 30
    assert sorted(reads) == ["devices.csv", "devices.csv", "users.csv"]


def test_concurrent_applies_of_one_state_send_each_target_once(
    root: Path, tcp: Tcp, state: str
) -> None:
    """Two `pushflow apply` processes started together: the lock orders them, the second finds
    nothing left to send."""
    project(root, tcp, state, users=120)
    tcp.emulator.add_template({"name": "digest", "title": "Hi #name#", "content": "Your digest"})
    env = {**os.environ, **environ(tcp)}
    command = [sys.executable, "-m", "pushflow", "apply", "--yes"]
    runs = [
        subprocess.Popen(
            command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    summaries = sorted(out.splitlines()[-1] for out, _ in outputs)
    assert summaries == [
        "Apply: 120 sent, 0 skipped, 0 failed, 0 unknown, 2 calls",
        "Nothing to do.",
    ] or summaries[0].startswith("Apply: 0 sent")
    assert sorted(pushed(tcp.emulator)) == sorted(f"u{i:04}" for i in range(120))


def test_a_server_loop_task_stays_cancellable_until_its_last_occurrence(
    root: Path, tcp: Tcp, state: str
) -> None:
    project(root, tcp, state, users=3)
    tcp.emulator.add_template({"name": "digest", "title": "Hi #name#", "content": "Your digest"})
    path = root / "campaigns" / "digest.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "values: {name: '{{ row.name }}'}", "values: {name: all}"
        )
        + "strategy:\n  every: day\n  at: '08:00'\n  from: 2026-12-01\n  until: 2026-12-10\n"
        "  execute: server\n",
        encoding="utf-8",
    )
    result = apply(root, tcp)
    assert result.total.sent == 3  # type: ignore[attr-defined]
    with Ledger(state, project_root=root) as ledger:
        (task,) = ledger.server_tasks("digest")
        (occurrence,) = ledger.occurrences("digest")
    assert task.fire_at is not None
    assert task.fire_at.isoformat() == "2026-12-10T00:00:00+00:00"  # 08:00 Shanghai, last day
    assert occurrence.status == "done"

    # A changed loop is scheduled anew; the old task is cancelled on the service, and its
    # occurrence, from which nothing will be pushed now, is cancelled with it.
    path.write_text(
        path.read_text(encoding="utf-8").replace("2026-12-10", "2026-12-12"), encoding="utf-8"
    )
    assert apply(root, tcp).total.sent == 3  # type: ignore[attr-defined]
    with Ledger(state, project_root=root) as ledger:
        tasks = {t.occurrence: t.status for t in ledger.server_tasks("digest")}
        statuses = {o.key: o.status for o in ledger.occurrences("digest")}
    assert tasks == {
        occurrence.key: "cancelled",
        **{k: "scheduled" for k in tasks if k != occurrence.key},
    }
    assert len(statuses) == 2
    assert statuses == {k: "cancelled" if k == occurrence.key else "done" for k in tasks}
    (cancel,) = tcp.emulator.calls.filter({"action": "CancelPushScheduler", "code": "OK"})
    assert cancel.params["UniqueIds"] == task.task_id


@pytest.mark.parametrize("strategy", ["now", "server-at"])
def test_msgkeys_on_the_wire_are_the_occurrences_own(
    root: Path, tcp: Tcp, state: str, strategy: str
) -> None:
    """Each ``TargetMsg.N.MsgKey`` is ``msg_key`` of the occurrence's key, as the plan shows it,
    whether the call takes the keys its claim computed (a send now) or not (a server-side send,
    whose key in the ledger is ``server:<occurrence>@<revision>``)."""
    project(root, tcp, state, users=5)
    tcp.emulator.add_template({"name": "digest", "title": "Hi #name#", "content": "Your digest"})
    path = root / "campaigns" / "digest.yaml"
    if strategy == "server-at":
        path.write_text(
            path.read_text(encoding="utf-8")
            + "strategy:\n  at: 2026-12-02T08:00\n  execute: server\n",
            encoding="utf-8",
        )
    assert apply(root, tcp).total.sent == 5  # type: ignore[attr-defined]
    with Ledger(state, project_root=root) as ledger:
        (occurrence,) = ledger.occurrences("digest")
    key = occurrence.key
    if strategy == "server-at":
        assert key.startswith("server:")
        key = key.removeprefix("server:").rpartition("@")[0]
    (call,) = tcp.emulator.calls.filter({"action": "PushMultiple", "code": "OK"})
    sent = {
        call.params[f"TargetMsg.{n}.Target"]: call.params[f"TargetMsg.{n}.MsgKey"]
        for n in range(1, 6)
    }
    assert sent == {f"u{i:04}": msg_key("digest", 0, key, f"u{i:04}") for i in range(5)}
