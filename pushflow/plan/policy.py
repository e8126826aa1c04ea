"""The project's policy (``policy:`` in ``pushflow.yaml``) evaluated against a plan.

Plan building runs it once every campaign is compiled, so ``pushflow plan`` and ``pushflow
apply`` (which makes its plan the same way) both fail on a violation, with the rule's name, the
campaign's ``file:line:col`` (of the strategy or audience key that breaks it), and the instant,
zone and targets concerned; nothing is sent. The rules (docs/policy.md):

- ``policy.quiet-hours``, ``policy.freeze-window``, ``policy.vendor-window``: when a campaign
  sends (:mod:`pushflow.plan.policy_windows`; the vivo classes in :mod:`.policy_vendors`);
- ``policy.max-audience``: how many it reaches without ``confirm_large: true``;
- ``policy.frequency-cap``: how often one target is reached across campaigns and the state's
  history (:mod:`pushflow.plan.policy_frequency`).

Campaigns the plan leaves unchanged were checked when applied and are not checked again, but
their sends count towards the frequency cap. A rule a campaign passed is kept in its plan
(``CampaignPlan.policy``), so the views can say what was checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pushflow.ledger import Ledger
from pushflow.plan.model import CampaignPlan
from pushflow.plan.policy_frequency import Counted, Event, Excess, check_frequency
from pushflow.plan.policy_subject import FREQUENCY_CAP, MAX_AUDIENCE, Subject, Verdict
from pushflow.plan.policy_time import Send, campaign_sends, shown
from pushflow.plan.policy_windows import freeze_windows, quiet_hours, vendor_windows
from pushflow.plan.views_summary import number
from pushflow.spec.policy import Policy
from pushflow.spec.units import format_duration


def check_policy(
    policy: Policy,
    subjects: Sequence[Subject],
    *,
    ledger: Ledger | None,
    now: datetime,
    horizon: timedelta,
    at_apply: bool,
) -> Verdict:
    """Evaluate every rule of ``policy`` on the campaigns of a plan."""
    verdict = Verdict()
    sends = {
        s.plan.name: campaign_sends(s.loaded.campaign, s.plan, now=now, horizon=horizon)
        for s in subjects
    }
    for subject in subjects:
        if not subject.changed:
            continue
        own = sends[subject.plan.name]
        if policy.quiet_hours is not None:
            quiet_hours(policy, subject, own, verdict, at_apply)
        if policy.freeze_windows:
            freeze_windows(policy, subject, own, verdict, now=now, at_apply=at_apply)
        if policy.vendor_windows is not None:
            vendor_windows(policy, subject, own, verdict, at_apply)
        if policy.max_audience is not None:
            _max_audience(policy.max_audience, subject, verdict)
    if policy.frequency_cap is not None:
        _frequency(policy, subjects, sends, verdict, ledger)
    return verdict


def with_checks(plans: Sequence[CampaignPlan], verdict: Verdict) -> list[CampaignPlan]:
    """The plans with the rules each passed, a warning for each rule that only warned."""
    updated = []
    for plan in plans:
        checks = verdict.checks.get(plan.name, [])
        if not checks:
            updated.append(plan)
            continue
        warned = [f"{c.rule}: {c.detail}" for c in checks if c.outcome == "warning"]
        update = {"policy": checks, "warnings": [*plan.warnings, *warned]}
        updated.append(plan.model_copy(update=update))
    return updated


def _max_audience(limit: int, subject: Subject, verdict: Verdict) -> None:
    size = subject.size
    confirmed = subject.loaded.campaign.confirm_large
    kind = subject.plan.audience.kind
    if size is not None and size <= limit:
        verdict.add(subject, MAX_AUDIENCE, "pass", None)
        return
    if size is None:
        what = f"audience kind {kind} is expanded by the service: its size cannot be checked"
    else:
        what = f"the audience has {number(size)} targets, more than max_audience {number(limit)}"
    if confirmed:
        verdict.add(subject, MAX_AUDIENCE, "exempt", f"{what}; confirm_large: true")
        return
    verdict.fail(
        subject.audience_key(), MAX_AUDIENCE, f"{what}: set `confirm_large: true` to send it"
    )


def _frequency(
    policy: Policy,
    subjects: Sequence[Subject],
    sends: dict[str, list[Send]],
    verdict: Verdict,
    ledger: Ledger | None,
) -> None:
    cap = policy.frequency_cap
    assert cap is not None
    counted = []
    for subject in subjects:
        name = subject.plan.name
        if subject.size is None:
            if not subject.changed:
                continue
            what = f"audience kind {subject.plan.audience.kind} is expanded by the service"
            if cap.unlisted == "refuse":
                verdict.fail(
                    subject.locate(("audience", "kind")),
                    FREQUENCY_CAP,
                    f"{what}: its targets cannot be counted against the frequency cap "
                    "(unlisted: refuse)",
                )
            else:
                verdict.add(subject, FREQUENCY_CAP, "exempt", f"{what}: not counted")
            continue
        if subject.zone_ids:  # local time: a target is sent only its own zone's occurrences
            for zone, ids in subject.zone_ids.items():
                mine = [s for s in sends[name] if s.occurrence.endswith(f"@{zone}")]
                counted.append(Counted(name, ids, _planned_events(subject, mine)))
            continue
        if subject.ids is None:
            continue
        counted.append(Counted(name, subject.ids, _planned_events(subject, sends[name])))
    found = check_frequency(cap, counted, ledger, [s.plan.name for s in subjects])
    per = format_duration(cap.per)
    for subject in subjects:
        if not subject.changed or subject.size is None:
            continue
        excess = found.get(subject.plan.name)
        if excess is None:
            verdict.add(subject, FREQUENCY_CAP, "pass", None)
            continue
        verdict.fail(subject.when(), FREQUENCY_CAP, _excess_text(excess, cap.max, per))


def _planned_events(subject: Subject, sends: Sequence[Send]) -> tuple[Event, ...]:
    """One event per send of the campaign."""
    changed = subject.changed
    name = subject.plan.name
    return tuple(sorted({Event(send.at, name, send.occurrence, changed=changed) for send in sends}))


def _excess_text(excess: Excess, limit: int, per: str) -> str:
    sends = ", ".join(
        f"{e.campaign} {shown(e.at, 'UTC')}" + ("" if e.planned else " (in the state)")
        for e in excess.window
    )
    count = f"{number(excess.targets)} target{'' if excess.targets == 1 else 's'}"
    return (
        f"{count} would receive more than {limit} send{'' if limit == 1 else 's'} within {per} "
        "(frequency cap), "
        f"e.g. {excess.example}: {sends}"
    )
