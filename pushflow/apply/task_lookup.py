"""mPaaS: find an unknown PushMultiple or PushBroadcast call in QueryPushAnalysisTaskList.

The task list (mpaas-server-api.zh.txt, 查询推送任务列表) lists the batch (type 2, PushMultiple)
and broadcast (type 3, PushBroadcast) tasks made through the console or the API, filtered by
``taskName`` and by ``startTime`` (milliseconds, to the day). pushflow ends the ``TaskName`` of
each such call with a tag of the call's identity (campaign, epoch, occurrence, targets:
:func:`pushflow.plan.keys.task_tag`), so a task of exactly that name, and of that type, is that
call: **found**, with its task id. No task of that name is **not found**: the list is an
analysis view and may lag behind a push, so absence proves nothing.

PushSimple and PushTemplate make no task in that list, and no other query names one of their
calls (the msgKey is only an argument of RevokePushMessage, which withdraws the message): their
unknown sends are not looked up.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from pushflow.apply.lookup import Finding, LookupContext, Unknown
from pushflow.apply.sender import Client
from pushflow.providers import MpaasClient, ProviderError
from pushflow.providers.mpaas_models import (
    AnalysisTask,
    PushBroadcastRequest,
    PushMultipleRequest,
    QueryPushAnalysisTaskListRequest,
)

QUERY = "QueryPushAnalysisTaskList"
#: Task types in the list (the seed's ``type``): 2 batch (PushMultiple), 3 broadcast.
TASK_TYPES = {PushMultipleRequest: 2, PushBroadcastRequest: 3}
#: Tasks per page (the documented default), and the most pages read for one name.
PAGE_SIZE = 500
MAX_PAGES = 20


def _millis(unknown: Unknown) -> int:
    """``startTime``: a day before the claim, so the service's day boundary (its time zone)
    cannot cut the call's day off."""
    return int((unknown.since - timedelta(days=1)).timestamp() * 1000)


async def _tasks(
    client: MpaasClient, request: QueryPushAnalysisTaskListRequest
) -> list[AnalysisTask]:
    found: list[AnalysisTask] = []
    for number in range(1, MAX_PAGES + 1):
        page_request = request.model_copy(update={"page_number": number})
        answer = await client.query_push_analysis_task_list(page_request)
        page = answer.result_content.data if answer.result_content else []
        found += page
        if len(page) < PAGE_SIZE:
            break
    return found


class TaskLookup:
    """Looks each call up by its tagged ``TaskName``."""

    query = QUERY

    async def __call__(
        self, client: Client, unknowns: Sequence[Unknown], context: LookupContext
    ) -> list[Finding]:
        if not isinstance(client, MpaasClient):
            raise TypeError("QueryPushAnalysisTaskList is an mPaaS query")
        return [await self._one(client, unknown) for unknown in unknowns]

    async def _one(self, client: MpaasClient, unknown: Unknown) -> Finding:
        request = unknown.call.request
        if not isinstance(request, PushMultipleRequest | PushBroadcastRequest):
            return Finding("unclear", QUERY, f"{unknown.call.api} makes no task in the list")
        name = request.task_name
        query = QueryPushAnalysisTaskListRequest(
            app_id=request.app_id,
            workspace_id=request.workspace_id,
            tenant_id=request.tenant_id,
            start_time=_millis(unknown),
            task_name=name,
            page_size=PAGE_SIZE,
        )
        try:
            listed = await _tasks(client, query)
        except ProviderError as error:
            return Finding("unclear", QUERY, f"the lookup failed: {error}")
        wanted = TASK_TYPES[type(request)]
        tasks = sorted(
            (t for t in listed if t.task_name == name and t.type == wanted and t.task_id),
            key=lambda task: (task.gmt_create or 0, task.task_id or ""),
        )
        if not tasks:
            return Finding("not-found", QUERY, f"no task named {name!r}")
        first = tasks[0]
        more = f" (and {len(tasks) - 1} more of that name)" if len(tasks) > 1 else ""
        return Finding(
            "found", QUERY, f"task {first.task_id} named {name!r}{more}", task_id=first.task_id
        )
