"""Settle ``unknown`` sends by asking the service: before an occurrence is sent, and right after.

A send is ``unknown`` when its call may have been acted on but no outcome was recorded: the
process was killed between call and record (its stale claim becomes ``unknown``), or the call
got no answer after the request left (a read timeout). :func:`pushflow.apply.fire.fire` runs
:meth:`Resolver.resolve` before the claim pass (so ``pushflow apply`` after a crash, the
daemon's sweep, and ``--resend-unknown`` look first) and again after it when calls of this run
ended unknown. The lookups, where a service allows one:

- mPaaS PushMultiple / PushBroadcast: QueryPushAnalysisTaskList by the call's tagged TaskName
  (:mod:`.task_lookup`);
- EMAS Push / MassPush: QueryPushRecords over the call's minutes (:mod:`.records_lookup`).

The calls are rebuilt, not stored: the audience is read again in the same chunks, and a chunk's
unknown targets build the call that was made (same targets, so the same tag, token, content).
What a lookup says is recorded on the sends:

- **found** → ``sent`` (result code ``found:<query>``, the task or message id when known): never
  sent again;
- **not found** → still ``unknown`` (``not-found:<query>``, and when it looked, in the error
  text): the lists may lag behind a push, so absence proves nothing. ``--resend-unknown``
  resends what is still unknown after its own lookup;
- **unclear** → still ``unknown`` (``unclear:<query>``).

Not looked up (no query names their calls, or the call cannot be rebuilt as made): mPaaS
PushSimple / PushTemplate, EMAS ContinuouslyPush, server-scheduled calls (``execute: server``),
sends recorded under another API than the occurrence's route now, targets no longer in the
audience. They stay ``unknown``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from pushflow.apply.calls import Call
from pushflow.apply.lookup import Finding, Lookup, LookupContext, Unknown
from pushflow.apply.occurrence import settle_stale_claims
from pushflow.apply.records_lookup import RecordsLookup
from pushflow.apply.sender import Sender
from pushflow.apply.task_lookup import TaskLookup
from pushflow.audience import Row
from pushflow.ledger import Ledger, Send
from pushflow.ledger.records import FOUND, NOT_FOUND, UNCLEAR
from pushflow.plan.compile import send_target
from pushflow.plan.keys import EVERYONE
from pushflow.plan.model import Execute

#: The lookup of each API whose calls a query can identify.
LOOKUPS: dict[str, Lookup] = {
    "mpaas.PushMultiple": TaskLookup(),
    "mpaas.PushBroadcast": TaskLookup(),
    "emas.Push": RecordsLookup(),
    "emas.MassPush": RecordsLookup(),
}
_CODES = {"found": FOUND, "not-found": NOT_FOUND, "unclear": UNCLEAR}


def can_look_up(api: str, execute: Execute) -> bool:
    """Whether unknown sends of ``api`` calls can be looked up (never server-scheduled ones)."""
    return api in LOOKUPS and execute != "server"


@dataclass
class Resolved:
    """What a resolve did: sends found sent (``mine``: of them, those whose call this claim
    owner made), and sends looked up but left unknown."""

    found: int = 0
    left: int = 0
    mine: int = 0


@dataclass
class Resolver:
    """Looks up the unknown sends of one occurrence (see the module docstring)."""

    ledger: Ledger
    sender: Sender
    campaign: str
    occurrence: str
    api: str
    execute: Execute
    platforms: tuple[str | None, ...]
    chunks: Callable[[], Iterator[list[Row] | None]]
    build: Callable[[list[Row] | None, str | None], list[Call]]
    clock: Callable[[], datetime]
    idempotent: bool = False

    async def resolve(self, *, settle: bool = False, owner: str | None = None) -> Resolved:
        """Look up every unknown send of the occurrence that can be; with ``settle``, stale
        claims (a killed process's) become ``unknown`` first, as the claim pass would.
        ``owner``: the claim owner whose found sends :attr:`Resolved.mine` counts."""
        if not can_look_up(self.api, self.execute):
            return Resolved()
        if settle:
            await asyncio.to_thread(
                settle_stale_claims,
                self.ledger,
                self.campaign,
                self.occurrence,
                idempotent=self.idempotent,
                now=self.clock(),
            )
        pending = await asyncio.to_thread(self._unknown)
        if not pending:
            return Resolved()
        unknowns = self._rebuild(pending)
        if not unknowns:
            return Resolved()
        context = LookupContext(self.clock(), self._recorded_message_ids)
        lookup = LOOKUPS[self.api]
        by_app: dict[str, list[Unknown]] = {}
        for unknown in unknowns:
            by_app.setdefault(unknown.call.app, []).append(unknown)
        resolved = Resolved()
        for app, group in by_app.items():
            findings = await lookup(self.sender.client(app), group, context)
            for unknown, finding in zip(group, findings, strict=True):
                await asyncio.to_thread(self._record, unknown, finding, resolved)
                if finding.state == "found" and owner is not None:
                    resolved.mine += sum(1 for send in unknown.sends if send.claim_owner == owner)
        return resolved

    def _unknown(self) -> dict[str, Send]:
        """The occurrence's unknown sends made through this route's API, by target."""
        found: dict[str, Send] = {}
        after: str | None = None
        while page := self.ledger.sends(
            self.campaign, self.occurrence, states=["unknown"], after=after
        ):
            after = page[-1].target
            found.update((send.target, send) for send in page if send.api == self.api)
        return found

    def _rebuild(self, pending: dict[str, Send]) -> list[Unknown]:
        """The calls the unknown sends were made in, rebuilt chunk by chunk."""
        left = dict(pending)
        unknowns: list[Unknown] = []
        for chunk in self.chunks():
            for platform in self.platforms:
                rows = _unknown_rows(chunk, platform, left)
                if rows == []:
                    continue
                for call in self.build(rows, platform):
                    sends = tuple(left.pop(t) for t in call.targets if t in left)
                    if len(sends) == len(call.targets):
                        unknowns.append(Unknown(call, sends))
            if not left:
                break
        return unknowns

    async def _recorded_message_ids(self) -> set[str]:
        return await asyncio.to_thread(self._sent_ids)

    def _sent_ids(self) -> set[str]:
        ids: set[str] = set()
        after: str | None = None
        while page := self.ledger.sends(
            self.campaign, self.occurrence, states=["sent"], after=after
        ):
            after = page[-1].target
            for send in page:
                ids.update(one for one in (send.message_id or "").split(",") if one)
        return ids

    def _record(self, unknown: Unknown, finding: Finding, resolved: Resolved) -> None:
        targets = list(unknown.call.targets)
        now = self.clock()
        code = _CODES[finding.state] + finding.query
        if finding.state == "found":
            resolved.found += self.ledger.resolve_unknown(
                self.campaign,
                self.occurrence,
                targets,
                "sent",
                message_id=finding.message_id,
                task_id=finding.task_id,
                result_code=code,
                error=f"found by {finding.query} at {_shown(now)}: {finding.detail}",
                now=now,
            )
            return
        resolved.left += self.ledger.record_lookup(
            self.campaign,
            self.occurrence,
            targets,
            result_code=code,
            error=_left_note(finding, now),
        )


def _unknown_rows(
    chunk: list[Row] | None, platform: str | None, left: dict[str, Send]
) -> list[Row] | None:
    """The chunk's rows whose sends are unknown (None: the one send to everyone is; ``[]``:
    nothing of this chunk is)."""
    if chunk is None:
        return None if send_target(platform, EVERYONE) in left else []
    return [row for row in chunk if send_target(platform, row.target) in left]


def _shown(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _left_note(finding: Finding, now: datetime) -> str:
    why = {
        "not-found": "not found (the service's lists may lag behind a push, so this proves "
        "nothing)",
        "unclear": "unclear",
    }[finding.state]
    return (
        f"looked up with {finding.query} at {_shown(now)}: {why}: {finding.detail}; not resent "
        "unless you pass --resend-unknown"
    )
