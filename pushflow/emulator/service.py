"""The emulator object: configuration plus every piece of state a handler may touch.

``create_app`` puts one :class:`Emulator` on ``app.state.emulator``; in-process tests use it to
freeze or move the clock (:attr:`Emulator.clock`), add templates, read the call log or the
stored records, and fire due scheduled pushes (:meth:`Emulator.advance`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pushflow.emulator import templates as tpl
from pushflow.emulator.calls import Call, CallLog
from pushflow.emulator.clock import Clock
from pushflow.emulator.config import EmulatorConfig
from pushflow.emulator.faults import FaultInjector
from pushflow.emulator.quotas import QuotaGate
from pushflow.emulator.signature import NonceCache
from pushflow.emulator.state import Store
from pushflow.emulator.wire import Params

MPAAS = "mpaas"
EMAS = "emas"


@dataclass
class CallContext:
    """One API call being handled."""

    service: str
    action: str
    params: Params
    access_key_id: str
    now: datetime
    request_id: str
    app: str = ""
    duplicate: bool = False
    notes: list[str] = field(default_factory=list)


class Emulator:
    """State and settings shared by the handlers, the control API and in-process tests."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.clock = Clock(config.frozen_at)
        self.store = Store(config.db_path)
        self.calls = CallLog()
        self.faults = FaultInjector(config.fault_spec(), config.seed)
        self.quotas = QuotaGate()
        self.nonces = NonceCache()
        self.tz = ZoneInfo(config.service_timezone)
        self.access_keys = dict(config.access_keys)
        if config.templates_file is not None:
            for template in tpl.load_file(config.templates_file):
                self.add_template(template)

    # --- identifiers -------------------------------------------------------------------------
    @staticmethod
    def new_request_id() -> str:
        return str(uuid.uuid4()).upper()

    def new_message_id(self) -> str:
        """EMAS MessageIds: increasing decimal strings, persisted across restarts."""
        return str(self.store.next_id("emas_message_id", 500_000_000_001))

    def new_task_id(self) -> str:
        """mPaaS task ids (the numeric ``taskId`` of the analysis APIs)."""
        return str(self.store.next_id("mpaas_task_id", 20_000_001))

    @staticmethod
    def new_unique_id() -> str:
        """mPaaS scheduled-task ids (32 hex digits, like ``903bf653c1b5442b9ba07684767bf9c2``)."""
        return uuid.uuid4().hex

    # --- templates ---------------------------------------------------------------------------
    def add_template(self, raw: dict[str, Any]) -> dict[str, Any]:
        template = tpl.normalize(raw)
        existing = self.store.get("template", template["name"])
        template_id = existing["id"] if existing else str(self.store.next_id("template_id", 9001))
        record = {**template, "id": template_id}
        self.store.put("template", template["name"], record)
        return record

    def template(self, name: str) -> dict[str, Any] | None:
        return self.store.get("template", name)

    # --- the call log ------------------------------------------------------------------------
    def log(
        self,
        ctx: CallContext,
        status: int,
        code: str,
        *,
        fault: str | None = None,
        result: dict[str, Any] | None = None,
        source: str = "api",
    ) -> Call:
        call = Call(
            seq=self.calls.next_seq(),
            time=ctx.now.isoformat().replace("+00:00", "Z"),
            service=ctx.service,
            action=ctx.action,
            params=ctx.params.as_dict(),
            status=status,
            code=code,
            request_id=ctx.request_id,
            app=ctx.app,
            access_key_id=ctx.access_key_id,
            duplicate=ctx.duplicate,
            fault=fault,
            source=source,
            result=result or {},
        )
        self.calls.append(call)
        return call

    # --- time --------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock.now()

    def advance(self, delta: timedelta) -> int:
        """Move the clock and fire what fell due; returns how many pushes fired."""
        self.clock.advance(delta)
        return self.fire_due()

    def fire_due(self) -> int:
        """Fire every scheduled push whose time has come (mPaaS strategies, EMAS PushTime)."""
        from pushflow.emulator.scheduler import fire_due

        return fire_due(self)

    # --- lifecycle ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget all state except templates; clear the call log, quotas and nonces."""
        kept = self.store.values("template")
        self.store.clear()
        for template in kept:
            self.store.put("template", template["name"], template)
        self.calls.clear()
        self.quotas.reset()
        self.nonces = NonceCache()

    def close(self) -> None:
        self.store.close()
