"""``pushflow init`` end to end: what it prints, that it refuses to overwrite, and that the
repository it writes validates and plans on the embedded emulator straight away."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pushflow.cli import main
from pushflow.scaffold import project_files


def run(args: list[str], cwd: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    old, sys.argv = Path.cwd(), ["pushflow", *args]
    os.chdir(cwd)
    try:
        with pytest.raises(SystemExit) as caught:
            main()
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    code = caught.value.code
    return (code if isinstance(code, int) else 1), out, err


CREATED = [
    "pushflow.yaml",
    "campaigns/welcome.yaml",
    "requirements.txt",
    ".pre-commit-config.yaml",
    ".github/workflows/pushflow.yml",
    ".gitlab-ci.yml",
    "ci/plan_comment.py",
    ".pushflow/.gitignore",
    "schemas/campaign.schema.json",
    "schemas/project.schema.json",
    "schemas/plan.schema.json",
]
NEXT = "CI (OIDC role, PostgreSQL state, plan comments): see pushflow's docs/ci.md\n"


def test_init_in_a_new_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["init", "my repo"], tmp_path, capsys)
    assert (code, err) == (0, "")
    assert out == (
        "".join(f"created my repo/{name}\n" for name in CREATED)
        + "\nNext: cd 'my repo' && pushflow validate && pushflow plan\n"
        + NEXT
    )
    assert sorted(CREATED) == sorted(project_files())


def test_init_here(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["init"], tmp_path, capsys)
    assert code == 0
    assert out.splitlines()[0] == "created pushflow.yaml"
    assert out.endswith("\nNext: pushflow validate && pushflow plan\n" + NEXT)


def test_init_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pushflow.yaml").write_text("version: 1\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# campaigns\n", encoding="utf-8")
    code, out, err = run(["init", "."], tmp_path, capsys)
    assert (code, out) == (1, "")
    assert err == (
        "pushflow init never overwrites a file, and 1 file already exists; nothing was written:\n"
        "  pushflow.yaml\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "pushflow.yaml"]


def test_init_then_validate_and_plan(tmp_path: Path) -> None:
    """The README's promise, as a user types it: ``pushflow init d && cd d && pushflow validate
    && pushflow plan``, in a clean environment (no credentials: the embedded emulator)."""
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "HOME": str(tmp_path),
        "NO_COLOR": "1",
    }
    done = subprocess.run(
        ["sh", "-e", "-c", "pushflow init d && cd d && pushflow validate && pushflow plan"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.rstrip("\n").splitlines()
    start = lines.index("ok: 1 campaign valid")
    assert lines[start + 1 : start + 5] == [
        "SANDBOX: apps are served by the embedded emulator; nothing reaches Alibaba Cloud.",
        "",
        "+ send welcome (emas, app my-app)",
        "               new campaign",
    ]
    assert "1 to send" in lines
    assert lines[-1].startswith("Plan: 1 campaign, 1 target, 1 call, next send ")
    schema = subprocess.run(
        ["pushflow", "schema", "--check"],
        cwd=tmp_path / "d",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (schema.returncode, schema.stdout) == (
        0,
        "ok: 3 schemas in schemas up to date\n",
    )


def test_init_source_points_ci_and_pre_commit_at_a_mirror(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirror = "https://git.example.internal/mobile/pushflow"
    code, _, err = run(["init", "--source", mirror], tmp_path, capsys)
    assert (code, err) == (0, "")
    from pushflow import __version__

    assert f"  - repo: {mirror}\n    rev: v{__version__}\n" in (
        tmp_path / ".pre-commit-config.yaml"
    ).read_text(encoding="utf-8")
    assert f"pushflow @ git+{mirror}@v{__version__}\n" in (tmp_path / "requirements.txt").read_text(
        encoding="utf-8"
    )
