"""The render stage's error: positioned problems found while compiling or rendering templates.

Each problem is located at the campaign value that holds the template (``campaigns/x.yaml:12:5``)
and, when it depends on a target, its message starts with the audience row
(``audiences/vip.csv row 1042: title is 214 bytes …``).
"""

from __future__ import annotations

from pushflow.errors import ProblemsError


class RenderError(ProblemsError):
    """A campaign's templates cannot be compiled, or cannot be rendered for a target."""
