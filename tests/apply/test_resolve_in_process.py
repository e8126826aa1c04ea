"""Unknown sends looked up through the fire path the daemon shares with apply
(:func:`pushflow.apply.fire.fire`), against the emulator in process (``httpx.ASGITransport``),
on SQLite and PostgreSQL: a PushBroadcast (its one send to everyone) and a PushMultiple.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from pushflow.apply.fire import Firing, fire
from pushflow.apply.occurrence import LEASE, Tally, settle_stale_claims
from pushflow.apply.sender import Client, Sender
from pushflow.emulator import Emulator, EmulatorConfig, create_app
from pushflow.ledger import Ledger, new_owner
from pushflow.plan.compile import plan_occurrences
from pushflow.plan.keys import EVERYONE
from pushflow.providers import EmasClient, MpaasClient
from pushflow.spec.check import check_project
from tests.apply.conftest import CREDENTIALS
from tests.apply.test_apply import (  # noqa: F401  (fixtures)
    FAST,
    USERS,
    Killed,
    crash_after_first_call,
    project,
    state,
    state_url,
)
from tests.conftest import NOW

LATER = NOW + LEASE + timedelta(minutes=1)
BROADCAST = """\
name: news
provider: mpaas
app: shop
message:
  kind: template
  template: news
  template_text: {title: News, content: Fresh today}
