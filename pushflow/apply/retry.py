"""When a failed call is tried again, and when its outcome is unknown.

- The service **answered** with a retryable error (throttling, 5xx, InternalError, mPaaS 9000):
  it did not act on the request, so the same request is sent again after an exponential backoff
  with full jitter, at most ``attempts`` times.
- The service **answered** with any other error: the call failed; nothing was sent.
- **No answer** and the request never left (connection refused, connect timeout): as retryable.
- **No answer** after the request may have left (read timeout, reset): the outcome is unknown.
  Sending again is safe only where the service deduplicates: EMAS calls carry an
  IdempotentToken (same token within 15 minutes → the first result, nothing sent again); mPaaS
  accepts a repeated msgKey, so an mPaaS call is recorded ``unknown`` and not repeated unless
  the user asks (``--resend-unknown``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from pushflow.providers import ProviderError, ServiceError, TransportError

#: Transport failures that prove the request never reached the service.
NOT_SENT = frozenset({"ConnectError", "ConnectTimeout", "PoolTimeout"})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter (AWS architecture blog's "full jitter")."""

    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        ceiling = min(self.cap, self.base * 2 ** (attempt - 1))
        wait = self.rng.uniform(0, ceiling)
        return max(wait, retry_after or 0.0)


def may_have_been_sent(error: ProviderError) -> bool:
    """Whether the service may have acted on a request that ended in ``error``."""
    if isinstance(error, ServiceError):
        return False
    if isinstance(error, TransportError):
        return error.code not in NOT_SENT
    return False


def should_retry(error: ProviderError, *, idempotent: bool) -> bool:
    """Whether to send the same request again."""
    if may_have_been_sent(error):
        return idempotent
    return error.retryable
