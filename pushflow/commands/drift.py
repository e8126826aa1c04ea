"""``pushflow drift``: scheduled work the state and the service disagree on."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click

from pushflow.commands.options import json_option, project_option
from pushflow.lifecycle.drift import drift
from pushflow.lifecycle.session import open_session
from pushflow.lifecycle.tables import render


@click.command("drift")
@json_option
@project_option
def drift_command(as_json: bool, project_file: Path | None) -> None:
    """Compare the services' scheduled tasks with the state. Exit 1 when they disagree."""
    with open_session(project_file, environ=os.environ, now=datetime.now(UTC)) as session:
        result = drift(session)
        for banner in session.banners():
            click.echo(banner, err=True)
    click.echo(render(result, as_json))
    raise click.exceptions.Exit(0 if result.in_sync else 1)
