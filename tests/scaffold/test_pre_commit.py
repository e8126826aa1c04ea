"""pushflow's pre-commit hooks, run by pre-commit itself in a repository ``pushflow init`` wrote.

The ``.pre-commit-config.yaml`` that init writes is used as written, except that ``repo:`` and
``rev:`` point at a snapshot of this working tree (committed to a throw-away git repository,
as ``pre-commit try-repo`` would do with uncommitted changes) instead of the release tag.
pre-commit installs pushflow from it into its own virtualenv once per test session: the snapshot
and ``PRE_COMMIT_HOME`` are shared by the tests, so the second run reuses the environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pushflow import __version__
from pushflow.scaffold import SOURCE_REPOSITORY

ROOT = Path(__file__).resolve().parents[2]
GIT = ["git", "-c", "user.name=pushflow tests", "-c", "user.email=tests@pushflow.invalid"]


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture(scope="session")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A git repository holding what pip needs to install this working tree, and its commit."""
    snapshot = tmp_path_factory.mktemp("pushflow-hooks")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, snapshot / name)
    shutil.copytree(
        ROOT / "pushflow", snapshot / "pushflow", ignore=shutil.ignore_patterns("__pycache__")
    )
    git(snapshot, "init", "-q")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-q", "-m", "snapshot")
    return str(snapshot), git(snapshot, "rev-parse", "HEAD")


@pytest.fixture(scope="session")
def pre_commit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One PRE_COMMIT_HOME for the session; no credentials or state URL of the caller."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "PUSHFLOW_"))}
    env |= {"PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1"}
    return env


def pre_commit(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def hooks_from(project: Path, hooks_repo: tuple[str, str]) -> None:
    """Point init's .pre-commit-config.yaml at the snapshot, and make the project a git repo."""
    config = project / ".pre-commit-config.yaml"
    text = config.read_text(encoding="utf-8")
    pinned = f"  - repo: {SOURCE_REPOSITORY}\n    rev: v{__version__}\n"
    assert pinned in text
    repo, rev = hooks_repo
    config.write_text(text.replace(pinned, f"  - repo: {repo}\n    rev: {rev}\n"), "utf-8")
    git(project, "init", "-q")
    git(project, "add", "-A")


def results(output: str) -> list[str]:
    """The hook result lines (``pushflow validate....Passed``), dots squeezed."""
    return [
        f"{line.split('.')[0]} {line.rsplit('.', 1)[1]}"
        for line in output.splitlines()
        if line.startswith("pushflow ") and "..." in line
    ]


def test_the_hooks_pass_on_a_new_repository(
    project: Path, hooks_repo: tuple[str, str], pre_commit_env: dict[str, str]
) -> None:
    hooks_from(project, hooks_repo)
    done = pre_commit(project, pre_commit_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert results(done.stdout) == ["pushflow validate Passed", "pushflow schema --check Passed"]


def test_the_hooks_fail_on_a_broken_campaign_and_stale_schemas(
    project: Path, hooks_repo: tuple[str, str], pre_commit_env: dict[str, str]
) -> None:
    campaign = project / "campaigns" / "welcome.yaml"
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(text.replace("  expire: 24h ", "  expire: 24 hours "), encoding="utf-8")
    schema = project / "schemas" / "campaign.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace("  ", "    "), encoding="utf-8")
    hooks_from(project, hooks_repo)
    done = pre_commit(project, pre_commit_env)
    assert done.returncode == 1
    assert results(done.stdout) == ["pushflow validate Failed", "pushflow schema --check Failed"]
    out = done.stdout.splitlines()
    expire = [line for line in out if line.startswith("campaigns/welcome.yaml:")]
    assert len(expire) == 1
    assert expire[0].startswith("campaigns/welcome.yaml:13:11: error: ")
    assert "1 error in 1 file" in out
    assert out[-3:] == [
        "stale: schemas/campaign.schema.json",
        "run `pushflow schema --write` and commit the result",
        "",
    ]
