"""``pushflow apply [PATH... | PLANFILE]``: show the plan, confirm, and act on it."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from pushflow.apply.occurrence import CONCURRENCY, Tally
from pushflow.apply.run import Applied, ApplyOptions
from pushflow.apply.session import apply_plan, make_plan
from pushflow.commands.options import paths_argument, project_option
from pushflow.errors import UsageError
from pushflow.plan.views import render_text, use_color


def _log(campaign: str, tally: Tally) -> None:
    """One JSON line per finished call on stderr (when not on a terminal)."""
    line = {
        "event": "progress",
        "campaign": campaign,
        "sent": tally.sent,
        "failed": sum(tally.failed.values()),
        "unknown": tally.unknown,
    }
    click.echo(json.dumps(line), err=True)


def _ticker(campaign: str, tally: Tally) -> None:
    """A progress line rewritten in place on a terminal."""
    failed = sum(tally.failed.values())
    click.echo(
        f"\r{campaign}: {tally.sent} sent, {failed} failed, {tally.unknown} unknown",
        nl=False,
        err=True,
    )


def summary(applied: Applied) -> list[str]:
    lines = []
    for name, tally in applied.campaigns.items():
        failed = ", ".join(f"{code} ×{count}" for code, count in sorted(tally.failed.items()))
        lines.append(
            f"{name}: {tally.sent} sent, {tally.skipped} skipped (already sent), "
            f"{sum(tally.failed.values())} failed{f' ({failed})' if failed else ''}, "
            f"{tally.unknown} unknown"
        )
        if tally.resolved:
            lines.append(
                f"{name}: {tally.resolved} unknown sends found sent by a lookup on the service "
                "(recorded sent, not resent)"
            )
    total = applied.total
    lines += applied.notes
    lines.append(
        f"Apply: {total.sent} sent, {total.skipped} skipped, {sum(total.failed.values())} "
        f"failed, {total.unknown} unknown, {total.calls} calls"
    )
    if total.unknown:
        lines.append(
            "unknown: the outcome of those calls cannot be known (a lookup on the service did not "
            "find them, or none is possible) and they are not resent; check them with "
            "`pushflow history`, then `pushflow apply --resend-unknown` if needed"
        )
    return lines


@click.command("apply")
@paths_argument
@click.option("--yes", "-y", is_flag=True, help="Apply without asking.")
@click.option(
    "--lock-timeout",
    type=float,
    default=30.0,
    show_default=True,
    help="Seconds to wait for another apply holding the state's lock.",
)
@click.option("--concurrency", type=click.IntRange(1, 64), default=CONCURRENCY, show_default=True)
@click.option(
    "--resend-unknown",
    is_flag=True,
    help="Send again the sends whose outcome is unknown (they may reach people twice).",
)
@project_option
def apply_command(
    paths: tuple[Path, ...],
    yes: bool,
    lock_timeout: float,
    concurrency: int,
    resend_unknown: bool,
    project_file: Path | None,
) -> None:
    """Send what is due now, schedule the rest, cancel what was removed.

    PATH... are campaign files or folders (default: the project's), or one saved plan
    (`pushflow plan --out plan.json`), which is refused if it is stale.
    """
    environ = dict(os.environ)
    plan = make_plan(
        list(paths),
        project_file=project_file,
        now=datetime.now(UTC),
        environ=environ,
        resend_unknown=resend_unknown,
    )
    click.echo(render_text(plan, color=use_color(sys.stdout, environ)))
    if not plan.changes:
        click.echo("Nothing to do.")
        return
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("not a terminal: pass --yes to apply without asking")
        click.confirm("Apply this plan?", abort=True)
    tty = sys.stderr.isatty()
    options = ApplyOptions(
        lock_timeout=lock_timeout,
        concurrency=concurrency,
        resend_unknown=resend_unknown,
        environ=environ,
        progress=_ticker if tty else _log,
    )
    applied = apply_plan(plan, list(paths), project_file=project_file, options=options)
    if tty:
        click.echo("", err=True)
    click.echo("\n".join(summary(applied)))
    raise click.exceptions.Exit(0 if applied.total.ok else 1)
