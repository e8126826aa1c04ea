"""Send one occurrence of one campaign: claim → call → record, chunk by chunk.

The audience is read sorted and cut into chunks of one call's size from its start, so a chunk is
the same set of targets on every run: a call rebuilt after a crash carries the same keys (and,
for EMAS, the same IdempotentToken). For each chunk:

1. **claim** its sends in the ledger; only the targets this process won go into the call
   (targets sent before, or held by another apply or daemon, are skipped);
2. **call** the service (rate-limited, retried where safe: :mod:`pushflow.apply.sender`);
3. **record** the outcome for exactly those targets: ``sent`` (never repeated), ``failed``
   (nothing sent; a later apply retries it), or ``unknown`` (reported, not resent unless asked).

A process killed between 2 and 3 leaves its claims ``claimed`` with an expired lease. The next
run settles them first (:func:`settle_stale_claims`): an EMAS call carries an IdempotentToken the
service honours for 15 minutes, so a first claim younger than that is simply taken again and the
same call resent (the service answers with the first result); anything else becomes ``unknown``
(and is looked up on the service: :mod:`pushflow.apply.resolve`).
Calls run concurrently up to a bound (``concurrency``): a chunk's claim is made only once a slot
is free, so no more sends are claimed than calls can be in flight. The ledger work (claims,
records) is done by a :class:`~pushflow.apply.writer.LedgerWriter`: one thread of its own,
several claims and records a transaction, so the event loop keeps sending and reading answers
while SQLite commits (an fsync each) or PostgreSQL answers. A chunk's claim is still committed
before its call is made, and a call's outcome recorded after its answer; at any moment the calls
whose sends are claimed but not recorded in the state are at most the calls in flight.
"""

from __future__ import annotations

import asyncio
import functools
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from pushflow.apply.calls import Call, with_message_id
from pushflow.apply.sender import Outcome, Sender
from pushflow.apply.writer import LedgerWriter
from pushflow.audience import Row
from pushflow.ledger import Ledger
from pushflow.plan.compile import send_target
from pushflow.plan.keys import EVERYONE, msg_keys

#: A claim is exclusive this long; then it counts as stale (the process died). It covers a call
#: with all its retries (the read timeout and the backoff cap are far shorter), and leaves most
#: of EMAS's 15-minute token window for a resend after a crash.
LEASE = timedelta(minutes=5)
#: EMAS deduplicates a repeated IdempotentToken within 15 minutes; keep a margin.
EMAS_TOKEN_WINDOW = timedelta(minutes=14)
#: Calls in flight at once by default (``pushflow apply --concurrency``). With a 50 ms round
#: trip, 16 calls in flight allow 320 calls/s, above the default QPS caps.
CONCURRENCY = 16


@dataclass
class Tally:
    """What happened to the sends of an apply."""

    sent: int = 0
    skipped: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    unknown: int = 0
    calls: int = 0
    #: Unknown sends a lookup found sent (:mod:`pushflow.apply.resolve`): not sent again.
    resolved: int = 0

    def add(self, other: Tally) -> None:
        self.sent += other.sent
        self.skipped += other.skipped
        self.failed.update(other.failed)
        self.unknown += other.unknown
        self.calls += other.calls
        self.resolved += other.resolved

    @property
    def ok(self) -> bool:
        return not self.failed and not self.unknown


def settle_stale_claims(
    ledger: Ledger, campaign: str, occurrence: str, *, idempotent: bool, now: datetime
) -> int:
    """Mark stale claims ``unknown`` unless the service deduplicates a resend; return how many
    were marked. (Young EMAS claims are left: the claim pass retakes them.)"""
    marked = 0
    after: str | None = None
    while page := ledger.sends(campaign, occurrence, states=["claimed"], after=after):
        after = page[-1].target
        # One record per owner and page (a killed apply leaves up to its calls in flight
        # claimed, 16 calls of up to 1,000 targets), not a transaction per send.
        stale: dict[str, list[str]] = {}
        for send in page:
            if send.lease_expires_at is None or send.lease_expires_at >= now:
                continue  # a live claim of another process
            # Only a first claim: a retaken one's claimed_at is the retake's, later than the
            # token's first use, so the window could be over already.
            if idempotent and send.attempts == 1 and now - send.claimed_at < EMAS_TOKEN_WINDOW:
                continue
            stale.setdefault(send.claim_owner or "", []).append(send.target)
        for owner, targets in stale.items():
            marked += ledger.record_unknown(
                campaign,
                occurrence,
                targets,
                owner,
                error="the process making this call stopped before recording its outcome",
                now=now,
            )
    return marked


