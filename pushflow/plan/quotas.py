"""Service quotas a plan must respect, checked before anything is sent.

- **QPS**: every API has a calls-per-second limit per app; the plan estimates how long its calls
  take at those rates (``rate_limits`` in ``pushflow.yaml`` override the defaults below). The
  apply stage enforces the same numbers with a token bucket.
- **pending server tasks** (mPaaS): at most 100 scheduled tasks may wait on the service; a plan
  whose server-side schedules (plus those the state already holds) exceed that fails.
- **push-to-all** (EMAS): per AppKey and device type, pushes to all devices must be at least 1 s
  apart and at most 10 notices / 30 messages in any 10 minutes; a plan that schedules more fails.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import cast

from pushflow.errors import Location, Problem
from pushflow.plan.model import CampaignPlan
from pushflow.spec.project import ApiName

#: Calls per second per app when the project sets none. EMAS MassPush and ContinuouslyPush:
#: 500/s (the EMAS quota table, as the emulator's --quotas enforces it). The others have no
#: published figure in the references; 100/s is pushflow's conservative default.
DEFAULT_QPS: Mapping[ApiName, float] = {
    "emas.MassPush": 500.0,
    "emas.ContinuouslyPush": 500.0,
    "emas.Push": 100.0,
    "mpaas.PushSimple": 100.0,
    "mpaas.PushTemplate": 100.0,
    "mpaas.PushMultiple": 100.0,
    "mpaas.PushBroadcast": 100.0,
}
#: mPaaS: scheduled tasks pending at once (the emulator enforces the same number).
MPAAS_PENDING_TASKS_MAX = 100
#: EMAS push-to-all: per AppKey and device type, in any 10 minutes.
EMAS_ALL_WINDOW = timedelta(minutes=10)
EMAS_ALL_MAX = {"notice": 10, "message": 30}


def qps(api: ApiName, overrides: Mapping[ApiName, float]) -> float:
    return overrides.get(api, DEFAULT_QPS[api])


def estimated_seconds(campaign: CampaignPlan, overrides: Mapping[ApiName, float]) -> float:
    """Time the listed groups' calls take at the QPS limits (calls of one group go back to back;
    groups of different occurrences do not overlap)."""
    return sum(group.calls / qps(group.api, overrides) for group in campaign.groups)


def pending_server_tasks(
    campaigns: Iterable[CampaignPlan], already: int, where: Mapping[str, Location]
) -> list[Problem]:
    """A problem per campaign that pushes the mPaaS pending-task count past the limit."""
    problems = []
    total = already
    for campaign in campaigns:
        if campaign.provider != "mpaas" or campaign.action != "schedule":
            continue
        total += sum(g.calls for g in campaign.groups if g.execute == "server")
        if total > MPAAS_PENDING_TASKS_MAX:
            problems.append(
                Problem(
                    where[campaign.name],
                    f"mPaaS would hold {total} pending scheduled tasks ({already} already in "
                    f"the state); it keeps at most {MPAAS_PENDING_TASKS_MAX}: use `execute: "
                    "local` or fewer server-side calls",
                    rule="mpaas-pending-tasks",
                )
            )
    return problems


def push_to_all_spacing(
    pushes: Iterable[tuple[str, str, str, datetime, Location]],
) -> list[Problem]:
    """``pushes``: (AppKey, device type, notice|message, instant, where) of every EMAS push to
    all devices in the plan. A problem where one would break the 1 s or 10-minute rules."""
    by_key: dict[tuple[str, str, str], list[tuple[datetime, Location]]] = defaultdict(list)
    for app_key, device_type, kind, instant, where in pushes:
        by_key[(app_key, device_type, kind)].append((instant, where))
    problems = []
    for (app_key, device_type, kind), items in sorted(by_key.items()):
        items.sort(key=lambda item: item[0])
        limit = EMAS_ALL_MAX[kind]
        for index, (instant, where) in enumerate(items):
            earlier = [t for t, _ in items[:index] if instant - t < EMAS_ALL_WINDOW]
            if earlier and instant - earlier[-1] < timedelta(seconds=1):
                problems.append(
                    Problem(
                        where,
                        f"pushes to all {device_type} devices of AppKey {app_key} must be at "
                        f"least 1 s apart; this one is at {instant.isoformat()}",
                        rule="emas-push-all-spacing",
                    )
                )
            elif len(earlier) + 1 > limit:
                problems.append(
                    Problem(
                        where,
                        f"at most {limit} {kind}s to all {device_type} devices of AppKey "
                        f"{app_key} in 10 minutes; this would be number {len(earlier) + 1}",
                        rule="emas-push-all-rate",
                    )
                )
    return problems


def rates(overrides: Mapping[ApiName, float]) -> Callable[[str, str], float]:
    """Calls per second for ``(app, api)``, as a :class:`~pushflow.apply.sender.Sender` asks:
    the project's ``rate_limits``, else the defaults (the same for every app)."""
    return lambda _app, api: qps(cast(ApiName, api), overrides)
