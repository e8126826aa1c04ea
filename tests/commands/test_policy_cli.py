"""``pushflow plan`` and ``pushflow apply`` under a policy: exit codes, the rule's message on
stderr, the ``policy`` line of the plan, and nothing sent when a rule is broken."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import pytest
from freezegun import freeze_time

from pushflow.cli import main
from pushflow.ledger import Ledger
from tests.conftest import NOW, PROJECT_YAML, MakeProject
from tests.plan.policy_projects import mpaas

#: 12:00 in Shanghai when the tests run (NOW): inside these quiet hours.
NOON_QUIET = 'policy:\n  quiet_hours: {from: "11:00", to: "13:00"}\n'
NOW_CAMPAIGN = mpaas("  now\n", name="digest")
LATE_CAMPAIGN = mpaas("  at: 2026-11-23 11:30\n", name="digest")


def run(
    args: list[str], cwd: Path, capsys: pytest.CaptureFixture[str], at: datetime = NOW
) -> tuple[int, str, str]:
    """The real entry point at ``at`` (the clock ticking, so apply's waits work)."""
    old, sys.argv = Path.cwd(), ["pushflow", *args]
    os.chdir(cwd)
    try:
        with freeze_time(at, tick=True, real_asyncio=True), pytest.raises(SystemExit) as caught:
            main()
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    code = caught.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PUSHFLOW_SANDBOX", "1")
    monkeypatch.setenv("PUSHFLOW_LOG_DIR", str(tmp_path))
    for name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)


def sends(root: Path) -> int:
    state = root / ".pushflow" / "state.db"
    if not state.exists():
        return 0
    with Ledger(str(state)) as ledger:
        return sum(ledger.send_counts("digest").values())


@pytest.mark.usefixtures("sandbox")
@pytest.mark.parametrize("command", [["plan"], ["apply", "--yes"]])
def test_a_broken_rule_fails_plan_and_apply(
    command: list[str], make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"campaigns/digest.yaml": LATE_CAMPAIGN}, project=PROJECT_YAML + NOON_QUIET)
    code, out, err = run(command, root, capsys)
    assert (code, out, err) == (
        1,
        "",
        "campaigns/digest.yaml:10:7: error: occurrence 2026-11-23T11:30 at 2026-11-23 11:30 "
        "Asia/Shanghai is inside quiet hours 11:00–13:00: 2 targets [policy.quiet-hours]\n",
    )
    assert sends(root) == 0


@pytest.mark.usefixtures("sandbox")
def test_a_now_send_warns_in_plan_and_is_refused_by_apply(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"campaigns/digest.yaml": NOW_CAMPAIGN}, project=PROJECT_YAML + NOON_QUIET)
    code, out, _ = run(["plan", "--detailed-exitcode"], root, capsys)
    assert code == 2
    assert "    policy     warning: quiet-hours\n" in out
    assert (
        "  ! digest: policy.quiet-hours: the send now at 2026-11-22 12:00 Asia/Shanghai is inside "
        "quiet hours 11:00–13:00: 2 targets (`pushflow apply` refuses it while this holds)\n"
    ) in out
    code, out, err = run(["apply", "--yes"], root, capsys)
    assert (code, out, err) == (
        1,
        "",
        "campaigns/digest.yaml:10:3: error: the send now at 2026-11-22 12:00 Asia/Shanghai is "
        "inside quiet hours 11:00–13:00: 2 targets [policy.quiet-hours]\n",
    )
    assert sends(root) == 0
    # Out of the quiet hours, the same campaign is sent.
    later = datetime.fromisoformat("2026-11-22T05:30:00+00:00")  # 13:30 in Shanghai
    code, out, _ = run(["apply", "--yes"], root, capsys, at=later)
    assert code == 0
    assert "    policy     pass: quiet-hours\n" in out
    assert "Apply: 2 sent, 0 skipped, 0 failed, 0 unknown, 1 calls\n" in out
    assert sends(root) == 2


@pytest.mark.usefixtures("sandbox")
def test_a_saved_plan_is_checked_again_when_applied(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"campaigns/digest.yaml": NOW_CAMPAIGN}, project=PROJECT_YAML + NOON_QUIET)
    before = datetime.fromisoformat("2026-11-22T02:30:00+00:00")  # 10:30 in Shanghai
    code, _, _ = run(["plan", "--out", "plan.json"], root, capsys, at=before)
    assert code == 0
    code, _, err = run(["apply", "--yes", "plan.json"], root, capsys)
    assert (code, err) == (
        1,
        "campaigns/digest.yaml:10:3: error: the send now at 2026-11-22 12:00 Asia/Shanghai is "
        "inside quiet hours 11:00–13:00: 2 targets [policy.quiet-hours]\n",
    )
    assert sends(root) == 0
