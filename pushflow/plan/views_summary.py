"""What the text and Markdown views of a plan say the same way.

Numbers, instants, actions, audiences and the summary line are phrased here once, so a terminal
and a pull-request comment never disagree about a plan.

Numbers group thousands with U+202F NARROW NO-BREAK SPACE (``1 204 567``): the SI/ISO 80000
separator, unambiguous in every locale (a comma is a decimal mark in many), and a line is never
broken inside a number, on GitHub or in a terminal.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pushflow.errors import UsageError
from pushflow.plan.model import Action, AudienceSummary, CampaignPlan, Plan, PolicyCheck

THOUSANDS = "\u202f"

#: Action → its symbol, in the order actions are counted (as in Terraform's plan).
SYMBOLS: dict[Action, str] = {"send": "+", "schedule": "~", "cancel": "-", "unchanged": "="}

#: Actions whose call groups are sends (counted in the summary).
SENDING: frozenset[Action] = frozenset({"send", "schedule"})

#: Unicode categories escaped in user text: controls, format characters (bidi overrides), line
#: and paragraph separators.
UNSAFE = frozenset({"Cc", "Cf", "Zl", "Zp"})


def number(value: int) -> str:
    """``1204567`` → ``1 204 567`` (U+202F between groups)."""
    return f"{value:,}".replace(",", THOUSANDS)


def count(value: int, noun: str) -> str:
    """``count(1, "call")`` → ``1 call``; ``count(2, "call")`` → ``2 calls``."""
    return f"{number(value)} {noun}{'' if value == 1 else 's'}"


def display_zone(zone: str | None) -> tzinfo:
    """The zone instants are shown in: an IANA name, or UTC for ``None``."""
    if zone is None:
        return UTC
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(
            f"unknown time zone {zone!r}: expected an IANA name such as Asia/Shanghai"
        ) from exc


def instant(value: datetime, zone: tzinfo) -> str:
    """``2026-12-01 08:00 CST``: minutes, seconds only when not zero, the zone's abbreviation.

    A naive datetime is read as UTC (the plan stores UTC).
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(zone)
    clock = "%H:%M:%S" if local.second or local.microsecond else "%H:%M"
    return f"{local.strftime('%Y-%m-%d ' + clock)} {local.tzname()}"


@dataclass(frozen=True)
class Totals:
    """What applying a plan sends: over the campaigns that send or schedule."""

    changed: int
    targets: int
    calls: int
    next_send: datetime | None
    actions: Counter[Action]


def totals(plan: Plan) -> Totals:
    """Add up a plan for its summary line."""
    sending = [c for c in plan.campaigns if c.action in SENDING]
    groups = [g for c in sending for g in c.groups]
    sends = [c.next_send for c in sending if c.next_send is not None]
    return Totals(
        changed=sum(1 for c in plan.campaigns if c.action != "unchanged"),
        targets=sum(g.targets for g in groups),
        calls=sum(g.calls for g in groups),
        next_send=min(sends, key=_utc) if sends else None,
        actions=Counter(c.action for c in plan.campaigns),
    )


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def summary_line(plan: Plan, zone: tzinfo) -> str:
    """``Plan: 3 campaigns, 1 204 567 targets, 12 046 calls, next send 2026-12-01 08:00 CST``.

    ``Plan: no campaigns`` for an empty plan; ``Plan: no changes, 4 campaigns unchanged`` when
    applying it would do nothing.
    """
    if not plan.campaigns:
        return "Plan: no campaigns"
    if not plan.changes:
        return f"Plan: no changes, {count(len(plan.campaigns), 'campaign')} unchanged"
    figures = totals(plan)
    send = f"next send {instant(figures.next_send, zone)}" if figures.next_send else "no send"
    return (
        f"Plan: {count(figures.changed, 'campaign')}, {count(figures.targets, 'target')}, "
        f"{count(figures.calls, 'call')}, {send}"
    )


def actions_line(plan: Plan) -> str:
    """``2 to send, 1 to schedule, 1 to cancel, 3 unchanged`` (actions present only)."""
    counted = totals(plan).actions
    return ", ".join(
        f"{number(counted[a])} {a}" if a == "unchanged" else f"{number(counted[a])} to {a}"
        for a in SYMBOLS
        if counted[a]
    )


def audience_phrase(audience: AudienceSummary) -> str:
    """``device from audiences/vip.csv: 1 204 000 targets, 12 duplicates dropped``."""
    where = f" from {audience.source}" if audience.source else ""
    if audience.targets is None:
        return f"{audience.kind}{where}: expanded by the service"
    phrase = f"{audience.kind}{where}: {count(audience.targets, 'target')}"
    if audience.duplicates:
        phrase += f", {count(audience.duplicates, 'duplicate')} dropped"
    if audience.zones is not None:
        phrase += f"; {zones_phrase(audience.zones)}"
    return phrase


#: Time zones named in an audience phrase; the rest are counted.
MAX_ZONES = 8


def zones_phrase(zones: dict[str, int]) -> str:
    """``in 3 time zones: Asia/Kolkata 2, Europe/Berlin 1 …``, the largest first."""
    ranked = sorted(zones.items(), key=lambda item: (-item[1], item[0]))
    named = ", ".join(f"{zone} {number(targets)}" for zone, targets in ranked[:MAX_ZONES])
    rest = len(ranked) - MAX_ZONES
    more = f" and {count(rest, 'more zone')}" if rest > 0 else ""
    return f"local time in {count(len(zones), 'time zone')}: {named}{more}"


def policy_phrase(checks: Sequence[PolicyCheck]) -> str | None:
    """``pass: quiet-hours, frequency-cap; exempt: max-audience (…); warning: freeze-window``:
    the policy rules a campaign was checked against, by outcome; None when none were."""
    if not checks:
        return None
    parts = []
    for outcome in ("pass", "exempt", "warning"):
        names = [
            c.rule.removeprefix("policy.") + (f" ({c.detail})" if outcome == "exempt" else "")
            for c in checks
            if c.outcome == outcome
        ]
        if names:
            parts.append(f"{outcome}: {', '.join(names)}")
    return "; ".join(parts)


def plan_warnings(plan: Plan) -> Iterator[tuple[CampaignPlan, str]]:
    """Every warning with its campaign, in plan order."""
    for campaign in plan.campaigns:
        for warning in campaign.warnings:
            yield campaign, warning


SANDBOX_NOTE = "SANDBOX: apps are served by the embedded emulator; nothing reaches Alibaba Cloud."


def visible(text: str) -> str:
    """``text`` with control, format (bidi) and separator characters escaped: ``\\x1b``."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in UNSAFE else c for c in text)


def duration(seconds: float) -> str:
    """``0.4 s``, ``12 s``, ``3 min 20 s``, ``2 h 5 min`` (an estimate: no false precision)."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"
