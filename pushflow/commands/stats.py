"""``pushflow stats CAMPAIGN``: the services' delivery figures per occurrence, and totals."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click

from pushflow.commands.options import json_option, project_option
from pushflow.lifecycle.history import LIMIT
from pushflow.lifecycle.session import open_session
from pushflow.lifecycle.stats import stats
from pushflow.lifecycle.tables import render


@click.command("stats")
@click.argument("campaign")
@click.option(
    "--limit", type=click.IntRange(1), default=LIMIT, show_default=True,
    help="How many of the latest occurrences to ask figures for.",
)  # fmt: skip
@json_option
@project_option
def stats_command(campaign: str, limit: int, as_json: bool, project_file: Path | None) -> None:
    """Ask the service how CAMPAIGN's sends were delivered.

    mPaaS: QueryPushAnalysisTaskDetail / CoreIndex; EMAS: QueryPushStatByMsg.
    """
    with open_session(project_file, environ=os.environ, now=datetime.now(UTC)) as session:
        result = stats(session, campaign, limit=limit)
        for banner in session.banners():
            click.echo(banner, err=True)
    click.echo(render(result, as_json))
    raise click.exceptions.Exit(0 if not result.problems else 1)
