"""Local-time delivery end to end: apply, then the daemon on a frozen ticking clock fires each
zone's occurrence at that zone's instant, each target once, through New York's fall-back, a
half-hour zone, a target moving zone and a re-apply; both state backends, the TCP emulator."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from freezegun import freeze_time

from pushflow.apply.session import make_plan
from pushflow.daemon.service import Daemon
from pushflow.ledger import Ledger
from tests.apply.test_apply import Tcp, environ
from tests.daemon.conftest import apply_at, pushes
from tests.daemon.test_service import run
from tests.lifecycle.conftest import run as run_command

#: Two devices per zone, and one without a zone (the campaign's Asia/Shanghai).
KOLKATA = [f"{1:031x}a", f"{2:031x}a"]
BERLIN = [f"{3:031x}b", f"{4:031x}b"]
NEW_YORK = [f"{5:031x}c", f"{6:031x}c"]
SHANGHAI = [f"{7:031x}d"]
ZONES = {
    **dict.fromkeys(KOLKATA, "Asia/Kolkata"),
    **dict.fromkeys(BERLIN, "Europe/Berlin"),
    **dict.fromkeys(NEW_YORK, " America/New_York"),
    **dict.fromkeys(SHANGHAI, ""),
}
#: 2026-11-01 01:30 in each zone, in UTC: New York's is the first of its two 01:30s (EDT).
INSTANTS = {
    "Asia/Shanghai": datetime(2026, 10, 31, 17, 30, tzinfo=UTC),
    "Asia/Kolkata": datetime(2026, 10, 31, 20, 0, tzinfo=UTC),
    "Europe/Berlin": datetime(2026, 11, 1, 0, 30, tzinfo=UTC),
    "America/New_York": datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
}
BEFORE = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def write_project(root: Path, tcp: Tcp, state: str, zones: dict[str, str] = ZONES) -> None:
    (root / "campaigns").mkdir(parents=True, exist_ok=True)
    (root / "pushflow.yaml").write_text(
        f"version: 1\nstate: {state}\napps:\n"
        f"  shop-emas:\n    provider: emas\n    endpoint: {tcp.url}\n"
        "    app_keys: {android: 23267207}\n"
        "defaults:\n  all:\n    timezone: Asia/Shanghai\n",
        encoding="utf-8",
    )
    rows = "".join(f"{device},{zone}\n" for device, zone in zones.items())
    (root / "campaigns" / "devices.csv").write_text("device,tz\n" + rows, encoding="utf-8")
    (root / "campaigns" / "wake.yaml").write_text(
        "name: wake\nprovider: emas\napp: shop-emas\n"
        "message: {kind: notice, title: Good morning, body: Rise and shine}\n"
        "audience:\n  kind: device\n  device_type: android\n"
        "  source: {csv: devices.csv, id_column: device, timezone_column: tz}\n"
        "strategy: {at: '2026-11-01 01:30', local_time: true}\n",
        encoding="utf-8",
    )


def occurrences(root: Path, state: str) -> dict[str, str]:
    with Ledger(state, project_root=root) as ledger:
        return {o.key: o.status for o in ledger.occurrences("wake")}


def sent(root: Path, state: str) -> dict[str, list[str]]:
    """Each occurrence's sent targets."""
    with Ledger(state, project_root=root) as ledger:
        return {
            o.key: [s.target for s in ledger.sends("wake", o.key, states=["sent"])]
            for o in ledger.occurrences("wake")
        }


def key(zone: str) -> str:
    return f"2026-11-01T01:30@{zone}"


def test_each_zone_fires_at_its_own_instant_each_target_once(
    root: Path, tcp: Tcp, state: str
) -> None:
    write_project(root, tcp, state)
    with freeze_time(BEFORE):
        apply_at(root, tcp, BEFORE)
    assert pushes(tcp.emulator) == []

    async def scenario(daemon: Daemon, clock: Any) -> None:
        expected: list[str] = []
        for zone, devices in [
            ("Asia/Shanghai", SHANGHAI),
            ("Asia/Kolkata", KOLKATA),
            ("Europe/Berlin", BERLIN),
            ("America/New_York", NEW_YORK),
        ]:
            clock.move_to(INSTANTS[zone] - SECOND)
            await daemon.settle()
            assert sorted(pushes(tcp.emulator)) == sorted(expected), f"{zone} fired early"
            clock.move_to(INSTANTS[zone])
            await daemon.settle()
            expected += devices
            assert sorted(pushes(tcp.emulator)) == sorted(expected), f"{zone} did not fire"
        # New York's second 01:30 (EST) is the same occurrence: nothing more.
        clock.move_to(INSTANTS["America/New_York"] + timedelta(hours=1))
        await daemon.settle()

    run(root, tcp, BEFORE, scenario)
    assert sorted(pushes(tcp.emulator)) == sorted(ZONES)
    assert occurrences(root, state) == {key(zone): "done" for zone in INSTANTS}
    assert sent(root, state) == {
        key("Asia/Shanghai"): SHANGHAI,
        key("Asia/Kolkata"): KOLKATA,
        key("Europe/Berlin"): BERLIN,
        key("America/New_York"): NEW_YORK,
    }
    # Applying the same files again does nothing.
    later = INSTANTS["America/New_York"] + timedelta(hours=2)
    with freeze_time(later):
        plan = make_plan([], project_file=root / "pushflow.yaml", now=later, environ=environ(tcp))
        assert [c.action for c in plan.campaigns] == ["unchanged"]
        apply_at(root, tcp, later)
    assert sorted(pushes(tcp.emulator)) == sorted(ZONES)


