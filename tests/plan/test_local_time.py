"""Plans of local-time campaigns: one call group per time zone, at that zone's instant, with the
keys of the wall-clock send; the zones in every view."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pushflow.plan.build import build_plan
from pushflow.plan.keys import keys_digest, msg_key
from pushflow.plan.model import CampaignPlan
from pushflow.plan.views import render_markdown, render_text
from tests.conftest import MakeProject

NO_STATE = {"PUSHFLOW_STATE_URL": "sqlite:////nonexistent/pushflow-tests/state.db"}
#: Zones of the audience: New York falls back on 2026-11-01 (01:30 happens twice), Kolkata is
#: +05:30, Berlin +01:00; u7 has none and gets the campaign's Asia/Shanghai.
MEMBERS = """\
user_id,tz
u1,Asia/Kolkata
u2,Asia/Kolkata
u3,Europe/Berlin
u4,America/New_York
u5,America/New_York
u6,America/New_York
u7,
"""
CAMPAIGN = """\
name: wake-up
provider: mpaas
app: shop-mpaas
message: {kind: simple, title: Good morning, content: Your day starts now.}
audience:
  kind: user
  source: {csv: members.csv, id_column: user_id, timezone_column: tz}
strategy:
  at: "2026-11-01 01:30"
  local_time: true
"""


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def root(make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project({"campaigns/wake-up.yaml": CAMPAIGN, "campaigns/members.csv": MEMBERS})
    monkeypatch.chdir(root)
    return root


def plan_at(root: Path, now: datetime) -> CampaignPlan:
    plan = build_plan([], project_file=root / "pushflow.yaml", now=now, environ=NO_STATE)
    (campaign,) = plan.campaigns
    return campaign


def digest(*targets: str) -> str:
    return keys_digest(msg_key("wake-up", 0, "2026-11-01T01:30", t) for t in targets)


def test_each_zone_is_a_group_at_its_own_instant(root: Path) -> None:
    plan = plan_at(root, utc(2026, 10, 31, 12, 0))
    assert plan.action == "schedule"
    assert plan.audience.zones == {
        "America/New_York": 3,
        "Asia/Kolkata": 2,
        "Asia/Shanghai": 1,
        "Europe/Berlin": 1,
    }
    assert [
        (g.occurrence, g.at, g.zone, g.execute, g.targets, g.calls, g.key_digest)
        for g in plan.groups
    ] == [
        ("2026-11-01T01:30@Asia/Shanghai", utc(2026, 10, 31, 17, 30), "Asia/Shanghai", "local", 1, 1, digest("u7")),
        ("2026-11-01T01:30@Asia/Kolkata", utc(2026, 10, 31, 20, 0), "Asia/Kolkata", "local", 2, 1, digest("u1", "u2")),
        ("2026-11-01T01:30@Europe/Berlin", utc(2026, 11, 1, 0, 30), "Europe/Berlin", "local", 1, 1, digest("u3")),
        # 01:30 EDT, the first of New York's two 01:30s
        ("2026-11-01T01:30@America/New_York", utc(2026, 11, 1, 5, 30), "America/New_York", "local", 3, 1, digest("u4", "u5", "u6")),
    ]  # fmt: skip
    assert plan.next_send == utc(2026, 10, 31, 17, 30)
    assert plan.strategy == (
        "at 2026-11-01 01:30:00 (each target's time zone, else Asia/Shanghai), local"
    )
    assert plan.warnings == []


def test_the_views_show_the_zones(root: Path) -> None:
    now = utc(2026, 10, 31, 12, 0)
    plan = build_plan([], project_file=root / "pushflow.yaml", now=now, environ=NO_STATE)
    audience = (
        "user from campaigns/members.csv: 7 targets; local time in 4 time zones: "
        "America/New_York 3, Asia/Kolkata 2, Asia/Shanghai 1, Europe/Berlin 1"
    )
    text = render_text(plan, color=False)
    assert f"    audience   {audience}\n" in text
    assert "    2026-11-01 05:30 UTC  2026-11-01T01:30@America/New_York  mpaas.PushSimple" in text
    markdown = render_markdown(plan, zone="Asia/Shanghai")
    assert audience.replace("New_York", "New\\_York") in markdown
    assert "| 2026-11-01 13:30 CST | `2026-11-01T01:30@America/New_York` |" in markdown


def test_zones_already_due_are_sent_on_apply_or_missed(root: Path) -> None:
    # 01:00 UTC: Shanghai (17:30) and Kolkata (20:00) passed hours ago, Berlin 30 minutes ago.
    plan = plan_at(root, utc(2026, 11, 1, 1, 0))
    assert [(g.occurrence, g.execute, g.targets) for g in plan.groups] == [
        ("2026-11-01T01:30@Europe/Berlin", "now", 1),
        ("2026-11-01T01:30@America/New_York", "local", 3),
    ]
    assert plan.next_send == utc(2026, 11, 1, 5, 30)
    assert plan.warnings == [
        "`at` passed more than the catch-up window (1h) ago in Asia/Shanghai, Asia/Kolkata: "
        "their 3 targets are not sent",
        "`at` is already due in Europe/Berlin: sent late, on apply",
    ]
    plan = plan_at(root, utc(2026, 11, 1, 7, 0))  # after every zone's 01:30
    assert (plan.groups, plan.next_send) == ([], None)
    assert plan.warnings[0].startswith("`at` passed more than the catch-up window (1h) ago")
