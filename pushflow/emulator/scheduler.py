"""Firing of scheduled pushes when the emulator's clock reaches them.

mPaaS scheduled tasks (strategyType 1 and each loop occurrence of 2) are delivered as the push
they describe and marked executed; EMAS messages with a future PushTime turn from ``SCHEDULED``
to ``SENT``. Each firing is logged as a call with ``source='scheduler'``. The emulator fires
lazily: before every API or control call and whenever the clock is moved through the Python or
control API, so a frozen clock only fires when it is moved.
"""

from __future__ import annotations

import threading
from datetime import datetime

from pushflow.emulator.clock import from_millis
from pushflow.emulator.mpaas_push import deliver
from pushflow.emulator.service import EMAS, MPAAS, CallContext, Emulator
from pushflow.emulator.wire import Params

_lock = threading.Lock()


def fire_due(emu: Emulator) -> int:
    """Fire everything due at the emulator's current time; return how many fired."""
    with _lock:
        now = emu.now()
        return _fire_mpaas(emu, now) + _fire_emas(emu, now)


def _fire_mpaas(emu: Emulator, now: datetime) -> int:
    due = [
        s
        for s in emu.store.values("schedule")
        if not s["executed"] and not s["cancelled"] and from_millis(s["push_time"]) <= now
    ]
    due.sort(key=lambda s: (s["push_time"], s["unique_id"]))
    for schedule in due:
        at = from_millis(schedule["push_time"])
        task_id = deliver(emu, schedule["plan"], at, schedule["unique_id"])
        emu.store.put("schedule", schedule["unique_id"], {**schedule, "executed": True})
        ctx = CallContext(
            service=MPAAS,
            action=f"Fire:{schedule['plan']['kind']}",
            params=Params({"UniqueId": schedule["unique_id"], "ParentId": schedule["parent_id"]}),
            access_key_id="",
            now=at,
            request_id=emu.new_request_id(),
            app=schedule["app_id"],
        )
        emu.log(ctx, 200, "OK", source="scheduler", result={"TaskId": task_id})
    return len(due)


def _fire_emas(emu: Emulator, now: datetime) -> int:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    due = [
        m
        for m in emu.store.values("emas_message")
        if m["status"] == "SCHEDULED" and m["push_time"] <= stamp
    ]
    for message in due:
        emu.store.put(
            "emas_message",
            message["message_id"],
            {**message, "status": "SENT", "sent_count": message["audience"]},
        )
        at = datetime.fromisoformat(message["push_time"])
        ctx = CallContext(
            service=EMAS,
            action="Fire:Push",
            params=Params({"MessageId": message["message_id"]}),
            access_key_id="",
            now=at,
            request_id=emu.new_request_id(),
            app=message["app_key"],
        )
        emu.log(ctx, 200, "OK", source="scheduler", result={"MessageId": message["message_id"]})
    return len(due)
