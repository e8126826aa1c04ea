"""Build the plan of a project: validate, then compile every campaign.

Nothing here sends or writes state; a plan is data. Invalid campaigns stop the plan with the same
positioned problems ``pushflow validate`` prints, and so do rendering problems found while
compiling (a title too long for one row of the audience, an undefined column…).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from pushflow.apply.requests import unsent_keys
from pushflow.audience import Row, open_audience
from pushflow.connect import use_sandbox
from pushflow.errors import Location, Problem, SpecError
from pushflow.plan.compile import DEFAULT_HORIZON, EMPTY_AUDIENCE, TargetList, compile_campaign
from pushflow.plan.diff import State, changed_keys, read_state
from pushflow.plan.keys import EVERYONE
from pushflow.plan.model import AudienceSummary, CampaignPlan, Plan
from pushflow.plan.policy import check_policy, with_checks
from pushflow.plan.policy_frequency import IdSpool
from pushflow.plan.policy_subject import Subject
from pushflow.plan.quotas import estimated_seconds, pending_server_tasks, push_to_all_spacing
from pushflow.render import RenderError, renderer_for
from pushflow.spec.campaign import EmasCampaign, MpaasCampaign
from pushflow.spec.check import check_project
from pushflow.spec.loader import LoadedCampaign, LoadedProject, display_path
from pushflow.spec.project import EmasApp
from pushflow.timing.occurrence import NOW_KEY


def revision(loaded: LoadedCampaign, audience_digest: str | None) -> str:
    """What was reviewed: the campaign as validated (defaults merged) and its audience."""
    spec = loaded.campaign.model_dump(mode="json", by_alias=True)
    text = json.dumps({"spec": spec, "audience": audience_digest}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@contextmanager
def targets_of(
    loaded: LoadedCampaign, project: LoadedProject, workdir: Path
) -> Iterator[TargetList | None]:
    """The campaign's audience as compile reads it (None for tag, all and broadcast)."""
    with open_audience(loaded, project.root, workdir=workdir) as audience:
        if not audience.listed:
            yield None
            return
        audience.check()  # bad rows stop the plan, each at its row
        summary = audience.summary
        yield TargetList(
            AudienceSummary(
                kind=loaded.campaign.audience.kind,
                source=summary.source,
                targets=summary.targets,
                duplicates=summary.duplicates,
                digest=summary.digest,
                zones=summary.zones,
            ),
            audience.rows,
            zone_rows=audience.rows if summary.zones is not None else None,
            ids=audience.ids,
        )


def platforms(campaign: Campaign, project: LoadedProject) -> tuple[str, ...]:
    """The platforms an EMAS campaign is sent to separately: ``device_type: all`` through an
    app with different Android and iOS AppKeys (EMAS's DeviceType ALL needs one AppKey)."""
    app = project.project.apps[campaign.app]
    if not isinstance(campaign, EmasCampaign) or not isinstance(app, EmasApp):
        return ()
    if campaign.audience.device_type != "all":
        return ()
    keys = {app.app_keys.get("android"), app.app_keys.get("ios")}
    return ("android", "ios") if len(keys) > 1 else ()


Campaign = MpaasCampaign | EmasCampaign


def unsent(rows: Iterator[Row], done: Iterator[str]) -> Iterator[Row]:
    """``rows`` (sorted by id) without the ids in ``done`` (sorted the same way): a merge, so
    neither side is held in memory."""
    pending = next(done, None)
    for row in rows:
        while pending is not None and pending < row.target:
            pending = next(done, None)
        if pending != row.target:
            yield row


def unsent_ids(ids: Iterator[str], done: Iterator[str]) -> Iterator[str]:
    """:func:`unsent` of ids alone."""
    pending = next(done, None)
    for target in ids:
        while pending is not None and pending < target:
            pending = next(done, None)
        if pending != target:
            yield target


