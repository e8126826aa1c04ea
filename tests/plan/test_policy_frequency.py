"""The frequency cap at plan time: across campaigns, against the state's history, with
unchanged campaigns and audiences the service expands."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pushflow.errors import SpecError
from pushflow.ledger import Ledger
from pushflow.plan.build import build_plan
from tests.conftest import NOW, PROJECT_YAML, MakeProject
from tests.plan.policy_projects import NOW_STRATEGY, emas, mpaas, plan

# --- frequency cap ----------------------------------------------------------------------------


def users_csv(first: int, last: int) -> str:
    return "user_id\n" + "".join(f"u{i:03}\n" for i in range(first, last))


def from_csv(name: str, csv: str, strategy: str) -> str:
    return (
        f"name: {name}\nprovider: mpaas\napp: shop-mpaas\n"
        "message: {kind: simple, title: Hi, content: Your digest}\n"
        f"audience:\n  kind: user\n  source: {{csv: {csv}, id_column: user_id}}\n"
        f"strategy:\n{strategy}"
    )


def problems(
    make_project: MakeProject,
    monkeypatch: pytest.MonkeyPatch,
    policy: str,
    campaigns: dict[str, str],
) -> list[str]:
    try:
        made = plan(make_project, monkeypatch, policy, campaigns)
    except SpecError as exc:
        return [str(p) for p in exc.problems]
    return [f"{c.name}: {c.policy}" for c in made.campaigns if c.policy]


CAP = "  frequency_cap: {max: 1, per: 1d}\n"
AT_0900 = "  at: 2026-11-23 09:00\n"  # 01:00 UTC
AT_1300 = "  at: 2026-11-23 13:00\n"  # 05:00 UTC


def test_two_campaigns_to_the_same_targets_within_the_window(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaigns = {
        "campaigns/a.yaml": mpaas(AT_0900, name="a"),
        "campaigns/b.yaml": mpaas(AT_1300, name="b", users="[u2, u3]"),
    }
    assert problems(make_project, monkeypatch, CAP, campaigns) == [
        "campaigns/a.yaml:10:7: error: 1 target would receive more than 1 send within 1d "
        "(frequency cap), e.g. u2: a 2026-11-23 01:00 UTC, b 2026-11-23 05:00 UTC "
        "[policy.frequency-cap]"
    ]


def test_sends_a_window_apart_pass(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaigns = {
        "campaigns/a.yaml": mpaas(AT_0900, name="a"),
        "campaigns/b.yaml": mpaas("  at: 2026-11-24 09:00\n", name="b"),
    }
    passed = "[PolicyCheck(rule='policy.frequency-cap', outcome='pass', detail=None)]"
    assert problems(make_project, monkeypatch, CAP, campaigns) == [f"a: {passed}", f"b: {passed}"]


def test_only_shared_targets_count_among_many(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a: u000…u199, b: u150…u299; c: disjoint from both. 50 targets get two sends.
    campaigns = {
        "campaigns/a.yaml": from_csv("a", "a.csv", AT_0900),
        "campaigns/a.csv": users_csv(0, 200),
        "campaigns/b.yaml": from_csv("b", "b.csv", AT_1300),
        "campaigns/b.csv": users_csv(150, 300),
        "campaigns/c.yaml": from_csv("c", "c.csv", AT_1300),
        "campaigns/c.csv": users_csv(300, 400),
    }
    assert problems(
        make_project, monkeypatch, "  frequency_cap: {max: 1, per: 12h}\n", campaigns
    ) == [
        "campaigns/a.yaml:9:7: error: 50 targets would receive more than 1 send within 12h "
        "(frequency cap), e.g. u150: a 2026-11-23 01:00 UTC, b 2026-11-23 05:00 UTC "
        "[policy.frequency-cap]"
    ]


def test_disjoint_audiences_at_the_same_time_pass(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaigns = {
        "campaigns/a.yaml": mpaas(AT_0900, name="a", users="[u1]"),
        "campaigns/b.yaml": mpaas(AT_0900, name="b", users="[u2]"),
    }
    assert len(problems(make_project, monkeypatch, CAP, campaigns)) == 2


def test_a_campaign_over_the_cap_by_itself(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = (
        '  every: day\n  at: "09:00"\n  from: 2026-11-23\n  until: 2026-12-31\n  execute: local\n'
    )
    campaigns = {"campaigns/a.yaml": mpaas(loop, name="a", users="[u1]")}
    assert problems(
        make_project, monkeypatch, "  frequency_cap: {max: 2, per: 3d}\n", campaigns
    ) == [
        "campaigns/a.yaml:11:7: error: 1 target would receive more than 2 sends within 3d "
        "(frequency cap), e.g. u1: a 2026-11-23 01:00 UTC, a 2026-11-24 01:00 UTC, "
        "a 2026-11-25 01:00 UTC [policy.frequency-cap]"
    ]


def remember(
    root: Path, campaign: str, key: str, instant: datetime, targets: list[str], digest: str = "0"
) -> None:
    """Record in the project's state that ``campaign`` sent ``targets`` at ``instant``."""
    with Ledger(str(root / ".pushflow" / "state.db")) as ledger:
        revision = ledger.record_revision(campaign, digest * 16, {"name": campaign}, now=instant)
        ledger.record_occurrence(campaign, key, instant, revision.id, now=instant)
        keys = [(target, f"key-{target}") for target in targets]
        ledger.claim(campaign, key, keys, "me", timedelta(minutes=5), now=instant)
        ledger.record_sent(campaign, key, targets, "me", now=instant)


