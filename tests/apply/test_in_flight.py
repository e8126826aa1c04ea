"""However claims and records are grouped into transactions, the state never holds more
claimed-but-unrecorded sends than the calls that can be in flight (``--concurrency``): what a
crash can leave ``unknown``."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from pushflow.emulator import EmulatorConfig, create_app
from pushflow.ledger import Ledger
from tests.apply.test_apply import Tcp, apply, project, pushed
from tests.emulator.conftest import free_port

USERS = 1_000  # PushMultiple: 10 calls of 100
CONCURRENCY = 3


class Watched:
    """The emulator's ASGI app, counting the committed ``claimed`` sends as each call arrives
    (a connection of its own: only what is committed)."""

    def __init__(self, app: Any, state: Path) -> None:
        self.app = app
        self.state = state
        self.claimed: list[int] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/":
            with Ledger(str(self.state)) as ledger:
                self.claimed.append(ledger.send_counts("digest", "now").get("claimed", 0))
        await self.app(scope, receive, send)


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[Tcp, Watched]]:
    app = create_app(EmulatorConfig(latency_ms=40, seed=1))
    watching = Watched(app, tmp_path / ".pushflow" / "state.db")
    port = free_port()
    config = uvicorn.Config(watching, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield Tcp(f"http://127.0.0.1:{port}", app.state.emulator), watching
    server.should_exit = True
    thread.join(timeout=2)


def test_claimed_and_unrecorded_sends_never_outnumber_the_calls_in_flight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, watched: tuple[Tcp, Watched]
) -> None:
    tcp, watching = watched
    monkeypatch.chdir(tmp_path)
    root = project(tmp_path, tcp, ".pushflow/state.db", users=USERS)
    tcp.emulator.add_template({"name": "digest", "title": "Hi #name#", "content": "Your digest"})
    result = apply(root, tcp, concurrency=CONCURRENCY)
    assert result.total.sent == USERS  # type: ignore[attr-defined]
    assert sorted(pushed(tcp.emulator)) == [f"u{i:04}" for i in range(USERS)]
    assert len(watching.claimed) == USERS // 100
    assert max(watching.claimed) <= CONCURRENCY * 100, watching.claimed
    with Ledger(str(watching.state)) as ledger:
        assert ledger.send_counts("digest", "now") == {"sent": USERS}
