"""The operations the emulator answers, by API version and action name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pushflow.emulator import emas, emas_records, mpaas_push, mpaas_query
from pushflow.emulator.service import EMAS, MPAAS, CallContext, Emulator

MPAAS_VERSION = "2020-10-28"
EMAS_VERSION = "2016-08-01"
HOSTS = {MPAAS: "mpaas.cn-hangzhou.aliyuncs.com", EMAS: "cloudpush.aliyuncs.com"}

Handler = Callable[[Emulator, CallContext], dict[str, Any]]


@dataclass(frozen=True)
class Operation:
    service: str
    action: str
    handler: Handler
    push_result: bool = False  # mPaaS answers carry PushResult (push and revoke operations)


_MPAAS: dict[str, tuple[Handler, bool]] = {
    "PushSimple": (mpaas_push.push_simple, True),
    "PushTemplate": (mpaas_push.push_template, True),
    "PushMultiple": (mpaas_push.push_multiple, True),
    "PushBroadcast": (mpaas_push.push_broadcast, True),
    "RevokePushMessage": (mpaas_query.revoke_push_message, True),
    "RevokePushTask": (mpaas_query.revoke_push_task, True),
    "QueryPushAnalysisCoreIndex": (mpaas_query.query_core_index, False),
    "QueryPushAnalysisTaskList": (mpaas_query.query_task_list, False),
    "QueryPushAnalysisTaskDetail": (mpaas_query.query_task_detail, False),
    "QueryPushSchedulerList": (mpaas_query.query_scheduler_list, False),
    "CancelPushScheduler": (mpaas_query.cancel_scheduler, False),
}

_EMAS: dict[str, Handler] = {
    "Push": emas.push,
    "ContinuouslyPush": emas.continuously_push,
    "CompleteContinuouslyPush": emas.complete_continuously_push,
    "MassPush": emas.mass_push,
    "CancelPush": emas.cancel_push,
    "QueryPushStatByMsg": emas.query_push_stat_by_msg,
    "QueryPushRecords": emas_records.query_push_records,
}

OPERATIONS: dict[tuple[str, str], Operation] = {
    **{
        (MPAAS_VERSION, action): Operation(MPAAS, action, handler, push_result)
        for action, (handler, push_result) in _MPAAS.items()
    },
    **{(EMAS_VERSION, action): Operation(EMAS, action, h) for action, h in _EMAS.items()},
}

VERSIONS = {MPAAS_VERSION: MPAAS, EMAS_VERSION: EMAS}
