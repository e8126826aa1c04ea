"""Load the project file and campaign files into validated models, or into positioned problems.

One loader binds parser, model and error type (as pre-commit's ``clientlib.load_config`` does):
YAML is parsed with positions (:mod:`pushflow.spec.yaml_source`), project defaults are merged in
(keeping *their* positions, so an error in a default points into ``pushflow.yaml``), pydantic
validates, and every error — type errors and cross-field rules alike — becomes a
:class:`~pushflow.errors.Problem` at ``file:line:col``. All problems of all files are reported
together.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from pushflow.errors import Location, Problem, SpecError
from pushflow.spec.base import RuleContext, SpecModel, collect_violations
from pushflow.spec.campaign import Campaign, CampaignDocument
from pushflow.spec.project import Project, ProjectDocument
from pushflow.spec.suggest import allowed_keys, did_you_mean
from pushflow.spec.yaml_source import Document, parse_documents

PROJECT_FILE = "pushflow.yaml"
CAMPAIGN_SUFFIXES = (".yaml", ".yml")

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class LoadedProject:
    """The project file, validated, and where it lives."""

    project: Project
    path: Path
    document: Document

    @property
    def root(self) -> Path:
        return self.path.parent


@dataclass(frozen=True)
class LoadedCampaign:
    """One campaign, validated, with the file and document it came from."""

    campaign: Campaign
    path: Path
    document: Document


def display_path(path: Path) -> str:
    """How a file is named in messages: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)


def read_documents(path: Path) -> list[Document]:
    """Parse a YAML file; a missing or unreadable file is a positioned problem too."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SpecError([Problem(Location(shown), "file not found", rule="file-missing")]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(
            [Problem(Location(shown), f"cannot read file: {exc}", rule="file-unreadable")]
        ) from exc
    return parse_documents(text, shown)


def problems_from_validation(
    error: ValidationError, document: Document, model: type[BaseModel]
) -> list[Problem]:
    """pydantic's errors, each at the position of the key or value it is about."""
    return [_problem(detail, document, model) for detail in error.errors(include_url=False)]


