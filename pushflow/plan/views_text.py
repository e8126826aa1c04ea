"""The text view of a plan, for terminals: one block per campaign, warnings, a summary line.

Colour (plain ANSI SGR codes) only when asked; :func:`use_color` says when to ask: writing to
a terminal, ``NO_COLOR`` unset or empty (https://no-color.org) and ``TERM`` not ``dumb``.
Control and bidi characters in user text are shown escaped (``\\x1b``), so a campaign cannot
drive the reviewer's terminal.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Protocol

from pushflow.plan.model import Action, CallGroup, CampaignPlan, Plan
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

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
DIM = "\x1b[2m"
ACTION_STYLES: dict[Action, str] = {
    "send": "\x1b[32m",  # green
    "schedule": "\x1b[36m",  # cyan
    "cancel": "\x1b[31m",  # red
    "unchanged": DIM,
}
WARNING_STYLE = "\x1b[33m"  # yellow

#: Call groups shown per campaign; the rest are added up on one line.
MAX_GROUPS = 20

INDENT = "    "
COLUMNS = ("at", "occurrence", "api", "execute", "targets", "calls")


class Terminal(Protocol):
    """Anything with ``isatty()``: a stream such as ``sys.stdout``."""

    def isatty(self) -> bool: ...


def use_color(stream: Terminal, env: Mapping[str, str]) -> bool:
    """Whether to colour output written to ``stream``, given the environment ``env``."""
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    return stream.isatty()


def render_text(
    plan: Plan, *, color: bool, zone: str | None = None, max_groups: int = MAX_GROUPS
) -> str:
    """The plan for a terminal; instants in UTC, or in ``zone`` (an IANA name) when given."""
    tz = display_zone(zone)
    paint = _Painter(color)
    lines: list[str] = []
    if plan.sandbox:
        lines += [paint(SANDBOX_NOTE, WARNING_STYLE), ""]
    for campaign in plan.campaigns:
        lines += _campaign(campaign, tz, paint, max_groups)
        lines.append("")
    warnings = list(plan_warnings(plan))
    if warnings:
        lines.append(paint("Warnings:", BOLD))
        lines += [paint(f"  ! {visible(c.name)}: {visible(w)}", WARNING_STYLE) for c, w in warnings]
        lines.append("")
    if plan.campaigns:
        lines.append(actions_line(plan))
    lines.append(paint(summary_line(plan, tz), BOLD))
    return "\n".join(lines) + "\n"


class _Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        return f"{style}{text}{RESET}" if self.color and text else text


def _campaign(campaign: CampaignPlan, tz: tzinfo, paint: _Painter, max_groups: int) -> list[str]:
    action = paint(f"{SYMBOLS[campaign.action]} {campaign.action}", ACTION_STYLES[campaign.action])
    where = f"({visible(campaign.provider)}, app {visible(campaign.app)})"
    lines = [f"{action} {paint(visible(campaign.name), BOLD)} {where}"]
    lines += [f"{INDENT}{'':<11}{visible(change)}" for change in campaign.diff]
    if campaign.action == "unchanged":
        return lines
    details = [
        ("file", f"{visible(campaign.file)} (revision {visible(campaign.revision)})"),
        ("strategy", visible(campaign.strategy)),
        ("audience", visible(audience_phrase(campaign.audience))),
    ]
    if campaign.next_send is not None:
        details.append(("next send", instant(campaign.next_send, tz)))
    if campaign.estimated_seconds:
        details.append(("duration", duration(campaign.estimated_seconds)))
    if (checked := policy_phrase(campaign.policy)) is not None:
        details.append(("policy", visible(checked)))
    lines += [f"{INDENT}{label:<11}{value}" for label, value in details]
    if campaign.groups:
        lines += _groups(campaign.groups, tz, paint, max_groups)
    return lines


def _groups(groups: list[CallGroup], tz: tzinfo, paint: _Painter, max_groups: int) -> list[str]:
    shown, rest = groups[:max_groups], groups[max_groups:]
    rows = [
        (
            instant(g.at, tz),
            visible(g.occurrence),
            g.api,
            g.execute,
            number(g.targets),
            number(g.calls),
        )
        for g in shown
    ]
    widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]

    def line(row: tuple[str, ...]) -> str:
        left = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=False)]
        right = [cell.rjust(width) for cell, width in zip(row[4:], widths[4:], strict=True)]
        return INDENT + "  ".join(left + right)

    lines = [paint(line(COLUMNS), DIM), *(line(row) for row in rows)]
    if rest:
        lines.append(
            f"{INDENT}… {count(len(rest), 'more call group')}: "
            f"{count(sum(g.targets for g in rest), 'target')}, "
            f"{count(sum(g.calls for g in rest), 'call')}"
        )
    return lines
