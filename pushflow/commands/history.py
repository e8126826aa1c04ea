"""``pushflow history CAMPAIGN``: occurrences and their sends, newest first."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click

from pushflow.commands.options import json_option, project_option
from pushflow.lifecycle.history import LIMIT, history
from pushflow.lifecycle.session import open_session
from pushflow.lifecycle.tables import render


@click.command("history")
@click.argument("campaign")
@click.option(
    "--limit", type=click.IntRange(1), default=LIMIT, show_default=True,
    help="How many of the latest occurrences to list.",
)  # fmt: skip
@json_option
@project_option
def history_command(campaign: str, limit: int, as_json: bool, project_file: Path | None) -> None:
    """List CAMPAIGN's occurrences and what their sends came to. Reads the state only."""
    with open_session(project_file, environ=os.environ, now=datetime.now(UTC)) as session:
        result = history(session, campaign, limit=limit)
    click.echo(render(result, as_json))
