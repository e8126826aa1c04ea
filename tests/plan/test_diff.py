"""A plan read against the state: new, unchanged, changed, grown, removed; and the quotas."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from pushflow.audience.sources import Row
from pushflow.errors import Location, SpecError
from pushflow.ledger import Ledger
from pushflow.plan.build import build_plan, revision, unsent
from pushflow.plan.model import CampaignPlan, Plan
from pushflow.spec.check import check_project
from tests.commands.test_validate import MPAAS
from tests.conftest import NOW, MakeProject

LEASE = timedelta(minutes=5)
USERS = "user_id,name\n" + "".join(f"u{i:03},n{i}\n" for i in range(10))
CAMPAIGN = MPAAS.replace("    inline: [u1]\n", "    csv: users.csv\n    id_column: user_id\n")


def plan_of(root: Path) -> Plan:
    return build_plan([], project_file=root / "pushflow.yaml", now=NOW, environ={})


def only(plan: Plan) -> CampaignPlan:
    (campaign,) = plan.campaigns
    return campaign


def apply_revision(root: Path, sent: list[str] | None = None) -> None:
    """Record the project's campaign as applied (and ``sent`` targets as sent), as apply will."""
    report = check_project([], project_file=root / "pushflow.yaml", now=NOW)
    (loaded,) = report.campaigns
    digest = revision(loaded, only(plan_of(root)).audience.digest)
    with Ledger(".pushflow/state.db", project_root=root) as ledger:
        spec = loaded.campaign.model_dump(mode="json", by_alias=True)
        applied = ledger.record_revision(loaded.campaign.name, digest, spec, now=NOW)
        if sent:
            ledger.record_occurrence(loaded.campaign.name, "now", NOW, applied.id, now=NOW)
            pairs = [(target, f"key-{target}") for target in sent]
            ledger.claim(loaded.campaign.name, "now", pairs, "test", LEASE, now=NOW)
            ledger.record_sent(loaded.campaign.name, "now", sent, "test", now=NOW)


