"""``pushflow status [CAMPAIGN]``: applied revision, next occurrences, server tasks, results."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click

from pushflow.commands.options import json_option, project_option
from pushflow.lifecycle.session import open_session
from pushflow.lifecycle.status import LAST, NEXT, status
from pushflow.lifecycle.tables import render


@click.command("status")
@click.argument("campaign", required=False)
@click.option(
    "--next", "next_count", type=click.IntRange(0, 100), default=NEXT, show_default=True,
    help="Upcoming occurrences to list per campaign.",
)  # fmt: skip
@click.option(
    "--last", "last_count", type=click.IntRange(0, 100), default=LAST, show_default=True,
    help="Latest occurrences whose results to list per campaign.",
)  # fmt: skip
@json_option
@project_option
def status_command(
    campaign: str | None, next_count: int, last_count: int, as_json: bool, project_file: Path | None
) -> None:
    """Show where each campaign (or CAMPAIGN) stands. Reads the state only."""
    with open_session(project_file, environ=os.environ, now=datetime.now(UTC)) as session:
        result = status(session, campaign, next_count=next_count, last_count=last_count)
    click.echo(render(result, as_json))
