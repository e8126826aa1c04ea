"""docs/policy.md shows what the code prints: each ```` ```text policy-example ```` block is the
output of planning the campaigns written since the previous one (```` ```yaml ```` blocks) under
the last policy shown (a ```` ```yaml snippet ```` starting with ``policy:``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from pushflow.errors import SpecError
from pushflow.plan.build import build_plan
from pushflow.plan.views import render_text
from tests.conftest import NOW, PROJECT_YAML, MakeProject

DOC = Path(__file__).resolve().parents[2] / "docs" / "policy.md"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def examples() -> list[object]:
    found = []
    policy, campaigns = "", []
    text = DOC.read_text(encoding="utf-8")
    for match in FENCE.finditer(text):
        info, body = match[1].split(), match[2]
        if info == ["yaml", "snippet"] and body.startswith("policy:"):
            policy = body
        elif info == ["yaml"] and "apps" not in body:
            campaigns.append(body)
        elif info == ["text", "policy-example"]:
            line = text.count("\n", 0, match.start()) + 1
            found.append(pytest.param(policy, campaigns, body, id=f"policy.md:{line}"))
            campaigns = []
    return found


def test_the_doc_has_an_example_per_rule() -> None:
    outputs = "".join(param.values[2] for param in examples())  # type: ignore[attr-defined]
    for rule in ("quiet-hours", "frequency-cap", "max-audience", "freeze-window", "vendor-window"):
        assert rule in outputs


@pytest.mark.parametrize(("policy", "campaigns", "expected"), examples())
def test_the_examples_print_what_the_doc_says(
    policy: str,
    campaigns: list[str],
    expected: str,
    make_project: MakeProject,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = {}
    for campaign in campaigns:
        name = YAML(typ="safe", pure=True).load(campaign)["name"]
        files[f"campaigns/{name}.yaml"] = campaign
    root = make_project(files, project=PROJECT_YAML + policy)
    monkeypatch.chdir(root)
    try:
        plan = build_plan([], project_file=root / "pushflow.yaml", now=NOW, environ={})
    except SpecError as exc:
        output = [str(problem) for problem in exc.problems]
    else:
        lines = render_text(plan, color=False).splitlines()
        output = [line for line in lines if line.startswith("    policy")]
    assert output == expected.splitlines()
