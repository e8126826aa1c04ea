"""``pushflow plan [PATH...]``: what apply would send, to how many, when, and how."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from pushflow.commands.options import paths_argument, project_option
from pushflow.plan.build import build_plan
from pushflow.plan.views import render_json, render_markdown, render_text, use_color
from pushflow.spec.units import parse_duration


@click.command("plan")
@paths_argument
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for terminals, markdown for a pull-request comment, json for tools.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan as JSON, for `pushflow apply PLANFILE`.",
)
@click.option(
    "--horizon",
    default="7d",
    show_default=True,
    help="How far ahead to list occurrences of local loops (the next one is always listed).",
)
@click.option("--zone", help="Show times in this IANA time zone (default: UTC).")
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there is nothing to do, 2 when there are changes, 1 on errors.",
)
@project_option
def plan_command(
    paths: tuple[Path, ...],
    output_format: str,
    out: Path | None,
    horizon: str,
    zone: str | None,
    detailed_exitcode: bool,
    project_file: Path | None,
) -> None:
    """Show what `pushflow apply` would do. Sends nothing and writes no state."""
    try:
        window = parse_duration(horizon)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--horizon") from exc
    plan = build_plan(list(paths), project_file=project_file, now=datetime.now(UTC), horizon=window)
    if out is not None:
        out.write_text(render_json(plan), encoding="utf-8")
    if output_format == "json":
        text = render_json(plan).rstrip("\n")
    elif output_format == "markdown":
        text = render_markdown(plan, zone=zone)
    else:
        text = render_text(plan, color=use_color(sys.stdout, os.environ), zone=zone)
    click.echo(text)
    raise click.exceptions.Exit(2 if detailed_exitcode and plan.changes else 0)
