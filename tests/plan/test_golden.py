"""The plan of the example campaigns, as a reviewer reads it: whole outputs, checked in.

A change to compile or to the views shows here as a diff of what people will see. To accept an
intended change: ``PUSHFLOW_UPDATE_GOLDEN=1 python -m pytest tests/plan/test_golden.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pushflow.plan.build import build_plan
from pushflow.plan.views import render_json, render_markdown, render_text
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
NO_STATE = {
    "PUSHFLOW_STATE_URL": "sqlite:////nonexistent/pushflow-tests/state.db",
    "PUSHFLOW_SANDBOX": "1",
}


@pytest.mark.parametrize(
    ("name", "view"),
    [
        ("examples.txt", lambda plan: render_text(plan, color=False)),
        ("examples.md", lambda plan: render_markdown(plan, zone="Asia/Shanghai")),
        ("examples.json", render_json),
    ],
)
def test_example_plan_views(name: str, view: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    plan = build_plan([], project_file=ROOT / "pushflow.yaml", now=NOW, environ=NO_STATE)
    text = view(plan)  # type: ignore[operator]
    path = GOLDEN / name
    if os.environ.get("PUSHFLOW_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
