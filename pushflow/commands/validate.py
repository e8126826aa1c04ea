"""``pushflow validate [PATH...]``: check campaigns, print every problem, exit 0 or 1."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from pushflow.commands.options import paths_argument, project_option
from pushflow.errors import Problem
from pushflow.spec.check import Report, check_project


def _text(report: Report) -> str:
    lines = [str(problem) for problem in report.problems]
    errors = len(report.errors)
    if errors:
        files = len({p.location.path for p in report.errors})
        lines.append(
            f"{errors} error{'s' if errors != 1 else ''} in {files} file{'s' if files != 1 else ''}"
        )
    else:
        count = len(report.campaigns)
        lines.append(f"ok: {count} campaign{'s' if count != 1 else ''} valid")
    return "\n".join(lines)


def _json(report: Report) -> str:
    return json.dumps(
        {
            "valid": report.ok,
            "campaigns": [
                {
                    "name": c.campaign.name,
                    "provider": c.campaign.provider,
                    "file": str(c.document.path),
                }
                for c in report.campaigns
            ],
            "problems": [
                {
                    "file": p.location.path,
                    "line": p.location.line,
                    "col": p.location.col,
                    "row": p.location.row,
                    "severity": p.severity,
                    "rule": p.rule,
                    "message": p.message,
                }
                for p in report.problems
            ],
        },
        indent=2,
        ensure_ascii=False,
    )


def _escape(value: str, *, prop: bool = False) -> str:
    # GitHub workflow-command escaping: data escapes %, CR, LF; properties also : and ,
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def _github_line(problem: Problem) -> str:
    location = problem.location
    props = [f"file={_escape(location.path, prop=True)}"]
    if location.line is not None:
        props.append(f"line={location.line}")
    if location.col is not None:
        props.append(f"col={location.col}")
    if problem.rule:
        props.append(f"title={_escape(problem.rule, prop=True)}")
    message = problem.message if location.row is None else f"row {location.row}: {problem.message}"
    return f"::{problem.severity} {','.join(props)}::{_escape(message)}"


def _github(report: Report) -> str:
    return "\n".join([*(_github_line(p) for p in report.problems), _text(report).splitlines()[-1]])


FORMATS = {"text": _text, "json": _json, "github": _github}


@click.command("validate")
@paths_argument
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for pull-request annotations.",
)
@project_option
def validate_command(
    paths: tuple[Path, ...], output_format: str, project_file: Path | None
) -> None:
    """Check campaign files (default: the project's campaigns) and everything they refer to.

    Exit status: 0 valid, 1 problems found, 2 usage error.
    """
    report = check_project(list(paths), project_file=project_file, now=datetime.now(UTC))
    click.echo(FORMATS[output_format](report))
    raise click.exceptions.Exit(0 if report.ok else 1)
