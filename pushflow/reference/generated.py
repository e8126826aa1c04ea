"""Every file ``pushflow schema`` generates, and whether the copies on disk are current.

- the JSON Schemas in ``--out`` (``schemas/``), always;
- in a documentation folder: the reference pages ``reference/campaign.md`` and
  ``reference/project.md``, and the usage block of every command page ``commands/<name>.md``
  that exists. The folder is the one ``--docs`` names, or else ``docs/`` if it already holds
  generated reference pages (pushflow's own repository).

A user's project gets only the schemas, so ``pushflow schema`` never writes into, and
``--check`` never asks for, pages it does not have, even with a ``docs/reference/`` of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import click

from pushflow.reference.command_pages import update_page
from pushflow.reference.schema_pages import GENERATED_NOTE, render_page
from pushflow.spec.schema import SCHEMAS, generate, render

#: Where pushflow's own documentation is, relative to the working directory.
DOCS: Final = Path("docs")


@dataclass(frozen=True)
class GeneratedFile:
    """A file and the text it should hold."""

    path: Path
    text: str

    @property
    def current(self) -> bool:
        return self.path.is_file() and self.path.read_text(encoding="utf-8") == self.text

    def write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(self.text, encoding="utf-8")


@dataclass(frozen=True)
class ReferencePage:
    schema: str
    heading: str
    intro: str


REFERENCE_PAGES: Final = {
    "campaign.md": ReferencePage(
        "campaign.schema.json",
        "Campaign reference",
        "Every key of a campaign file, with its type, default, constraints and the request "
        "parameter it becomes. Generated from the models `pushflow validate` checks with, like "
        "[`schemas/campaign.schema.json`](../../schemas/campaign.schema.json). The guide, with "
        "examples, is [campaigns.md](../campaigns.md); the rules that relate several keys are "
        "in its [rules table](../campaigns.md#rules), and where each key goes on the wire in "
        "[wire.md](../wire.md).",
    ),
    "project.md": ReferencePage(
        "project.schema.json",
        "Project reference (`pushflow.yaml`)",
        "Every key of the project file, with its type, default and constraints. Generated from "
        "the models `pushflow validate` checks with, like "
        "[`schemas/project.schema.json`](../../schemas/project.schema.json). The guide, with "
        "examples, is [project.md](../project.md).",
    ),
}


def schema_files(out: Path) -> list[GeneratedFile]:
    return [GeneratedFile(out / name, render(name)) for name in SCHEMAS]


def has_reference(docs: Path) -> bool:
    """Whether ``docs`` already holds the generated reference (pushflow's own docs folder)."""
    page = docs / "reference" / "campaign.md"
    return page.is_file() and GENERATED_NOTE in page.read_text(encoding="utf-8")


def reference_files(docs: Path) -> list[GeneratedFile]:
    files = []
    for name, page in REFERENCE_PAGES.items():
        schema = generate(*SCHEMAS[page.schema])
        source = f"`schemas/{page.schema}`"
        text = render_page(schema, heading=page.heading, intro=page.intro, source=source)
        files.append(GeneratedFile(docs / "reference" / name, text))
    return files


def command_files(docs: Path, group: click.Group) -> list[GeneratedFile]:
    """The command pages that exist, each with its usage block current."""
    files = []
    for name in sorted(group.commands):
        path = docs / "commands" / f"{name}.md"
        if path.is_file():
            text = update_page(path.read_text(encoding="utf-8"), group, name)
            files.append(GeneratedFile(path, text))
    return files


def generated_files(out: Path, docs: Path | None, group: click.Group) -> list[GeneratedFile]:
    """Every file ``pushflow schema`` writes: schemas in ``out``, pages in ``docs`` (if any)."""
    files = schema_files(out)
    if docs is not None:
        files += reference_files(docs) + command_files(docs, group)
    return files


def stale_files(files: list[GeneratedFile]) -> list[GeneratedFile]:
    return [file for file in files if not file.current]


def describe(files: list[GeneratedFile], out: Path) -> str:
    """``3 schemas in schemas and 15 pages in docs``: what ``files`` are, for a summary line."""
    schemas = sum(1 for file in files if file.path.parent == out)
    text = f"{schemas} schemas in {out}"
    pages = len(files) - schemas
    if pages:
        folders = sorted({str(file.path.parent.parent) for file in files[schemas:]})
        text += f" and {pages} pages in {', '.join(folders)}"
    return text