def test_a_target_that_moved_zone_after_its_send_is_not_sent_again(
    root: Path, tcp: Tcp, state: str
) -> None:
    write_project(root, tcp, state)
    with freeze_time(BEFORE):
        apply_at(root, tcp, BEFORE)
    moved, added = BERLIN[0], f"{8:031x}c"

    async def scenario(daemon: Daemon, clock: Any) -> None:
        for zone in ("Asia/Shanghai", "Asia/Kolkata", "Europe/Berlin"):
            clock.move_to(INSTANTS[zone])
            await daemon.settle()
        clock.move_to(INSTANTS["Europe/Berlin"] + timedelta(hours=2))  # Berlin sent, not NY
        await daemon.settle()
        assert sorted(pushes(tcp.emulator)) == sorted(SHANGHAI + KOLKATA + BERLIN)
        before = daemon.campaigns.entries["wake"].schedule.revision.id
        # The Berlin target moves to New York and a new New York target joins.
        write_project(root, tcp, state, {**ZONES, moved: "America/New_York", added: "US/Eastern"})
        plan = await asyncio.to_thread(
            make_plan,
            [],
            project_file=root / "pushflow.yaml",
            now=daemon.clock(),
            environ=environ(tcp),
        )
        (wake,) = plan.campaigns
        assert [(g.occurrence, g.execute, g.targets) for g in wake.groups] == [
            (key("America/New_York"), "local", 2),  # the moved target is not counted
            (key("US/Eastern"), "local", 1),
        ]
        assert wake.warnings[-1] == (
            "1 target of America/New_York already had 2026-11-01T01:30 in another time zone "
            "(moved since): not sent again"
        )
        await asyncio.to_thread(apply_at, root, tcp, daemon.clock())
        started = time.monotonic()
        while daemon.campaigns.entries["wake"].schedule.revision.id == before:
            assert time.monotonic() - started < 5, "the new apply was not picked up"
            await asyncio.sleep(0.02)
        clock.move_to(INSTANTS["America/New_York"])
        await daemon.settle()

    run(root, tcp, BEFORE, scenario)
    # The moved target got its 01:30 once (in Berlin); the new one gets it in its zone.
    assert sorted(pushes(tcp.emulator)) == sorted(SHANGHAI + KOLKATA + BERLIN + NEW_YORK + [added])
    assert sent(root, state)[key("America/New_York")] == NEW_YORK
    assert sent(root, state)[key("US/Eastern")] == [added]
    assert sent(root, state)[key("Europe/Berlin")] == BERLIN
    assert occurrences(root, state) == {
        **{key(zone): "done" for zone in INSTANTS},
        key("US/Eastern"): "done",
    }


def test_an_at_already_due_in_a_zone_is_sent_by_apply(root: Path, tcp: Tcp, state: str) -> None:
    applied = INSTANTS["Europe/Berlin"] + timedelta(minutes=30)  # Berlin 30 minutes late
    write_project(root, tcp, state)
    with freeze_time(applied):
        apply_at(root, tcp, applied)
    assert sorted(pushes(tcp.emulator)) == sorted(BERLIN)
    assert occurrences(root, state) == {
        key("Asia/Shanghai"): "missed",
        key("Asia/Kolkata"): "missed",
        key("Europe/Berlin"): "done",
    }

    async def scenario(daemon: Daemon, clock: Any) -> None:
        clock.move_to(INSTANTS["America/New_York"])
        await daemon.settle()

    run(root, tcp, applied, scenario)
    assert sorted(pushes(tcp.emulator)) == sorted(BERLIN + NEW_YORK)
    assert occurrences(root, state)[key("America/New_York")] == "done"


def test_calendar_and_status_show_each_zones_occurrence(root: Path, tcp: Tcp, state: str) -> None:
    write_project(root, tcp, state)
    with freeze_time(BEFORE):
        apply_at(root, tcp, BEFORE)
    calendar = run_command(root, tcp, "calendar", "--days", "2", at=BEFORE)
    assert calendar.code == 0, calendar.error
    assert calendar.stdout.splitlines() == [
        "2026-11-01 Sun 01:30 CST  2026-10-31 17:30Z  wake  2026-11-01T01:30@Asia/Shanghai",
        "2026-11-01 Sun 01:30 IST  2026-10-31 20:00Z  wake  2026-11-01T01:30@Asia/Kolkata",
        "2026-11-01 Sun 01:30 CET  2026-11-01 00:30Z  wake  2026-11-01T01:30@Europe/Berlin",
        "2026-11-01 Sun 01:30 EDT  2026-11-01 05:30Z  wake  2026-11-01T01:30@America/New_York",
        "4 occurrences of 1 campaign in the next 2 days.",
    ]
    status = run_command(root, tcp, "status", "wake", "--json", at=BEFORE)
    assert status.code == 0, status.error
    (wake,) = status.json()["campaigns"]
    assert wake["next"] == [
        {"key": "2026-11-01T01:30@Asia/Shanghai", "instant": "2026-10-31T17:30:00Z"},
        {"key": "2026-11-01T01:30@Asia/Kolkata", "instant": "2026-10-31T20:00:00Z"},
        {"key": "2026-11-01T01:30@Europe/Berlin", "instant": "2026-11-01T00:30:00Z"},
    ]
    text = run_command(root, tcp, "status", "wake", at=BEFORE).stdout
    assert (
        "  next (fired by the daemon): 2026-10-31T17:30:00Z (Asia/Shanghai), "
        "2026-10-31T20:00:00Z (Asia/Kolkata), 2026-11-01T00:30:00Z (Europe/Berlin)"
    ) in text.splitlines()
