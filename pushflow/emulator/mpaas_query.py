"""mPaaS revoke, analysis and scheduled-task operations.

RevokePushMessage / RevokePushTask (7-day window), QueryPushAnalysisCoreIndex (figures that add
up to what was delivered: every target pushed counts once as pushed, succeeded and arrived;
nothing is opened or ignored), QueryPushAnalysisTaskList / TaskDetail (PushMultiple and
PushBroadcast tasks), QueryPushSchedulerList and CancelPushScheduler. Response shapes follow the
SDK ``*ResponseBody`` models (``ResultContent.Data``; CancelPushScheduler's ``ResultContent`` is
the documented string ``{id=1,id2=0}``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pushflow.emulator import mpaas_rules as rules
from pushflow.emulator.clock import from_millis
from pushflow.emulator.errors import MpaasError
from pushflow.emulator.limits import (
    MPAAS_ANALYSIS_MAX_DAYS,
    MPAAS_DEFAULT_PAGE_SIZE,
    MPAAS_MAX_CANCEL_IDS,
    MPAAS_REVOKE_WINDOW,
)
from pushflow.emulator.mpaas_push import push_ok
from pushflow.emulator.service import CallContext, Emulator
from pushflow.emulator.strategy import day_bounds
from pushflow.emulator.wire import Params

_TASK_TYPES = {"MULTIPLE": 2, "BROADCAST": 3}


def _ok(ctx: CallContext, content: Any) -> dict[str, Any]:
    return {
        "RequestId": ctx.request_id,
        "ResultCode": "OK",
        "ResultMessage": "SUCCESS",
        "ResultContent": content,
    }


def _scope(ctx: CallContext) -> tuple[str, str]:
    app_id, workspace_id = rules.app_and_workspace(ctx.params)
    ctx.app = app_id
    return app_id, workspace_id


def _required_int(p: Params, name: str) -> int:
    value = p.int_or(name, None, rules.invalid)
    if value is None:
        raise rules.invalid(f"{name} is required")
    return value


def revoke_push_message(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    app_id, workspace_id = _scope(ctx)
    message_id, target_id = ctx.params.text("MessageId"), ctx.params.text("TargetId")
    if not message_id or not target_id:
        raise rules.invalid("MessageId and TargetId are required")
    key = f"{app_id}|{workspace_id}|{message_id}|{target_id}"
    message = emu.store.get("mpaas_message", key)
    if message is None:
        raise rules.invalid(f"no message {message_id!r} was pushed to {target_id!r}")
    if ctx.now - from_millis(message["pushed_at"]) > MPAAS_REVOKE_WINDOW:
        raise rules.invalid("only messages of the last 7 days can be revoked")
    emu.store.put("mpaas_message", key, {**message, "revoked": True})
    return push_ok(ctx, None)


def revoke_push_task(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    app_id, workspace_id = _scope(ctx)
    task_id = ctx.params.text("TaskId")
    if not task_id:
        raise rules.invalid("TaskId is required")
    task = emu.store.get("mpaas_task", task_id)
    if task is None or (task["app_id"], task["workspace_id"]) != (app_id, workspace_id):
        raise rules.invalid(f"task {task_id!r} does not exist")
    if task["kind"] not in _TASK_TYPES:
        raise rules.invalid("RevokePushTask revokes PushMultiple and PushBroadcast tasks only")
    if ctx.now - from_millis(task["created"]) > MPAAS_REVOKE_WINDOW:
        raise rules.invalid("only messages of the last 7 days can be revoked")
    emu.store.put("mpaas_task", task_id, {**task, "revoked": True})
    return push_ok(ctx, None)


def _tasks(emu: Emulator, app_id: str, workspace_id: str) -> list[dict[str, Any]]:
    return [
        t
        for t in emu.store.values("mpaas_task")
        if t["app_id"] == app_id and t["workspace_id"] == workspace_id
    ]


def query_core_index(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    app_id, workspace_id = _scope(ctx)
    p = ctx.params
    start, end = _required_int(p, "StartTime"), _required_int(p, "EndTime")
    low, high = day_bounds(start, end, emu.tz)
    if high <= low:
        raise rules.invalid("EndTime must not be before StartTime")
    if high - low > timedelta(days=MPAAS_ANALYSIS_MAX_DAYS + 1):
        raise rules.invalid(
            f"StartTime and EndTime may be at most {MPAAS_ANALYSIS_MAX_DAYS} days apart"
        )
    platform, channel = p.text("Platform").upper(), p.text("Channel").upper()
    if platform and platform not in ("IOS", "ANDROID"):
        raise MpaasError(3008, "Platform must be IOS or ANDROID")
    if channel:
        platform = "IOS" if channel == "IOS" else "ANDROID"
    kind, task_id = p.text("Type").upper(), p.text("TaskId")
    total = 0
    for task in _tasks(emu, app_id, workspace_id):
        created = from_millis(task["created"])
        if not low <= created < high or (kind and task["kind"] != kind):
            continue
        if task_id and task["task_id"] != task_id:
            continue
        if platform and {1: "ANDROID", 2: "IOS"}.get(task["delivery_type"]) != platform:
            continue
        total += int(task["targets"])
    figures = {
        "PushTotalNum": float(total),
        "PushNum": float(total),
        "ArrivalNum": float(total),
        "ArrivalRate": 1.0 if total else 0.0,
        "OpenNum": 0.0,
        "OpenRate": 0.0,
        "IgnoreNum": 0.0,
        "IgnoreRate": 0.0,
    }
    return _ok(ctx, {"Data": figures})


def _task_entry(task: dict[str, Any]) -> dict[str, Any]:
    return {
        "TaskId": task["task_id"],
        "TaskName": task["task_name"],
        "TemplateId": task["template_id"],
        "TemplateName": task["template_name"],
        "Type": _TASK_TYPES[task["kind"]],
        "GmtCreate": task["created"],
    }


def _page(p: Params) -> tuple[int, int]:
    number = p.int_or("PageNumber", 1, rules.invalid) or 1
    size = p.int_or("PageSize", MPAAS_DEFAULT_PAGE_SIZE, rules.invalid) or MPAAS_DEFAULT_PAGE_SIZE
    if number < 1 or size < 1:
        raise rules.invalid("PageNumber and PageSize must be positive")
    return number, size


def query_task_list(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    app_id, workspace_id = _scope(ctx)
    p = ctx.params
    start = _required_int(p, "StartTime")
    low, _ = day_bounds(start, start, emu.tz)
    task_id, task_name = p.text("TaskId"), p.text("TaskName")
    number, size = _page(p)
    entries = [
        {**_task_entry(t), "List": []}
        for t in _tasks(emu, app_id, workspace_id)
        if t["kind"] in _TASK_TYPES
        and from_millis(t["created"]) >= low
        and (not task_id or t["task_id"] == task_id)
        and (not task_name or t["task_name"] == task_name)
    ]
    return _ok(ctx, {"Data": entries[(number - 1) * size : number * size]})


def query_task_detail(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    app_id, workspace_id = _scope(ctx)
    task_id = ctx.params.text("TaskId")
    if not task_id:
        raise rules.invalid("TaskId is required")
    task = emu.store.get("mpaas_task", task_id)
    if task is None or (task["app_id"], task["workspace_id"]) != (app_id, workspace_id):
        raise rules.invalid(f"task {task_id!r} does not exist")
    count = float(task["targets"])
    return _ok(
        ctx,
        {
            "Data": {
                "TaskId": int(task_id),
                "PushNum": count,
                "PushSuccessNum": count,
                "PushArrivalNum": count,
                "StartTime": task["created"],
                "EndTime": task["created"],
                "Duration": "00 小时 00 分 00 秒",
            }
        },
    )


def _schedule_entry(s: dict[str, Any]) -> dict[str, Any]:
    plan = s["plan"]
    return {
        "UniqueId": s["unique_id"],
        "ParentId": s["parent_id"],
        "PushTime": s["push_time"],
        "PushTitle": plan["title"],
        "PushContent": plan["content"],
        "Type": s["type"],
        "DeliveryType": s["delivery_type"],
        "StrategyType": s["strategy_type"],
        "ExecutedStatus": "1" if s["executed"] else "0",
        "CreateType": 0,
        "GmtCreate": s["gmt_create"],
    }


def query_scheduler_list(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    app_id, workspace_id = _scope(ctx)
    p = ctx.params
    start, end = _required_int(p, "StartTime"), _required_int(p, "EndTime")
    kind = p.int_or("Type", None, rules.invalid)
    unique_id = p.text("UniqueId")
    number, size = _page(p)
    rows = [
        s
        for s in emu.store.values("schedule")
        if s["app_id"] == app_id
        and s["workspace_id"] == workspace_id
        and not s["cancelled"]
        and start <= s["push_time"] <= end
        and (kind is None or s["type"] == kind)
        and (not unique_id or unique_id in (s["unique_id"], s["parent_id"]))
    ]
    rows.sort(key=lambda s: (s["push_time"], s["unique_id"]))
    page = [_schedule_entry(s) for s in rows[(number - 1) * size : number * size]]
    return _ok(ctx, {"Data": {"TotalCount": len(rows), "List": page}})


def cancel_scheduler(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    app_id, workspace_id = _scope(ctx)
    p = ctx.params
    kind = p.int_or("Type", 0, rules.invalid)
    if kind not in (0, 1):
        raise rules.invalid("Type must be 0 (parent ids) or 1 (sub-task ids)")
    ids = [i.strip() for i in p.text("UniqueIds").split(",") if i.strip()]
    if not ids:
        raise rules.invalid("UniqueIds is required")
    if len(ids) > MPAAS_MAX_CANCEL_IDS:
        raise rules.invalid(f"UniqueIds holds {len(ids)} ids, at most {MPAAS_MAX_CANCEL_IDS}")
    field = "parent_id" if kind == 0 else "unique_id"
    results = []
    for wanted in ids:
        cancelled = 0
        for s in emu.store.values("schedule"):
            if (s["app_id"], s["workspace_id"]) != (app_id, workspace_id) or s[field] != wanted:
                continue
            if not s["executed"] and not s["cancelled"]:
                emu.store.put("schedule", s["unique_id"], {**s, "cancelled": True})
                cancelled += 1
        results.append(f"{wanted}={1 if cancelled else 0}")
    return _ok(ctx, "{" + ",".join(results) + "}")
