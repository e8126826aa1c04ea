"""``pushflow daemon``: fire the local schedules of the state, until SIGTERM/SIGINT."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path

import click

from pushflow.daemon.http import parse_address
from pushflow.daemon.run import serve
from pushflow.daemon.service import DaemonOptions
from pushflow.errors import UsageError


@click.command("daemon")
@click.option("--state", help="The state's URL or path. Default: the project's `state:`.")
@click.option("--http", "address", help="Serve /healthz and /metrics on HOST:PORT.")
@click.option(
    "--poll", type=float, default=2.0, show_default=True, help="Seconds between state checks."
)
@click.option(
    "--sweep-interval",
    type=float,
    default=60.0,
    show_default=True,
    help="Seconds between looks for occurrences a stopped daemon left unfinished.",
)
@click.option(
    "--stale-after",
    type=float,
    default=300.0,
    show_default=True,
    help="Seconds after which an unfinished occurrence counts as abandoned.",
)
@click.option(
    "--shutdown-timeout",
    type=float,
    default=30.0,
    show_default=True,
    help="Seconds a graceful stop waits for in-flight sends.",
)
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
@click.option(
    "--project",
    "project_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The project file. Default: the nearest pushflow.yaml.",
)
def daemon_command(
    state: str | None,
    address: str | None,
    poll: float,
    sweep_interval: float,
    stale_after: float,
    shutdown_timeout: float,
    concurrency: int,
    log_level: str,
    project_file: Path | None,
) -> None:
    """Fire the applied local schedules (loops, `at` with execute: local), exactly once.

    Logs are JSON lines on stderr. See docs/daemon.md.
    """
    try:
        http = parse_address(address) if address else None
    except ValueError as error:
        raise UsageError(f"--http: {error}") from error
    options = DaemonOptions(
        http=http,
        poll=poll,
        sweep_interval=sweep_interval,
        stale_after=timedelta(seconds=stale_after),
        shutdown_timeout=shutdown_timeout,
        concurrency=concurrency,
        environ=dict(os.environ),
    )
    serve(project_file, state, options, log_level=getattr(logging, log_level.upper()))
