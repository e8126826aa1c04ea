"""``pushflow schema [--out schemas/] [--docs docs/] [--write | --check]``: write or verify the
generated files (JSON Schemas, and the reference and command pages of a docs folder)."""

from __future__ import annotations

from pathlib import Path

import click

from pushflow.errors import UsageError
from pushflow.reference.generated import (
    DOCS,
    describe,
    generated_files,
    has_reference,
    stale_files,
)


@click.command("schema")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Folder of the schema files.",
)
@click.option(
    "--docs",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also the reference and command pages of this docs folder. Default: docs/ if it "
    "already holds them (pushflow's repository).",
)
@click.option("--write", is_flag=True, help="Write the files that changed (the default).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a file is missing or stale.")
@click.pass_context
def schema_command(
    ctx: click.Context, out: Path, docs: Path | None, write: bool, check: bool
) -> None:
    """Generate the JSON Schemas (campaign, project, plan) from the models, and the pages
    generated from them and from the commands' help (docs/reference/, docs/commands/)."""
    if write and check:
        raise UsageError("--write and --check exclude each other")
    root = ctx.find_root().command
    assert isinstance(root, click.Group)
    if docs is None and has_reference(DOCS):
        docs = DOCS
    files = generated_files(out, docs, root)
    stale = stale_files(files)
    if check:
        if stale:
            click.echo(
                "stale: " + ", ".join(str(file.path) for file in stale) + "\n"
                "run `pushflow schema --write` and commit the result",
                err=True,
            )
            raise click.exceptions.Exit(1)
        click.echo(f"ok: {describe(files, out)} up to date")
        return
    for file in stale:
        file.write()
        click.echo(f"wrote {file.path}")
