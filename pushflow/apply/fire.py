"""Fire one occurrence of one campaign: read its audience, render, route, and send every chunk
through claim → call → record (:mod:`pushflow.apply.occurrence`).

Apply fires ``now`` occurrences and server-side scheduling requests; ``pushflow daemon`` fires
local schedules — the same path, so both share the exactly-once guarantee. Unknown sends are
looked up on the service first, and again after the claim pass when calls of this run ended
unknown (:mod:`pushflow.apply.resolve`). The campaign given is
the one that was reviewed and applied (the daemon rebuilds it from the recorded revision, never
from the working tree).

A local-time occurrence (key ``2026-12-01T09:00@Europe/Berlin``) sends to the targets of its zone
only: the audience is read with each target's zone and only that zone's targets are chunked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pushflow.apply import collector
from pushflow.apply.calls import Batch, Call
from pushflow.apply.occurrence import CONCURRENCY, OccurrenceRun, Tally
from pushflow.apply.requests import calls_in, continuous_message
from pushflow.apply.resolve import Resolver
from pushflow.apply.sender import Sender
from pushflow.audience import Audience, Row, read_audience
from pushflow.audience.zones import zone_column
from pushflow.errors import Location, PushflowError
from pushflow.ledger import Ledger
from pushflow.plan.build import platforms
from pushflow.plan.model import Execute
from pushflow.plan.routes import route
from pushflow.render import renderer_for
from pushflow.spec.campaign import EmasCampaign, MpaasCampaign
from pushflow.spec.loader import LoadedProject
from pushflow.timing import Occurrence
from pushflow.timing.occurrence import send_key, split_local_key

Campaign = MpaasCampaign | EmasCampaign
Locate = Callable[[tuple[str | int, ...]], Location]


@dataclass(frozen=True)
class Firing:
    """What to send: a campaign (as applied), its file (audience paths are relative to it),
    where its values were written (for error messages), and the occurrence with its key."""

    campaign: Campaign
    path: Path
    locate: Locate
    occurrence: Occurrence
    key: str
    execute: Execute


async def fire(
    firing: Firing,
    *,
    audience: Audience | None = None,
    project: LoadedProject,
    ledger: Ledger,
    sender: Sender,
    owner: str,
    resend_unknown: bool = False,
    concurrency: int = CONCURRENCY,
    clock: Callable[[], datetime],
    progress: Callable[[Tally], None] = lambda tally: None,
) -> Tally:
    """Send ``firing``'s occurrence to every target that has no send yet.

    ``audience``: the campaign's audience already read (by apply's project check, which read it
    with the same campaign, zones and project); it is closed here. None: it is read now.
    """
    campaign, occurrence = firing.campaign, firing.occurrence
    app = project.project.apps[campaign.app]
    renderer = renderer_for(campaign, firing.locate)
    local = occurrence.local
    audience_locate = lambda path: firing.locate(("audience", *path))  # noqa: E731
    zones = zone_column(campaign)
    zone = split_local_key(firing.key)[1] if zones is not None else None
    if zones is not None and zone is None:
        raise PushflowError(
            f"{campaign.name}: occurrence {firing.key} names no time zone, but the campaign "
            "sends in each target's local time (occurrences key@zone)"
        )
    with (
        collector.sending(),
        audience
        if audience is not None
        else read_audience(
            campaign.audience, firing.path, project.root, locate=audience_locate, zones=zones
        ) as audience,
    ):
        audience.check()
        chosen = route(
            campaign, per_target=renderer.is_per_target, targets=audience.summary.targets
        )
        shared = None if renderer.is_per_target else renderer.render(None, local)

        def chunks() -> Iterator[list[Row] | None]:
            if not audience.listed or chosen.per_call is None:
                yield None
                return
            yield from audience.chunks(chosen.per_call, zone)

        # One batch per platform for the whole occurrence: what every call shares is
        # converted once (``Batch.memo``), not once per chunk.
        batches: dict[str | None, Batch] = {}

        def build(rows: list[Row] | None, platform: str | None) -> list[Call]:
            messages = [shared] if shared is not None else renderer.render_rows(rows or [], local)
            batch = batches.get(platform)
            if batch is None:
                batch = batches[platform] = Batch(
                    campaign, app, occurrence, firing.execute, platform, msg_key=claimed_keys
                )
            return calls_in(batch, route=chosen, rows=rows, messages=messages)

        def stored(platform: str | None, part: int) -> Call:
            message = shared if shared is not None else renderer.render(None, local)
            return continuous_message(
                campaign,
                app=app,
                occurrence=occurrence,
                execute=firing.execute,
                message=message,
                platform=platform,
                part=part,
            )

        reach = platforms(campaign, project) or (None,)
        idempotent = chosen.api in ("emas.Push", "emas.MassPush")
        run = OccurrenceRun(
            ledger,
            sender,
            owner,
            campaign.name,
            campaign.epoch,
            firing.key,
            chosen.api,
            reach,
            idempotent=idempotent,
            resend_unknown=resend_unknown,
            concurrency=concurrency,
            clock=clock,
            progress=progress,
        )
        # A call takes the msgKeys its claim computed where both name the send alike: the
        # ledger's key of a server-side send is ``server:<occurrence>@<revision>``, while its
        # msgKeys on the wire (and in the plan) are the occurrence's own.
        same_keys = send_key(firing.key) == send_key(occurrence.key)
        claimed_keys = run.msg_key if same_keys else None
        resolver = Resolver(
            ledger,
            sender,
            campaign.name,
            firing.key,
            chosen.api,
            firing.execute,
            reach,
            chunks,
            build,
            clock,
            idempotent=idempotent,
        )
        found = (await resolver.resolve(settle=True)).found
        continuous = chosen.api == "emas.ContinuouslyPush"
        tally = await run.run(chunks(), build, stored if continuous else None)
        if tally.unknown:  # calls of this run that got no answer: look them up now
            late = await resolver.resolve(owner=owner)
            tally.unknown -= min(late.mine, tally.unknown)
            found += late.found
        tally.resolved += found
        return tally