def _problem(detail: ErrorDetails, document: Document, model: type[BaseModel]) -> Problem:
    loc = tuple(detail["loc"])
    kind = detail["type"]
    path = document.resolve(loc)
    shown = ".".join(str(part) for part in path) or "(document)"
    if kind == "extra_forbidden" and path:
        hint = did_you_mean(str(path[-1]), allowed_keys(model, document.data, path[:-1]))
        return Problem(
            document.locate(loc, key=True),
            f"{shown}: unknown key{hint}",
            rule="schema-unknown-key",
        )
    if kind == "missing":
        name = loc[-1]
        where = ".".join(str(part) for part in path)
        return Problem(
            document.locate(loc),
            f"{where + ': ' if where else ''}missing required key `{name}`",
            rule="schema-missing",
        )
    message = detail["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if "-" in kind:
        # pydantic's own error types are snake_case; a kebab-case type is one of our rule names
        # (a limit that is also a field constraint, so editors see it through the schema too).
        return Problem(document.locate(loc), f"{shown}: {message}", rule=kind)
    return Problem(document.locate(loc), f"{shown}: {message}", rule="schema")


def validate_document(
    model: type[M], document: Document, ctx: RuleContext
) -> tuple[M | None, list[Problem]]:
    """Validate one document; rules run only on a model that passed pydantic."""
    try:
        value = model.model_validate(document.data)
    except ValidationError as exc:
        return None, problems_from_validation(exc, document, model)
    root = getattr(value, "root", value)
    problems = []
    if isinstance(root, SpecModel):
        for violation in collect_violations(root, ctx):
            problems.append(
                Problem(
                    document.locate(violation.path),
                    violation.message,
                    rule=violation.rule,
                    severity=violation.severity,
                )
            )
    return value, problems


def load_project(path: Path, *, now: datetime) -> LoadedProject:
    """Load and validate ``pushflow.yaml``."""
    documents = read_documents(path)
    if len(documents) != 1:
        raise SpecError(
            [
                Problem(
                    Location(display_path(path)),
                    f"the project file holds exactly one YAML document, found {len(documents)}",
                    rule="project-documents",
                )
            ]
        )
    document = documents[0]
    model, problems = validate_document(ProjectDocument, document, RuleContext(now=now))
    errors = [p for p in problems if p.severity == "error"]
    if errors or model is None:
        raise SpecError(errors or problems)
    return LoadedProject(model.root, path.resolve(), document)


def find_project(start: Path) -> Path:
    """The nearest ``pushflow.yaml`` at or above ``start``."""
    start = start.resolve()
    for directory in (start, *start.parents) if start.is_dir() else start.parents:
        candidate = directory / PROJECT_FILE
        if candidate.is_file():
            return candidate
    raise SpecError(
        [
            Problem(
                Location(display_path(start)),
                f"no {PROJECT_FILE} here or in any parent folder (docs/project.md shows one; "
                "or name it with --project)",
                rule="project-missing",
            )
        ]
    )


def campaign_files(paths: Iterable[Path]) -> list[Path]:
    """YAML files named, and YAML files inside folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.suffix in CAMPAIGN_SUFFIXES and p.is_file())
            )
        else:
            found.append(path)
    return list(dict.fromkeys(p.resolve() for p in found))


def merge_defaults(document: Document, project: LoadedProject) -> Document:
    """The campaign document with the project's defaults under it (campaign keys win).

    A merged value keeps its position in ``pushflow.yaml``, so an invalid default is reported
    where it was written.
    """
    data = document.data
    if not isinstance(data, dict):
        return document
    provider = data.get("provider")
    merged = Document(
        document.path, data, document.start, dict(document.values), dict(document.keys)
    )
    # Provider defaults first: merging never overwrites, so the first to set a key wins.
    for scope, defaults in sorted(project.project.defaults.items(), key=lambda i: i[0] == "all"):
        if scope in ("all", provider) and defaults:
            merged.data = _merge(
                merged, merged.data, defaults, (), project.document, ("defaults", scope)
            )
    return merged


def _merge(
    target: Document,
    data: dict[str, Any],
    defaults: dict[str, Any],
    at: tuple[str | int, ...],
    source: Document,
    source_at: tuple[str | int, ...],
) -> dict[str, Any]:
    result = dict(data)
    for key, value in defaults.items():
        here, there = (*at, key), (*source_at, key)
        if key not in result:
            result[key] = value
            _copy_positions(target, here, source, there)
        elif isinstance(result[key], dict) and isinstance(value, dict):
            result[key] = _merge(target, result[key], value, here, source, there)
    return result


def _copy_positions(
    target: Document, here: tuple[str | int, ...], source: Document, there: tuple[str | int, ...]
) -> None:
    for index, dest in ((source.values, target.values), (source.keys, target.keys)):
        for path, location in index.items():
            if path[: len(there)] == there:
                dest[here + path[len(there) :]] = location


def load_campaigns(
    paths: Sequence[Path], project: LoadedProject, *, now: datetime
) -> tuple[list[LoadedCampaign], list[Problem]]:
    """Every campaign in ``paths`` and every problem found in them (none raised)."""
    ctx = RuleContext(now=now)
    campaigns: list[LoadedCampaign] = []
    problems: list[Problem] = []
    for path in campaign_files(paths):
        try:
            documents = read_documents(path)
        except SpecError as exc:
            problems.extend(exc.problems)
            continue
        for document in documents:
            merged = merge_defaults(document, project)
            model, found = validate_document(CampaignDocument, merged, ctx)
            problems.extend(found)
            if model is not None:
                campaigns.append(LoadedCampaign(model.root, path, merged))
    return campaigns, problems
