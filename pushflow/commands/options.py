"""Options several commands share, declared once so they read and behave the same."""

from __future__ import annotations

from pathlib import Path

import click

#: ``--project FILE``: which pushflow.yaml (default: the nearest one at or above the paths or the
#: working directory).
project_option = click.option(
    "--project",
    "project_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The project file. Default: the nearest pushflow.yaml at or above the first PATH (or "
    "the working directory).",
)

#: ``PATH...``: campaign files or folders (default: the project's campaigns).
paths_argument = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))

#: ``--json``: machine-readable output (the lifecycle commands document its shape).
json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