def test_the_states_history_counts(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(
        {"campaigns/a.yaml": mpaas(NOW_STRATEGY, name="a")},
        project=PROJECT_YAML + "policy:\n" + CAP,
    )
    remember(root, "old", "now", NOW - timedelta(hours=20), ["u2", "u9"])
    monkeypatch.chdir(root)
    with pytest.raises(SpecError) as caught:
        build_plan([], project_file=root / "pushflow.yaml", now=NOW, environ={})
    assert [str(p) for p in caught.value.problems] == [
        "campaigns/a.yaml:10:3: error: 1 target would receive more than 1 send within 1d "
        "(frequency cap), e.g. u2: old 2026-11-21 08:00 UTC (in the state), a 2026-11-22 04:00 UTC "
        "[policy.frequency-cap]"
    ]
    # A day later the old send is out of the window.
    later = build_plan(
        [], project_file=root / "pushflow.yaml", now=NOW + timedelta(hours=4), environ={}
    )
    (a,) = [c for c in later.campaigns if c.name == "a"]
    assert [c.outcome for c in a.policy] == ["pass"]


def test_failed_sends_in_the_state_do_not_count(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(
        {"campaigns/a.yaml": mpaas(NOW_STRATEGY, name="a")},
        project=PROJECT_YAML + "policy:\n" + CAP,
    )
    instant = NOW - timedelta(hours=2)
    with Ledger(str(root / ".pushflow" / "state.db")) as ledger:
        revision = ledger.record_revision("old", "0" * 16, {"name": "old"}, now=instant)
        ledger.record_occurrence("old", "now", instant, revision.id, now=instant)
        ledger.claim("old", "now", [("u2", "k")], "me", timedelta(minutes=5), now=instant)
        ledger.record_failed("old", "now", ["u2"], "me", result_code="3001", now=instant)
    monkeypatch.chdir(root)
    made = build_plan([], project_file=root / "pushflow.yaml", now=NOW, environ={})
    (a,) = [c for c in made.campaigns if c.name == "a"]
    assert [c.outcome for c in a.policy] == ["pass"]


def test_a_server_scheduled_send_in_the_state_is_the_planned_one(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = "  at: 2026-11-23 09:00\n  execute: server\n"
    root = make_project(
        {"campaigns/a.yaml": mpaas(server, name="a")}, project=PROJECT_YAML + "policy:\n" + CAP
    )
    # Applied before: the server task is recorded as sends of server:<occurrence>@<revision>.
    at = datetime.fromisoformat("2026-11-23T01:00:00+00:00")
    remember(root, "a", "server:2026-11-23T09:00@0000000000000000", at, ["u1", "u2"])
    monkeypatch.chdir(root)
    made = build_plan([], project_file=root / "pushflow.yaml", now=NOW, environ={})
    (a,) = [c for c in made.campaigns if c.name == "a"]
    assert (a.action, [c.outcome for c in a.policy]) == ("schedule", ["pass"])


def test_unlisted_audiences_are_not_counted_or_refused(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    tag = emas(AT_0900, audience="  kind: tag\n  device_type: android\n  tag: vip\n")
    assert problems(make_project, monkeypatch, CAP, {"campaigns/t.yaml": tag}) == [
        "promo: [PolicyCheck(rule='policy.frequency-cap', outcome='exempt', detail='audience kind "
        "tag is expanded by the service: not counted')]"
    ]
    refuse = "  frequency_cap: {max: 1, per: 1d, unlisted: refuse}\n"
    assert problems(make_project, monkeypatch, refuse, {"campaigns/t.yaml": tag}) == [
        "campaigns/t.yaml:6:9: error: audience kind tag is expanded by the service: its targets "
        "cannot be counted against the frequency cap (unlisted: refuse) [policy.frequency-cap]"
    ]


def test_an_unchanged_campaign_counts_but_is_not_blamed(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(
        {"campaigns/a.yaml": mpaas(AT_0900, name="a")}, project=PROJECT_YAML + "policy:\n" + CAP
    )
    monkeypatch.chdir(root)
    first = build_plan([], project_file=root / "pushflow.yaml", now=NOW, environ={})
    with Ledger(str(root / ".pushflow" / "state.db")) as ledger:  # as if applied
        (a,) = first.campaigns
        ledger.record_revision("a", a.revision, {}, audience_digest=a.audience.digest, now=NOW)
    (root / "campaigns" / "b.yaml").write_text(mpaas(AT_1300, name="b"), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        build_plan([], project_file=root / "pushflow.yaml", now=NOW, environ={})
    assert [str(p) for p in caught.value.problems] == [
        "campaigns/b.yaml:10:7: error: 2 targets would receive more than 1 send within 1d "
        "(frequency cap), e.g. u1: a 2026-11-23 01:00 UTC, b 2026-11-23 05:00 UTC "
        "[policy.frequency-cap]"
    ]
    (root / "campaigns" / "b.yaml").unlink()
    again = build_plan([], project_file=root / "pushflow.yaml", now=NOW, environ={})
    assert [(c.name, c.action, c.policy) for c in again.campaigns] == [("a", "unchanged", [])]


MEMBERS = "user_id,tz\nu1,Asia/Kolkata\nu2,Europe/Berlin\nu3,America/New_York\n"
LOCAL = "  at: 2026-11-23 09:00\n  local_time: true\n"


def local_time(name: str) -> str:
    return (
        f"name: {name}\nprovider: mpaas\napp: shop-mpaas\n"
        "message: {kind: simple, title: Hi, content: Your digest}\n"
        "audience:\n  kind: user\n"
        "  source: {csv: members.csv, id_column: user_id, timezone_column: tz}\n"
        f"strategy:\n{LOCAL}"
    )


def test_local_time_counts_each_target_in_its_own_zone_only(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three zones, three occurrences: each member gets one of them, so a cap of 1 holds.
    campaigns = {"campaigns/members.csv": MEMBERS, "campaigns/a.yaml": local_time("a")}
    passed = "[PolicyCheck(rule='policy.frequency-cap', outcome='pass', detail=None)]"
    assert problems(make_project, monkeypatch, CAP, campaigns) == [f"a: {passed}"]


def test_local_time_sends_meet_other_campaigns_per_zone(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    # u2 gets b at 05:00 UTC and a at Berlin 09:00 (08:00 UTC); u1 (Kolkata) and u3 (New York)
    # are counted with their own zone's send only, so they stay within the cap.
    campaigns = {
        "campaigns/members.csv": MEMBERS,
        "campaigns/a.yaml": local_time("a"),
        "campaigns/b.yaml": mpaas(AT_1300, name="b", users="[u2]"),
    }
    assert problems(make_project, monkeypatch, CAP, campaigns) == [
        "campaigns/a.yaml:9:7: error: 1 target would receive more than 1 send within 1d "
        "(frequency cap), e.g. u2: b 2026-11-23 05:00 UTC, a 2026-11-23 08:00 UTC "
        "[policy.frequency-cap]"
    ]
