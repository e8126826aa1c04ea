"""Compiling campaigns into plans: routes, call counts, keys that are identities, and errors that
name the campaign line and the audience row."""

from __future__ import annotations

import json
import random
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from pushflow.errors import SpecError
from pushflow.plan.build import build_plan
from pushflow.plan.model import Plan
from pushflow.plan.views import load_plan
from tests.commands.test_validate import MPAAS, run
from tests.conftest import NOW, MakeProject

ROOT = Path(__file__).resolve().parents[2]


#: The examples are planned against an empty state of their own, whatever a developer's
#: `pushflow apply` left in the repository's .pushflow/.
NO_STATE = {"PUSHFLOW_STATE_URL": "sqlite:////nonexistent/pushflow-tests/state.db"}


@pytest.fixture(scope="module")
def example_plan() -> Plan:
    return build_plan([], project_file=ROOT / "pushflow.yaml", now=NOW, environ=NO_STATE)


@pytest.mark.parametrize(
    ("campaign", "api", "targets", "calls"),
    [
        ("order-shipped", "mpaas.PushSimple", 2, 2),  # per-target content: one call each
        ("weekly-digest", "mpaas.PushTemplate", 4, 1),
        ("cart-reminder", "mpaas.PushMultiple", 250, 3),  # 100 a call
        ("app-update-4-2", "mpaas.PushBroadcast", 0, 1),
        ("morning-briefing", "mpaas.PushTemplate", 2, 1),
        ("flash-sale-notice", "emas.Push", 3, 1),
        ("account-security-check", "emas.MassPush", 40, 2),  # per target; android and ios apps
        ("vip-early-access", "emas.Push", 0, 2),  # device_type all: android and ios apps
        ("black-friday-all", "emas.Push", 0, 1),
        ("reactivation-dormant", "emas.ContinuouslyPush", 3000, 4),  # TBD + 3 × 1000
    ],
)
def test_examples_take_the_right_route(
    example_plan: Plan, campaign: str, api: str, targets: int, calls: int
) -> None:
    (plan,) = [c for c in example_plan.campaigns if c.name == campaign]
    (group,) = plan.groups
    assert (group.api, group.targets, group.calls) == (api, targets, calls)


def test_actions_and_next_sends(example_plan: Plan) -> None:
    actions = {c.name: c.action for c in example_plan.campaigns}
    assert actions["order-shipped"] == "send"
    assert actions["morning-briefing"] == "schedule"
    assert example_plan.changes is True
    (loop,) = [c for c in example_plan.campaigns if c.name == "points-statement"]
    assert loop.groups == []  # first occurrence is beyond the 7-day horizon …
    assert loop.next_send is not None
    assert loop.next_send.isoformat() == "2026-12-01T01:00:00+00:00"  # … but shown


def test_a_longer_horizon_lists_loop_occurrences() -> None:
    plan = build_plan(
        [ROOT / "campaigns" / "monthly-statement-loop.yaml"],
        project_file=ROOT / "pushflow.yaml",
        now=NOW,
        environ=NO_STATE,
        horizon=timedelta(days=40),
    )
    (campaign,) = plan.campaigns
    assert [g.occurrence for g in campaign.groups] == [
        "2026-12-01T09:00",
        "2026-12-15T09:00",
        "2027-01-01T09:00",
    ]
    assert len({g.key_digest for g in campaign.groups}) == 3


def test_samples_are_rendered_messages(example_plan: Plan) -> None:
    (cart,) = [c for c in example_plan.campaigns if c.name == "cart-reminder"]
    sample = cart.samples[0]
    assert set(sample.values) == {"name", "item", "price"}
    assert sample.target is not None


def _copy_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    shutil.copy(ROOT / "pushflow.yaml", root / "pushflow.yaml")
    return root


def _digest(root: Path, name: str) -> str:
    plan = build_plan([], project_file=root / "pushflow.yaml", now=NOW, environ={})
    (campaign,) = [c for c in plan.campaigns if c.name == name]
    return campaign.groups[0].key_digest


