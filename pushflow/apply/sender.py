"""Send one call: rate-limited, retried where that is safe, ending in a definite outcome.

An :class:`Outcome` is what the ledger records for every target of the call: ``sent`` (with the
service's MessageId or task id), ``failed`` (the service refused; nothing was sent, a later apply
may retry), or ``unknown`` (the request may have been acted on and cannot safely be repeated:
reported, never resent unless the user asks). See :mod:`pushflow.apply.retry`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from pushflow.apply.calls import Call
from pushflow.apply.ratelimit import TokenBucket
from pushflow.apply.retry import RetryPolicy, may_have_been_sent, should_retry
from pushflow.providers import EmasClient, MpaasClient, ProviderError, ThrottledError

Client = MpaasClient | EmasClient
State = Literal["sent", "failed", "unknown"]


@dataclass(frozen=True)
class Outcome:
    """How a call ended, for every one of its targets."""

    state: State
    attempts: int
    message_id: str | None = None
    task_id: str | None = None
    code: str | None = None
    error: str | None = None


async def dispatch(client: Client, call: Call) -> tuple[str | None, str | None]:
    """Make the call; (MessageId, task id) on success, a ProviderError otherwise."""
    request: Any = call.request
    if isinstance(client, MpaasClient):
        if call.api == "mpaas.PushSimple":
            answer = await client.push_simple(request)
        elif call.api == "mpaas.PushTemplate":
            answer = await client.push_template(request)
        elif call.api == "mpaas.PushMultiple":
            answer = await client.push_multiple(request)
        else:
            answer = await client.push_broadcast(request)
        return None, answer.push_result.data if answer.push_result else None
    if call.api == "emas.MassPush":
        mass = await client.mass_push(request)
        return ",".join(mass.message_ids.message_id) or None, None
    if call.api == "emas.ContinuouslyPush":
        return (await client.continuously_push(request)).message_id, None
    return (await client.push(request)).message_id, None


class Sender:
    """Sends calls through each app's client (``client(app name)``), one token bucket per app
    and API (``rates(app, api)`` calls per second)."""

    def __init__(
        self,
        client: Callable[[str], Client],
        rates: Callable[[str, str], float],
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._client = client
        self._rates = rates
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self._buckets: dict[tuple[str, str], TokenBucket] = {}

    def client(self, app: str) -> Client:
        """The client of ``app`` (the lookups of :mod:`pushflow.apply.resolve` use it too)."""
        return self._client(app)

    def bucket(self, app: str, api: str) -> TokenBucket:
        key = (app, api)
        if key not in self._buckets:
            self._buckets[key] = TokenBucket(self._rates(app, api), sleep=self._sleep)
        return self._buckets[key]

    async def send(self, call: Call) -> Outcome:
        """Send ``call`` until it succeeds, fails for good, or its outcome is unknown."""
        bucket = self.bucket(call.app, call.api)
        idempotent = getattr(call.request, "idempotent_token", None) is not None
        attempt = 0
        while True:
            attempt += 1
            await bucket.acquire()
            try:
                sent_id, task_id = await dispatch(self._client(call.app), call)
            except ProviderError as error:
                if isinstance(error, ThrottledError):
                    bucket.penalise(error.retry_after or self._policy.delay(attempt))
                if attempt < self._policy.attempts and should_retry(error, idempotent=idempotent):
                    await self._sleep(self._policy.delay(attempt, error.retry_after))
                    continue
                state: State = "unknown" if may_have_been_sent(error) else "failed"
                return Outcome(state, attempt, code=error.code, error=str(error))
            return Outcome("sent", attempt, message_id=sent_id, task_id=task_id)
