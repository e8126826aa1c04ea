"""Several daemons as real processes on the machine's PostgreSQL: each occurrence × target is
sent exactly once, even when the daemon holding the claims is killed (SIGKILL) mid-send.

The emulator (over TCP, real clock, 400 ms per call) is the ground truth. The daemons run with
a 2-second claim lease (patched in the child, as a test knob) so the survivors' sweep takes the
dead daemon's EMAS claims over within seconds; the EMAS IdempotentToken makes that resend safe.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pushflow.emulator import EmulatorConfig
from pushflow.ledger import Ledger
from tests.apply.test_apply import Tcp, environ
from tests.daemon.conftest import apply_at, write_project
from tests.emulator.conftest import serving

pytestmark = pytest.mark.postgres

DEVICES = [f"{i:032x}" for i in range(1, 2501)]  # three EMAS Push calls of up to 1000
CHILD = (
    "import datetime, pushflow.apply.occurrence as o; o.LEASE = datetime.timedelta(seconds=2); "
    "from pushflow.cli import main; main()"
)


@pytest.fixture(scope="module")
def slow_emulator() -> Iterator[Tcp]:
    with serving(EmulatorConfig(latency_ms=400, seed=7), stop_wait=2) as (port, emulator):
        yield Tcp(f"http://127.0.0.1:{port}", emulator)


def start_daemon(root: Path, url: str, tcp: Tcp, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-c", CHILD, "daemon", "--state", url, "--poll", "0.2",
        "--sweep-interval", "0.5", "--stale-after", "2", "--shutdown-timeout", "10",
    ]  # fmt: skip
    with log.open("wb") as stderr:  # the child keeps its own descriptor
        return subprocess.Popen(
            command,
            cwd=root,
            env={**os.environ, **environ(tcp)},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def wait_for(condition: object, timeout: float, what: str, logs: Sequence[Path] = ()) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}" + _tails(logs)
        time.sleep(0.05)


def _tails(logs: Sequence[Path]) -> str:
    """The last lines of each daemon's log, for a failure to say what the daemons were doing."""
    shown = []
    for log in logs:
        lines = log.read_text(errors="replace").splitlines() if log.exists() else ["(no log)"]
        shown.append(f"\n--- {log.name}:\n" + "\n".join(lines[-15:]))
    return "".join(shown)


def test_three_daemons_send_once_through_a_kill(
    tmp_path: Path, slow_emulator: Tcp, state_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    zone = ZoneInfo("Asia/Shanghai")
    fire_at = (datetime.now(UTC) + timedelta(seconds=6)).astimezone(zone).replace(microsecond=0)
    write_project(
        tmp_path,
        slow_emulator,
        state_url,
        at=fire_at.strftime("%H:%M:%S"),
        start=fire_at.date().isoformat(),
        devices=DEVICES,
        api="push",  # Push carries an IdempotentToken: a dead daemon's calls can be resent
    )
    apply_at(tmp_path, slow_emulator, datetime.now(UTC))
    daemons = [
        start_daemon(tmp_path, state_url, slow_emulator, tmp_path / f"daemon{n}.log")
        for n in range(3)
    ]
    key = fire_at.strftime("%Y-%m-%dT%H:%M:%S")
    try:
        with Ledger(state_url) as ledger:
            logs = [tmp_path / f"daemon{n}.log" for n in range(3)]
            wait_for(lambda: ledger.send_counts("daily", key).get("claimed"), 30, "claims", logs)
            owners = {s.claim_owner for s in ledger.sends("daily", key, states=["claimed"])}
            pid = int(re.search(r" pid (\d+)/", sorted(owners)[0] or "")[1])  # type: ignore[index]
            victim = next(d for d in daemons if d.pid == pid)
            victim.kill()  # SIGKILL mid-send: nothing after this runs in it
            victim.wait(5)
            wait_for(
                lambda: (o := ledger.occurrence("daily", key)) is not None and o.status == "done",
                30,
                "the survivors to finish the occurrence",
                logs,
            )
            assert ledger.send_counts("daily", key) == {"sent": len(DEVICES)}
        survivors = [d for d in daemons if d is not victim]
        for daemon in survivors:
            daemon.send_signal(signal.SIGTERM)
        assert [d.wait(15) for d in survivors] == [0, 0]
    finally:
        for daemon in daemons:
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait(5)
    accepted: Counter[str] = Counter()
    for call in slow_emulator.emulator.calls.filter({"action": "Push", "code": "OK"}):
        if not call.duplicate:
            accepted.update(call.params["TargetValue"].split(","))
    assert accepted == Counter(dict.fromkeys(DEVICES, 1))
    logs = "".join((tmp_path / f"daemon{n}.log").read_text() for n in range(3))
    assert '"event": "stopped"' in logs
