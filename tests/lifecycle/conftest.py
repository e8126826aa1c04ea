"""Lifecycle fixtures: a project applied to the emulator over TCP, on SQLite and PostgreSQL.

The emulator server and the way apply is driven come from ``tests/apply/test_apply.py``; the
PostgreSQL state is one database for the session, emptied after each test (cheaper than a
database per test).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from pushflow.cli import cli
from pushflow.emulator import DEFAULT_ACCESS_KEY_SECRET, FaultSpec
from pushflow.errors import PushflowError
from tests.apply.test_apply import (  # noqa: F401  (fixtures)
    Tcp,
    apply,
    environ,
    project,
    root,
    server,
)
from tests.conftest import NOW
from tests.ledger.conftest import _empty, postgres_database  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [
    {"name": "digest", "title": "Hi #name#", "content": "Your digest"},
    {"name": "morning_briefing", "title": "Good morning", "content": "#headline#"},
]
#: Example campaigns applied beside test_apply's ``digest`` (mPaaS) and ``sale`` (EMAS).
EXAMPLES = {
    "order-shipped-simple.yaml": "shipped.yaml",  # PushSimple, now
    "morning-briefing-loop.yaml": "briefing.yaml",  # mPaaS server loop
    "weekly-digest-template.yaml": "weekly.yaml",  # local `at`: a schedule for the daemon
}


@pytest.fixture
def tcp(server: Tcp) -> Tcp:  # noqa: F811  (the imported fixture)
    """The module's emulator, as new, its clock at NOW, with the templates the project uses."""
    emulator = server.emulator
    emulator.reset()
    emulator.clock.freeze(NOW)
    emulator.faults.configure(FaultSpec(), seed=7)
    for template in TEMPLATES:
        emulator.add_template(template)
    return server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def state(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "sqlite":
        yield ".pushflow/state.db"
        return
    url: str = request.getfixturevalue("postgres_database")
    yield url
    _empty(url.rsplit("/", 1)[1])


def make_project(folder: Path, tcp: Tcp | None, state: str) -> Path:
    """test_apply's project (``digest`` to 25 users, ``sale`` to 3 EMAS devices) and three of
    the examples, sent through its mPaaS app."""
    project(folder, tcp, state, emas=3)
    for source, target in EXAMPLES.items():
        text = (ROOT / "campaigns" / source).read_text(encoding="utf-8")
        (folder / "campaigns" / target).write_text(
            text.replace("app: shop-mpaas", "app: shop"), encoding="utf-8"
        )
    return folder / "pushflow.yaml"


def set_clock(tcp: Tcp, at: datetime) -> None:
    """Move the emulator's clock through its control API, over TCP."""
    answer = httpx.post(f"{tcp.url}/_emulator/clock", json={"freeze": True, "at": at.isoformat()})
    assert answer.status_code == 200, answer.text


class Ran:
    """A command's exit code, stdout, stderr, and the message of a known error."""

    def __init__(self, code: int, stdout: str, stderr: str, error: str) -> None:
        self.code, self.stdout, self.stderr, self.error = code, stdout, stderr, error

    def json(self) -> Any:
        return json.loads(self.stdout)


def run(folder: Path, tcp: Tcp | None, *args: str, at: datetime = NOW) -> Ran:
    """``pushflow ARGS --project …`` at ``at`` (the clock ticks from there); checks that no
    secret reaches the output."""
    runner = CliRunner()
    command = [*args, "--project", str(folder / "pushflow.yaml")]
    with freeze_time(at, tick=True, real_asyncio=True):
        result = runner.invoke(cli, command, env=environ(tcp))
    secret = environ(tcp).get("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEFAULT_ACCESS_KEY_SECRET)
    assert secret not in result.output  # stdout and stderr: never a secret
    error = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        if not isinstance(result.exception, PushflowError):
            raise result.exception
        error = str(result.exception)
    return Ran(result.exit_code, result.stdout, result.stderr, error)