@pytest.fixture
def project(make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project({"campaigns/c.yaml": CAMPAIGN, "campaigns/users.csv": USERS})
    monkeypatch.chdir(root)
    return root


def test_without_state_everything_is_new(project: Path) -> None:
    plan = plan_of(project)
    assert (plan.state_version, only(plan).diff, only(plan).action) == (
        None,
        ["new campaign"],
        "send",
    )
    assert not (project / ".pushflow" / "state.db").exists()  # planning writes no state


def test_applied_and_all_sent_is_unchanged(project: Path) -> None:
    apply_revision(project, sent=[f"u{i:03}" for i in range(10)])
    plan = plan_of(project)
    assert only(plan).action == "unchanged"
    assert plan.changes is False
    assert plan.state_version is not None


def test_a_grown_audience_sends_only_the_new_targets(project: Path) -> None:
    apply_revision(project, sent=[f"u{i:03}" for i in range(10)])
    users = project / "campaigns" / "users.csv"
    users.write_text(USERS + "u100,new\nu101,new2\n", encoding="utf-8")
    campaign = only(plan_of(project))
    assert campaign.action == "send"
    assert campaign.diff == ["10 targets already sent, 2 new"]
    assert [(g.targets, g.calls) for g in campaign.groups] == [(2, 1)]


def test_a_content_edit_alone_sends_nothing(project: Path) -> None:
    apply_revision(project, sent=[f"u{i:03}" for i in range(10)])
    text = (project / "campaigns" / "c.yaml").read_text(encoding="utf-8")
    (project / "campaigns" / "c.yaml").write_text(text.replace('"3"', '"4"'), encoding="utf-8")
    campaign = only(plan_of(project))
    assert campaign.action == "unchanged"
    assert campaign.diff == ["changed: message.values", "10 targets already sent, 0 new"]


def test_a_bumped_epoch_resends_everything(project: Path) -> None:
    apply_revision(project, sent=[f"u{i:03}" for i in range(10)])
    path = project / "campaigns" / "c.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "epoch: 1\n", encoding="utf-8")
    campaign = only(plan_of(project))
    assert campaign.action == "send"
    assert campaign.diff[-1] == "epoch 0 → 1: everything is resent"
    assert campaign.groups[0].targets == 10


def test_a_removed_campaign_is_cancelled(project: Path) -> None:
    apply_revision(project)
    (project / "campaigns" / "c.yaml").write_text(
        CAMPAIGN.replace("name: digest", "name: other"), encoding="utf-8"
    )
    plan = plan_of(project)
    cancelled = [c for c in plan.campaigns if c.action == "cancel"]
    assert [(c.name, c.diff) for c in cancelled] == [
        ("digest", ["removed: scheduled work, local and server-side, is cancelled"])
    ]
    partial = build_plan([project / "campaigns" / "c.yaml"], project_file=None, now=NOW, environ={})
    assert [c.action for c in partial.campaigns] == ["send"]  # a partial plan cancels nothing


def test_unsent_merges_sorted_streams() -> None:
    rows = [Row(t, {}, Location("f", row=i)) for i, t in enumerate(["a", "b", "c", "d"])]
    assert [r.target for r in unsent(iter(rows), iter(["b", "bb", "d", "e"]))] == ["a", "c"]


def test_too_many_pending_server_tasks_fail_the_plan(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = "user_id\n" + "".join(f"u{i:05}\n" for i in range(1001))
    loop = "strategy:\n  at: 2026-11-25T08:00:00+08:00\n  execute: server\n"
    root = make_project({"campaigns/c.yaml": CAMPAIGN + loop, "campaigns/users.csv": users})
    monkeypatch.chdir(root)
    with pytest.raises(SpecError) as caught:
        plan_of(root)
    (problem,) = caught.value.problems
    assert problem.rule == "mpaas-pending-tasks"
    assert "mPaaS would hold 101 pending scheduled tasks" in problem.message


def test_pushes_to_all_too_close_fail_the_plan(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    emas = (
        "provider: emas\napp: shop-emas\nmessage: {kind: notice, title: Hi, body: Hello}\n"
        "audience: {kind: all, device_type: android}\n"
        "strategy: {at: 2026-11-25T08:00:00+08:00, execute: server}\n"
    )
    root = make_project(
        {"campaigns/a.yaml": "name: a\n" + emas, "campaigns/b.yaml": "name: b\n" + emas}
    )
    monkeypatch.chdir(root)
    with pytest.raises(SpecError) as caught:
        plan_of(root)
    assert [p.rule for p in caught.value.problems] == ["emas-push-all-spacing"]


def test_estimated_duration_uses_the_project_rate_limits(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import PROJECT_YAML

    users = "user_id\n" + "".join(f"u{i:05}\n" for i in range(1000))
    root = make_project(
        {"campaigns/c.yaml": CAMPAIGN, "campaigns/users.csv": users},
        project=PROJECT_YAML + "rate_limits:\n  mpaas.PushTemplate: 10\n",
    )
    monkeypatch.chdir(root)
    assert only(plan_of(root)).estimated_seconds == pytest.approx(100 / 10)


EMAS_ALL = """name: security
provider: emas
app: shop-emas
message: {kind: notice, title: Check, body: Please review your sign-ins}
audience:
  kind: account
  device_type: all
  source:
    inline: [a1, a2, a3]
strategy: now
"""


@pytest.mark.parametrize(
    ("sent", "left", "action"),
    [
        (["android:a1", "android:a2", "android:a3", "ios:a1", "ios:a2", "ios:a3"], 0, "unchanged"),
        # a2 reached Android only: its iOS send is still due (apply skips the Android one).
        (["android:a1", "android:a2", "android:a3", "ios:a1", "ios:a3"], 1, "send"),
        (["ios:a1", "ios:a2", "ios:a3"], 3, "send"),
    ],
)
def test_a_campaign_sent_per_platform_is_done_when_every_platform_is(
    make_project: MakeProject,
    monkeypatch: pytest.MonkeyPatch,
    sent: list[str],
    left: int,
    action: str,
) -> None:
    # shop-emas has an Android and an iOS AppKey: `device_type: all` is one send per platform,
    # recorded as `android:<id>` and `ios:<id>`.
    root = make_project({"campaigns/c.yaml": EMAS_ALL})
    monkeypatch.chdir(root)
    apply_revision(root, sent)
    campaign = only(plan_of(root))
    assert (campaign.audience.targets, campaign.action) == (left, action)
    assert "the audience is empty: nothing to send" not in campaign.warnings
