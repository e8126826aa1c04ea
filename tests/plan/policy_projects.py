"""Projects for the policy tests: campaigns written in a few lines, and a plan of them (or its
problems, as ``pushflow plan`` prints them)."""

from __future__ import annotations

from datetime import datetime

import pytest

from pushflow.errors import SpecError
from pushflow.plan.build import build_plan
from pushflow.plan.model import Plan
from pushflow.plan.views import render_text
from tests.conftest import NOW, PROJECT_YAML, MakeProject

DEVICES = "[0d4c7a2e9f1b4c3a8e6d5b2f1a0c9e8d, 9b1f0c3e2a7d4e58b6c1f0a9d3e2b7c4]"


def emas(strategy: str, *, name: str = "promo", extra: str = "", audience: str = "") -> str:
    """An EMAS notice to two Android devices; ``strategy`` is the YAML of its strategy."""
    audience = (
        audience or f"  kind: device\n  device_type: android\n  source:\n    inline: {DEVICES}\n"
    )
    return (
        f"name: {name}\nprovider: emas\napp: shop-emas\n"
        "message: {kind: notice, title: Sale, body: Tonight only}\n"
        f"audience:\n{audience}{extra}strategy:\n{strategy}"
    )


def mpaas(strategy: str, *, name: str = "digest", users: str = "[u1, u2]", extra: str = "") -> str:
    return (
        f"name: {name}\nprovider: mpaas\napp: shop-mpaas\n"
        "message: {kind: simple, title: Hi, content: Your digest}\n"
        f"audience:\n  kind: user\n  source:\n    inline: {users}\n{extra}strategy:\n{strategy}"
    )


AT_2330 = "  at: 2026-11-23 23:30\n"  # 15:30 UTC
AT_2159 = "  at: 2026-11-23 21:59\n"
NOW_STRATEGY = "  now\n"


def plan(
    make_project: MakeProject,
    monkeypatch: pytest.MonkeyPatch,
    policy: str,
    campaigns: dict[str, str],
    *,
    at_apply: bool = False,
    now: datetime = NOW,
) -> Plan:
    root = make_project(campaigns, project=PROJECT_YAML + "policy:\n" + policy)
    monkeypatch.chdir(root)
    return build_plan(
        [],
        project_file=root / "pushflow.yaml",
        now=now,
        environ={"PUSHFLOW_SANDBOX": "1"},
        at_apply=at_apply,
    )


def outcome(
    make_project: MakeProject,
    monkeypatch: pytest.MonkeyPatch,
    policy: str,
    campaign: str,
    *,
    at_apply: bool = False,
) -> list[str]:
    """The problems, or the campaign's ``policy`` line and its warnings."""
    try:
        made = plan(
            make_project, monkeypatch, policy, {"campaigns/c.yaml": campaign}, at_apply=at_apply
        )
    except SpecError as exc:
        return [str(p) for p in exc.problems]
    text = render_text(made, color=False).splitlines()
    return [line.strip() for line in text if line.startswith(("    policy", "  ! "))]
