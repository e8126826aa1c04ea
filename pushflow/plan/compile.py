"""Compile a validated campaign into its part of the plan: occurrences × audience → call groups.

For each campaign: its occurrences within the horizon (the next one at least), the route (API and
targets per call), every target rendered and checked against its API's limits (errors name the
campaign line and the audience row), the idempotency keys of every send and their digest per
group, and a few rendered samples. The audience is read once, as a sorted, deduplicated stream
that feeds the rendering and the keys of every occurrence together; nothing grows with its size
but the number of occurrences in the horizon.

Local-time delivery (``local_time: true``) lists one occurrence per time zone of the audience
(:func:`pushflow.timing.occurrences` with ``zones``), each a call group of its zone's targets
(``CallGroup.zone``); the audience is read zone by zone, each zone's targets sorted by id, so
each target is still read once. An ``at`` whose instant in a zone has passed when applied is
sent by that apply when it is at most the campaign's ``catch_up`` late (group ``execute: now``),
and not sent at all when later (a warning names the zones).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from pushflow.audience.sources import Row
from pushflow.errors import Location, Problem, SpecError
from pushflow.plan.keys import EVERYONE, msg_keys
from pushflow.plan.local_time import (
    fires_on_apply,
    local_next,
    local_time_occurrences,
    local_warnings,
)
from pushflow.plan.model import AudienceSummary, CallGroup, CampaignPlan, Execute, Sample
from pushflow.plan.routes import Route, route
from pushflow.render import CampaignRenderer, RenderedMessage
from pushflow.spec.campaign import EmasCampaign, MpaasCampaign
from pushflow.spec.strategy import AtStrategy, LoopStrategy
from pushflow.timing import Occurrence, at_occurrence, now_occurrence, occurrences

Campaign = MpaasCampaign | EmasCampaign

#: How far ahead a plan lists local occurrences when not told otherwise.
DEFAULT_HORIZON = timedelta(days=7)
#: APIs that carry one content for all targets of a call: an explicit choice of one of them
#: cannot serve texts that differ per target.
SAME_CONTENT_APIS = frozenset({"template", "continuous", "push"})
#: Rendered messages shown per campaign.
SAMPLES = 3
#: Keys hashed at a time into a group's key digest.
_KEYS_BATCH = 1024


@dataclass(frozen=True)
class TargetList:
    """An audience as compile reads it: the distinct targets, sorted, as a re-readable stream."""

    summary: AudienceSummary
    rows: Callable[[], Iterator[Row]]
    #: The targets of one time zone, sorted (local-time delivery: ``summary.zones`` lists them).
    zone_rows: Callable[[str], Iterator[Row]] | None = None
    #: Local-time delivery: the targets already sent a local-time occurrence's wall-clock time
    #: in another zone (they moved), sorted, by occurrence key; they are not sent again.
    sent_elsewhere: Callable[[str], Iterator[str]] | None = None
    #: The same targets' ids alone, in the same order (cheaper than ``rows``), when known.
    ids: Callable[[], Iterator[str]] | None = None

    def target_ids(self) -> Iterator[str]:
        """The targets' ids, sorted."""
        return self.ids() if self.ids is not None else (row.target for row in self.rows())


def strategy_text(campaign: Campaign) -> str:
    """A reviewer's summary: ``now``, ``at … (zone), server``, ``every week on mon, fri at …``."""
    strategy, zone = campaign.strategy, campaign.timezone or "UTC"
    if isinstance(strategy, str):
        return "now (on apply)"
    where = campaign.execute()
    if strategy.local_time:
        zone = f"each target's time zone, else {zone}"
    if isinstance(strategy, AtStrategy):
        return f"at {strategy.at.isoformat(sep=' ')} ({zone}), {where}"
    days = f" on {', '.join(str(d) for d in strategy.on)}" if strategy.on else ""
    until = f" until {strategy.until}" if strategy.until else ""
    clock = strategy.at.strftime("%H:%M:%S").removesuffix(":00")
    return f"every {strategy.every}{days} at {clock} from {strategy.from_}{until} ({zone}), {where}"


def plan_occurrences(
    campaign: Campaign,
    *,
    now: datetime,
    horizon: timedelta,
    zones: Sequence[str] | None = None,
) -> tuple[list[Occurrence], Occurrence | None, Execute]:
    """The occurrences a plan shows, the next send, and who fires them.

    ``zones`` (local-time delivery): the audience's time zones, one occurrence per zone; a
    zone's ``at`` already due at ``now`` is listed while it is within the catch-up window
    (:func:`fires_on_apply`).
    """
    strategy, zone = campaign.strategy, campaign.timezone
    if isinstance(strategy, str):
        occurrence = now_occurrence(now, zone)
        return [occurrence], occurrence, "now"
    execute: Execute = "server" if campaign.execute() == "server" else "local"
    if campaign.local_time():
        listed = local_time_occurrences(campaign, zones or (), now=now, horizon=horizon)
        return listed, local_next(campaign, zones or (), now, listed), execute
    if isinstance(strategy, AtStrategy):
        occurrence = at_occurrence(strategy, zone)
        upcoming = occurrence.instant > now
        return ([occurrence] if upcoming else []), (occurrence if upcoming else None), execute
    if execute == "server":
        # One server loop task covers every occurrence; the key names the loop.
        following = list(islice(occurrences(strategy, zone, after=now, limit=1), 1))
        first = following[0] if following else None
        key = f"loop:{strategy.from_}..{strategy.until}@{strategy.at.isoformat()}"
        if first is None:
            return [], None, execute
        return [Occurrence(first.instant, first.wall, first.zone, key)], first, execute
    listed = list(occurrences(strategy, zone, after=now, until_instant=now + horizon))
    following = listed[:1] or list(islice(occurrences(strategy, zone, after=now, limit=1), 1))
    return listed, (following[0] if following else None), execute


