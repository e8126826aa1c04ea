"""A real `pushflow apply` process killed with SIGKILL at several points, then run again: no
target is pushed twice, and none is silently lost (each is sent, or reported unknown; a call
the service made is found by a lookup and recorded sent)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pushflow.emulator import EmulatorConfig
from pushflow.ledger import Ledger
from tests.apply.test_apply import Tcp, apply, environ, project, pushed
from tests.emulator.conftest import serving

USERS = 400  # PushMultiple: 4 calls of 100


@pytest.fixture
def slow() -> Iterator[Tcp]:
    """An emulator that takes 150 ms per answer, so a kill lands between calls."""
    with serving(EmulatorConfig(latency_ms=150, seed=1), stop_wait=2) as (port, emulator):
        yield Tcp(f"http://127.0.0.1:{port}", emulator)


@pytest.mark.parametrize("kill_after_calls", [1, 2, 3])
def test_sigkill_then_rerun_neither_duplicates_nor_loses(
    kill_after_calls: int, slow: Tcp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    root = project(tmp_path, slow, ".pushflow/state.db", users=USERS)
    slow.emulator.add_template({"name": "digest", "title": "Hi #name#", "content": "Your digest"})
    env = {**os.environ, **environ(slow)}
    process = subprocess.Popen(
        [sys.executable, "-m", "pushflow", "apply", "--yes", "--concurrency", "1"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(slow.emulator.calls.filter({"action": "PushMultiple"})) < kill_after_calls:
        assert time.monotonic() < deadline, "the apply made no call"
        assert process.poll() is None, "the apply ended before the kill"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)  # mid-call: the service got it, the record may be missing
    process.wait(timeout=10)
    # After the lease (5 minutes) the next apply settles what the killed one left.
    later = datetime.now(UTC) + timedelta(minutes=6)
    apply(root, slow, at=later)
    targets = pushed(slow.emulator)
    assert len(targets) == len(set(targets)), "a target was pushed twice"
    with Ledger(".pushflow/state.db", project_root=root) as ledger:
        sends = ledger.sends("digest", "now", limit=USERS)
    by_state: dict[str, set[str]] = {}
    for send in sends:
        by_state.setdefault(send.state, set()).add(send.target)
    assert sum(len(v) for v in by_state.values()) == USERS  # every target has a record …
    assert set(by_state) <= {"sent", "unknown"}  # … none lost, none left claimed
    sent, unknown = by_state.get("sent", set()), by_state.get("unknown", set())
    assert sent <= set(targets)  # what is recorded sent was pushed (once, above)
    # What was pushed is recorded sent: the call in flight when killed, if it reached the
    # service, is found by its TaskName in QueryPushAnalysisTaskList.
    assert set(targets) == sent
    assert len(unknown) <= 100  # at most the one call in flight, if it never arrived
