"""Shared fixtures: a throw-away project on disk, and the clock every spec test runs at."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

#: The instant spec tests validate at (rules such as "PushTime at most 7 days ahead" need one).
NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)

PROJECT_YAML = """\
version: 1
campaigns: [campaigns]
apps:
  shop-mpaas:
    provider: mpaas
    app_id: ONEX570DA89211721
    workspace_id: default
  shop-emas:
    provider: emas
    app_keys: {android: 23267207, ios: 23267208}
defaults:
  all:
    timezone: Asia/Shanghai
"""

MakeProject = Callable[..., Path]


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """Write a project: ``pushflow.yaml`` plus ``files`` (path → text, dedented)."""

    def make(files: dict[str, str], project: str = PROJECT_YAML) -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        (root / "pushflow.yaml").write_text(project, encoding="utf-8")
        (root / "campaigns").mkdir(exist_ok=True)
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return make
