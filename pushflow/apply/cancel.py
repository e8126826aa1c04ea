"""Cancel work a campaign scheduled on the service: mPaaS scheduled tasks (CancelPushScheduler)
and EMAS timed pushes (CancelPush), as recorded in the ledger's server tasks.

The occurrence a task belongs to (``server:<occurrence>@<revision>``) was marked ``done`` when
its scheduling call succeeded; once every task of it is cancelled, nothing will be pushed from
it, so it is marked ``cancelled`` too (``pushflow history`` shows it so).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from pushflow.ledger import Ledger
from pushflow.providers import EmasClient, MpaasClient, ProviderError
from pushflow.providers.emas_models import CancelPushRequest
from pushflow.providers.mpaas_models import CancelPushSchedulerRequest
from pushflow.spec.project import App, EmasApp, MpaasApp

Client = MpaasClient | EmasClient


async def _cancel(service: Client, app: App, task_id: str) -> None:
    if isinstance(service, MpaasClient) and isinstance(app, MpaasApp):
        request = CancelPushSchedulerRequest(
            app_id=app.app_id, workspace_id=app.workspace_id, unique_ids=task_id
        )
        await service.cancel_push_scheduler(request)
        return
    if isinstance(service, EmasClient) and isinstance(app, EmasApp):
        # The task does not say which platform's AppKey scheduled it: the others answer with
        # an error, the right one cancels it.
        error: ProviderError | None = None
        for app_key in dict.fromkeys(app.app_keys.values()):
            try:
                await service.cancel_push(CancelPushRequest(app_key=app_key, message_id=task_id))
                return
            except ProviderError as exc:
                error = exc
        if error is not None:
            raise error


@dataclass
class TasksCancelled:
    """What :func:`cancel_server_tasks` left undone, and the occurrences it cancelled."""

    #: A line per task that could not be cancelled (it stays ``scheduled`` in the ledger).
    problems: list[str] = field(default_factory=list)
    #: Occurrences now ``cancelled``: each had a task cancelled here, and has none left that
    #: is not cancelled.
    occurrences: list[str] = field(default_factory=list)


async def cancel_server_tasks(
    ledger: Ledger,
    campaign: str,
    client: Callable[[str], Client],
    apps: Mapping[str, App],
    *,
    keep: str | None,
    now: datetime,
) -> TasksCancelled:
    """Cancel the campaign's scheduled server tasks, except those of occurrence ``keep``, and
    the occurrences left with no task that is not cancelled."""
    result = TasksCancelled()
    touched: set[str] = set()
    for task in ledger.server_tasks(campaign, statuses=["scheduled"]):
        if keep is not None and task.occurrence == keep:
            continue
        if task.fire_at is not None and task.fire_at <= now:
            ledger.set_server_task_status(task.id, "fired", now=now)
            continue
        try:
            await _cancel(client(task.app), apps[task.app], task.task_id)
        except (ProviderError, KeyError) as error:
            result.problems.append(f"{campaign}: server task {task.task_id} not cancelled: {error}")
            continue
        ledger.set_server_task_status(task.id, "cancelled", now=now)
        touched.add(task.occurrence)
    if touched:
        every = ledger.server_tasks(campaign)
        for key in sorted(touched):
            if all(t.status == "cancelled" for t in every if t.occurrence == key) and (
                ledger.set_occurrence_status(
                    campaign, key, "cancelled", only_from=["pending", "done"], now=now
                )
            ):
                result.occurrences.append(key)
    return result
