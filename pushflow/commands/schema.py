"""``pushflow schema [--out schemas/] [--check]``: write or verify the JSON Schemas."""

from __future__ import annotations

from pathlib import Path

import click

from pushflow.spec.schema import SCHEMAS, render


@click.command("schema")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Folder of the schema files.",
)
@click.option("--check", is_flag=True, help="Exit 1 if the files in --out are missing or stale.")
def schema_command(out: Path, check: bool) -> None:
    """Generate schemas/campaign.schema.json and schemas/project.schema.json from the models."""
    stale = []
    for name in SCHEMAS:
        path = out / name
        text = render(name)
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        if check:
            stale.append(str(path))
        else:
            out.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            click.echo(f"wrote {path}")
    if stale:
        click.echo(
            "stale: " + ", ".join(stale) + "\nrun `pushflow schema` and commit the result", err=True
        )
        raise click.exceptions.Exit(1)
    if check:
        click.echo(f"ok: {', '.join(str(out / n) for n in SCHEMAS)} up to date")
