"""``pushflow calendar [--days 30]``: what the daemon will fire, and when."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import click

from pushflow.daemon.calendar import render_text, upcoming
from pushflow.daemon.run import open_project, state_url
from pushflow.ledger import Ledger


@click.command("calendar")
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True)
@click.option("--state", help="The state's URL or path. Default: the project's `state:`.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--project",
    "project_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The project file. Default: the nearest pushflow.yaml.",
)
def calendar_command(days: int, state: str | None, fmt: str, project_file: Path | None) -> None:
    """List the occurrences the daemon will fire in the next DAYS days (from the state)."""
    project = open_project(project_file)
    with Ledger(state_url(project, state, dict(os.environ))) as ledger:
        items = upcoming(ledger, now=datetime.now(UTC), days=days)
    if fmt == "json":
        rows = [
            {
                "campaign": item.campaign,
                "occurrence": item.key,
                "at": item.instant.isoformat(),
                "local": item.local.isoformat(),
                "zone": item.zone,
                "revision": item.revision,
            }
            for item in items
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(render_text(items, days=days))
