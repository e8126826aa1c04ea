"""The AccessKey secret reaches neither the output of plan and apply, nor their logs, nor the
state file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pushflow.emulator import DEFAULT_ACCESS_KEY_SECRET
from tests.apply.test_apply import Tcp, environ, project, server, tcp  # noqa: F401


def test_the_secret_is_nowhere(tcp: Tcp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.chdir(tmp_path)
    root = project(tmp_path, tcp, ".pushflow/state.db")
    tcp.emulator.add_template({"name": "digest", "title": "Hi #name#", "content": "Your digest"})
    env = {**os.environ, **environ(tcp), "PUSHFLOW_LOG_DIR": str(tmp_path)}
    outputs = []
    for command in (["plan", "--format", "json"], ["apply", "--yes"], ["status", "--json"]):
        done = subprocess.run(
            [sys.executable, "-m", "pushflow", *command],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout + done.stderr)
    assert "digest" in outputs[1]
    assert not any(DEFAULT_ACCESS_KEY_SECRET in text for text in outputs)
    for path in (root / ".pushflow").iterdir():
        assert DEFAULT_ACCESS_KEY_SECRET.encode() not in path.read_bytes(), path