def against_state(
    loaded: LoadedCampaign,
    audience: TargetList | None,
    state: State,
    platforms: tuple[str, ...] = (),
) -> tuple[TargetList | None, list[str]]:
    """The audience left to send and what differs from the applied revision. A campaign sent
    once per platform (``platforms``) counts a target sent when every platform's send is."""
    campaign = loaded.campaign
    applied = state.revisions.get(campaign.name)
    if applied is None:
        return audience, ["new campaign"]
    spec = campaign.model_dump(mode="json", by_alias=True)
    diff = [f"changed: {', '.join(keys)}"] if (keys := changed_keys(applied.spec, spec)) else []
    if applied.epoch != campaign.epoch:
        return audience, [*diff, f"epoch {applied.epoch} → {campaign.epoch}: everything is resent"]
    if campaign.local_time() and audience is not None:
        # A target that moved zone after its send is not sent that wall-clock time again.
        moved = functools.partial(state.done_in_other_zones, campaign.name)
        return dataclasses.replace(audience, sent_elsewhere=moved), diff
    if campaign.strategy != "now" or audience is None:
        return audience, diff
    # A `now` campaign sends once per epoch: only targets without a send are left.
    name = campaign.name

    def rows() -> Iterator[Row]:
        return unsent(audience.rows(), state.done_on_every(name, NOW_KEY, platforms))

    def ids() -> Iterator[str]:
        return unsent_ids(audience.target_ids(), state.done_on_every(name, NOW_KEY, platforms))

    left = sum(1 for _ in ids())
    total = audience.summary.targets or 0
    diff.append(f"{total - left} targets already sent, {left} new")
    summary = audience.summary.model_copy(update={"targets": left})
    return TargetList(summary, rows, ids=ids), diff


def unchanged(
    state: State, name: str, this: str, plan: CampaignPlan, *, everyone_done: bool
) -> bool:
    """Whether applying would do nothing: a ``now`` campaign with no send left to make (a
    failed one is left: the next apply retries it), or a scheduled one at the applied revision.
    """
    applied = state.revisions.get(name)
    if applied is None:
        return False
    if plan.action != "send":
        return applied.digest == this
    if everyone_done:  # broadcast, tag, all: the one send to everyone
        return any(target == EVERYONE for target in state.done(name, NOW_KEY))
    return not any(group.targets for group in plan.groups)


def removed(state: State, present: set[str]) -> list[CampaignPlan]:
    """Campaigns the state has applied that the project no longer holds: to cancel."""
    plans = []
    for name, applied in sorted(state.revisions.items()):
        if name in present:
            continue
        spec = applied.spec
        audience = spec.get("audience") or {}
        plans.append(
            CampaignPlan(
                name=name,
                provider=spec.get("provider", "mpaas"),
                app=str(spec.get("app", "")),
                file="(removed from the project)",
                revision=applied.digest,
                action="cancel",
                strategy="(its scheduled work is cancelled)",
                audience=AudienceSummary(
                    kind=str(audience.get("kind", "")), source=None, targets=None
                ),
                diff=["removed: scheduled work, local and server-side, is cancelled"],
            )
        )
    return plans