def _read_targets(
    campaign: Campaign,
    renderer: CampaignRenderer,
    rows: Iterator[Row] | None,
    first: datetime,
    listed: list[Occurrence],
    platforms: tuple[str, ...],
) -> tuple[list[RenderedMessage], list[str]]:
    """One pass over the sorted targets: render each for the next occurrence ``first`` (every
    problem raised as :class:`RenderError`; once for all when the texts are the same for
    everyone), keep a few samples, and digest the key of every send of every listed occurrence.
    """
    fanout: tuple[str | None, ...] = platforms if len(platforms) > 1 else (None,)
    keys = [msg_keys(campaign.name, campaign.epoch, occurrence.key) for occurrence in listed]
    digests = [_KeysDigest() for _ in listed]
    samples: list[RenderedMessage] = []
    if rows is None:
        samples.append(renderer.render(None, first))
        for key, digest in zip(keys, digests, strict=True):
            for platform in fanout:
                digest.add(key(send_target(platform, EVERYONE)))
        return samples, [digest.hexdigest() for digest in digests]
    per_target = renderer.is_per_target
    check = renderer.check
    for row in rows:
        if len(samples) < (SAMPLES if per_target else 1):
            samples.append(renderer.render(row, first))
        elif per_target:
            check(row, first)
        for key, digest in zip(keys, digests, strict=True):
            for platform in fanout:
                digest.add(key(send_target(platform, row.target)))
    return samples, [digest.hexdigest() for digest in digests]


def _read_zoned_targets(
    campaign: Campaign,
    renderer: CampaignRenderer,
    audience: TargetList,
    now: datetime,
    listed: list[Occurrence],
    platforms: tuple[str, ...],
) -> tuple[list[RenderedMessage], list[str], list[int]]:
    """:func:`_read_targets` for local-time delivery: zone by zone, each zone's targets rendered
    for that zone's first listed occurrence and keyed for each of its occurrences, except the
    targets already sent that wall-clock time in another zone; and each occurrence's count."""
    zones = audience.summary.zones or {}
    assert audience.zone_rows is not None
    fanout: tuple[str | None, ...] = platforms if len(platforms) > 1 else (None,)
    digests = [_KeysDigest() for _ in listed]
    counts = [0] * len(listed)
    samples: list[RenderedMessage] = []
    per_target = renderer.is_per_target
    elsewhere = audience.sent_elsewhere or (lambda key: iter(()))
    for zone in zones:
        mine = [(i, o) for i, o in enumerate(listed) if o.zone == zone]
        first = mine[0][1].local if mine else now.astimezone(ZoneInfo(zone))
        keys = [
            (i, msg_keys(campaign.name, campaign.epoch, o.key), _Skip(elsewhere(o.key)))
            for i, o in mine
        ]
        for row in audience.zone_rows(zone):
            if len(samples) < (SAMPLES if per_target else 1):
                samples.append(renderer.render(row, first))
            elif per_target:
                renderer.check(row, first)
            for i, key, skip in keys:
                if skip(row.target):
                    continue
                counts[i] += 1
                for platform in fanout:
                    digests[i].add(key(send_target(platform, row.target)))
    if not samples:
        samples.append(renderer.render(None, now.astimezone(ZoneInfo(campaign.timezone or "UTC"))))
    return samples, [digest.hexdigest() for digest in digests], counts


class _Skip:
    """Whether a target (asked in sorted order) is in a sorted stream: a merge, nothing held."""

    def __init__(self, targets: Iterator[str]) -> None:
        self._targets = targets
        self._next = next(targets, None)

    def __call__(self, target: str) -> bool:
        while self._next is not None and self._next < target:
            self._next = next(self._targets, None)
        return self._next == target


class _KeysDigest:
    """:func:`~pushflow.plan.keys.keys_digest` fed one key at a time (hashed in batches)."""

    __slots__ = ("_digest", "_keys")

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self._keys: list[str] = []

    def add(self, key: str) -> None:
        self._keys.append(key)
        if len(self._keys) >= _KEYS_BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._keys:
            self._digest.update("".join([key + "\n" for key in self._keys]).encode("utf-8"))
            self._keys.clear()

    def hexdigest(self) -> str:
        self._flush()
        return self._digest.hexdigest()[:16]


