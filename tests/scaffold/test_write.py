"""Writing a new repository: every file or none, never over an existing one."""

from __future__ import annotations

from pathlib import Path

import pytest

from pushflow.scaffold import ScaffoldError, project_files, write_project
from pushflow.scaffold.layout import TEMPLATES
from pushflow.spec.schema import SCHEMAS


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` (relative POSIX path → text), and every folder (→ "/")."""
    return {
        path.relative_to(root).as_posix(): "/" if path.is_dir() else path.read_text("utf-8")
        for path in sorted(root.rglob("*"))
    }


def test_writes_every_file_and_creates_the_folder(tmp_path: Path) -> None:
    files = project_files()
    written = write_project(tmp_path / "new" / "repo", files)
    root = tmp_path / "new" / "repo"
    assert written == [root / name for name in files]
    assert {k: v for k, v in tree(root).items() if v != "/"} == files
    assert sorted(files) == sorted([*TEMPLATES, *(f"schemas/{name}" for name in SCHEMAS)])


def test_the_templates_name_this_release(tmp_path: Path) -> None:
    files = project_files(version="9.8.7", repository="https://example.test/pushflow")
    assert files["requirements.txt"].splitlines()[-1] == (
        "pushflow @ git+https://example.test/pushflow@v9.8.7"
    )
    assert (
        "  - repo: https://example.test/pushflow\n    rev: v9.8.7\n"
        in files[".pre-commit-config.yaml"]
    )
    assert [name for name, text in files.items() if "__PUSHFLOW_" in text] == []


def test_refuses_and_writes_nothing_when_files_exist(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "campaigns").mkdir(parents=True)
    (root / "campaigns" / "welcome.yaml").write_text("mine\n", encoding="utf-8")
    (root / "pushflow.yaml").write_text("mine too\n", encoding="utf-8")
    (root / "ci").write_text("a file where a folder must go\n", encoding="utf-8")
    before = tree(root)
    with pytest.raises(ScaffoldError) as caught:
        write_project(root, project_files())
    assert str(caught.value) == (
        "pushflow init never overwrites a file, and 3 files already exist; nothing was written:\n"
        f"  {root}/campaigns/welcome.yaml\n"
        f"  {root}/ci\n"
        f"  {root}/pushflow.yaml"
    )
    assert tree(root) == before


def test_one_existing_file(tmp_path: Path) -> None:
    (tmp_path / ".gitlab-ci.yml").write_text("stages: [test]\n", encoding="utf-8")
    with pytest.raises(ScaffoldError) as caught:
        write_project(tmp_path, project_files())
    assert str(caught.value) == (
        "pushflow init never overwrites a file, and 1 file already exists; nothing was written:\n"
        f"  {tmp_path}/.gitlab-ci.yml"
    )
    assert tree(tmp_path) == {".gitlab-ci.yml": "stages: [test]\n"}


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "repo").write_text("x", encoding="utf-8")
    with pytest.raises(ScaffoldError) as caught:
        write_project(tmp_path / "repo", {"a.txt": "a"})
    assert str(caught.value) == f"{tmp_path}/repo: not a folder; nothing was written"


def test_a_file_appearing_midway_undoes_what_was_written(tmp_path: Path) -> None:
    """``b/../a.txt`` passes the check (nothing is there yet) but is ``a.txt``, written just
    before: exclusive creation refuses it, and the run removes its own files and folders."""
    root = tmp_path / "repo"
    (root / "kept").mkdir(parents=True)
    with pytest.raises(ScaffoldError) as caught:
        write_project(root, {"new/a.txt": "a", "kept/x.txt": "x", "new/b/../a.txt": "b"})
    assert str(caught.value) == (
        f"{root}/new/b/../a.txt: it appeared while pushflow init was writing; "
        "the files already written were removed, nothing was written"
    )
    assert tree(root) == {"kept": "/"}


def test_any_other_failure_undoes_too(tmp_path: Path) -> None:
    with pytest.raises(UnicodeEncodeError):
        write_project(tmp_path / "repo", {"a/one.txt": "fine", "a/two.txt": "\udc80 unencodable"})
    assert not (tmp_path / "repo").exists()