def build_plan(
    paths: Sequence[Path],
    *,
    project_file: Path | None,
    now: datetime,
    horizon: timedelta = DEFAULT_HORIZON,
    environ: Mapping[str, str] | None = None,
    resend_unknown: bool = False,
    at_apply: bool = False,
) -> Plan:
    """The plan for the campaigns in ``paths`` (default: all of the project's), compared with
    the project's state. ``at_apply``: the plan apply acts on now, so a ``now`` send breaking a
    time rule of the policy fails it (a plan made ahead of apply only warns)."""
    environ = os.environ if environ is None else environ
    report = check_project(paths, project_file=project_file, now=now)
    if not report.ok or report.project is None:
        raise SpecError(report.errors)
    project = report.project
    plans: list[CampaignPlan] = []
    problems: list[Problem] = []
    rates = project.project.rate_limits
    policy = project.project.policy
    subjects: list[Subject] = []
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pushflow-plan-")))
        spool = IdSpool(workdir) if policy.frequency_cap is not None else None
        state = stack.enter_context(
            read_state(project.project.state, project.root, environ, resend_unknown=resend_unknown)
        )
        for loaded in report.campaigns:
            campaign = loaded.campaign
            try:
                renderer = renderer_for(campaign, loaded.document.locate)
                with targets_of(loaded, project, workdir) as audience:
                    digest = audience.summary.digest if audience else None
                    this = revision(loaded, digest)
                    left, diff = against_state(
                        loaded, audience, state, platforms(loaded.campaign, project)
                    )
                    plan = compile_campaign(
                        campaign,
                        file=display_path(loaded.path),
                        revision=this,
                        audience=left,
                        renderer=renderer,
                        locate=loaded.document.locate,
                        now=now,
                        horizon=horizon,
                        platforms=platforms(loaded.campaign, project),
                    )
                    size = audience.summary.targets if audience else None
                    if size and left is not None and left.summary.targets == 0:
                        # Every target was sent already (the diff says so): not an empty list.
                        kept = [w for w in plan.warnings if w != EMPTY_AUDIENCE]
                        plan = plan.model_copy(update={"warnings": kept})
                    ids = spool.write(left.target_ids()) if spool and left else None
                    zone_ids = None
                    if spool and left and left.zone_rows and left.summary.zones:
                        zone_rows = left.zone_rows
                        zone_ids = {
                            zone: spool.write(row.target for row in zone_rows(zone))
                            for zone in sorted(left.summary.zones)
                        }
                if unchanged(state, campaign.name, this, plan, everyone_done=left is None):
                    plan = plan.model_copy(update={"action": "unchanged"})
                dropped = [
                    f"{key} is set, but {group_api} has no parameter for it: it is not sent"
                    for group_api in {group.api for group in plan.groups}
                    for key in unsent_keys(campaign, group_api)
                ]
                unknown = state.unknown_warning(campaign.name)
                plan = plan.model_copy(
                    update={
                        "diff": diff,
                        "estimated_seconds": estimated_seconds(plan, rates),
                        "warnings": [*plan.warnings, *dropped, *([unknown] if unknown else [])],
                    }
                )
                plans.append(plan)
                subjects.append(Subject(loaded, plan, size, ids, zone_ids))
            except (RenderError, SpecError) as exc:
                problems.extend(exc.problems)
        if not paths:  # a partial plan cannot tell a removed campaign from one not named
            plans += removed(state, {loaded.campaign.name for loaded in report.campaigns})
        where = {
            loaded.campaign.name: loaded.document.locate(("strategy",))
            for loaded in report.campaigns
        }
        problems += pending_server_tasks(plans, _pending_tasks(state), where)
        problems += push_to_all_spacing(_pushes_to_all(report.campaigns, plans, project))
        if not problems and not policy.empty:
            verdict = check_policy(
                policy,
                subjects,
                ledger=state.ledger,
                now=now,
                horizon=horizon,
                at_apply=at_apply,
            )
            problems += verdict.problems
            plans = with_checks(plans, verdict)
    if problems:
        raise SpecError(problems)
    apps = {plan.app for plan in plans if plan.app in project.project.apps}
    sandbox = any(use_sandbox(project.project.apps[name], environ) for name in apps)
    return Plan(
        created_at=now,
        sandbox=sandbox,
        state=state.where,
        state_version=state.version,
        campaigns=plans,
        changes=any(plan.action != "unchanged" for plan in plans),
    )


def _pending_tasks(state: State) -> int:
    if state.ledger is None:
        return 0
    return sum(1 for task in state.ledger.server_tasks() if task.provider == "mpaas")


def _pushes_to_all(
    campaigns: Sequence[LoadedCampaign], plans: Sequence[CampaignPlan], project: LoadedProject
) -> Iterator[tuple[str, str, str, datetime, Location]]:
    by_name = {plan.name: plan for plan in plans}
    for loaded in campaigns:
        campaign = loaded.campaign
        app = project.project.apps[campaign.app]
        if not isinstance(campaign, EmasCampaign) or campaign.audience.kind != "all":
            continue
        if not isinstance(app, EmasApp):
            continue
        plan = by_name.get(campaign.name)
        if plan is None or plan.action == "unchanged":
            continue
        device = campaign.audience.device_type
        platforms_: tuple[Literal["android", "ios", "harmony"], ...] = (
            ("android", "ios") if device == "all" else (device,)
        )
        where = loaded.document.locate(("audience", "kind"))
        for group in plan.groups:
            for platform in platforms_:
                key = str(app.app_keys.get(platform, ""))
                yield key, platform, campaign.message.kind, group.at, where
