"""EMAS QueryPushRecords: the pushes of an AppKey in a time span, filtered and paged.

Response shape of the SDK's ``QueryPushRecordsResponseBody``: ``PushInfos.PushInfo[]`` with
``Page``, ``PageSize``, ``Total``. Paging limits from the SDK request model docs (Page ≤ 10,000,
PageSize ≤ 100, default 20); the span limit answers ``InvalidPeriod.ExceedDays``
(emas-push.zh.txt error table).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pushflow.emulator import emas_rules as rules
from pushflow.emulator import errors as err
from pushflow.emulator import limits as lim
from pushflow.emulator.service import CallContext, Emulator


def _required_time(ctx: CallContext, name: str) -> datetime:
    value = rules.parse_time(ctx.params, name, "")
    if value is None:
        raise err.empty(name)
    return value


def _bounded(ctx: CallContext, name: str, default: int, high: int) -> int:
    raw = ctx.params.text(name)
    if not raw:
        return default
    if not raw.isdigit():
        raise err.bad_format(name, f"{name} must be a positive integer.")
    value = int(raw)
    if not 1 <= value <= high:
        raise err.invalid_parameter(f"{name} must be within [1, {high}].")
    return value


def _info(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "AppKey": int(message["app_key"]),
        "MessageId": message["message_id"],
        "PushTime": message["push_time"],
        "PushType": message["push_type"],
        "DeviceType": message["device_type"],
        "Target": message["target"],
        "Title": message["title"],
        "Body": message["body"],
        "Source": message["source"],
        "Status": message["status"],
    }


def query_push_records(emu: Emulator, ctx: CallContext) -> dict[str, Any]:
    app_key = rules.app_key(ctx.params)
    ctx.app = app_key
    start, end = _required_time(ctx, "StartTime"), _required_time(ctx, "EndTime")
    if end < start:
        raise err.invalid_parameter("EndTime must not be before StartTime.")
    if (end - start).total_seconds() > lim.EMAS_RECORDS_MAX_DAYS * 86400:
        raise err.ApiError(
            400,
            "InvalidPeriod.ExceedDays",
            f"The period between specified EndTime and StartTime exceeds "
            f"{lim.EMAS_RECORDS_MAX_DAYS} days.",
        )
    page = _bounded(ctx, "Page", 1, lim.EMAS_RECORDS_MAX_PAGE)
    size = _bounded(
        ctx, "PageSize", lim.EMAS_RECORDS_DEFAULT_PAGE_SIZE, lim.EMAS_RECORDS_MAX_PAGE_SIZE
    )
    p = ctx.params
    push_type, target, source = p.text("PushType"), p.text("Target"), p.text("Source")
    keyword = p.text("Keyword")
    rows = []
    for message in emu.store.values("emas_message"):
        created = datetime.fromisoformat(message["created"])
        if message["app_key"] != app_key or not start <= created <= end:
            continue
        if push_type and message["push_type"] != push_type:
            continue
        if target and message["target"] != target:
            continue
        if source and message["source"] != source:
            continue
        haystack = (message["message_id"], message["title"], message["body"])
        if keyword and not any(keyword in text for text in haystack):
            continue
        rows.append(_info(message))
    return {
        "RequestId": ctx.request_id,
        "Page": page,
        "PageSize": size,
        "Total": len(rows),
        "PushInfos": {"PushInfo": rows[(page - 1) * size : page * size]},
    }
