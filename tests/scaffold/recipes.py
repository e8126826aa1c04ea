"""Reading the CI files ``pushflow init`` writes as a runner would: their jobs, their shell
scripts, the ``pushflow`` command lines in them (checked against the real click tree), and
GitHub's ``${{ … }}`` expressions filled in from known values."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from ruamel.yaml import YAML

from pushflow.cli import cli

GITHUB_WORKFLOW = ".github/workflows/pushflow.yml"
GITLAB_CI = ".gitlab-ci.yml"
OPERATORS = {"|", "||", "&&", ";", "&", ">", ">>", "<", "(", ")", ";;", "|&"}
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load(path: Path) -> Any:
    """One YAML document, loaded strictly (duplicate keys are errors)."""
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def github_scripts(workflow: Any) -> list[tuple[str, str]]:
    """(job/step name, ``run:`` text) of every step of every job."""
    return [
        (f"{job_id}/{step.get('name', step.get('uses'))}", step["run"])
        for job_id, job in workflow["jobs"].items()
        for step in job["steps"]
        if "run" in step
    ]


def gitlab_script(job: Mapping[str, Any], key: str = "script") -> str:
    """A GitLab job's script entries as the one shell script the runner makes of them."""
    return "\n".join(job.get(key, []))


def gitlab_scripts(pipeline: Any) -> list[tuple[str, str]]:
    found = [("default/before_script", gitlab_script(pipeline["default"], "before_script"))]
    for name, job in pipeline.items():
        if isinstance(job, dict) and "script" in job:
            found += [
                (f"{name}/{key}", gitlab_script(job, key)) for key in ("script", "after_script")
            ]
    return found


def command_lines(script: str) -> list[str]:
    """The script's lines with backslash continuations joined."""
    return script.replace("\\\n", " ").splitlines()


def pushflow_invocations(script: str) -> list[list[str]]:
    """The arguments of every ``pushflow …`` command in a shell script (redirections and
    the rest of a pipeline or list left out)."""
    found = []
    for line in command_lines(script):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
        for index, token in enumerate(tokens):
            at_start = index == 0 or tokens[index - 1] in OPERATORS | {"then", "do", "{"}
            if token != "pushflow" or not at_start:
                continue
            args = []
            for arg in tokens[index + 1 :]:
                if arg in OPERATORS:
                    if args and args[-1].isdigit() and arg in {">", ">>", "<"}:
                        args.pop()  # the 2 of 2>file
                    break
                args.append(arg)
            found.append(args)
    return found


def check_invocation(args: list[str]) -> str | None:
    """Why ``pushflow ARGS`` would not parse (unknown command or option, bad choice, missing
    or extra value), or None. Path arguments are not required to exist."""
    if not args or args[0] not in cli.commands:
        return f"no such command: pushflow {' '.join(args[:1])}"
    command = cli.commands[args[0]]
    ctx = click.Context(command, info_name=args[0])
    try:
        values, rest, _ = command.make_parser(ctx).parse_args(list(args[1:]))
        if rest:
            return f"unexpected arguments {rest}"
        for param in command.params:
            value = values.get(param.name or "")
            if value is None or isinstance(param.type, click.Path):
                continue
            param.type_cast_value(ctx, value)
    except click.UsageError as exc:
        return exc.format_message()
    return None


def expand(text: str, contexts: Mapping[str, str]) -> str:
    """``${{ name }}`` replaced by ``contexts[name]``; an expression not listed is an error,
    so every expression the workflow's environment uses is known to the test."""

    def value(match: re.Match[str]) -> str:
        name = match[1]
        if name not in contexts:
            raise KeyError(f"expression not known to the test: {match[0]}")
        return contexts[name]

    return EXPRESSION.sub(value, text)
