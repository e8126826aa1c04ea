"""Benchmark: ``pushflow daemon`` with 10,000 active loop campaigns against a bare APScheduler.

    python bench/daemon.py                      # 10,000 campaigns, a burst of 200
    python bench/daemon.py --campaigns 2000 --burst 50

A project is generated in a temp folder (one EMAS app served by the embedded emulator, one
audience of one device) and its SQLite state is filled with N applied local schedules: daily
loops in Asia/Shanghai, ``--burst`` of them due a few seconds after start, the rest twelve hours
later. Two phases run, each in a fresh child process (so ``ru_maxrss`` is its own):

- **baseline**: a bare ``AsyncIOScheduler`` with N no-op coroutine jobs (``CronTrigger``, the
  same times), the same scheduler settings;
- **daemon**: :class:`pushflow.daemon.service.Daemon` over the state: reads the schedules,
  derives the jobs, watches the state, and fires the burst through claim → call → record.

Each reports start-up time (until the scheduler runs every job), peak RSS, CPU used while idle
(3 s before the burst, as % of one core) and fire lateness p50/p99 over the burst (from an
occurrence's instant to the start of its handling; for the daemon also the time until the
whole burst is recorded ``done``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import quantiles
from typing import Any
from zoneinfo import ZoneInfo

from _common import peak_rss_mib

ZONE = ZoneInfo("Asia/Shanghai")
IDLE_SECONDS = 3.0
LEAD_SECONDS = 8.0  # the burst fires this long after the schedules are written


def wall(instant: datetime) -> str:
    return instant.astimezone(ZONE).strftime("%H:%M:%S")


def percentiles(values: list[float]) -> dict[str, float]:
    cuts = quantiles(values, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49] * 1000, 1), "p99_ms": round(cuts[98] * 1000, 1)}


# -- setup ------------------------------------------------------------------------------------
def setup(root: Path, campaigns: int, burst: int, fire_at: datetime) -> None:
    from sqlalchemy import insert

    from pushflow.audience import read_audience
    from pushflow.ledger import Ledger
    from pushflow.ledger.schema import revisions, schedules
    from pushflow.spec.campaign import CampaignDocument

    (root / "campaigns").mkdir(parents=True)
    (root / "pushflow.yaml").write_text(
        "version: 1\nstate: .pushflow/state.db\napps:\n  shop-emas:\n    provider: emas\n"
        "    app_keys: {android: 23267207}\ndefaults:\n  all:\n    timezone: Asia/Shanghai\n",
        encoding="utf-8",
    )
    (root / "campaigns" / "devices.csv").write_text("device\n" + "a" * 32 + "\n")
    today = fire_at.astimezone(ZONE).date().isoformat()
    later = wall(fire_at + timedelta(hours=12))
    now = datetime.now(UTC)
    revision_rows, schedule_rows = [], []
    digest = None
    for n in range(campaigns):
        name = f"c{n:05}"
        strategy = {"every": "day", "at": wall(fire_at) if n < burst else later, "from": today}
        spec = {
            "name": name,
            "provider": "emas",
            "app": "shop-emas",
            "timezone": "Asia/Shanghai",
            "strategy": strategy,
            "message": {"kind": "notice", "title": "Hi", "body": f"Hello {n}"},
            "audience": {
                "kind": "device",
                "device_type": "android",
                "source": {"csv": "devices.csv", "id_column": "device"},
            },
        }
        campaign = CampaignDocument.model_validate(spec).root
        dumped = campaign.model_dump(mode="json", by_alias=True)
        if digest is None:
            with read_audience(campaign.audience, root / "campaigns" / "x.yaml", root) as aud:
                digest = aud.summary.digest
        revision_rows.append(
            {
                "id": n + 1,
                "campaign": name,
                "digest": f"{n:016x}",
                "spec": dumped,
                "audience_digest": digest,
                "epoch": 0,
                "status": "active",
                "applied_at": now,
                "applied_by": "bench",
            }
        )
        trigger = {
            "strategy": dumped["strategy"],
            "timezone": "Asia/Shanghai",
            "epoch": 0,
            "file": f"campaigns/{name}.yaml",
        }
        schedule_rows.append(
            {
                "campaign": name,
                "revision_id": n + 1,
                "trigger": trigger,
                "status": "active",
                "next_fire_at": None,
                "updated_at": now,
            }
        )
    with Ledger(str(root / ".pushflow" / "state.db")) as ledger, ledger.engine.begin() as conn:
        conn.execute(insert(revisions), revision_rows)
        conn.execute(insert(schedules), schedule_rows)


# -- phases -----------------------------------------------------------------------------------
async def baseline(campaigns: int, burst: int, fire_at: datetime) -> dict[str, Any]:
    from apscheduler.triggers.cron import CronTrigger

    from pushflow.daemon.jobs import new_scheduler

    lateness: list[float] = []

    async def job(scheduled: datetime) -> None:
        lateness.append((datetime.now(UTC) - scheduled).total_seconds())

    later = fire_at + timedelta(hours=12)
    started = time.perf_counter()
    scheduler = new_scheduler()
    for n in range(campaigns):
        at = fire_at if n < burst else later
        local = at.astimezone(ZONE)
        trigger = CronTrigger(
            hour=local.hour, minute=local.minute, second=local.second, timezone=ZONE
        )
        scheduler.add_job(job, trigger, args=(at,), id=f"c{n:05}")
    scheduler.start()
    await asyncio.sleep(0)
    start_s = time.perf_counter() - started
    figures = await measure(lambda: len(lateness) >= burst, fire_at)
    scheduler.shutdown(wait=False)
    return {"start_s": round(start_s, 3), **figures, **percentiles(lateness)}


async def daemon_phase(root: Path, burst: int, fire_at: datetime) -> dict[str, Any]:
    from pushflow.daemon.run import open_project
    from pushflow.daemon.service import Daemon, DaemonOptions
    from pushflow.ledger import Ledger

    os.chdir(root)
    project = open_project(root / "pushflow.yaml")
    lateness: list[float] = []
    with Ledger(str(root / ".pushflow" / "state.db")) as ledger:
        options = DaemonOptions(poll=2.0, sweep_interval=3600, environ={"PUSHFLOW_SANDBOX": "1"})
        daemon = Daemon(project, ledger, options)
        observe = daemon.metrics.fired

        def fired(seconds: float) -> None:
            lateness.append(seconds)
            observe(seconds)

        daemon.metrics.fired = fired  # type: ignore[method-assign]
        started = time.perf_counter()
        await daemon.start()
        start_s = time.perf_counter() - started
        figures = await measure(lambda: daemon.metrics.occurrences["done"] >= burst, fire_at)
        daemon.stop()
        await daemon.shutdown()
    done = figures.pop("done_s")
    return {
        "start_s": round(start_s, 3),
        **figures,
        **percentiles(lateness),
        "burst_done_s": done,
        "sent": daemon.metrics.sends,
    }


async def measure(finished: Any, fire_at: datetime) -> dict[str, Any]:
    """Idle CPU before the burst, then wait for the burst to be handled."""
    await asyncio.sleep(0.5)
    cpu, wall_start = time.process_time(), time.perf_counter()
    await asyncio.sleep(IDLE_SECONDS)
    idle = (time.process_time() - cpu) / (time.perf_counter() - wall_start) * 100
    while datetime.now(UTC) < fire_at:
        await asyncio.sleep(0.05)
    while not finished():
        await asyncio.sleep(0.01)
    return {
        "idle_cpu_pct": round(idle, 2),
        "rss_mib": round(peak_rss_mib(), 1),
        "done_s": round((datetime.now(UTC) - fire_at).total_seconds(), 3),
    }


def child(args: argparse.Namespace) -> None:
    fire_at = datetime.fromisoformat(args.fire_at)
    if args.phase == "baseline":
        import pushflow.daemon.service  # noqa: F401 - same imports as the daemon phase

        result = asyncio.run(baseline(args.campaigns, args.burst, fire_at))
    else:
        result = asyncio.run(daemon_phase(Path(args.root), args.burst, fire_at))
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=10_000)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--phase", choices=["baseline", "daemon"])
    parser.add_argument("--root")
    parser.add_argument("--fire-at")
    args = parser.parse_args()
    if args.phase:
        child(args)
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        results = {}
        for phase in ("baseline", "daemon"):
            # Setting up and starting take a while: the burst is due well after both.
            lead = LEAD_SECONDS + args.campaigns / 1000
            fire_at = (datetime.now(UTC) + timedelta(seconds=lead)).replace(microsecond=0)
            if phase == "daemon":
                setup(root, args.campaigns, args.burst, fire_at)
            command = [
                sys.executable, __file__, "--phase", phase, "--campaigns", str(args.campaigns),
                "--burst", str(args.burst), "--root", str(root), "--fire-at", fire_at.isoformat(),
            ]  # fmt: skip
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            results[phase] = json.loads(out.strip().splitlines()[-1])
        print(f"{args.campaigns:,} loop campaigns, a burst of {args.burst} due at one instant")
        for key in ("start_s", "rss_mib", "idle_cpu_pct", "p50_ms", "p99_ms"):
            base, ours = results["baseline"][key], results["daemon"][key]
            print(f"  {key:<14} baseline {base:>9}   daemon {ours:>9}")
        daemon = results["daemon"]
        print(f"  burst recorded done after {daemon['burst_done_s']} s; {daemon['sent']} sent")


if __name__ == "__main__":
    main()
