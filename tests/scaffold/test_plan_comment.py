"""``ci/plan_comment.py``, the scaffolded script that keeps one plan comment per pull request:
it follows pages, fits GitHub's size limit, and fails with a reason that shows no token."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.scaffold import forge as fake

MARKER = "<!-- pushflow-plan -->"


def post(project: Path, body: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    (project / "plan.md").write_text(body, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "ci/plan_comment.py", "plan.md"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def github(url: str, token: str = fake.GITHUB_TOKEN) -> dict[str, str]:
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": url,
        "GITHUB_REPOSITORY": "acme/campaigns",
        "GITHUB_TOKEN": token,
        "PR_NUMBER": "9",
    }


def test_finds_its_comment_on_a_later_page(project: Path) -> None:
    with fake.serve() as forge:
        for n in range(150):
            forge.add("acme/campaigns#9", f"comment {n}", user={"login": "octocat"})
        ours = forge.add("acme/campaigns#9", f"{MARKER}\nold plan", user={"login": fake.BOT_LOGIN})
        done = post(project, f"{MARKER}\nnew plan\n", github(forge.url))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"updated the plan comment {ours.get('html_url')}\n"
    assert ours["body"] == f"{MARKER}\nnew plan\n"
    assert len(forge.comments["acme/campaigns#9"]) == 151
    assert ("GET", "/repos/acme/campaigns/issues/9/comments") in forge.requests


def test_a_plan_too_long_for_github_is_cut(project: Path) -> None:
    with fake.serve() as forge:
        done = post(project, "Plan: …\n" + "| row |\n" * 20_000, github(forge.url))
        assert done.returncode == 0, done.stderr
    (comment,) = forge.comments["acme/campaigns#9"]
    assert len(comment["body"]) == 65_536
    assert comment["body"].startswith(f"{MARKER}\nPlan: …\n| row |\n")
    assert comment["body"].endswith(
        "\n\n… the plan is too long for a comment: the whole plan is in the job's output.\n"
    )


def test_a_refused_call_fails_without_showing_the_token(project: Path) -> None:
    with fake.serve() as forge:
        done = post(project, f"{MARKER}\nplan\n", github(forge.url, token="ghs_wrong-token"))
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"plan_comment: GET {forge.url}/repos/acme/campaigns/issues/9/comments?per_page=100&page=1: "
        'HTTP 401: {"message": "Bad credentials"}\n'
    )


def test_outside_ci_it_posts_nothing(project: Path) -> None:
    done = post(project, f"{MARKER}\nplan\n", {})
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "",
        "plan_comment: neither GitHub Actions nor GitLab CI: nothing posted\n",
    )
