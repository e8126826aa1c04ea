"""The hooks pushflow publishes, the configuration init writes and the docs say the same."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from ruamel.yaml import YAML

from pushflow import __version__
from pushflow.scaffold import SOURCE_REPOSITORY, project_files
from tests.scaffold.recipes import check_invocation

ROOT = Path(__file__).resolve().parents[2]
HOOK_IDS = ["pushflow-validate", "pushflow-schema-check"]


def yaml(text: str) -> object:
    return YAML(typ="safe", pure=True).load(text)


def test_the_published_hooks_run_real_commands() -> None:
    hooks = yaml((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    assert [hook["id"] for hook in hooks] == HOOK_IDS
    for hook in hooks:
        assert (hook["language"], hook["pass_filenames"], hook["always_run"]) == (
            "python",
            False,
            True,
        )
        program, *args = shlex.split(hook["entry"])
        assert program == "pushflow"
        assert check_invocation(args) is None, hook["entry"]


def test_init_and_the_docs_pin_this_release() -> None:
    written = yaml(project_files()[".pre-commit-config.yaml"])
    fence = re.search(
        r"```yaml snippet\n(repos:\n.*?)```",
        (ROOT / "docs" / "ci.md").read_text(encoding="utf-8"),
        re.DOTALL,
    )
    assert fence is not None
    expected = {
        "repos": [
            {
                "repo": SOURCE_REPOSITORY,
                "rev": f"v{__version__}",
                "hooks": [{"id": hook} for hook in HOOK_IDS],
            }
        ]
    }
    assert written == expected
    assert yaml(fence[1]) == expected


def test_the_init_page_lists_every_file() -> None:
    page = (ROOT / "docs" / "commands" / "init.md").read_text(encoding="utf-8")
    table = page.split("## What it writes\n", 1)[1].split("\n## ", 1)[0]
    listed = []
    for cell in re.findall(r"^\| (`[^|]+`) \|", table, re.MULTILINE):
        names = re.findall(r"`([^`]+)`", cell)
        folder = names[0].rpartition("/")[0]
        listed += [names[0], *(f"{folder}/{name}" for name in names[1:])]
    assert sorted(listed) == sorted(project_files())