@dataclass
class OccurrenceRun:
    """Everything needed to send one occurrence."""

    ledger: Ledger
    sender: Sender
    owner: str
    campaign: str
    epoch: int
    occurrence: str
    api: str
    platforms: tuple[str | None, ...]
    idempotent: bool
    retry_failed: bool = True
    resend_unknown: bool = False
    concurrency: int = CONCURRENCY
    clock: Callable[[], datetime] = datetime.now
    progress: Callable[[Tally], None] = lambda tally: None
    _message_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: The msgKeys of the sends claimed and not yet built into calls (ledger target → key),
    #: written by :meth:`claim` in the ledger's thread and each taken once by :meth:`msg_key`;
    #: kept only once a call has asked for one (mPaaS calls do; EMAS calls carry other keys,
    #: and would leave every one of them here).
    _claimed_keys: dict[str, str] = field(default_factory=dict)
    _keys_asked: bool = False

    @functools.cached_property
    def _key(self) -> Callable[[str], str]:
        """A target's msgKey (``msg_key``, the occurrence's shared prefix hashed once)."""
        return msg_keys(self.campaign, self.epoch, self.occurrence)

    def claim(self, rows: list[Row] | None, platform: str | None, api: str) -> list[Row] | None:
        """The rows of a chunk this process won (None for an audience the service expands,
        which has the one target :data:`EVERYONE`; ``[]`` when nothing is left to send)."""
        names = [EVERYONE] if rows is None else [row.target for row in rows]
        # send_target(None, name) is name.
        targets = names if platform is None else [send_target(platform, name) for name in names]
        key = self._key
        pairs = [(target, key(target)) for target in targets]
        got = self.ledger.claim(
            self.campaign,
            self.occurrence,
            pairs,
            self.owner,
            LEASE,
            api=api,
            reclaim_expired=self.idempotent,
            retry_failed=self.retry_failed,
            resend_unknown=self.resend_unknown,
            now=self.clock(),
        )
        if rows is None:
            return None if got else []
        if len(got) == len(rows):
            # The claim answers distinct targets, all of the chunk's: as many as its rows, so
            # the rows' targets are distinct and every one was won.
            if self._keys_asked:
                self._claimed_keys.update(pairs)
            return list(rows)
        won = set(got)
        if self._keys_asked:
            self._claimed_keys.update(pair for pair in pairs if pair[0] in won)
        return [row for row, target in zip(rows, targets, strict=True) if target in won]

    def msg_key(self, target: str) -> str:
        """The msgKey of the send to ``target`` (a ledger target): the one its claim computed,
        taken (a claimed send is built into one call), or computed again (``msg_key``'s
        function: the same key) for a send this run did not claim."""
        self._keys_asked = True
        key = self._claimed_keys.pop(target, None)
        return key if key is not None else self._key(target)

    def record(self, call: Call, outcome: Outcome, tally: Tally) -> None:
        targets = list(call.targets)
        now = self.clock()
        if outcome.state == "sent":
            self.ledger.record_sent(
                self.campaign,
                self.occurrence,
                targets,
                self.owner,
                message_id=outcome.message_id,
                task_id=outcome.task_id,
                result_code="OK",
                now=now,
            )
            tally.sent += len(targets)
        elif outcome.state == "failed":
            self.ledger.record_failed(
                self.campaign,
                self.occurrence,
                targets,
                self.owner,
                result_code=outcome.code,
                error=outcome.error,
                now=now,
            )
            tally.failed[outcome.code or "error"] += len(targets)
        else:
            self.ledger.record_unknown(
                self.campaign, self.occurrence, targets, self.owner, error=outcome.error, now=now
            )
            tally.unknown += len(targets)

    async def run(
        self,
        chunks: Iterator[list[Row] | None],
        build: Callable[[list[Row] | None, str | None], list[Call]],
        stored_message: Callable[[str | None, int], Call] | None = None,
    ) -> Tally:
        """Send every chunk; ``build(rows, platform)`` makes its calls, ``stored_message``
        (ContinuouslyPush) makes the Push with Target=TBD that later calls refer to."""
        async with LedgerWriter(self.ledger) as writer:
            return await self._run(chunks, build, stored_message, writer)

    async def _run(
        self,
        chunks: Iterator[list[Row] | None],
        build: Callable[[list[Row] | None, str | None], list[Call]],
        stored_message: Callable[[str | None, int], Call] | None,
        writer: LedgerWriter,
    ) -> Tally:
        tally = Tally()
        settle = functools.partial(
            settle_stale_claims,
            self.ledger,
            self.campaign,
            self.occurrence,
            idempotent=self.idempotent,
            now=self.clock(),
        )
        await writer.call(settle)
        slots = asyncio.Semaphore(self.concurrency)
        pending: set[asyncio.Task[None]] = set()
        errors: list[BaseException] = []
        message_ids: dict[tuple[str | None, int], str] = {}
        calls_made: Counter[str | None] = Counter()

        def record(call: Call, outcome: Outcome) -> None:
            writer.record(
                functools.partial(self.record, call, outcome, tally),
                order=call.targets[0] if call.targets else "",
                after=lambda: self.progress(tally),
            )

        async def one(call: Call) -> None:
            try:
                message_id = None
                if call.needs_message_id and stored_message is not None:
                    part = calls_made[call.platform] // 10_000
                    calls_made[call.platform] += 1
                    message_id = await self._message(
                        stored_message, call.platform, part, message_ids
                    )
                    if message_id is None:
                        failed = Outcome(
                            "failed",
                            1,
                            code="StoredMessage",
                            error="the stored message (Push with Target=TBD) was not created",
                        )
                        record(call, failed)
                        return
                    call = with_message_id(call, message_id)
                outcome = await self.sender.send(call)
                tally.calls += outcome.attempts
                record(call, outcome)
            finally:
                slots.release()

        async def send(
            chunk: list[Row] | None, platform: str | None, claimed: Awaitable[list[Row] | None]
        ) -> None:
            """Wait for the chunk's claim (its slot held), then make its calls."""
            try:
                won = await claimed
                if won == []:
                    tally.skipped += len(chunk) if chunk is not None else 1
                    calls = []
                else:
                    if chunk is not None and won is not None:
                        tally.skipped += len(chunk) - len(won)
                    calls = build(won, platform)
            except BaseException:
                slots.release()
                raise
            if not calls:
                slots.release()
            last = len(calls) - 1
            for index, call in enumerate(calls):
                if index:
                    await slots.acquire()
                if index == last:
                    await one(call)  # in this task: one task less per call
                else:
                    spawn(one(call))

        def spawn(work: Coroutine[None, None, None]) -> None:
            task = asyncio.create_task(work)
            pending.add(task)
            task.add_done_callback(finished)

        def finished(task: asyncio.Task[None]) -> None:
            pending.discard(task)
            if not task.cancelled() and task.exception() is not None:
                errors.append(cast(BaseException, task.exception()))

        for chunk in chunks:
            for platform in self.platforms:
                # A slot first, then the claim: no more sends are claimed than calls can be in
                # flight, so a crash leaves at most `concurrency` calls' sends unsettled. The
                # claim is queued to the writer (committed in its next round, with the records
                # queued before it); the next chunk's slot is waited for meanwhile.
                await slots.acquire()
                if errors or writer.failure is not None:
                    slots.release()
                    break
                claimed = writer.claim(functools.partial(self.claim, chunk, platform, self.api))
                spawn(send(chunk, platform, claimed))
            else:
                continue
            break
        while pending:
            await asyncio.wait(set(pending))
        try:
            await writer.close()
        except BaseException:
            if not errors:
                raise
        if errors:
            raise errors[0]
        return tally

    async def _message(
        self,
        stored_message: Callable[[str | None, int], Call],
        platform: str | None,
        part: int,
        cache: dict[tuple[str | None, int], str],
    ) -> str | None:
        key = (platform, part)
        async with self._message_lock:
            if key not in cache:
                outcome = await self.sender.send(stored_message(platform, part))
                if outcome.state != "sent" or not outcome.message_id:
                    return None
                cache[key] = outcome.message_id
        return cache[key]
