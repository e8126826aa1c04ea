"""The Markdown view of a plan, for a pull-request comment (GitHub-flavoured Markdown).

Line 1 is :data:`MARKER`, an HTML comment GitHub does not show: a CI bot finds its previous
comment by it and edits that one instead of posting another. Line 2 is the summary line. Then a
table with a row per campaign, a section per changed campaign (its call groups and, folded in
``<details>``, a few rendered sample messages), and the warnings.

Every piece of user text goes through :func:`cell` (table cells, prose) or :func:`code` (names,
paths, keys): a campaign cannot break a table, inject HTML or Markdown, or mention anyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import tzinfo

from pushflow.plan.model import CallGroup, CampaignPlan, Plan, Sample
from pushflow.plan.views_summary import (
    SANDBOX_NOTE,
    SYMBOLS,
    actions_line,
    audience_phrase,
    count,
    display_zone,
    duration,
    instant,
    number,
    plan_warnings,
    policy_phrase,
    summary_line,
    visible,
)

MARKER = "<!-- pushflow-plan -->"

#: Call groups and sample messages shown per campaign.
MAX_GROUPS = 20
MAX_SAMPLES = 3

#: Replacements in user text: HTML specials and ``|`` as character references, and a WORD
#: JOINER (U+2060, invisible) after ``@`` so ``@team`` cannot notify anyone.
_REPLACE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "@": "@\u2060"}
_SPECIAL = re.compile(r"([\\`*_\[\]~])")


def render_markdown(
    plan: Plan,
    *,
    zone: str | None = None,
    max_groups: int = MAX_GROUPS,
    samples: int = MAX_SAMPLES,
) -> str:
    """The plan as a PR comment; instants in UTC, or in ``zone`` (an IANA name) when given."""
    tz = display_zone(zone)
    parts = [f"{MARKER}\n{summary_line(plan, tz)}"]
    if plan.campaigns:
        parts.append(actions_line(plan))
    if plan.sandbox:
        parts.append(f"> **{SANDBOX_NOTE}**")
    if plan.campaigns:
        parts.append(_overview(plan.campaigns, tz))
    for campaign in plan.campaigns:
        if campaign.action != "unchanged":
            parts.append(_section(campaign, tz, max_groups, samples))
    warnings = [f"- {code(c.name)}: {cell(w)}" for c, w in plan_warnings(plan)]
    if warnings:
        parts.append("### Warnings\n\n" + "\n".join(warnings))
    return "\n\n".join(parts) + "\n"


def cell(text: str) -> str:
    """User text safe in a table cell or a line of prose: HTML and Markdown escaped.

    ``& < > |`` become character references (a ``|`` cannot end the cell), an invisible WORD
    JOINER follows each ``@`` (no mentions), the Markdown punctuation ``\\ ` * _ [ ] ~`` is
    backslash-escaped, line breaks become ``<br>`` and control characters are shown as
    ``\\x1b``.
    """
    lines = [
        _SPECIAL.sub(r"\\\1", "".join(_REPLACE.get(c, c) for c in visible(line)))
        for line in text.splitlines()
    ]
    return "<br>".join(lines)


def code(text: str) -> str:
    """``text`` as a code span, safe in a table: fenced by enough backticks, pipes escaped."""
    text = visible(text).replace("|", "\\|")
    fence = "`" * (1 + max((len(run) for run in re.findall("`+", text)), default=0))
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _table(header: Sequence[str], align: str, rows: Iterable[Sequence[str]]) -> str:
    """A GFM table; ``align`` has one letter per column: ``l`` left, ``r`` right."""
    rule = ["--:" if a == "r" else "---" for a in align]
    lines = [header, rule, *rows]
    return "\n".join("| " + " | ".join(row) + " |" for row in lines)


def _action(campaign: CampaignPlan) -> str:
    return f"`{SYMBOLS[campaign.action]} {campaign.action}`"


def _overview(campaigns: Sequence[CampaignPlan], tz: tzinfo) -> str:
    def row(c: CampaignPlan) -> list[str]:
        unchanged = c.action == "unchanged"
        return [
            _action(c),
            code(c.name),
            f"{cell(c.provider)} · {code(c.app)}",
            cell(c.strategy),
            cell(audience_phrase(c.audience)),
            "—" if unchanged else number(sum(g.targets for g in c.groups)),
            "—" if unchanged else number(sum(g.calls for g in c.groups)),
            instant(c.next_send, tz) if c.next_send else "—",
        ]

    header = ["action", "campaign", "service · app", "strategy", "audience"]
    header += ["targets", "calls", "next send"]
    return _table(header, "lllllrrl", (row(c) for c in campaigns))


def _section(campaign: CampaignPlan, tz: tzinfo, max_groups: int, samples: int) -> str:
    parts = [
        f"### {_action(campaign)} {code(campaign.name)}",
        f"{code(campaign.file)} · revision {code(campaign.revision)}",
    ]
    if campaign.diff:
        parts.append("\n".join(f"- {cell(change)}" for change in campaign.diff))
    if campaign.estimated_seconds:
        parts.append(f"Estimated sending time: {duration(campaign.estimated_seconds)}")
    if (checked := policy_phrase(campaign.policy)) is not None:
        parts.append(f"Policy: {cell(checked)}")
    if campaign.groups:
        parts.append(_groups(campaign.groups, tz, max_groups))
    if campaign.samples and samples > 0:
        parts.append(_samples(campaign.samples, samples))
    return "\n\n".join(parts)


def _groups(groups: Sequence[CallGroup], tz: tzinfo, max_groups: int) -> str:
    shown, rest = groups[:max_groups], groups[max_groups:]
    rows = [
        [
            instant(g.at, tz),
            code(g.occurrence),
            code(g.api),
            g.execute,
            number(g.targets),
            number(g.calls),
        ]
        for g in shown
    ]
    if rest:
        more = f"… {count(len(rest), 'more call group')}"
        rows.append(
            [
                more,
                "",
                "",
                "",
                number(sum(g.targets for g in rest)),
                number(sum(g.calls for g in rest)),
            ]
        )
    header = ["at", "occurrence", "API", "execute", "targets", "calls"]
    return _table(header, "llllrr", rows)


def _samples(samples: Sequence[Sample], limit: int) -> str:
    shown = samples[:limit]
    with_values = any(s.values for s in shown)
    header = ["target", "title", "body"] + (["values"] if with_values else [])
    rows = []
    for sample in shown:
        row = [code(sample.target) if sample.target else "—", cell(sample.title), cell(sample.body)]
        if with_values:
            row.append("<br>".join(f"{code(k)} {cell(v)}" for k, v in sample.values.items()))
        rows.append(row)
    what = count(len(shown), "sample message")
    if len(samples) > len(shown):
        what += f" (of {number(len(samples))})"
    table = _table(header, "l" * len(header), rows)
    return f"<details><summary>{what}</summary>\n\n{table}\n\n</details>"
