"""The three views of one plan: text for terminals, Markdown for pull requests, JSON for tools.

Each is a pure function of a :class:`~pushflow.plan.model.Plan` (and display options) to a
string; the CLI picks one and prints it. One module per view:

- :mod:`pushflow.plan.views_text`: :func:`render_text`, and :func:`use_color` to decide colour;
- :mod:`pushflow.plan.views_markdown`: :func:`render_markdown` for a PR comment;
- :mod:`pushflow.plan.views_json`: :func:`render_json` and :func:`load_plan`, the saved form;
- :mod:`pushflow.plan.views_summary`: what the text and Markdown views phrase alike (numbers,
  instants, the summary line).
"""

from __future__ import annotations

from pushflow.plan.views_json import PlanFormatError, load_plan, render_json
from pushflow.plan.views_markdown import MARKER, render_markdown
from pushflow.plan.views_text import render_text, use_color

__all__ = [
    "MARKER",
    "PlanFormatError",
    "load_plan",
    "render_json",
    "render_markdown",
    "render_text",
    "use_color",
]
