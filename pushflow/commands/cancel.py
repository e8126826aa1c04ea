"""``pushflow cancel CAMPAIGN``: cancel pending scheduled work, local and on the service."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click

from pushflow.commands.options import json_option, project_option
from pushflow.lifecycle.cancel import cancel
from pushflow.lifecycle.session import open_session
from pushflow.lifecycle.tables import render


@click.command("cancel")
@click.argument("campaign")
@click.option(
    "--lock-timeout", type=float, default=30.0, show_default=True,
    help="Seconds to wait for an apply holding the state's lock.",
)  # fmt: skip
@json_option
@project_option
def cancel_command(
    campaign: str, lock_timeout: float, as_json: bool, project_file: Path | None
) -> None:
    """Cancel CAMPAIGN's local schedule and its tasks scheduled on the service."""
    with open_session(project_file, environ=os.environ, now=datetime.now(UTC)) as session:
        result = cancel(session, campaign, lock_timeout=lock_timeout)
        for banner in session.banners():
            click.echo(banner, err=True)
    click.echo(render(result, as_json))
    raise click.exceptions.Exit(0 if result.ok else 1)
