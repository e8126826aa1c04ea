"""mPaaS push operations: PushSimple, PushTemplate, PushMultiple, PushBroadcast.

Each handler validates (mpaas_rules), then either delivers now or records scheduled tasks
(strategyType 1: one task; 2: a parent id and one sub-task per loop occurrence) that
:mod:`pushflow.emulator.scheduler` fires when the clock reaches them. Answers use the envelope
the SDK's ``PushSimpleResponseBody`` parses: ``RequestId``, ``ResultCode``, ``ResultMessage``,
``PushResult{Success, ResultMsg, Data}``; ``Data`` is the scheduled task id (strategyType ≠ 0,
as documented) or, for immediate pushes, the emulator's task id (usable with RevokePushTask and
QueryPushAnalysisTaskDetail).
"""

from __future__ import annotations

from typing import Any

from pushflow.emulator import mpaas_rules as rules
from pushflow.emulator import templates as tpl
from pushflow.emulator.clock import to_millis
from pushflow.emulator.errors import MpaasError
from pushflow.emulator.limits import (
    MPAAS_MAX_INNER_EXTENDED_PARAMS_EXCLUSIVE,
    MPAAS_MAX_MULTIPLE_TARGETS,
    MPAAS_MAX_PAYLOAD_BYTES,
)
from pushflow.emulator.service import CallContext, Emulator
from pushflow.emulator.strategy import Strategy
from pushflow.emulator.wire import Params

Plan = dict[str, Any]
_TYPE_CODES = {"SIMPLE": 0, "TEMPLATE": 1, "MULTIPLE": 2, "BROADCAST": 3}


def push_ok(ctx: CallContext, data: str | None) -> dict[str, Any]:
    return {
        "RequestId": ctx.request_id,
        "ResultCode": "OK",
        "ResultMessage": "SUCCESS",
        "PushResult": {"Success": True, "ResultMsg": "SUCCESS", "Data": data},
    }


def _check_payload(code: int, title: str, content: str, extended: dict[str, str]) -> None:
    _check_size(code, rules.payload_size(title, content, extended))


def _check_size(code: int, size: int) -> None:
    if size > MPAAS_MAX_PAYLOAD_BYTES:
        raise MpaasError(code, f"message is {size} bytes, at most {MPAAS_MAX_PAYLOAD_BYTES}")


