"""The ``pushflow`` command line: parse, call one function, print. No logic lives here.

Each subcommand is a click command in ``pushflow/commands/<name>.py``; this module only groups
them and wraps the entry point in the error handler (known errors exit 1 or 2 with a clean
message, Ctrl-C exits 130, anything else exits 3 with the traceback in a log file).
"""

from __future__ import annotations

import sys

import click

from pushflow import __version__
from pushflow.commands.apply import apply_command
from pushflow.commands.calendar import calendar_command
from pushflow.commands.cancel import cancel_command
from pushflow.commands.daemon import daemon_command
from pushflow.commands.drift import drift_command
from pushflow.commands.emulator import emulator_command
from pushflow.commands.history import history_command
from pushflow.commands.init import init_command
from pushflow.commands.plan import plan_command
from pushflow.commands.revoke import revoke_command
from pushflow.commands.schema import schema_command
from pushflow.commands.stats import stats_command
from pushflow.commands.status import status_command
from pushflow.commands.validate import validate_command
from pushflow.error_handler import error_handler


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pushflow")
def cli() -> None:
    """Push-notification campaigns as code for Alibaba Cloud EMAS Push and mPaaS Push."""


cli.add_command(validate_command)
cli.add_command(plan_command)
cli.add_command(apply_command)
cli.add_command(schema_command)
cli.add_command(emulator_command)
cli.add_command(daemon_command)
cli.add_command(calendar_command)
cli.add_command(status_command)
cli.add_command(history_command)
cli.add_command(revoke_command)
cli.add_command(cancel_command)
cli.add_command(stats_command)
cli.add_command(drift_command)
cli.add_command(init_command)


def main() -> None:
    """The console script: exit status 0 ok, 1 problems, 2 usage, 3 bug, 130 interrupted."""
    with error_handler():
        # Without standalone mode click returns the code of a ``click.exceptions.Exit``.
        result = cli.main(standalone_mode=False)
        sys.exit(result if isinstance(result, int) else 0)
