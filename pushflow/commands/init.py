"""``pushflow init [DIR]``: scaffold a campaigns repository (every file or none, none replaced)."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from pushflow.scaffold import project_files, write_project


@click.command("init")
@click.argument("directory", default=Path(), type=click.Path(file_okay=False, path_type=Path))
def init_command(directory: Path) -> None:
    """Create a campaigns repository in DIRECTORY (default: the working directory).

    Writes pushflow.yaml, an example campaign, schemas/, a pre-commit configuration, a GitHub
    Actions workflow and a GitLab CI file. Refuses, writing nothing, if any of them exists.
    """
    for path in write_project(directory, project_files()):
        click.echo(f"created {path}")
    enter = "" if directory == Path() else f"cd {shlex.quote(str(directory))} && "
    click.echo(
        f"\nNext: {enter}pushflow validate && pushflow plan\n"
        "CI (OIDC role, PostgreSQL state, plan comments): see pushflow's docs/ci.md"
    )
