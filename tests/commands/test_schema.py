"""``pushflow schema``: writes the generated files, and ``--check`` fails on any stale one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pushflow.cli import cli
from pushflow.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ["campaign.schema.json", "project.schema.json", "plan.schema.json"]


def run(folder: Path, *args: str) -> tuple[int, str, str]:
    """``pushflow schema ARGS`` in ``folder``: exit code, stdout, stderr."""
    previous = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(cli, ["schema", *args])
    finally:
        os.chdir(previous)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the repository's generated files: schemas/, docs/reference/, docs/commands/."""
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    for folder in ("reference", "commands"):
        shutil.copytree(ROOT / "docs" / folder, tmp_path / "docs" / folder)
    return tmp_path


def test_the_repository_is_current(repo: Path) -> None:
    pages = 2 + len(list((repo / "docs" / "commands").glob("*.md")))
    assert run(repo, "--check") == (
        0,
        f"ok: 3 schemas in schemas and {pages} pages in docs up to date\n",
        "",
    )


def test_stale_schemas_and_pages_fail_the_check_and_write_fixes_them(repo: Path) -> None:
    reference = repo / "docs" / "reference" / "campaign.md"
    reference.write_text(reference.read_text().replace("| `epoch` |", "| `epok` |"))
    page = repo / "docs" / "commands" / "drift.md"
    page.write_text(page.read_text().replace("Compare the services'", "Compare the"))
    (repo / "schemas" / "plan.schema.json").unlink()
    code, out, err = run(repo, "--check")
    assert (code, out) == (1, "")
    assert err == (
        "stale: schemas/plan.schema.json, docs/reference/campaign.md, docs/commands/drift.md\n"
        "run `pushflow schema --write` and commit the result\n"
    )
    assert run(repo, "--write") == (
        0,
        "wrote schemas/plan.schema.json\nwrote docs/reference/campaign.md\n"
        "wrote docs/commands/drift.md\n",
        "",
    )
    assert run(repo, "--check")[0] == 0
    assert reference.read_text() == (ROOT / "docs" / "reference" / "campaign.md").read_text()
    assert page.read_text() == (ROOT / "docs" / "commands" / "drift.md").read_text()


def test_a_users_project_gets_only_the_schemas(tmp_path: Path) -> None:
    """Its own docs/reference/ is left alone: it does not hold pushflow's generated pages."""
    (tmp_path / "docs" / "reference").mkdir(parents=True)
    (tmp_path / "docs" / "reference" / "campaign.md").write_text("# Our campaign notes\n")
    assert run(tmp_path, "--check") == (
        1,
        "",
        "stale: " + ", ".join(f"schemas/{name}" for name in SCHEMAS) + "\n"
        "run `pushflow schema --write` and commit the result\n",
    )
    assert run(tmp_path) == (0, "".join(f"wrote schemas/{name}\n" for name in SCHEMAS), "")
    assert run(tmp_path, "--check") == (0, "ok: 3 schemas in schemas up to date\n", "")
    assert (tmp_path / "docs" / "reference" / "campaign.md").read_text() == "# Our campaign notes\n"
    assert sorted(p.name for p in (tmp_path / "docs" / "reference").iterdir()) == ["campaign.md"]


def test_docs_named_explicitly_get_the_reference_pages(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, "--docs", "manual", "--write")
    assert code == 0
    assert out.splitlines()[-2:] == [
        "wrote manual/reference/campaign.md",
        "wrote manual/reference/project.md",
    ]
    assert run(tmp_path, "--check", "--docs", "manual") == (
        0,
        "ok: 3 schemas in schemas and 2 pages in manual up to date\n",
        "",
    )


def test_write_and_check_exclude_each_other(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["schema", "--write", "--check", "--out", str(tmp_path)])
    assert isinstance(result.exception, UsageError)
    assert (result.exception.exit_code, str(result.exception)) == (
        2,
        "--write and --check exclude each other",
    )
    assert list(tmp_path.iterdir()) == []
