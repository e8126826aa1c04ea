"""Validation of a whole project: the project file, its campaigns, and what they refer to.

This is what ``pushflow validate`` runs; later stages (plan, apply) start from the same load so
that nothing is planned from a campaign validate would reject.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pushflow.errors import Problem, SpecError
from pushflow.spec.loader import (
    LoadedCampaign,
    LoadedProject,
    find_project,
    load_campaigns,
    load_project,
)
from pushflow.spec.references import AudienceCheck, check_references


@dataclass
class Report:
    """What validation found: the campaigns that loaded and every problem, in file order."""

    project: LoadedProject | None
    campaigns: list[LoadedCampaign] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def check_project(
    paths: Sequence[Path],
    *,
    project_file: Path | None,
    now: datetime,
    audiences: AudienceCheck | None = None,
) -> Report:
    """Validate the campaigns in ``paths`` (default: the project's campaign folders).

    ``audiences`` checks each campaign's audience file (default: a stream over its rows; apply
    reads the audience it sends first into its store instead, :mod:`pushflow.audience.held`).
    """
    try:
        project_path = project_file or find_project(paths[0] if paths else Path.cwd())
        project = load_project(project_path, now=now)
    except SpecError as exc:
        return Report(None, problems=list(exc.problems))
    targets = list(paths) or [project.root / entry for entry in project.project.campaigns]
    campaigns, problems = load_campaigns(targets, project, now=now)
    problems.extend(check_references(project, campaigns, audiences))
    # A bad project default reaches every campaign it is merged into: report it once.
    problems = list(dict.fromkeys(problems))
    problems.sort(
        key=lambda p: (
            p.location.path,
            p.location.line or 0,
            p.location.row or 0,
            p.location.col or 0,
        )
    )
    return Report(project, campaigns, problems)