def push_simple(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    p = ctx.params
    app_id, workspace_id = rules.app_and_workspace(p)
    ctx.app = app_id
    name = rules.task_name(p)
    delivery = rules.delivery_type(p, (1, 2, 3))
    title, content = p.text("Title"), p.text("Content")
    if not title or not content:
        raise MpaasError(3024, "Title and Content are required")
    rules.expired_seconds(p)
    targets = rules.target_msgkeys(p)
    extended = rules.request_extended_params(p)
    _check_payload(3043, title, content, extended)
    plan = _plan("SIMPLE", app_id, workspace_id, name, delivery, title, content)
    plan["messages"] = [{"target": t, "msg_key": k} for t, k in targets.items()]
    return _accept(emu, ctx, plan, targets.values())


def push_template(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    p = ctx.params
    app_id, workspace_id = rules.app_and_workspace(p)
    ctx.app = app_id
    name = rules.task_name(p)
    delivery = rules.delivery_type(p, (1, 2, 3))
    rules.expired_seconds(p)
    template = rules.template_for(emu, p)
    values = rules.template_values(p.text("TemplateKeyValue"), template, "TemplateKeyValue")
    targets = rules.target_msgkeys(p)
    extended = rules.request_extended_params(p)
    title, content = tpl.render(template["title"], values), tpl.render(template["content"], values)
    _check_payload(3043, title, content, extended)
    plan = _plan("TEMPLATE", app_id, workspace_id, name, delivery, title, content, template)
    plan["messages"] = [{"target": t, "msg_key": k} for t, k in targets.items()]
    return _accept(emu, ctx, plan, targets.values())


def push_multiple(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    p = ctx.params
    app_id, workspace_id = rules.app_and_workspace(p)
    ctx.app = app_id
    name = rules.task_name(p)
    delivery = rules.delivery_type(p, (1, 2, 3, 7))
    rules.expired_seconds(p)
    template = rules.template_for(emu, p)
    items = p.indexed("TargetMsg")
    if not items:
        raise MpaasError(3021, "TargetMsg has no target")
    if len(items) > MPAAS_MAX_MULTIPLE_TARGETS:
        raise MpaasError(
            3055, f"TargetMsg has {len(items)} targets, at most {MPAAS_MAX_MULTIPLE_TARGETS}"
        )
    extended = rules.request_extended_params(p)
    # reckoned at the first target that needs it, as before (a failure keeps its order)
    extended_bytes: int | None = None
    messages = []
    for index, item in enumerate(items, start=1):
        where = f"TargetMsg.{index}"
        target, msg_key = item.get("Target", "").strip(), item.get("MsgKey", "").strip()
        if not target:
            raise MpaasError(3021, f"{where}.Target is required")
        if not msg_key:
            raise rules.invalid(f"{where}.MsgKey is required")
        raw_inner = item.get("ExtendedParams", "")
        inner = (
            rules.extended_params(
                raw_inner,
                limit=MPAAS_MAX_INNER_EXTENDED_PARAMS_EXCLUSIVE - 1,
                code=3049,
                name=f"{where}.ExtendedParams",
            )
            if raw_inner
            else {}
        )
        values = rules.template_values(
            item.get("TemplateKeyValue", ""), template, f"{where}.TemplateKeyValue"
        )
        title = tpl.render(template["title"], values)
        content = tpl.render(template["content"], values)
        if inner:
            target_bytes = rules.extended_size({**extended, **inner})
        else:
            if extended_bytes is None:
                extended_bytes = rules.extended_size(extended)
            target_bytes = extended_bytes
        _check_size(3050, rules.message_size(title, content, target_bytes))
        messages.append({"target": target, "msg_key": msg_key, "title": title, "content": content})
    plan = _plan(
        "MULTIPLE", app_id, workspace_id, name, delivery, template["title"],
        template["content"], template,
    )  # fmt: skip
    plan["messages"] = messages
    return _accept(emu, ctx, plan, [m["msg_key"] for m in messages])


def push_broadcast(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    p = ctx.params
    app_id, workspace_id = rules.app_and_workspace(p)
    ctx.app = app_id
    name = rules.task_name(p)
    delivery = p.int_or("DeliveryType", None, lambda d: MpaasError(3009, d))
    if delivery not in (1, 2):
        raise MpaasError(3030, "PushBroadcast supports DeliveryType 1 (Android) or 2 (iOS) only")
    rules.expired_seconds(p)
    msg_key = p.text("Msgkey")
    if not msg_key:
        raise rules.invalid("Msgkey is required")
    template = rules.template_for(emu, p)
    values = rules.template_values(p.text("TemplateKeyValue"), template, "TemplateKeyValue")
    _broadcast_audience_rules(p)
    extended = rules.request_extended_params(p)
    title, content = tpl.render(template["title"], values), tpl.render(template["content"], values)
    _check_payload(3050, title, content, extended)
    plan = _plan("BROADCAST", app_id, workspace_id, name, delivery, title, content, template)
    plan["messages"] = [{"target": "*", "msg_key": msg_key}]
    plan["audience"] = emu.config.broadcast_audience
    return _accept(emu, ctx, plan, [msg_key])


def _broadcast_audience_rules(p: Params) -> None:
    """PushStatus/BindPeriod/UnBindPeriod/AndroidChannel rules (3051–3053, 3057, 3028)."""
    status = p.int_or("PushStatus", 0, rules.invalid)
    if status not in (0, 1, 2):
        raise rules.invalid("PushStatus must be 0, 1 or 2")
    channel = p.int_or("AndroidChannel", None, lambda d: MpaasError(3057, d))
    if channel is not None and channel not in (1, 2):
        raise MpaasError(3057, "AndroidChannel must be 1 (MPS self-built) or 2 (default)")
    bind = p.int_or("BindPeriod", None, rules.invalid)
    if bind is not None and bind not in (1, 2, 3, 4):
        raise rules.invalid("BindPeriod must be 1, 2, 3 or 4")
    unbind = p.int_or("UnBindPeriod", None, lambda d: MpaasError(3052, d))
    if status in (1, 2):
        if unbind is None:
            code = 3051 if status == 1 else 3052
            raise MpaasError(code, "UnBindPeriod is required when PushStatus is 1 or 2")
        if unbind not in (1, 2, 3, 4):
            raise MpaasError(3052, "UnBindPeriod must be 1, 2, 3 or 4")
    if status == 1 and channel == 1:
        raise MpaasError(3053, "a broadcast to all users cannot use the self-built channel")


def _plan(
    kind: str,
    app_id: str,
    workspace_id: str,
    task_name: str,
    delivery: int,
    title: str,
    content: str,
    template: dict[str, Any] | None = None,
) -> Plan:
    return {
        "kind": kind,
        "app_id": app_id,
        "workspace_id": workspace_id,
        "task_name": task_name,
        "delivery_type": delivery,
        "title": title,
        "content": content,
        "template_name": template["name"] if template else "",
        "template_id": template["id"] if template else "",
    }


def _accept(emu: Emulator, ctx: CallContext, plan: Plan, msg_keys: Any) -> dict[str, Any]:
    chosen: Strategy = rules.strategy(emu, ctx, plan["app_id"], plan["workspace_id"])
    rules.claim_msgkeys(emu, ctx, plan["app_id"], plan["workspace_id"], msg_keys)
    if chosen.type == 0:
        return push_ok(ctx, deliver(emu, plan, ctx.now))
    parent = emu.new_unique_id()
    for index, at in enumerate(chosen.occurrences):
        unique_id = parent if chosen.type == 1 else f"{parent[:24]}{index:08x}"
        emu.store.put(
            "schedule",
            unique_id,
            {
                "unique_id": unique_id,
                "parent_id": parent,
                "app_id": plan["app_id"],
                "workspace_id": plan["workspace_id"],
                "push_time": to_millis(at),
                "type": _TYPE_CODES[plan["kind"]],
                "delivery_type": plan["delivery_type"],
                "strategy_type": chosen.type,
                "executed": False,
                "cancelled": False,
                "gmt_create": to_millis(ctx.now),
                "plan": plan,
            },
        )
    return push_ok(ctx, parent)


def deliver(emu: Emulator, plan: Plan, now: Any, unique_id: str = "") -> str:
    """Record a push as sent now: a task and its revocable messages; returns the task id."""
    task_id = emu.new_task_id()
    messages = plan["messages"]
    audience = int(plan.get("audience", len(messages)))
    emu.store.put(
        "mpaas_task",
        task_id,
        {
            "task_id": task_id,
            "kind": plan["kind"],
            "app_id": plan["app_id"],
            "workspace_id": plan["workspace_id"],
            "task_name": plan["task_name"],
            "template_name": plan["template_name"],
            "template_id": plan["template_id"],
            "delivery_type": plan["delivery_type"],
            "created": to_millis(now),
            "targets": audience,
            "revoked": False,
            "unique_id": unique_id,
        },
    )
    prefix = f"{plan['app_id']}|{plan['workspace_id']}|"
    pushed_at = to_millis(now)
    emu.store.put_many(
        "mpaas_message",
        [
            (
                f"{prefix}{message['msg_key']}|{message['target']}",
                {
                    **message,
                    "task_id": task_id,
                    "pushed_at": pushed_at,
                    "revoked": False,
                    "title": message.get("title", plan["title"]),
                    "content": message.get("content", plan["content"]),
                },
            )
            for message in messages
        ],
    )
    return task_id
