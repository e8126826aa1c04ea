"""The `pushflow calendar` and `pushflow daemon` commands, through the real entry point."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import httpx
from freezegun import freeze_time

from tests.apply.test_apply import Tcp, environ
from tests.conftest import NOW
from tests.daemon.conftest import apply_at, write_project
from tests.emulator.conftest import free_port


def test_calendar_lists_what_the_daemon_will_fire(root: Path, tcp: Tcp, state: str) -> None:
    write_project(root, tcp, state)
    with freeze_time(NOW):
        apply_at(root, tcp, NOW)
    env = {**os.environ, **environ(tcp)}
    done = subprocess.run(
        [sys.executable, "-m", "pushflow", "calendar", "--days", "3", "--format", "json"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    listed = json.loads(done.stdout)
    assert {entry["campaign"] for entry in listed} == {"daily"}
    assert all(entry["occurrence"].endswith("T08:00") for entry in listed)
    # The command reads the real clock: three days hold three daily occurrences, one a day.
    instants = [datetime.fromisoformat(entry["at"]) for entry in listed]
    assert len(instants) == 3
    assert [(b - a).total_seconds() for a, b in pairwise(instants)] == [
        86400.0,
        86400.0,
    ]


def test_daemon_serves_health_and_stops_on_sigterm(root: Path, tcp: Tcp, state: str) -> None:
    write_project(root, tcp, state)
    with freeze_time(NOW):
        apply_at(root, tcp, NOW)
    port = free_port()
    env = {**os.environ, **environ(tcp)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pushflow",
            "daemon",
            "--http",
            f"127.0.0.1:{port}",
            "--poll",
            "0.2",
        ],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the daemon never answered /healthz"
                assert process.poll() is None, "the daemon exited"
                time.sleep(0.1)
        assert answer.status_code == 200
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=1).text
        assert "pushflow_daemon" in metrics
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
