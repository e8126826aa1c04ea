"""The errors pushflow shows to users.

Every error a user can cause says *where* (a file position or a data-file row) and *what was
expected*. The hierarchy::

    PushflowError                 exit 1, one message, no traceback
    ├── UsageError                exit 2: the command line itself is wrong
    └── ProblemsError             exit 1: a list of positioned problems (all of them, not the first)
        └── SpecError             campaign, project or audience files are invalid

Stages below the CLI raise these; ``pushflow.cli`` prints them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a user's file: ``path:line:col`` for YAML, ``path row N`` for data files.

    ``line`` and ``col`` are 1-based, as editors show them.
    """

    path: str
    line: int | None = None
    col: int | None = None
    row: int | None = None

    def __str__(self) -> str:
        if self.row is not None:
            return f"{self.path} row {self.row}"
        if self.line is None:
            return self.path
        if self.col is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem:
    """One finding about a user's file.

    ``rule`` names the documented rule that was broken (e.g. ``ios-badge-exclusive``), so a
    message can be searched in the docs and tests can assert on it.
    """

    location: Location
    message: str
    rule: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{self.location}: {self.severity}: {self.message}{rule}"


class PushflowError(Exception):
    """Base of every error pushflow reports to a user without a traceback."""

    exit_code = 1

    def format_message(self) -> str:
        return str(self)


class UsageError(PushflowError):
    """The command line asks for something that cannot be done as written."""

    exit_code = 2


class ProblemsError(PushflowError):
    """One or more positioned problems; carries them all so every one can be reported."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: Sequence[Problem] = sorted(
            problems, key=lambda p: (p.location.path, p.location.line or 0, p.location.col or 0)
        )
        super().__init__(self.format_message())

    def format_message(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class SpecError(ProblemsError):
    """Campaign, project or audience files do not describe a valid campaign."""
