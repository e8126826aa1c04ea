"""The CI files ``pushflow init`` writes: valid YAML, every ``pushflow`` command line parses
against the real click tree, and their jobs really run — the pull-request side against the
embedded emulator with its comment posted to a fake forge on 127.0.0.1, the merge side with
the OIDC token written where the credential chain reads it and the state in PostgreSQL."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.scaffold import forge as fake
from tests.scaffold.recipes import (
    GITHUB_WORKFLOW,
    GITLAB_CI,
    check_invocation,
    expand,
    github_scripts,
    gitlab_script,
    gitlab_scripts,
    load,
    pushflow_invocations,
)

ROLE_ARN = "acs:ram::1234567890123456:role/pushflow-ci"
PROVIDER_ARN = "acs:ram::1234567890123456:oidc-provider/github-actions"
PLAN_LINE = re.compile(
    r"Plan: 1 campaign, 1 target, 1 call, next send \d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC"
)
WELCOME_ROW = (
    "| `+ send` | `welcome` | emas · `my-app` | now (on apply) | device from inline: 1 target "
    "| 1 | 1 |"
)


def test_the_ci_files_are_yaml_with_the_expected_jobs(project: Path) -> None:
    workflow = load(project / GITHUB_WORKFLOW)
    assert list(workflow["jobs"]) == ["plan", "apply"]
    assert workflow["on"] == {"pull_request": None, "push": {"branches": ["main"]}}
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["plan"]["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
    }
    apply = workflow["jobs"]["apply"]
    assert apply["permissions"] == {"contents": "read", "id-token": "write"}
    assert apply["concurrency"] == {"group": "pushflow-apply", "cancel-in-progress": False}
    pipeline = load(project / GITLAB_CI)
    assert [k for k, v in pipeline.items() if isinstance(v, dict) and "script" in v] == [
        "pushflow-validate",
        "pushflow-plan",
        "pushflow-apply",
    ]
    assert pipeline["pushflow-apply"]["id_tokens"] == {
        "ALIBABA_CLOUD_OIDC_TOKEN": {"aud": "sts.aliyuncs.com"}
    }
    assert pipeline["pushflow-apply"]["resource_group"] == "pushflow-apply"


@pytest.mark.parametrize(
    ("path", "scripts", "expected"),
    [
        (
            GITHUB_WORKFLOW,
            github_scripts,
            [
                ["validate", "--format", "github"],
                ["plan", "--format", "markdown", "--detailed-exitcode"],
                ["plan", "--out", "plan.json", "--format", "markdown"],
                ["apply", "plan.json", "--yes"],
            ],
        ),
        (
            GITLAB_CI,
            gitlab_scripts,
            [
                ["validate"],
                ["plan", "--format", "markdown", "--detailed-exitcode"],
                ["plan", "--out", "plan.json", "--format", "markdown"],
                ["apply", "plan.json", "--yes"],
            ],
        ),
    ],
)
def test_every_pushflow_command_in_ci_parses(
    project: Path, path: str, scripts: Any, expected: list[list[str]]
) -> None:
    found = [
        args for _, script in scripts(load(project / path)) for args in pushflow_invocations(script)
    ]
    assert found == expected
    assert {" ".join(args): check_invocation(args) for args in found} == {
        " ".join(args): None for args in found
    }


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["deploy"], "no such command: pushflow deploy"),
        (["schema", "extra"], "unexpected arguments ['extra']"),
        # click's own wording (it changes between click releases): the offending part is named
        (["plan", "--formt", "markdown"], "'--formt'"),
        (["validate", "--format", "markdown"], "'markdown' is not one of"),
        (["plan", "--out"], "'--out' requires an argument"),
        (["apply", "--concurrency", "0", "plan.json"], "0 is not in the range"),
    ],
)
def test_the_command_check_can_fail(args: list[str], problem: str) -> None:
    found = check_invocation(args)
    assert found is not None
    if problem.startswith(("no such", "unexpected")):
        assert found == problem
    else:
        assert problem in found


def test_the_command_finder_reads_shell(project: Path) -> None:
    script = (
        "status=0\npushflow plan --format markdown >plan.md 2>plan.err || status=$?\n"
        "echo pushflow validate\nif true; then pushflow \\\n  validate --format json; fi\n"
        "printf '<!-- pushflow-plan -->'  # pushflow apply\n"
    )
    assert pushflow_invocations(script) == [
        ["plan", "--format", "markdown"],
        ["validate", "--format", "json"],
    ]


# --- running the jobs --------------------------------------------------------------------------


def github_workflow(project: Path) -> dict[str, Any]:
    return dict(load(project / GITHUB_WORKFLOW))


def github_env(project: Path, runner_env: dict[str, str], **contexts: str) -> dict[str, str]:
    """The environment a GitHub step of this workflow sees (workflow ``env:`` expanded)."""
    known = {
        "github.workspace": str(project),
        "vars.ALIBABA_CLOUD_ROLE_ARN": ROLE_ARN,
        "vars.ALIBABA_CLOUD_OIDC_PROVIDER_ARN": PROVIDER_ARN,
        "secrets.PUSHFLOW_STATE_URL": "",
        **contexts,
    }
    env = {
        **runner_env,
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": "acme/campaigns",
        "GITHUB_STEP_SUMMARY": str(project.parent / "step-summary.md"),
    }
    for name, value in github_workflow(project)["env"].items():
        env[name] = expand(str(value), known)
    return env


def run_step(
    project: Path, job: str, name: str, env: dict[str, str], **contexts: str
) -> subprocess.CompletedProcess[str]:
    """One ``run:`` step as GitHub runs it (``bash -eo pipefail``), its ``env:`` expanded."""
    (step,) = [s for s in github_workflow(project)["jobs"][job]["steps"] if s.get("name") == name]
    step_env = {k: expand(str(v), contexts) for k, v in step.get("env", {}).items()}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=project,
        env={**env, **step_env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_github_pull_request_job(project: Path, runner_env: dict[str, str]) -> None:
    with fake.serve() as forge:
        env = github_env(project, runner_env)
        env["GITHUB_API_URL"] = forge.url
        pr = {"github.token": fake.GITHUB_TOKEN, "github.event.pull_request.number": "7"}

        validate = run_step(project, "plan", "Validate", env)
        assert (validate.returncode, validate.stdout) == (0, "ok: 1 campaign valid\n")
        plan = run_step(project, "plan", "Plan", env)
        assert plan.returncode == 0, plan.stderr
        body = (project / "plan.md").read_text(encoding="utf-8")
        lines = body.splitlines()
        assert lines[:4] == ["<!-- pushflow-plan -->", lines[1], "", "1 to send"]
        assert PLAN_LINE.fullmatch(lines[1]), lines[1]
        assert "SANDBOX" not in body  # the OIDC role is configured: apply will reach Alibaba Cloud
        assert any(line.startswith(WELCOME_ROW) for line in lines), body
        assert body in Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")

        url = f"{forge.url}/acme/campaigns/pull/7#issuecomment-101"
        post = run_step(project, "plan", "Post the plan on the pull request", env, **pr)
        assert (post.returncode, post.stdout) == (0, f"posted the plan comment {url}\n")
        # Another user's comment that quotes the marker is not ours to edit.
        forge.add("acme/campaigns#7", "<!-- pushflow-plan --> quoted", user={"login": "octocat"})

        # A new push to the branch breaks the campaign: annotations, a failed plan, same comment.
        campaign = project / "campaigns" / "welcome.yaml"
        campaign.write_text(
            campaign.read_text(encoding="utf-8").replace("  title: Welcome aboard\n", ""),
            encoding="utf-8",
        )
        validate = run_step(project, "plan", "Validate", env)
        assert validate.returncode == 1
        assert validate.stdout.splitlines()[-1] == "1 error in 1 file"
        assert validate.stdout.startswith("::error file=campaigns/welcome.yaml,line=")
        plan = run_step(project, "plan", "Plan", env)
        assert plan.returncode == 1
        failed = (project / "plan.md").read_text(encoding="utf-8")
        assert failed.startswith(
            "<!-- pushflow-plan -->\n**pushflow plan failed** (exit 1)\n\n```text\ncampaigns/welcome.yaml:"
        )
        assert failed.endswith("1 error in 1 file\n```\n") or failed.endswith("```\n")
        post = run_step(project, "plan", "Post the plan on the pull request", env, **pr)
        assert (post.returncode, post.stdout) == (0, f"updated the plan comment {url}\n")

    assert [c["body"] for c in forge.comments["acme/campaigns#7"]] == [
        failed,
        "<!-- pushflow-plan --> quoted",
    ]


def gitlab_env(project: Path, runner_env: dict[str, str], forge_url: str) -> dict[str, str]:
    env = {
        **runner_env,
        "GITLAB_CI": "true",
        "CI_PROJECT_DIR": str(project),
        "CI_API_V4_URL": f"{forge_url}/api/v4",
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": "3",
        "PUSHFLOW_GITLAB_TOKEN": fake.GITLAB_TOKEN,
        "ALIBABA_CLOUD_ROLE_ARN": ROLE_ARN,
        "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": PROVIDER_ARN.replace("github-actions", "gitlab"),
    }
    for name, value in load(project / GITLAB_CI)["variables"].items():
        env[name] = re.sub(r"\$(\w+)", lambda m: env[m[1]], str(value))
    return env


def run_gitlab(
    project: Path, job: str, env: dict[str, str], key: str = "script"
) -> subprocess.CompletedProcess[str]:
    """A job's script as GitLab's runner runs it: one shell, stopping at the first failure."""
    script = gitlab_script(load(project / GITLAB_CI)[job], key)
    return subprocess.run(
        ["sh", "-e", "-c", script],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_gitlab_merge_request_jobs(project: Path, runner_env: dict[str, str]) -> None:
    with fake.serve() as forge:
        env = gitlab_env(project, runner_env, forge.url)
        validate = run_gitlab(project, "pushflow-validate", env)
        assert (validate.returncode, validate.stdout) == (0, "ok: 1 campaign valid\n")
        for expected in ("posted the plan note 101", "updated the plan note 101"):
            plan = run_gitlab(project, "pushflow-plan", env)
            assert (plan.returncode, plan.stdout) == (0, f"{expected} on merge request !3\n")
        posted = (project / "plan.md").read_text(encoding="utf-8")
        del env["PUSHFLOW_GITLAB_TOKEN"]
        plan = run_gitlab(project, "pushflow-plan", env)
        assert (plan.returncode, plan.stdout) == (
            0,
            "PUSHFLOW_GITLAB_TOKEN is not set: the plan is only in the job log\n",
        )
    (note,) = forge.comments["42!3"]
    assert note["body"] == posted
    assert PLAN_LINE.fullmatch(note["body"].splitlines()[1])


@pytest.mark.postgres
def test_github_merge_job_applies_the_saved_plan(
    project: Path, runner_env: dict[str, str], postgres_url: str
) -> None:
    """The merge job end to end, with the sandbox standing in for Alibaba Cloud: the OIDC token
    is written, the plan saved and applied once, the state in PostgreSQL; a second run of the job
    finds nothing to do."""
    with fake.serve() as forge:
        env = github_env(project, runner_env, **{"secrets.PUSHFLOW_STATE_URL": postgres_url})
        env |= {
            "ACTIONS_ID_TOKEN_REQUEST_URL": f"{forge.url}/token?api-version=2.0",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": fake.ID_TOKEN_REQUEST_TOKEN,
            "PUSHFLOW_SANDBOX": "1",
        }
        token_file = Path(env["ALIBABA_CLOUD_OIDC_TOKEN_FILE"])
        assert token_file == project / ".pushflow" / "oidc-token"
        outputs = []
        for _ in range(2):
            for name in ("Check the set-up", "Plan", "Alibaba Cloud OIDC token", "Apply"):
                step = run_step(project, "apply", name, env)
                assert step.returncode == 0, (name, step.stdout, step.stderr)
                outputs.append(step.stdout)
            assert token_file.read_text(encoding="utf-8") == fake.ID_TOKEN
            assert run_step(project, "apply", "Remove the OIDC token", env).returncode == 0
            assert not token_file.exists()
    assert forge.audiences == ["sts.aliyuncs.com", "sts.aliyuncs.com"]
    first, second = outputs[3], outputs[7]
    assert first.splitlines()[-2:] == [
        "welcome: 1 sent, 0 skipped (already sent), 0 failed, 0 unknown",
        "Apply: 1 sent, 0 skipped, 0 failed, 0 unknown, 1 calls",
    ]
    assert second.splitlines()[-1] == "Nothing to do."
    saved = json.loads((project / "plan.json").read_text(encoding="utf-8"))
    assert saved["state"] == postgres_url.replace("postgresql://", "postgresql+psycopg://")


def test_github_merge_job_refuses_without_its_set_up(
    project: Path, runner_env: dict[str, str]
) -> None:
    env = github_env(project, runner_env, **{"vars.ALIBABA_CLOUD_ROLE_ARN": ""})
    step = run_step(project, "apply", "Check the set-up", env)
    assert (step.returncode, step.stdout) == (
        1,
        "::error::not set: ALIBABA_CLOUD_ROLE_ARN PUSHFLOW_STATE_URL. Apply needs the OIDC role "
        "and the PostgreSQL state: see pushflow's docs/ci.md\n",
    )


CHAIN_PROBE = """
import json
from alibabacloud_credentials.provider import DefaultCredentialsProvider, OIDCRoleArnCredentialsProvider
from alibabacloud_credentials.provider.oidc import _get_token
from pushflow.providers import credentials_configured
chain = DefaultCredentialsProvider()._DefaultCredentialsProvider__providers_chain
(oidc,) = [p for p in chain if isinstance(p, OIDCRoleArnCredentialsProvider)]
print(json.dumps({
    "chain": [type(p).__name__ for p in chain][:3],
    "role": oidc._role_arn,
    "provider": oidc._oidc_provider_arn,
    "token": _get_token(oidc._oidc_token_file_path),
    "configured": credentials_configured(),
}))
"""


@pytest.mark.parametrize("platform", ["github", "gitlab"])
def test_the_oidc_token_reaches_the_credential_chain(
    project: Path, runner_env: dict[str, str], platform: str
) -> None:
    """What each apply job leaves in the environment and on disk is what
    ``alibabacloud_credentials``' default chain (pushflow's DefaultChain after the AccessKey
    variables) uses for AssumeRoleWithOIDC; the STS call itself needs Alibaba Cloud."""
    with fake.serve() as forge:
        if platform == "github":
            env = github_env(project, runner_env)
            env |= {
                "ACTIONS_ID_TOKEN_REQUEST_URL": f"{forge.url}/token?api-version=2.0",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": fake.ID_TOKEN_REQUEST_TOKEN,
            }
            assert run_step(project, "apply", "Alibaba Cloud OIDC token", env).returncode == 0
        else:
            env = gitlab_env(project, runner_env, forge.url)
            env["ALIBABA_CLOUD_OIDC_TOKEN"] = fake.ID_TOKEN  # what id_tokens: sets
            script = gitlab_script(load(project / GITLAB_CI)["pushflow-apply"])
            writes = [line for line in script.splitlines() if "OIDC_TOKEN_FILE" in line]
            assert writes == [
                'mkdir -p "$(dirname "$ALIBABA_CLOUD_OIDC_TOKEN_FILE")"',
                """printf '%s' "$ALIBABA_CLOUD_OIDC_TOKEN" >"$ALIBABA_CLOUD_OIDC_TOKEN_FILE\"""",
            ]
            subprocess.run(["sh", "-e", "-c", "\n".join(writes)], cwd=project, env=env, check=True)
    probe = subprocess.run(
        [os.path.join(runner_env["PATH"].split(os.pathsep)[0], "python"), "-c", CHAIN_PROBE],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(probe.stdout) == {
        "chain": [
            "EnvironmentVariableCredentialsProvider",
            "OIDCRoleArnCredentialsProvider",
            "CLIProfileCredentialsProvider",
        ],
        "role": ROLE_ARN,
        "provider": env["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"],
        "token": fake.ID_TOKEN,
        "configured": True,
    }
