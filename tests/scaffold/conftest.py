"""Fixtures for the scaffold tests: a repository as ``pushflow init`` writes it, the environment
its CI scripts run in (this interpreter's ``pushflow`` first on PATH), and a PostgreSQL database
for the merge job's state."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pushflow.scaffold import project_files, write_project

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh campaigns repository, exactly as ``pushflow init`` writes it."""
    root = tmp_path / "campaigns-repo"
    write_project(root, project_files())
    return root


@pytest.fixture
def runner_env(tmp_path: Path) -> dict[str, str]:
    """A clean environment for CI scripts: no credentials, no state URL, this venv's tools."""
    home = tmp_path / "home"
    home.mkdir()
    keep = {name: os.environ[name] for name in ("LANG", "LC_ALL", "TZ") if name in os.environ}
    return {
        **keep,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "PUSHFLOW_LOG_DIR": str(tmp_path),
        "NO_COLOR": "1",
    }


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database on 127.0.0.1:5432 for one test, dropped after it."""
    name = f"pushflow_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is unreachable: {exc}")
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is unreachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