def _sample(message: RenderedMessage) -> Sample:
    return Sample(
        target=message.target,
        title=message.title or "",
        body=message.body or "",
        values=dict(message.template_key_value),
    )


#: The warning for an audience without targets (not said when every target was already sent).
EMPTY_AUDIENCE = "the audience is empty: nothing to send"


def send_target(platform: str | None, target: str) -> str:
    """The target of one send: the id, prefixed with the platform when one campaign goes out
    through several AppKeys (EMAS ``device_type: all`` with separate Android and iOS apps), so
    each platform's send is its own exactly-once unit."""
    return target if platform is None else f"{platform}:{target}"


def compile_campaign(
    campaign: Campaign,
    *,
    file: str,
    revision: str,
    audience: TargetList | None,
    renderer: CampaignRenderer,
    locate: Callable[[tuple[str | int, ...]], Location],
    now: datetime,
    horizon: timedelta = DEFAULT_HORIZON,
    platforms: tuple[str, ...] = (),
) -> CampaignPlan:
    """The plan of one campaign (action ``send`` or ``schedule``; the ledger diff refines it).

    ``platforms`` lists the AppKeys an EMAS campaign goes out through when there are several
    (``device_type: all`` with separate Android and iOS apps): every call is made once per
    platform.
    """
    if renderer.is_per_target and campaign.api in SAME_CONTENT_APIS:
        texts = sorted(".".join(map(str, path)) for path in renderer.per_target_paths)
        raise SpecError(
            [
                Problem(
                    locate(("api",)),
                    f"api {campaign.api} sends the same content to every target, but "
                    f"{', '.join(texts)} read the audience row: remove `api` or make the text "
                    "the same for all",
                    rule="api-per-target",
                )
            ]
        )
    summary = (
        audience.summary
        if audience
        else AudienceSummary(kind=campaign.audience.kind, source=None, targets=None)
    )
    zones = summary.zones if campaign.local_time() else None
    listed, following, execute = plan_occurrences(
        campaign, now=now, horizon=horizon, zones=list(zones or ())
    )
    chosen: Route = route(campaign, per_target=renderer.is_per_target, targets=summary.targets)
    warnings = _warnings(campaign, chosen, summary, following)
    first = following.local if following else now.astimezone(ZoneInfo(campaign.timezone or "UTC"))
    counts: dict[str, int] = {}
    if zones is not None and audience is not None:
        samples, digests, zoned = _read_zoned_targets(
            campaign, renderer, audience, now, listed, platforms
        )
        counts = {o.key: count for o, count in zip(listed, zoned, strict=True)}
        moved = {o.key: zones.get(o.zone, 0) - counts[o.key] for o in listed}
        warnings += local_warnings(
            campaign, zones, now, listed, {key: n for key, n in moved.items() if n}
        )
    else:
        samples, digests = _read_targets(
            campaign, renderer, audience.rows() if audience else None, first, listed, platforms
        )

    def reached(occurrence: Occurrence) -> int | None:
        return summary.targets if zones is None else counts.get(occurrence.key, 0)

    groups = [
        CallGroup(
            api=chosen.api,
            app=campaign.app,
            occurrence=occurrence.key,
            at=occurrence.instant,
            execute="now" if zones is not None and fires_on_apply(occurrence, now) else execute,
            targets=reached(occurrence) or 0,
            calls=chosen.calls(reached(occurrence)) * max(1, len(platforms)),
            key_digest=digest,
            zone=occurrence.zone if zones is not None else None,
        )
        for occurrence, digest in zip(listed, digests, strict=True)
    ]
    return CampaignPlan(
        name=campaign.name,
        provider=campaign.provider,
        app=campaign.app,
        file=file,
        revision=revision,
        action="send" if execute == "now" else "schedule",
        strategy=strategy_text(campaign),
        audience=summary,
        timezone=campaign.timezone or "UTC",
        groups=groups,
        next_send=following.instant if following else None,
        samples=[_sample(m) for m in samples],
        warnings=warnings,
    )


def _warnings(
    campaign: Campaign,
    chosen: Route,
    summary: AudienceSummary,
    following: Occurrence | None,
) -> list[str]:
    warnings = []
    strategy = campaign.strategy
    if isinstance(strategy, AtStrategy) and following is None and not strategy.local_time:
        warnings.append(f"`at` {strategy.at.isoformat(sep=' ')} is in the past: nothing to send")
    if isinstance(strategy, LoopStrategy) and following is None:
        warnings.append("the loop has no occurrence left: nothing to send")
    if summary.duplicates:
        warnings.append(f"{summary.duplicates} duplicate targets dropped")
    if summary.targets == 0:
        warnings.append(EMPTY_AUDIENCE)
    if chosen.api == "mpaas.PushSimple" and chosen.per_target:
        warnings.append(
            "per-target content through PushSimple takes one call per target: a template "
            "message goes through PushMultiple, 100 targets a call"
        )
    if chosen.api == "mpaas.PushBroadcast" or campaign.audience.kind == "all":
        warnings.append("reaches every device of the app matching the audience filter")
    return warnings
