"""The policy rules about *when* a campaign sends: quiet hours, freeze windows, vendor windows.

Each looks at the campaign's sends: the occurrences its plan lists (a server loop's, which the
plan names once, expanded over the horizon), at the instant each fires, in the time zone of its
targets (:func:`send_zones`). A ``now`` send fires when applied: a plan made earlier (``pushflow
plan`` on a pull request) only warns about it; the plan ``pushflow apply`` makes fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from pushflow.plan.model import CallGroup, CampaignPlan
from pushflow.plan.views_summary import number
from pushflow.spec.campaign import EmasCampaign, MpaasCampaign
from pushflow.spec.policy import DailyWindow, FreezeWindow
from pushflow.spec.strategy import LoopStrategy
from pushflow.timing import next_occurrence, occurrences

Campaign = MpaasCampaign | EmasCampaign


@dataclass(frozen=True)
class Send:
    """One occurrence of a campaign as the time rules see it."""

    occurrence: str
    at: datetime
    execute: str
    #: ``(IANA zone, targets)`` of the targets this send reaches; targets None when the service
    #: expands the audience.
    zones: tuple[tuple[str, int | None], ...]

    @property
    def now(self) -> bool:
        return self.execute == "now"


@dataclass(frozen=True)
class Breach:
    """A send, in one zone, that breaks a window rule."""

    send: Send
    zone: str
    targets: int | None


def send_zones(plan: CampaignPlan, group: CallGroup) -> tuple[tuple[str, int | None], ...]:
    """The time zones a group's targets are in, with how many: the group's own (local-time
    delivery), else each zone of the audience (a time-zone column), else the campaign's."""
    targets = group.targets if plan.audience.targets is not None else None
    if group.zone:
        return ((group.zone, targets),)
    if plan.audience.zones:
        return tuple(sorted(plan.audience.zones.items()))
    return ((plan.timezone, targets),)


def campaign_sends(
    campaign: Campaign, plan: CampaignPlan, *, now: datetime, horizon: timedelta
) -> list[Send]:
    """The sends of a campaign's plan; a server loop (one group keyed ``loop:…``) expanded to
    its occurrences within the horizon."""
    sends: list[Send] = []
    for group in plan.groups:
        zones = send_zones(plan, group)
        strategy = campaign.strategy
        if group.occurrence.startswith("loop:") and isinstance(strategy, LoopStrategy):
            found = occurrences(strategy, campaign.timezone, after=now, until_instant=now + horizon)
            instants = [o.instant for o in found] or [group.at]
            sends += [Send(group.occurrence, at, group.execute, zones) for at in instants]
        else:
            sends.append(Send(group.occurrence, group.at, group.execute, zones))
    loop = campaign.strategy
    if not sends and isinstance(loop, LoopStrategy) and plan.action != "cancel":
        # A loop whose next occurrence is beyond the horizon: that one, at least.
        following = next_occurrence(loop, campaign.timezone, now)
        if following is not None:
            zones = (
                tuple(sorted(plan.audience.zones.items()))
                if plan.audience.zones
                else ((plan.timezone, plan.audience.targets),)
            )
            execute = campaign.execute() or "now"
            sends.append(Send(following.key, following.instant, execute, zones))
    return sends


def in_window(window: DailyWindow, clock: time) -> bool:
    """Whether a wall-clock time is inside a daily window (``to`` exclusive; midnight crossed
    when ``to`` < ``from``)."""
    start, end = window.from_, window.to
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def local(at: datetime, zone: str) -> datetime:
    return at.astimezone(ZoneInfo(zone))


def shown(at: datetime, zone: str) -> str:
    """``2026-11-22 23:30 Asia/Shanghai``."""
    value = local(at, zone)
    clock = "%H:%M:%S" if value.second else "%H:%M"
    return f"{value.strftime('%Y-%m-%d ' + clock)} {zone}"


def span(start: datetime, end: datetime, zone: str) -> str:
    """``2026-12-20 00:00 – 2027-01-04 00:00 Asia/Shanghai``."""
    return f"{shown(start, zone).removesuffix(' ' + zone)} – {shown(end, zone)}"


def hours(window: DailyWindow) -> str:
    """``22:00–08:00``."""
    return f"{_clock(window.from_)}–{_clock(window.to)}"


def _clock(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def breaches(
    sends: Sequence[Send], window: DailyWindow, *, inside: bool, zone: str | None
) -> list[Breach]:
    """Sends whose local time is inside (``inside``) or outside the window, read in ``zone`` or
    in the zones of their targets."""
    found = []
    for send in sends:
        places = ((zone, _total(send)),) if zone else send.zones
        for where, targets in places:
            if in_window(window, local(send.at, where).time()) == inside:
                found.append(Breach(send, where, targets))
    return found


def _total(send: Send) -> int | None:
    counts = [targets for _, targets in send.zones]
    return None if None in counts else sum(c for c in counts if c is not None)


def targets_phrase(targets: int | None) -> str:
    if targets is None:
        return "the targets the service expands"
    return f"{number(targets)} target{'' if targets == 1 else 's'}"


def breach_text(breach: Breach) -> str:
    """``occurrence 2026-11-23T23:00 at 2026-11-23 23:00 Asia/Shanghai`` (``the send now at …``)."""
    send = breach.send
    what = "the send now" if send.now else f"occurrence {send.occurrence}"
    return f"{what} at {shown(send.at, breach.zone)}"


def more(found: Sequence[object]) -> str:
    rest = len(found) - 1
    return f"; {rest} more send{'' if rest == 1 else 's'} too" if rest else ""


def freeze_instants(
    campaign: Campaign, sends: Sequence[Send], window: FreezeWindow, *, now: datetime
) -> list[tuple[str, datetime, bool]]:
    """``(occurrence, instant, now)`` of the campaign's sends inside a freeze window: the plan's,
    and every later loop occurrence in the window however far ahead (the window is bounded)."""
    start, end = window.start(), window.end()
    found = [(s.occurrence, s.at, s.now) for s in sends if start <= s.at < end]
    strategy = campaign.strategy
    if isinstance(strategy, LoopStrategy) and sends:
        seen = {at for _, at, _ in found}
        after = max(now, start - timedelta(microseconds=1))
        for occurrence in occurrences(strategy, campaign.timezone, after=after, until_instant=end):
            if occurrence.instant < end and occurrence.instant not in seen:
                found.append((occurrence.key, occurrence.instant, False))
    return sorted(found, key=lambda item: item[1])
