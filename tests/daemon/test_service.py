"""The daemon in process: APScheduler on a frozen clock the test moves (``tick=True`` keeps
monotonic waits real; ``real_asyncio=True`` keeps the loop's clock real), the TCP emulator, and
both state backends. The emulator's call log is the ground truth of what was sent."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from freezegun import freeze_time

from pushflow.apply.sender import Sender
from pushflow.daemon import http
from pushflow.daemon.run import open_project, state_url
from pushflow.daemon.service import Daemon, DaemonOptions
from pushflow.ledger import Ledger
from tests.apply.test_apply import FAST, Tcp, environ
from tests.conftest import NOW
from tests.daemon.conftest import DEVICES, apply_at, pushes, write_project

#: NOW is 2026-11-22 12:00 in Shanghai: the loop's first 08:00 is the next day, 00:00 UTC.
FIRST = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def options(tcp: Tcp, **changes: Any) -> DaemonOptions:
    values: dict[str, Any] = {
        "poll": 0.1,
        "sweep_interval": 3600,
        "environ": environ(tcp),
        "retry": FAST,
        "shutdown_timeout": 5,
    }
    return DaemonOptions(**{**values, **changes})


def run(
    root: Path,
    tcp: Tcp,
    start: datetime,
    scenario: Callable[[Daemon, Any], Awaitable[None]],
    **changes: Any,
) -> Daemon:
    """Start a daemon at ``start`` (frozen, ticking), run ``scenario(daemon, clock)``, stop."""
    with freeze_time(start, tick=True, real_asyncio=True) as clock:
        project = open_project(root / "pushflow.yaml")
        with Ledger(state_url(project, None, environ(tcp))) as ledger:
            daemon = Daemon(project, ledger, options(tcp, **changes))

            async def main() -> None:
                await daemon.start()
                try:
                    await daemon.settle()
                    await scenario(daemon, clock)
                finally:
                    daemon.stop()
                    await daemon.shutdown()

            asyncio.run(main())
    return daemon


def statuses(root: Path, state: str) -> dict[str, str]:
    with Ledger(state, project_root=root) as ledger:
        return {o.key: o.status for o in ledger.occurrences("daily")}


def test_fires_each_occurrence_once_on_time(root: Path, tcp: Tcp, state: str) -> None:
    write_project(root, tcp, state)
    with freeze_time(NOW):
        apply_at(root, tcp, NOW)
    assert pushes(tcp.emulator) == []

    async def scenario(daemon: Daemon, clock: Any) -> None:
        clock.move_to(FIRST - timedelta(seconds=1))
        await daemon.settle()
        assert pushes(tcp.emulator) == []  # not yet
        clock.move_to(FIRST)
        await daemon.settle()
        assert sorted(pushes(tcp.emulator)) == DEVICES
        clock.move_to(FIRST + DAY + timedelta(seconds=30))
        await daemon.settle()
        await daemon.settle()  # a second wakeup finds nothing more

    daemon = run(root, tcp, NOW, scenario)
    assert sorted(pushes(tcp.emulator)) == sorted(DEVICES * 2)
    assert statuses(root, state) == {"2026-11-23T08:00": "done", "2026-11-24T08:00": "done"}
    text = daemon.metrics.render()
    assert "pushflow_daemon_sends_total 6" in text
    assert 'pushflow_daemon_occurrences_total{outcome="done"} 2' in text


def test_catch_up_inside_the_window_and_missed_outside(root: Path, tcp: Tcp, state: str) -> None:
    write_project(root, tcp, state)
    with freeze_time(NOW):
        apply_at(root, tcp, NOW)

    async def nothing(daemon: Daemon, clock: Any) -> None:
        return None

    # Down through the first two occurrences; back 30 minutes after the third.
    run(root, tcp, FIRST + 2 * DAY + timedelta(minutes=30), nothing)
    assert statuses(root, state) == {
        "2026-11-23T08:00": "missed",
        "2026-11-24T08:00": "missed",
        "2026-11-25T08:00": "done",
    }
    assert sorted(pushes(tcp.emulator)) == DEVICES
    # A restart sends nothing again.
    run(root, tcp, FIRST + 2 * DAY + timedelta(minutes=40), nothing)
    assert sorted(pushes(tcp.emulator)) == DEVICES


def test_a_restart_mid_loop_neither_repeats_nor_skips(root: Path, tcp: Tcp, state: str) -> None:
    write_project(root, tcp, state, catch_up="1d")

    async def one_day(daemon: Daemon, clock: Any) -> None:
        clock.move_to(FIRST + timedelta(minutes=1))
        await daemon.settle()

    with freeze_time(NOW):
        apply_at(root, tcp, NOW)
    run(root, tcp, NOW, one_day)
    # Stopped for 20 hours, past the next 08:00: within the one-day window, so caught up.
    run(root, tcp, FIRST + DAY + timedelta(hours=20), one_day)
    assert statuses(root, state) == {"2026-11-23T08:00": "done", "2026-11-24T08:00": "done"}
    assert sorted(pushes(tcp.emulator)) == sorted(DEVICES * 2)


def test_a_new_apply_is_picked_up_live(root: Path, tcp: Tcp, state: str) -> None:
    write_project(root, tcp, state)
    with freeze_time(NOW):
        apply_at(root, tcp, NOW)

    async def scenario(daemon: Daemon, clock: Any) -> None:
        before = daemon.campaigns.entries["daily"].schedule
        write_project(root, tcp, state, at="09:30", title="New title")
        started = time.monotonic()
        await asyncio.to_thread(apply_at, root, tcp, NOW + timedelta(minutes=1))
        while daemon.campaigns.entries["daily"].schedule.revision.id == before.revision.id:
            assert time.monotonic() - started < 5, "the new apply was not picked up"
            await asyncio.sleep(0.02)
        clock.move_to(FIRST + timedelta(hours=1, minutes=30))
        await daemon.settle()

    run(root, tcp, NOW, scenario)
    assert statuses(root, state) == {"2026-11-23T09:30": "done"}  # the new time, once
    titles = {c.params["Title"] for c in tcp.emulator.calls.filter({"action": "Push"})}
    assert titles == {"New title"}


def test_a_changed_audience_is_not_sent(root: Path, tcp: Tcp, state: str) -> None:
    write_project(root, tcp, state)
    with freeze_time(NOW):
        apply_at(root, tcp, NOW)
    write_project(root, tcp, state, devices=[*DEVICES, "f" * 32])  # not applied

    async def scenario(daemon: Daemon, clock: Any) -> None:
        clock.move_to(FIRST)
        await daemon.settle()

    run(root, tcp, NOW, scenario)
    assert statuses(root, state) == {"2026-11-23T08:00": "failed"}
    assert pushes(tcp.emulator) == []


class SlowSender(Sender):
    """Each call takes a while: a stop arrives while it is in flight."""

    async def send(self, call: Any) -> Any:
        await asyncio.sleep(0.3)
        return await super().send(call)


def test_a_graceful_stop_finishes_the_send_in_flight(root: Path, tcp: Tcp, state: str) -> None:
    write_project(root, tcp, state)
    with freeze_time(NOW):
        apply_at(root, tcp, NOW)

    async def scenario(daemon: Daemon, clock: Any) -> None:
        slow = SlowSender(daemon.client, lambda app, api: 100.0, FAST)
        daemon.sender = daemon.handler.sender = slow
        clock.move_to(FIRST)
        daemon.wakeup()
        while not daemon._inflight:
            await asyncio.sleep(0.005)
        daemon.stop()
        await daemon.shutdown()  # waits for the call in flight, takes no new fire
        assert daemon.health()[0] is False

    run(root, tcp, NOW, scenario)
    assert statuses(root, state) == {"2026-11-23T08:00": "done"}
    assert sorted(pushes(tcp.emulator)) == DEVICES


def test_healthz_and_metrics(root: Path, tcp: Tcp, state: str) -> None:
    write_project(root, tcp, state)
    with freeze_time(NOW):
        apply_at(root, tcp, NOW)

    async def scenario(daemon: Daemon, clock: Any) -> None:
        app = http.create_app(daemon.health, daemon.render_metrics)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://daemon"
        ) as client:
            health = await client.get("/healthz")
            metrics = await client.get("/metrics")
        assert health.status_code == 200, health.text
        assert health.json()["campaigns"] == 1
        assert metrics.headers["content-type"].startswith("text/plain")
        assert (
            f"pushflow_daemon_next_fire_timestamp_seconds {FIRST.timestamp():.3f}" in metrics.text
        )
        assert "pushflow_daemon_jobs 1" in metrics.text

    run(root, tcp, NOW, scenario)


def test_dst_fall_back_sends_the_twice_happening_time_once(
    root: Path, tcp: Tcp, state: str
) -> None:
    """New York, 2026-11-01: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST).
    The scheduler, driven by a frozen clock through both, sends that occurrence once."""
    write_project(root, tcp, state, at="01:30", start="2026-10-31", zone="America/New_York")
    before = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
    with freeze_time(before):
        apply_at(root, tcp, before)

    async def through_the_fold(daemon: Daemon, clock: Any) -> None:
        for instant in (
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 01:30 EDT
            datetime(2026, 11, 1, 6, 30, tzinfo=UTC),  # 01:30 EST, the same wall time
            datetime(2026, 11, 2, 6, 30, tzinfo=UTC),  # next day 01:30 EST
        ):
            clock.move_to(instant)
            await daemon.settle()

    run(root, tcp, before, through_the_fold)
    assert statuses(root, state) == {"2026-11-01T01:30": "done", "2026-11-02T01:30": "done"}
    assert sorted(pushes(tcp.emulator)) == sorted(DEVICES * 2)


def test_dst_spring_forward_fires_the_missing_time_shifted(
    root: Path, tcp: Tcp, state: str
) -> None:
    """Berlin, 2027-03-28: 02:30 does not exist; it fires at 03:30 CEST (01:30 UTC), once."""
    write_project(root, tcp, state, at="02:30", start="2027-03-27", zone="Europe/Berlin")
    before = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)
    with freeze_time(before):
        apply_at(root, tcp, before)

    async def through_the_gap(daemon: Daemon, clock: Any) -> None:
        clock.move_to(datetime(2027, 3, 28, 1, 29, tzinfo=UTC))
        await daemon.settle()
        assert pushes(tcp.emulator) == []  # 03:29 CEST: not yet
        clock.move_to(datetime(2027, 3, 28, 1, 30, tzinfo=UTC))
        await daemon.settle()

    run(root, tcp, before, through_the_gap)
    assert statuses(root, state) == {"2027-03-28T02:30": "done"}
    assert sorted(pushes(tcp.emulator)) == DEVICES


def test_leap_day_and_month_ends_in_shanghai(root: Path, tcp: Tcp, state: str) -> None:
    """A daily loop crosses 2028-02-28 → 02-29 → 03-01 with each day sent once."""
    write_project(root, tcp, state, at="08:00", start="2028-02-28")
    before = datetime(2028, 2, 27, 12, 0, tzinfo=UTC)
    with freeze_time(before):
        apply_at(root, tcp, before)

    async def three_days(daemon: Daemon, clock: Any) -> None:
        for day in (28, 29):
            clock.move_to(datetime(2028, 2, day, 0, 0, tzinfo=UTC))
            await daemon.settle()
        clock.move_to(datetime(2028, 3, 1, 0, 0, tzinfo=UTC))
        await daemon.settle()

    run(root, tcp, before, three_days)
    assert statuses(root, state) == {
        "2028-02-28T08:00": "done",
        "2028-02-29T08:00": "done",
        "2028-03-01T08:00": "done",
    }
