"""One ``pushflow apply``: the plan to act on (made now, or saved and checked fresh), the lock,
and the applier.

A saved plan (``pushflow plan --out plan.json``) is applied only if it still describes the
project: every campaign it would act on has the same revision (spec with defaults, and audience
digest) and the state has not changed since (its ``state_version``). Otherwise it is refused with
what changed; make a new plan.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from pushflow.apply.run import Applied, Applier, ApplyOptions
from pushflow.audience.held import HeldAudience
from pushflow.errors import PushflowError
from pushflow.ledger import Ledger, resolve
from pushflow.plan.build import build_plan
from pushflow.plan.model import Plan
from pushflow.plan.views import load_plan
from pushflow.spec.check import check_project


class StalePlanError(PushflowError):
    """The saved plan no longer describes the project or its state."""


def is_plan_file(paths: Sequence[Path]) -> bool:
    return len(paths) == 1 and paths[0].is_file() and paths[0].suffix == ".json"


def fresh(saved: Plan, current: Plan) -> list[str]:
    """How ``current`` (made now) differs from ``saved`` in what apply would do.

    Every campaign counts, not only those the saved plan acts on: one reviewed as unchanged
    that changed since, or one added since, would otherwise be applied unreviewed.
    """
    reasons = []
    now = {c.name: c for c in current.campaigns}
    before = {c.name for c in saved.campaigns}
    for campaign in saved.campaigns:
        other = now.get(campaign.name)
        if other is None:
            if campaign.action != "unchanged":
                reasons.append(f"campaign {campaign.name} is no longer in the project")
        elif other.revision != campaign.revision:
            reasons.append(
                f"campaign {campaign.name} changed (revision {campaign.revision} → "
                f"{other.revision}: its file or its audience)"
            )
        elif other.action != campaign.action:
            reasons.append(f"campaign {campaign.name} would now {other.action}")
    for campaign in current.campaigns:
        if campaign.name not in before and campaign.action != "unchanged":
            reasons.append(f"campaign {campaign.name} is new since the plan was made")
    if saved.state_version != current.state_version:
        reasons.append(
            f"the state changed since the plan was made (version {saved.state_version} → "
            f"{current.state_version})"
        )
    return reasons


def make_plan(
    paths: Sequence[Path],
    *,
    project_file: Path | None,
    now: datetime,
    environ: Mapping[str, str],
    resend_unknown: bool = False,
) -> Plan:
    """The plan apply acts on: made now from ``paths``, or the saved plan ``paths[0]`` if it
    is still fresh."""
    if not is_plan_file(paths):
        return build_plan(
            list(paths),
            project_file=project_file,
            now=now,
            environ=environ,
            resend_unknown=resend_unknown,
            at_apply=True,
        )
    source = paths[0]
    saved = load_plan(source.read_text(encoding="utf-8"), source=str(source))
    current = build_plan(
        [],
        project_file=project_file,
        now=now,
        environ=environ,
        resend_unknown=resend_unknown,
        at_apply=True,
    )
    reasons = fresh(saved, current)
    if reasons:
        raise StalePlanError(
            f"{source}: the plan is stale, run `pushflow plan` again:\n- " + "\n- ".join(reasons)
        )
    return current


def apply_plan(
    plan: Plan,
    paths: Sequence[Path],
    *,
    project_file: Path | None,
    options: ApplyOptions,
) -> Applied:
    """Apply ``plan`` to the project's state, holding the apply lock.

    The project is checked again first (a file may have changed since the plan was made); the
    check reads the audience of the first campaign sent now into its store, and the send takes
    it from there (:mod:`pushflow.audience.held`: one read of its file, not two).
    """
    targets = [] if is_plan_file(paths) else list(paths)
    first = next((c.name for c in plan.campaigns if c.action == "send"), None)
    with HeldAudience(first) as held:
        report = check_project(
            targets, project_file=project_file, now=plan.created_at, audiences=held.problems
        )
        if report.project is None or not report.ok:
            raise StalePlanError("the project no longer validates: run `pushflow plan` again")
        project = report.project
        url = resolve(project.project.state, project.root, options.environ)
        with Ledger(url) as ledger, ledger.apply_lock(timeout=options.lock_timeout):
            applier = Applier(plan, project, ledger, options, held=held)
            return asyncio.run(applier.apply(report.campaigns))
