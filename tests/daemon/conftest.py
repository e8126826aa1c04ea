"""Daemon fixtures: an EMAS loop campaign on both state backends, the TCP emulator of the apply
tests, and applying without freezing the clock (the daemon's tests freeze it themselves)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from pushflow.apply.run import ApplyOptions
from pushflow.apply.session import apply_plan, make_plan
from pushflow.emulator.service import Emulator
from tests.apply.test_apply import FAST, Tcp, environ, server, state_url, tcp

__all__ = ["server", "state_url", "tcp"]

DEVICES = [f"{i:032x}" for i in range(1, 4)]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def state(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return ".pushflow/state.db"
    url: str = request.getfixturevalue("state_url")
    return url


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PUSHFLOW_LOG_DIR", str(tmp_path))
    return tmp_path


def write_project(
    root: Path,
    tcp: Tcp,
    state: str,
    *,
    at: str = "08:00",
    start: str = "2026-11-22",
    title: str = "Sale",
    devices: list[str] = DEVICES,
    catch_up: str | None = None,
    api: str = "auto",
    zone: str = "Asia/Shanghai",
) -> None:
    (root / "campaigns").mkdir(parents=True, exist_ok=True)
    (root / "pushflow.yaml").write_text(
        f"version: 1\nstate: {state}\napps:\n"
        f"  shop-emas:\n    provider: emas\n    endpoint: {tcp.url}\n"
        "    app_keys: {android: 23267207}\n"
        f"defaults:\n  all:\n    timezone: {zone}\n",
        encoding="utf-8",
    )
    (root / "campaigns" / "devices.csv").write_text(
        "device\n" + "".join(f"{d}\n" for d in devices), encoding="utf-8"
    )
    extra = f"catch_up: {catch_up}\n" if catch_up else ""
    (root / "campaigns" / "daily.yaml").write_text(
        f"name: daily\nprovider: emas\napp: shop-emas\napi: {api}\n"
        f"message: {{kind: notice, title: {title}, body: Today only}}\n"
        "audience:\n  kind: device\n  device_type: android\n"
        "  source: {csv: devices.csv, id_column: device}\n"
        f"strategy: {{every: day, at: '{at}', from: {start}}}\n" + extra,
        encoding="utf-8",
    )


def apply_at(root: Path, tcp: Tcp, now: datetime) -> None:
    """``pushflow apply`` at ``now``, under whatever clock the caller runs."""
    env = environ(tcp)
    plan = make_plan([], project_file=root / "pushflow.yaml", now=now, environ=env)
    apply_plan(
        plan,
        [],
        project_file=root / "pushflow.yaml",
        options=ApplyOptions(environ=env, lock_timeout=5, retry=FAST),
    )


def pushes(emulator: Emulator) -> list[str]:
    """Each device the emulator accepted a (non-duplicate) Push for, with repeats."""
    found: list[str] = []
    for call in emulator.calls.filter({"action": "Push", "code": "OK"}):
        if call.duplicate:
            continue
        found += call.params.get("TargetValue", "").split(",")
    return found
