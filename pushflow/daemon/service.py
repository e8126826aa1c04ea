"""The running daemon: the parts of :mod:`pushflow.daemon` put together, and nothing else.

Start: read the schedules (:mod:`.reconcile`), derive the jobs, start APScheduler on the running
loop (occurrences missed while stopped are due at once: :mod:`.catchup`), then a thread waits
for state changes, a task sweeps unfinished occurrences (:mod:`.sweep`) and, if asked, uvicorn
serves ``/healthz`` and ``/metrics`` (:mod:`.http`).

Stop (:meth:`Daemon.stop`, SIGTERM/SIGINT): pause the scheduler (no new fires), wait for the
in-flight occurrences up to ``shutdown_timeout`` (then cancel them: their claims are left to the
sweep), stop the watcher, the sweep and the server, close the clients.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
)

from pushflow.apply.occurrence import LEASE
from pushflow.apply.retry import RetryPolicy
from pushflow.apply.sender import Client, Sender
from pushflow.connect import Connections
from pushflow.daemon import http, jobs
from pushflow.daemon.campaigns import Campaigns
from pushflow.daemon.metrics import Metrics
from pushflow.daemon.occurrence import OccurrenceHandler
from pushflow.daemon.reconcile import ChangeWatcher, Wanted, read_schedules, reconcile
from pushflow.daemon.sweep import sweep
from pushflow.ledger import Ledger, new_owner
from pushflow.plan.quotas import rates as quota_rates
from pushflow.spec.loader import LoadedProject

log = logging.getLogger("pushflow.daemon")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class DaemonOptions:
    #: Serve /healthz and /metrics on (host, port); None: no HTTP.
    http: tuple[str, int] | None = None
    #: Longest wait between two checks of the state (LISTEN/NOTIFY answers sooner).
    poll: float = 2.0
    #: How often unfinished occurrences are looked for (:mod:`.sweep`), seconds.
    sweep_interval: float = 60.0
    #: An unfinished occurrence untouched this long belongs to a stopped process.
    stale_after: timedelta = LEASE
    #: How long a graceful stop waits for in-flight sends, seconds.
    shutdown_timeout: float = 30.0
    concurrency: int = 8
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    environ: Mapping[str, str] = field(default_factory=dict)


class Daemon:
    """One daemon process over one project and one state."""

    def __init__(
        self,
        project: LoadedProject,
        ledger: Ledger,
        options: DaemonOptions,
        *,
        clock: Callable[[], datetime] = utcnow,
        sender: Sender | None = None,
    ) -> None:
        self.project = project
        self.ledger = ledger
        self.options = options
        self.clock = clock
        self.owner = new_owner()
        self.metrics = Metrics()
        self.connections = Connections(project.project.apps, project.root, options.environ)
        rates = project.project.rate_limits
        self.sender = sender or Sender(self.client, quota_rates(rates), options.retry)
        self.handler = OccurrenceHandler(
            project, ledger, self.sender, self.owner, clock, self.metrics, options.concurrency
        )
        self.campaigns = Campaigns(self.handler.handle, clock)
        self.scheduler: Any = None
        self.version = -1
        self._inflight: set[asyncio.Task[Any]] = set()
        self._submitted = 0
        self._reconciling: asyncio.Task[None] | None = None
        self._dirty = False
        self._last_reconcile = 0.0
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []
        self._watcher: ChangeWatcher | None = None
        self._server: http.Server | None = None

    # -- clients ---------------------------------------------------------------------------
    def client(self, app: str) -> Client:
        return self.connections.client(app)

    # -- lifecycle -------------------------------------------------------------------------
    async def run(self) -> None:
        """Start, run until :meth:`stop`, stop gracefully."""
        await self.start()
        try:
            await self._stopping.wait()
        finally:
            await self.shutdown()

    async def start(self) -> None:
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        self.scheduler = jobs.new_scheduler()
        self.scheduler.add_listener(self._submitted_job, EVENT_JOB_SUBMITTED)
        self.scheduler.add_listener(
            self._finished_job, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED
        )
        wanted = await asyncio.to_thread(read_schedules, self.ledger)
        self._apply(wanted)
        self.scheduler.start()
        self._watcher = ChangeWatcher(
            self.ledger,
            wanted.version,
            lambda _version: self._call_soon(loop, self.reconcile_soon),
            poll=self.options.poll,
        )
        self._watcher.start()
        self._tasks.append(asyncio.create_task(self._sweeping()))
        if self.options.http is not None:
            await self._serve(*self.options.http)
        log.info(
            f"daemon started: {len(self.campaigns)} campaigns scheduled",
            extra={
                "event": "started",
                "owner": self.owner,
                "state": self.ledger.where,
                "campaigns": len(self.campaigns),
                "seconds": round(time.perf_counter() - started, 3),
            },
        )

    @staticmethod
    def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(callback)

    def stop(self) -> None:
        """Ask for a graceful stop (thread-safe through the loop; signals call this)."""
        self._stopping.set()

    def force(self) -> None:
        """Cancel what is in flight now (a second signal)."""
        for task in list(self._inflight):
            task.cancel()
        self._stopping.set()

    async def shutdown(self) -> None:
        if self.scheduler is None:
            return
        self.scheduler.pause()  # no new fires; the executor keeps what runs
        if self._inflight:
            log.info(
                f"waiting for {len(self._inflight)} in-flight occurrences",
                extra={"event": "draining"},
            )
            _, late = await asyncio.wait(set(self._inflight), timeout=self.options.shutdown_timeout)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1)
        self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the loop
        if self._server is not None:
            self._server.should_exit = True
            await asyncio.wait(self._tasks[-1:], timeout=2)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._reconciling is not None:
            await asyncio.gather(self._reconciling, return_exceptions=True)
        if self._watcher is not None:
            await asyncio.to_thread(self._watcher.stop, self.options.poll + 1)
        await self.connections.aclose()
        self.scheduler = None
        log.info("daemon stopped", extra={"event": "stopped"})

    # -- jobs ------------------------------------------------------------------------------
    async def _tick(self, name: str) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._inflight.add(task)
        try:
            await self.campaigns.tick(name)
        finally:
            self._inflight.discard(task)
        job = self.scheduler.get_job(name) if self.scheduler is not None else None
        if job is not None:
            await asyncio.to_thread(self.ledger.set_next_fire, name, job.next_run_time)

    def _submitted_job(self, event: Any) -> None:
        self._submitted += 1

    def _finished_job(self, event: Any) -> None:
        self._submitted -= 1

    def wakeup(self) -> None:
        """Have the scheduler look at the clock again (tests move a frozen clock)."""
        self.scheduler.wakeup()

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until what is due now has run and no reconcile is pending (for tests)."""
        self.wakeup()
        deadline = time.monotonic() + timeout
        for _ in range(3):
            await asyncio.sleep(0)
        while self._submitted > 0 or self._inflight or self._reconciling is not None:
            if time.monotonic() > deadline:
                raise TimeoutError("the daemon did not settle")
            await asyncio.sleep(0.002)

    # -- reconcile -------------------------------------------------------------------------
    def reconcile_soon(self) -> None:
        """Read the schedules again (the state changed); coalesces overlapping requests."""
        if self._reconciling is not None:
            self._dirty = True
            return
        self._reconciling = asyncio.create_task(self._reconcile())

    async def _reconcile(self) -> None:
        try:
            while True:
                self._dirty = False
                wanted = await asyncio.to_thread(read_schedules, self.ledger)
                if self.scheduler is None:
                    return
                self._apply(wanted)
                if not self._dirty:
                    return
        except Exception:
            log.exception("reading the schedules failed", extra={"event": "reconcile-error"})
        finally:
            self._reconciling = None

    def _apply(self, wanted: Wanted) -> None:
        changes = reconcile(self.scheduler, self.campaigns, wanted, self._tick)
        self.version = wanted.version
        self._last_reconcile = time.monotonic()
        self.metrics.reconciles += 1
        self.metrics.state_version = wanted.version
        self.metrics.jobs = len(self.campaigns)
        if changes:
            log.info(
                "schedules reconciled",
                extra={
                    "event": "reconciled",
                    "version": wanted.version,
                    "added": len(changes.added),
                    "changed": changes.changed[:20],
                    "removed": changes.removed[:20],
                },
            )

    async def _sweeping(self) -> None:
        while True:
            try:
                await sweep(
                    self.handler,
                    self.campaigns,
                    clock=self.clock,
                    stale_after=self.options.stale_after,
                )
            except Exception:
                log.exception("the sweep failed", extra={"event": "sweep-error"})
            await asyncio.sleep(self.options.sweep_interval)

    # -- operations ------------------------------------------------------------------------
    def health(self) -> tuple[bool, dict[str, Any]]:
        running = self.scheduler is not None and not self._stopping.is_set()
        watching = self._watcher is not None and self._watcher.healthy(
            max(30.0, self.options.poll * 5)
        )
        return running and watching, {
            "campaigns": len(self.campaigns),
            "in_flight": len(self._inflight),
            "state_version": self.version,
            "owner": self.owner,
        }

    def render_metrics(self) -> str:
        if self.scheduler is not None:
            upcoming = jobs.next_fire(self.scheduler)
            self.metrics.next_fire = upcoming.timestamp() if upcoming else None
        return self.metrics.render()

    async def _serve(self, host: str, port: int) -> None:
        app = http.create_app(self.health, self.render_metrics)
        self._server = http.server(app, host, port)
        self._tasks.append(asyncio.create_task(self._server.serve()))
        while not self._server.started:
            await asyncio.sleep(0.01)
