"""``pushflow apply``: act on the plan — record what was reviewed, send what is due now, hand the
rest to the daemon or the service, cancel what was removed.

Per campaign of the plan (acting only on what the plan says; a saved plan whose campaigns,
audiences or state changed since is refused by :mod:`pushflow.apply.saved`):

- ``unchanged``: nothing;
- every other action records the revision in the ledger first (what was reviewed);
- ``send`` (a ``now`` campaign): the occurrence ``now`` is sent, claim → call → record
  (:mod:`pushflow.apply.occurrence`);
- ``schedule`` with ``execute: local``: the schedule is recorded for ``pushflow daemon``; for
  local-time delivery with the audience's time zones (the daemon fires one occurrence per zone),
  and a local-time ``at`` already due in some zones is sent in those zones now (within the
  campaign's ``catch_up`` window; zones later than that are recorded ``missed``);
- ``schedule`` with ``execute: server``: the scheduled (mPaaS strategyType 1/2) or timed (EMAS
  PushTime) requests are made now, as sends of the occurrence ``server:<occurrence>@<revision>``
  (a changed revision makes new server tasks), their task ids recorded, and the server tasks of
  the campaign's earlier revisions cancelled;
- ``cancel``: the campaign's local schedule and its server tasks are cancelled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pushflow.apply.cancel import cancel_server_tasks
from pushflow.apply.fire import Firing, fire
from pushflow.apply.occurrence import CONCURRENCY, Tally
from pushflow.apply.retry import RetryPolicy
from pushflow.apply.sender import Client, Sender
from pushflow.audience.held import HeldAudience
from pushflow.connect import Connections
from pushflow.ledger import Ledger, new_owner
from pushflow.plan.compile import plan_occurrences
from pushflow.plan.local_time import fires_on_apply, missed_zones
from pushflow.plan.model import CampaignPlan, Execute, Plan
from pushflow.plan.quotas import rates as quota_rates
from pushflow.spec.campaign import EmasCampaign, MpaasCampaign
from pushflow.spec.loader import LoadedCampaign, LoadedProject
from pushflow.spec.message import MpaasTemplateMessage
from pushflow.spec.strategy import LoopStrategy
from pushflow.timing import Occurrence, occurrences
from pushflow.timing.loops import MIN_UTC

Campaign = MpaasCampaign | EmasCampaign


@dataclass
class Applied:
    """The result of an apply: per campaign, and in total."""

    campaigns: dict[str, Tally] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> Tally:
        total = Tally()
        for tally in self.campaigns.values():
            total.add(tally)
        return total


@dataclass
class ApplyOptions:
    lock_timeout: float = 30.0
    concurrency: int = CONCURRENCY
    resend_unknown: bool = False
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    environ: Mapping[str, str] = field(default_factory=dict)
    progress: Callable[[str, Tally], None] = lambda campaign, tally: None


class Applier:
    """Applies one plan to one project's state."""

    def __init__(
        self,
        plan: Plan,
        project: LoadedProject,
        ledger: Ledger,
        options: ApplyOptions,
        *,
        held: HeldAudience | None = None,
    ) -> None:
        self.plan = plan
        #: An audience the project check read, for its campaign's send to take.
        self.held = held
        self.project = project
        self.ledger = ledger
        self.options = options
        self.owner = new_owner()
        self.connections = Connections(project.project.apps, project.root, options.environ)
        self.now = plan.created_at
        self.apps = project.project.apps

    def client(self, app: str) -> Client:
        return self.connections.client(app)

    def sender(self) -> Sender:
        rates = self.project.project.rate_limits
        return Sender(self.client, quota_rates(rates), self.options.retry)

    async def apply(self, loaded: list[LoadedCampaign]) -> Applied:
        result = Applied()
        sender = self.sender()
        by_name = {item.campaign.name: item for item in loaded}
        async with AsyncExitStack() as stack:
            stack.push_async_callback(self._close)
            for planned in self.plan.campaigns:
                if planned.action == "unchanged":
                    continue
                if planned.action == "cancel":
                    result.campaigns[planned.name] = await self._cancel(planned, result)
                    continue
                result.campaigns[planned.name] = await self._campaign(
                    by_name[planned.name], planned, sender, result
                )
        return result

    async def _close(self) -> None:
        await self.connections.aclose()

    async def _cancel(self, planned: CampaignPlan, result: Applied) -> Tally:
        self.ledger.cancel_schedule(planned.name, now=self.now)
        cancelled = await cancel_server_tasks(
            self.ledger, planned.name, self.client, self.apps, keep=None, now=self.now
        )
        result.notes += cancelled.problems
        self.ledger.remove_campaign(planned.name)
        return Tally()

    def _sandbox_template(self, campaign: LoadedCampaign) -> None:
        """In the sandbox the emulator plays the mPaaS console: a template the campaign keeps a
        local copy of is created there, as a user would create it in the console. Real apps
        are never touched: their templates live in the console."""
        message = campaign.campaign.message
        if not isinstance(message, MpaasTemplateMessage) or message.template_text is None:
            return
        connection = self.connections.get(campaign.campaign.app)
        if connection.emulator is None or connection.emulator.template(message.template):
            return
        text = message.template_text
        connection.emulator.add_template(
            {"name": message.template, "title": text.title, "content": text.content}
        )

    async def _campaign(
        self, loaded: LoadedCampaign, planned: CampaignPlan, sender: Sender, result: Applied
    ) -> Tally:
        campaign = loaded.campaign
        self._sandbox_template(loaded)
        spec = campaign.model_dump(mode="json", by_alias=True)
        applied = self.ledger.record_revision(
            campaign.name,
            planned.revision,
            spec,
            audience_digest=planned.audience.digest,
            epoch=campaign.epoch,
            now=self.now,
        )
        zones = sorted(planned.audience.zones or ()) if campaign.local_time() else None
        listed, following, execute = plan_occurrences(
            campaign, now=self.now, horizon=timedelta(0), zones=zones
        )
        if execute == "local":
            trigger = {
                "strategy": spec.get("strategy"),
                "timezone": campaign.timezone,
                "epoch": campaign.epoch,
                # audience paths are relative to the campaign file
                "file": loaded.path.relative_to(self.project.root).as_posix(),
            }
            if zones is not None:
                trigger["zones"] = zones  # the reviewed audience's: one occurrence each
            self.ledger.set_schedule(
                campaign.name,
                applied.id,
                trigger,
                next_fire_at=following.instant if following else None,
                now=self.now,
            )
            result.notes.append(f"{campaign.name}: scheduled for the daemon")
            if zones is None:
                return Tally()
            return await self._due_zones(loaded, listed, zones, applied.id, sender, result)
        self.ledger.cancel_schedule(campaign.name, now=self.now)
        if not listed:
            return Tally()
        occurrence = listed[0]
        key = occurrence.key if execute == "now" else f"server:{occurrence.key}@{planned.revision}"
        self.ledger.record_occurrence(
            campaign.name, key, occurrence.instant, applied.id, now=self.now
        )
        tally = await self._send(loaded, occurrence, key, execute, sender)
        self.ledger.set_occurrence_status(
            campaign.name, key, "done" if tally.ok else "failed", now=self.now
        )
        if execute == "server":
            await self._record_server_tasks(
                campaign.name, key, applied.id, _last_instant(campaign, occurrence)
            )
            cancelled = await cancel_server_tasks(
                self.ledger, campaign.name, self.client, self.apps, keep=key, now=self.now
            )
            result.notes += cancelled.problems
        return tally

    async def _due_zones(
        self,
        loaded: LoadedCampaign,
        listed: list[Occurrence],
        zones: list[str],
        revision_id: int,
        sender: Sender,
        result: Applied,
    ) -> Tally:
        """A local-time ``at`` already due in some zones: send those now (they are within the
        catch-up window, or the plan would not list them); record the later ones ``missed``."""
        campaign = loaded.campaign
        tally = Tally()
        strategy = campaign.strategy
        assert not isinstance(strategy, str)
        missed = missed_zones(campaign, zones, self.now)
        if missed:
            for occurrence in occurrences(strategy, campaign.timezone, after=MIN_UTC, zones=missed):
                self.ledger.record_occurrence(
                    campaign.name,
                    occurrence.key,
                    occurrence.instant,
                    revision_id,
                    status="missed",
                    now=self.now,
                )
        for occurrence in listed:
            if not fires_on_apply(occurrence, self.now):
                continue
            row = self.ledger.record_occurrence(
                campaign.name, occurrence.key, occurrence.instant, revision_id, now=self.now
            )
            if row.status in ("missed", "cancelled"):
                continue
            sent = await self._send(loaded, occurrence, occurrence.key, "local", sender)
            self.ledger.set_occurrence_status(
                campaign.name, occurrence.key, "done" if sent.ok else "failed", now=self.now
            )
            result.notes.append(f"{campaign.name}: {occurrence.key} was due: sent on apply")
            tally.add(sent)
        return tally

    async def _send(
        self,
        loaded: LoadedCampaign,
        occurrence: Occurrence,
        key: str,
        execute: Execute,
        sender: Sender,
    ) -> Tally:
        firing = Firing(
            loaded.campaign, loaded.path, loaded.document.locate, occurrence, key, execute
        )
        name = loaded.campaign.name
        return await fire(
            firing,
            audience=self.held.take(loaded) if self.held is not None else None,
            project=self.project,
            ledger=self.ledger,
            sender=sender,
            owner=self.owner,
            resend_unknown=self.options.resend_unknown,
            concurrency=self.options.concurrency,
            clock=lambda: _utcnow(self.now),
            progress=lambda tally: self.options.progress(name, tally),
        )

    async def _record_server_tasks(
        self, campaign: str, key: str, revision_id: int, fire_at: datetime
    ) -> None:
        after: str | None = None
        while page := self.ledger.sends(campaign, key, states=["sent"], after=after):
            after = page[-1].target
            for send in page:
                task = send.task_id or send.message_id
                if task:
                    self.ledger.record_server_task(
                        campaign,
                        key,
                        revision_id,
                        provider=send.api.split(".")[0],
                        app=self._app_of(campaign),
                        api=send.api,
                        task_id=task,
                        fire_at=fire_at,
                        now=self.now,
                    )

    def _app_of(self, campaign: str) -> str:
        for planned in self.plan.campaigns:
            if planned.name == campaign:
                return planned.app
        return ""


def _last_instant(campaign: Campaign, first: Occurrence) -> datetime:
    """When a server task stops firing: its one occurrence, or a server loop's last one (it is
    cancellable until then; ``until`` is required for server loops)."""
    strategy = campaign.strategy
    if not isinstance(strategy, LoopStrategy):
        return first.instant
    last = first
    for last in occurrences(strategy, campaign.timezone, after=first.instant):  # noqa: B007
        pass
    return last.instant


def _utcnow(floor: datetime) -> datetime:
    """The wall clock, never earlier than the plan's instant (tests freeze the plan's clock)."""
    return max(floor, datetime.now(UTC))