def test_keys_ignore_audience_order_and_content_edits_but_not_epoch(tmp_path: Path) -> None:
    root = _copy_project(tmp_path)
    before = _digest(root, "cart-reminder")
    csv_file = root / "campaigns" / "audiences" / "cart-abandoners.csv"
    header, *rows = csv_file.read_text(encoding="utf-8").splitlines()
    random.Random(1).shuffle(rows)
    csv_file.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    assert _digest(root, "cart-reminder") == before  # audience order
    campaign = root / "campaigns" / "cart-reminder-multiple.yaml"
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(text.replace("still thinking it over?", "still deciding?"), "utf-8")
    assert _digest(root, "cart-reminder") == before  # a content edit
    campaign.write_text(text + "epoch: 1\n", encoding="utf-8")
    assert _digest(root, "cart-reminder") != before  # a resend on purpose


def test_a_rendering_problem_names_the_line_and_the_row(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = "user_id,name\nu1,Li\nu2," + "名" * 80 + "\n"
    text = MPAAS.replace(
        '  kind: template\n  template: digest\n  values: {count: "3"}\n',
        "  kind: simple\n  title: 'Hi {{ row.name }}'\n  content: Hello\n",
    ).replace("    inline: [u1]\n", "    csv: users.csv\n    id_column: user_id\n")
    emas = text.replace("provider: mpaas", "provider: emas").replace(
        "app: shop-mpaas", "app: shop-emas"
    )
    emas = emas.replace("  kind: simple\n", "  kind: notice\n").replace(
        "  content: Hello", "  body: Hello"
    )
    emas = emas.replace("  kind: user\n", "  kind: account\n  device_type: ios\n")
    root = make_project({"campaigns/c.yaml": emas, "campaigns/users.csv": rows})
    monkeypatch.chdir(root)
    with pytest.raises(SpecError) as caught:
        build_plan([], project_file=root / "pushflow.yaml", now=NOW, environ={})
    (problem,) = caught.value.problems
    assert str(problem).startswith(
        "campaigns/c.yaml:6:10: error: campaigns/users.csv row 3: title is "
    )
    assert problem.rule == "emas-title-bytes"


def test_an_explicit_api_that_cannot_carry_per_target_content(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        MPAAS.replace('values: {count: "3"}', "values: {count: '{{ row.id }}'}") + "api: template\n"
    )
    root = make_project({"campaigns/c.yaml": text})
    monkeypatch.chdir(root)
    with pytest.raises(SpecError) as caught:
        build_plan([], project_file=root / "pushflow.yaml", now=NOW, environ={})
    assert [str(p) for p in caught.value.problems] == [
        "campaigns/c.yaml:12:6: error: api template sends the same content to every target, but "
        "message.values.count read the audience row: remove `api` or make the text the same for "
        "all [api-per-target]"
    ]


def test_plan_command(make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project({"campaigns/c.yaml": MPAAS})
    code, out, _ = run(["plan", "--format", "markdown", "--out", "plan.json"], root, capsys)
    assert code == 0
    assert out.splitlines()[:2] == [
        "<!-- pushflow-plan -->",
        "Plan: 1 campaign, 1 target, 1 call, next send 2026-11-22 04:00 UTC",
    ]
    saved = load_plan((root / "plan.json").read_text(encoding="utf-8"))
    assert saved.campaigns[0].groups[0].api == "mpaas.PushTemplate"
    assert run(["plan", "--detailed-exitcode"], root, capsys)[0] == 2
    code, out, _ = run(["plan", "--format", "json"], root, capsys)
    assert (code, json.loads(out)["changes"]) == (0, True)


def test_plan_refuses_what_validate_refuses(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"campaigns/c.yaml": MPAAS.replace("app: shop-mpaas", "app: nope")})
    code, _, err = run(["plan"], root, capsys)
    assert code == 1
    assert err.startswith("campaigns/c.yaml:3:6: error: app `nope` is not declared")


def test_options_an_api_cannot_carry_are_warned_about(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(
        {
            "campaigns/c.yaml": MPAAS.replace(
                "  template: digest\n", "  template: digest\n  push_style: big-text\n"
            )
        }
    )
    monkeypatch.chdir(root)
    (campaign,) = build_plan([], project_file=root / "pushflow.yaml", now=NOW, environ={}).campaigns
    assert campaign.warnings == [
        "message.push_style is set, but mpaas.PushTemplate has no parameter for it: it is not sent"
    ]
