"""``pushflow revoke CAMPAIGN [--occurrence KEY]``: withdraw sent mPaaS messages.

mPaaS revokes messages of the last 7 days (mpaas-server-api.zh.txt, 消息撤回): PushSimple and
PushTemplate messages by message id — the msgKey pushflow sent them with (业务方消息 ID) — and
target (``RevokePushMessage``), one call per target; PushMultiple and PushBroadcast messages by
task id (``RevokePushTask``), one call per task. A unit sent more than 7 days ago is refused
here, naming its send time and when its window closed, without a call. EMAS Push has no revoke
operation: a campaign sent through EMAS is refused.

The occurrence is the latest one with sent messages unless ``--occurrence`` names one. Every
outcome is recorded in the ledger's ``revocations`` (migration 2): a revoked subject is never
revoked again, a failed one is tried again by the next ``pushflow revoke``. Holds the apply
lock, so an apply still sending the occurrence is not raced.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pushflow.errors import PushflowError
from pushflow.ledger import Ledger, Occurrence
from pushflow.lifecycle.session import LifecycleSession
from pushflow.lifecycle.tables import shown, table, when
from pushflow.providers import MpaasClient, ProviderError
from pushflow.providers.mpaas_models import RevokePushMessageRequest, RevokePushTaskRequest
from pushflow.spec.project import MpaasApp

#: mpaas-server-api.zh.txt 消息撤回: "仅支持撤回最近 7 天内的消息".
WINDOW = timedelta(days=7)
BY_MESSAGE = "mpaas.RevokePushMessage"
BY_TASK = "mpaas.RevokePushTask"
#: Revoke calls in flight at once.
CONCURRENCY = 8


class RevokeError(PushflowError):
    """The campaign or occurrence cannot be revoked (EMAS, nothing sent, window closed)."""


@dataclass
class Unit:
    """One revoke call: a task id, or a target and the msgKey its message was pushed with."""

    api: str
    subject: str
    sent_at: datetime | None
    message_id: str | None = None
    state: str = "pending"
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "api": self.api,
            "subject": self.subject,
            "message_id": self.message_id,
            "sent_at": when(self.sent_at),
            "state": self.state,
            "detail": self.detail,
        }


@dataclass
class Revoked:
    campaign: str
    occurrence: str
    app: str
    units: list[Unit] = field(default_factory=list)

    def of(self, state: str) -> list[Unit]:
        return [u for u in self.units if u.state == state]

    @property
    def ok(self) -> bool:
        return not self.of("refused") and not self.of("failed")

    def to_json(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign,
            "occurrence": self.occurrence,
            "app": self.app,
            "units": [u.to_json() for u in self.units],
            "counts": {s: len(self.of(s)) for s in ("revoked", "already", "refused", "failed")},
        }

    def to_text(self) -> str:
        rows = [
            [u.api.split(".")[1], u.subject, shown(u.sent_at), u.state, u.detail or ""]
            for u in self.units
        ]
        counts = ", ".join(
            f"{len(self.of(s))} {s}" for s in ("revoked", "already", "refused", "failed")
        )
        title = f"{self.campaign}, occurrence {self.occurrence} (app {self.app}): {counts}"
        return "\n".join([title, *table(("API", "SUBJECT", "SENT", "RESULT", "DETAIL"), rows)])


def _pick(ledger: Ledger, campaign: str, key: str | None) -> Occurrence:
    every = ledger.occurrences(campaign)
    if key is not None:
        for occurrence in every:
            if occurrence.key == key:
                return occurrence
        keys = ", ".join(o.key for o in every) or "none"
        raise RevokeError(f"--occurrence {key!r}: campaign {campaign!r} has no such occurrence "
                          f"(its occurrences: {keys})")  # fmt: skip
    for occurrence in sorted(every, key=lambda o: (o.instant, o.created_at), reverse=True):
        if ledger.send_counts(campaign, occurrence.key).get("sent"):
            return occurrence
    raise RevokeError(f"campaign {campaign!r} has sent nothing yet: there is nothing to revoke")


def units(ledger: Ledger, campaign: str, occurrence: str) -> list[Unit]:
    """What revoking the occurrence takes: a call per task, or per target's message."""
    tasks: dict[str, Unit] = {}
    messages: list[Unit] = []
    after: str | None = None
    while page := ledger.sends(campaign, occurrence, states=["sent"], after=after):
        after = page[-1].target
        for send in page:
            if send.api in ("mpaas.PushSimple", "mpaas.PushTemplate"):
                unit = Unit(BY_MESSAGE, send.target, send.finished_at, send.idempotency_key)
                messages.append(unit)
            elif send.task_id and send.task_id not in tasks:
                tasks[send.task_id] = Unit(BY_TASK, send.task_id, send.finished_at)
    return [*sorted(tasks.values(), key=lambda u: u.subject), *messages]


