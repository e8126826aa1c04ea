"""``pushflow revoke CAMPAIGN [--occurrence KEY]``: withdraw sent mPaaS messages (7 days)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click

from pushflow.commands.options import json_option, project_option
from pushflow.lifecycle.revoke import revoke
from pushflow.lifecycle.session import open_session
from pushflow.lifecycle.tables import render


@click.command("revoke")
@click.argument("campaign")
@click.option(
    "--occurrence", metavar="KEY",
    help="The occurrence to revoke (see `pushflow history`). Default: the latest one sent.",
)  # fmt: skip
@click.option(
    "--lock-timeout", type=float, default=30.0, show_default=True,
    help="Seconds to wait for an apply holding the state's lock.",
)  # fmt: skip
@json_option
@project_option
def revoke_command(
    campaign: str,
    occurrence: str | None,
    lock_timeout: float,
    as_json: bool,
    project_file: Path | None,
) -> None:
    """Revoke CAMPAIGN's sent messages (mPaaS, within 7 days of sending; EMAS cannot)."""
    with open_session(project_file, environ=os.environ, now=datetime.now(UTC)) as session:
        result = revoke(session, campaign, occurrence=occurrence, lock_timeout=lock_timeout)
        for banner in session.banners():
            click.echo(banner, err=True)
    click.echo(render(result, as_json))
    raise click.exceptions.Exit(0 if result.ok else 1)