audience: {kind: broadcast, platform: android, bind_period: 60d}
"""


@dataclass
class InProcess:
    emulator: Emulator
    clients: dict[str, Client]

    def calls(self, action: str) -> int:
        return len(self.emulator.calls.filter({"action": action, "code": "OK"}))


@pytest.fixture
async def service() -> AsyncIterator[InProcess]:
    app = create_app(EmulatorConfig(frozen_at=NOW, strict_msgkeys=True))
    emulator: Emulator = app.state.emulator
    for name, title in (("digest", "Hi #name#"), ("news", "News")):
        emulator.add_template({"name": name, "title": title, "content": "Fresh today"})
    transport = httpx.ASGITransport(app=app)
    options = {"endpoint": "http://emulator", "credentials": CREDENTIALS, "transport": transport}
    async with MpaasClient(**options) as mpaas, EmasClient(**options) as emas:  # type: ignore[arg-type]
        yield InProcess(emulator, {"shop": mpaas, "shop-emas": emas})
    emulator.close()


async def fire_at(
    root: Path, url: str, service: InProcess, name: str, at: datetime, **options: bool
) -> Tally:
    """Fire ``name``'s ``now`` occurrence as apply and the daemon do (revision and occurrence
    recorded first)."""
    report = check_project([], project_file=root / "pushflow.yaml", now=at)
    assert report.project is not None
    assert report.ok, report
    (loaded,) = [c for c in report.campaigns if c.campaign.name == name]
    campaign = loaded.campaign
    listed, _, execute = plan_occurrences(campaign, now=at, horizon=timedelta(0))
    occurrence = listed[0]
    sender = Sender(service.clients.__getitem__, lambda app, api: 1000.0, FAST)
    with Ledger(url, project_root=root) as ledger:
        spec = campaign.model_dump(mode="json", by_alias=True)
        revision = ledger.record_revision(name, "r1", spec, now=at)
        ledger.record_occurrence(name, occurrence.key, occurrence.instant, revision.id, now=at)
        firing = Firing(
            campaign, loaded.path, loaded.document.locate, occurrence, occurrence.key, execute
        )
        return await fire(
            firing,
            project=report.project,
            ledger=ledger,
            sender=sender,
            owner=new_owner(),
            clock=lambda: at,
            **options,  # type: ignore[arg-type]
        )


def states(root: Path, url: str, name: str) -> set[tuple[str, str | None, str | None]]:
    with Ledger(url, project_root=root) as ledger:
        return {(s.state, s.task_id, s.result_code) for s in ledger.sends(name, "now")}


@pytest.fixture
def root(tmp_path: Path, state: str, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    monkeypatch.chdir(tmp_path)
    project(tmp_path, None, state)
    (tmp_path / "campaigns" / "news.yaml").write_text(BROADCAST, encoding="utf-8")
    return tmp_path


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("name", "action", "sends"), [("news", "PushBroadcast", 1), ("digest", "PushMultiple", USERS)]
)
async def test_a_kill_after_the_call_is_found_when_the_occurrence_fires_again(
    root: Path,
    state: str,  # noqa: F811
    service: InProcess,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    action: str,
    sends: int,
) -> None:
    with monkeypatch.context() as patch:
        crash_after_first_call(patch)
        with pytest.raises(Killed):
            await fire_at(root, state, service, name, NOW)
    (made,) = service.emulator.calls.filter({"action": action})
    tally = await fire_at(root, state, service, name, LATER)
    assert (tally.sent, tally.skipped, tally.unknown, tally.resolved) == (0, sends, 0, sends)
    assert service.calls(action) == 1
    task = made.result["PushResult"]["Data"]
    assert states(root, state, name) == {("sent", task, "found:QueryPushAnalysisTaskList")}


@pytest.mark.anyio
async def test_a_kill_before_the_call_stays_unknown_and_is_resent_once_when_asked(
    root: Path,
    state: str,  # noqa: F811
    service: InProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def killed(self: Sender, call: object) -> object:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(Sender, "send", killed)
        with pytest.raises(Killed):
            await fire_at(root, state, service, "news", NOW)
    tally = await fire_at(root, state, service, "news", LATER)
    assert (tally.sent, tally.unknown, tally.resolved) == (0, 0, 0)
    assert states(root, state, "news") == {("unknown", None, "not-found:QueryPushAnalysisTaskList")}
    assert service.calls("PushBroadcast") == 0
    forced = await fire_at(root, state, service, "news", LATER, resend_unknown=True)
    assert (forced.sent, forced.resolved) == (1, 0)
    assert service.calls("PushBroadcast") == 1
    assert service.calls("QueryPushAnalysisTaskList") == 2
    with Ledger(state, project_root=root) as ledger:
        send = ledger.send("news", "now", EVERYONE)
    assert send is not None
    assert (send.state, send.attempts) == ("sent", 2)


def test_an_emas_claim_retaken_before_becomes_unknown_not_retaken_again(
    root: Path,
    state: str,  # noqa: F811
) -> None:
    """The token's 15 minutes start at its first use: a retaken claim's time is the retake's,
    so only a first claim is left for the claim pass to resend with the same token."""
    second = timedelta(seconds=1)
    with Ledger(state, project_root=root) as ledger:
        revision = ledger.record_revision("sale", "r1", {}, now=NOW)
        ledger.record_occurrence("sale", "now", NOW, revision.id, now=NOW)
        ledger.claim("sale", "now", [("a", "t1"), ("b", "t2")], "one", LEASE, now=NOW)
        retaken = ledger.claim(  # b's process died; the next one died too
            "sale",
            "now",
            [("b", "t2")],
            "two",
            LEASE,
            reclaim_expired=True,
            now=NOW + LEASE + second,
        )
        assert retaken == ["b"]
        later = NOW + 2 * LEASE + 2 * second  # both stale; a 10 minutes after its first use
        assert settle_stale_claims(ledger, "sale", "now", idempotent=True, now=later) == 1
        found = {s.target: (s.state, s.attempts) for s in ledger.sends("sale", "now")}
    assert found == {"a": ("claimed", 1), "b": ("unknown", 2)}


def test_stale_claims_of_dead_processes_become_unknown_one_record_per_owner(
    root: Path,
    state: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two killed applies left their calls' sends claimed; a third process's claim is live.
    The stale ones become unknown in one record per owner (not a transaction per send), each
    fenced by its own owner, and the live one is left alone."""
    with Ledger(state, project_root=root) as ledger:
        revision = ledger.record_revision("sale", "r1", {}, now=NOW)
        ledger.record_occurrence("sale", "now", NOW, revision.id, now=NOW)
        dead = {"one": ["a", "c", "e"], "two": ["b", "d"]}
        for owner, targets in dead.items():
            ledger.claim("sale", "now", [(t, f"k-{t}") for t in targets], owner, LEASE, now=NOW)
        later = NOW + LEASE + timedelta(seconds=1)
        ledger.claim("sale", "now", [("f", "k-f")], "three", LEASE, now=later)
        records: list[tuple[str, list[str]]] = []
        record_unknown = ledger.record_unknown

        def counted(
            campaign: str, occurrence: str, targets: list[str], owner: str, **kw: Any
        ) -> int:
            records.append((owner, list(targets)))
            return record_unknown(campaign, occurrence, targets, owner, **kw)

        monkeypatch.setattr(ledger, "record_unknown", counted)
        assert settle_stale_claims(ledger, "sale", "now", idempotent=False, now=later) == 5
        found = {s.target: s.state for s in ledger.sends("sale", "now")}
        errors = {s.error for s in ledger.sends("sale", "now", states=["unknown"])}
    assert sorted(records) == [("one", ["a", "c", "e"]), ("two", ["b", "d"])]
    assert found == {**dict.fromkeys("abcde", "unknown"), "f": "claimed"}
    assert errors == {"the process making this call stopped before recording its outcome"}