async def _call(client: MpaasClient, app: MpaasApp, unit: Unit) -> None:
    scope = {"app_id": app.app_id, "workspace_id": app.workspace_id, "tenant_id": app.tenant_id}
    if unit.api == BY_TASK:
        await client.revoke_push_task(RevokePushTaskRequest(task_id=unit.subject, **scope))
    else:
        request = RevokePushMessageRequest(
            message_id=unit.message_id or "", target_id=unit.subject, **scope
        )
        await client.revoke_push_message(request)


async def _revoke(
    session: LifecycleSession, campaign: str, occurrence: str, app: str, todo: list[Unit]
) -> None:
    client = session.client(app)
    config = session.apps[app]
    if not isinstance(client, MpaasClient) or not isinstance(config, MpaasApp):
        raise RevokeError(f"app {app!r} is not an mPaaS app")
    slots = asyncio.Semaphore(CONCURRENCY)

    async def one(unit: Unit) -> None:
        async with slots:
            try:
                await _call(client, config, unit)
            except ProviderError as error:
                unit.state, unit.detail = "failed", str(error)
                code: str | None = error.code
            else:
                unit.state, code = "revoked", None
        session.ledger.record_revocation(
            campaign, occurrence, api=unit.api, subject=unit.subject, message_id=unit.message_id,
            state="revoked" if unit.state == "revoked" else "failed",
            result_code=code, error=unit.detail, sent_at=unit.sent_at, now=session.now,
        )  # fmt: skip

    try:
        await asyncio.gather(*(one(unit) for unit in todo))
    finally:
        await session.aclose()


def revoke(
    session: LifecycleSession,
    name: str,
    *,
    occurrence: str | None = None,
    lock_timeout: float = 30.0,
) -> Revoked:
    """Revoke the sent messages of one occurrence of campaign ``name``."""
    ref, _ = session.applied(name)
    app_name, app = session.app(ref)
    if not isinstance(app, MpaasApp):
        raise RevokeError(
            f"campaign {name!r} is sent through EMAS app {app_name!r}: EMAS Push has no revoke "
            "operation, so a message it has sent cannot be withdrawn (a timed push not sent "
            f"yet can be cancelled with `pushflow cancel {name}`)"
        )
    ledger = session.ledger
    with ledger.apply_lock(timeout=lock_timeout):
        picked = _pick(ledger, name, occurrence)
        if picked.key.startswith("server:"):
            raise RevokeError(
                f"occurrence {picked.key!r} of campaign {name!r} was scheduled on the service: "
                "pushflow holds the scheduled task id, not the ids of the pushes the service "
                f"made from it; cancel what has not fired with `pushflow cancel {name}`, and "
                "revoke fired pushes in the mPaaS console"
            )
        result = Revoked(name, picked.key, app_name, units(ledger, name, picked.key))
        if not result.units:
            raise RevokeError(
                f"occurrence {picked.key!r} of campaign {name!r} has no sent messages to revoke"
            )
        done = {
            (r.api, r.subject) for r in ledger.revocations(name, picked.key, states=["revoked"])
        }
        todo = []
        for unit in result.units:
            closes = unit.sent_at + WINDOW if unit.sent_at is not None else None
            if (unit.api, unit.subject) in done:
                unit.state = "already"
            elif closes is not None and session.now > closes:
                unit.state = "refused"
                unit.detail = (f"sent {shown(unit.sent_at)}; the 7-day revoke window closed "
                               f"{shown(closes)}")  # fmt: skip
            else:
                todo.append(unit)
        refused = result.of("refused")
        if refused and len(refused) == len(result.units):
            first = min(u.sent_at for u in refused if u.sent_at is not None)
            raise RevokeError(
                f"campaign {name!r}, occurrence {picked.key!r}: sent {shown(first)}; mPaaS "
                f"revokes messages of the last 7 days only, and that window closed "
                f"{shown(first + WINDOW)} (now {shown(session.now)}): nothing was revoked"
            )
        if todo:
            asyncio.run(_revoke(session, name, picked.key, app_name, todo))
    return result
