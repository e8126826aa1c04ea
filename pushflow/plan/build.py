"""Build the plan of a project: validate, then compile every campaign.

Nothing here sends or writes state; a plan is data. Invalid campaigns stop the plan with the same
positioned problems ``pushflow validate`` prints, and so do rendering problems found while
compiling (a title too long for one row of the audience, an undefined column…).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from pushflow.audience import open_audience
from pushflow.connect import use_sandbox
from pushflow.errors import Problem, SpecError
from pushflow.plan.compile import DEFAULT_HORIZON, TargetList, compile_campaign
from pushflow.plan.model import AudienceSummary, CampaignPlan, Plan
from pushflow.render import RenderError, renderer_for
from pushflow.spec.campaign import EmasCampaign
from pushflow.spec.check import check_project
from pushflow.spec.loader import LoadedCampaign, LoadedProject, display_path
from pushflow.spec.project import EmasApp


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
            ),
            audience.rows,
        )


def platforms(loaded: LoadedCampaign, project: LoadedProject) -> tuple[str, ...]:
    """The platforms an EMAS campaign is sent to separately: ``device_type: all`` through an
    app with different Android and iOS AppKeys (EMAS's DeviceType ALL needs one AppKey)."""
    campaign = loaded.campaign
    app = project.project.apps[campaign.app]
    if not isinstance(campaign, EmasCampaign) or not isinstance(app, EmasApp):
        return ()
    if campaign.audience.device_type != "all":
        return ()
    keys = {app.app_keys.get("android"), app.app_keys.get("ios")}
    return ("android", "ios") if len(keys) > 1 else ()


def build_plan(
    paths: Sequence[Path],
    *,
    project_file: Path | None,
    now: datetime,
    horizon: timedelta = DEFAULT_HORIZON,
) -> Plan:
    """The plan for the campaigns in ``paths`` (default: all of the project's)."""
    report = check_project(paths, project_file=project_file, now=now)
    if not report.ok or report.project is None:
        raise SpecError(report.errors)
    project = report.project
    plans: list[CampaignPlan] = []
    problems: list[Problem] = []
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pushflow-plan-")))
        for loaded in report.campaigns:
            campaign = loaded.campaign
            try:
                renderer = renderer_for(campaign, loaded.document.locate)
                with targets_of(loaded, project, workdir) as audience:
                    digest = audience.summary.digest if audience else None
                    plans.append(
                        compile_campaign(
                            campaign,
                            file=display_path(loaded.path),
                            revision=revision(loaded, digest),
                            audience=audience,
                            renderer=renderer,
                            locate=loaded.document.locate,
                            now=now,
                            horizon=horizon,
                            platforms=platforms(loaded, project),
                        )
                    )
            except (RenderError, SpecError) as exc:
                problems.extend(exc.problems)
    if problems:
        raise SpecError(problems)
    apps = {plan.app for plan in plans}
    sandbox = any(use_sandbox(project.project.apps[name], os.environ) for name in apps)
    return Plan(
        created_at=now,
        sandbox=sandbox,
        campaigns=plans,
        changes=any(plan.action != "unchanged" for plan in plans),
    )
