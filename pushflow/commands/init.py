"""``pushflow init [DIR]``: scaffold a campaigns repository (every file or none, none replaced)."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from pushflow.scaffold import SOURCE_REPOSITORY, project_files, write_project


@click.command("init")
@click.argument("directory", default=Path(), type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--source",
    default=SOURCE_REPOSITORY,
    show_default=True,
    metavar="GIT_URL",
    help="Git repository of pushflow's releases that CI installs from and pre-commit pins "
    "(a fork or an internal mirror holding the same vX.Y.Z tags).",
)
def init_command(directory: Path, source: str) -> None:
    """Create a campaigns repository in DIRECTORY (default: the working directory).

    Writes pushflow.yaml, an example campaign, schemas/, a pre-commit configuration, a GitHub
    Actions workflow and a GitLab CI file. Refuses, writing nothing, if any of them exists.
    """
    for path in write_project(directory, project_files(repository=source)):
        click.echo(f"created {path}")
    enter = "" if directory == Path() else f"cd {shlex.quote(str(directory))} && "
    click.echo(
        f"\nNext: {enter}pushflow validate && pushflow plan\n"
        "CI (OIDC role, PostgreSQL state, plan comments): see pushflow's docs/ci.md"
    )
