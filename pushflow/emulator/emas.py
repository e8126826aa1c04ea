"""EMAS Mobile Push operations: Push (incl. Target=TBD), ContinuouslyPush,
CompleteContinuouslyPush, MassPush, CancelPush, QueryPushStatByMsg, QueryPushRecords.

Messages are stored under kind ``emas_message`` with a status: ``SENT``, ``SCHEDULED`` (PushTime
ahead; fired by the clock), ``CANCELLED``, ``TBD`` (waiting for ContinuouslyPush, 24 h),
``COMPLETED``. ``SentCount`` adds up what was pushed: one per distinct DEVICE/ACCOUNT/ALIAS
value, ``EmulatorConfig.broadcast_audience`` for TAG and ALL, the ContinuouslyPush targets for TBD.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pushflow.emulator import emas_rules as rules
from pushflow.emulator import errors as err
from pushflow.emulator import limits as lim
from pushflow.emulator.service import CallContext, Emulator


def _iso(value: datetime) -> str:
    return value.strftime(rules.TIME_FORMAT)


def _idempotent_key(app_key: str, token: str) -> str:
    return f"{app_key}|{token.lower()}"


def _replay(emu: Emulator, ctx: CallContext, app_key: str) -> dict[str, Any] | None:
    """The first answer for a repeated IdempotentToken within 15 minutes, else None."""
    token = ctx.params.text("IdempotentToken")
    if not token:
        return None
    if not re.fullmatch(lim.EMAS_IDEMPOTENT_PATTERN, token):
        raise err.bad_format("IdempotentToken", "It must be a 36-character UUID.")
    first = emu.store.get("idempotent", _idempotent_key(app_key, token))
    if first is None:
        return None
    if ctx.now - datetime.fromisoformat(first["at"]) > lim.EMAS_IDEMPOTENT_WINDOW:
        return None
    ctx.notes.append("idempotent replay: nothing sent")
    return {**first["response"], "RequestId": ctx.request_id}


def _remember(emu: Emulator, ctx: CallContext, app_key: str, response: dict[str, Any]) -> None:
    token = ctx.params.text("IdempotentToken")
    if token:
        emu.store.put(
            "idempotent",
            _idempotent_key(app_key, token),
            {"at": ctx.now.isoformat(), "response": response},
        )


def _audience(emu: Emulator, spec: rules.PushSpec) -> int:
    if spec.target in rules.LIST_TARGETS:
        return len(spec.target_values)
    if spec.target == "TBD":
        return 0
    return emu.config.broadcast_audience


def _record(emu: Emulator, ctx: CallContext, app_key: str, spec: rules.PushSpec) -> str:
    if emu.config.quotas and spec.target == "ALL":
        emu.quotas.check_push_all(app_key, spec.device_type, spec.push_type, ctx.now)
    message_id = emu.new_message_id()
    scheduled = spec.push_time is not None and spec.push_time > ctx.now
    status = "TBD" if spec.target == "TBD" else ("SCHEDULED" if scheduled else "SENT")
    emu.store.put(
        "emas_message",
        message_id,
        {
            "message_id": message_id,
            "app_key": app_key,
            "push_type": spec.push_type,
            "device_type": spec.device_type,
            "target": spec.target,
            "target_value": ",".join(spec.target_values),
            "title": spec.title,
            "body": spec.body,
            "job_key": spec.job_key,
            "created": _iso(ctx.now),
            "push_time": _iso(spec.push_time if scheduled and spec.push_time else ctx.now),
            "expire_time": _iso(spec.expire_time) if spec.expire_time else None,
            "status": status,
            "audience": _audience(emu, spec),
            "sent_count": 0 if status != "SENT" else _audience(emu, spec),
            "continuous_calls": 0,
            "source": "API",
        },
    )
    return message_id


def push(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    app_key = rules.app_key(ctx.params)
    ctx.app = app_key
    replayed = _replay(emu, ctx, app_key)
    if replayed is not None:
        return replayed
    spec = rules.validate_push(ctx.params, ctx.now)
    response = {"MessageId": _record(emu, ctx, app_key, spec), "RequestId": ctx.request_id}
    _remember(emu, ctx, app_key, response)
    return response


def mass_push(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    app_key = rules.app_key(ctx.params)
    ctx.app = app_key
    replayed = _replay(emu, ctx, app_key)
    if replayed is not None:
        return replayed
    tasks = ctx.params.indexed("PushTask")
    if not tasks:
        raise err.empty("PushTask")
    if len(tasks) > lim.EMAS_MAX_MASS_TASKS:
        raise err.length_exceed("PushTask", lim.EMAS_MAX_MASS_TASKS)
    specs = [
        rules.validate_push(task, ctx.now, targets=rules.LIST_TARGETS, where=f"PushTask.{i}.")
        for i, task in enumerate(tasks, start=1)
    ]
    ids = [_record(emu, ctx, app_key, spec) for spec in specs]
    response = {"MessageIds": {"MessageId": ids}, "RequestId": ctx.request_id}
    _remember(emu, ctx, app_key, response)
    return response


def _message(emu: Emulator, values: Mapping[str, str], app_key: str) -> dict[str, Any]:
    message_id = rules.required(values, "MessageId")
    message = emu.store.get("emas_message", message_id)
    if message is None or message["app_key"] != app_key:
        raise err.invalid_parameter(f"MessageId {message_id} does not exist for this AppKey.")
    return message


def continuously_push(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    app_key = rules.app_key(ctx.params)
    ctx.app = app_key
    message = _message(emu, ctx.params, app_key)
    target = rules.required(ctx.params, "Target")
    if target not in rules.LIST_TARGETS:
        raise err.bad_format("Target", "ContinuouslyPush supports DEVICE, ACCOUNT and ALIAS only.")
    values = rules.target_values(target, ctx.params.get("TargetValue", ""), "")
    if message["status"] != "TBD":
        raise err.invalid_parameter(
            f"MessageId {message['message_id']} is not an open continuous push (Target=TBD)."
        )
    if ctx.now - datetime.fromisoformat(message["created"]) > lim.EMAS_TBD_LIFETIME:
        raise err.invalid_parameter(f"MessageId {message['message_id']} expired after 24 hours.")
    if message["continuous_calls"] >= lim.EMAS_MAX_CONTINUOUS_CALLS:
        raise err.invalid_parameter(
            f"MessageId {message['message_id']} reached {lim.EMAS_MAX_CONTINUOUS_CALLS} pushes."
        )
    message["continuous_calls"] += 1
    message["sent_count"] += len(values)
    emu.store.put("emas_message", message["message_id"], message)
    return {"MessageId": message["message_id"], "RequestId": ctx.request_id}


def complete_continuously_push(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    app_key = rules.app_key(ctx.params)
    ctx.app = app_key
    message = _message(emu, ctx.params, app_key)
    if message["status"] not in ("TBD", "COMPLETED"):
        raise err.invalid_parameter(
            f"MessageId {message['message_id']} is not a continuous push (Target=TBD)."
        )
    emu.store.put("emas_message", message["message_id"], {**message, "status": "COMPLETED"})
    return {"MessageId": message["message_id"], "RequestId": ctx.request_id}


def cancel_push(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    app_key = rules.app_key(ctx.params)
    ctx.app = app_key
    message = _message(emu, ctx.params, app_key)
    if message["status"] != "SCHEDULED":
        raise err.invalid_parameter(
            f"MessageId {message['message_id']} is not a scheduled push that can be cancelled."
        )
    emu.store.put("emas_message", message["message_id"], {**message, "status": "CANCELLED"})
    return {"RequestId": ctx.request_id}


def query_push_stat_by_msg(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    app_key = rules.app_key(ctx.params)
    ctx.app = app_key
    message_id = rules.required(ctx.params, "MessageId")
    message = emu.store.get("emas_message", message_id)
    stats = []
    if message is not None and message["app_key"] == app_key:
        sent = int(message["sent_count"])
        stats.append(
            {
                "MessageId": message_id,
                "SentCount": sent,
                "AcceptCount": sent,
                "ReceivedCount": sent,
                "OpenedCount": 0,
                "DeletedCount": 0,
                "SmsSentCount": 0,
                "SmsSkipCount": 0,
                "SmsFailedCount": 0,
                "SmsReceiveSuccessCount": 0,
                "SmsReceiveFailedCount": 0,
            }
        )
    return {"PushStats": {"PushStat": stats}, "RequestId": ctx.request_id}
