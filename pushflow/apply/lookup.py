"""What a lookup of unknown calls takes and gives (:mod:`pushflow.apply.resolve` runs them).

An :class:`Unknown` is a call rebuilt from the audience whose sends the ledger holds as
``unknown``; a lookup (:mod:`.task_lookup` for mPaaS, :mod:`.records_lookup` for EMAS) asks the
service about a list of them and answers one :class:`Finding` per call, in the same order:

- ``found``: the service made that call (``task_id`` / ``message_id`` when it says which);
- ``not-found``: nothing on the service matches it *yet* (the lists may lag behind a push);
- ``unclear``: the answer does not tell this call from others (or the lookup failed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from pushflow.apply.calls import Call
from pushflow.apply.occurrence import LEASE
from pushflow.apply.sender import Client
from pushflow.ledger import Send

FindingState = Literal["found", "not-found", "unclear"]

#: Clock difference allowed between this machine and the service when matching times.
SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Unknown:
    """A rebuilt call whose sends are ``unknown``, with their ledger rows."""

    call: Call
    sends: tuple[Send, ...]

    @property
    def since(self) -> datetime:
        """The earliest the call can have reached the service: its claim (less the skew)."""
        return min(send.claimed_at for send in self.sends) - SKEW

    @property
    def until(self) -> datetime:
        """The latest it can have: the end of its claim's lease, within which a call is made,
        retries included (plus the skew)."""
        return max(send.claimed_at for send in self.sends) + LEASE + SKEW


@dataclass(frozen=True)
class Finding:
    """What a lookup says about one unknown call; ``detail`` is for people."""

    state: FindingState
    query: str
    detail: str
    message_id: str | None = None
    task_id: str | None = None


@dataclass(frozen=True)
class LookupContext:
    """What a lookup may need besides the service: the time, and the MessageIds of the
    occurrence's sends already recorded ``sent`` (read from the ledger on demand)."""

    now: datetime
    recorded_message_ids: Callable[[], Awaitable[set[str]]]


class Lookup(Protocol):
    """Asks the service about ``unknowns`` (all of one app); one finding each, in order."""

    query: str

    async def __call__(
        self, client: Client, unknowns: Sequence[Unknown], context: LookupContext
    ) -> list[Finding]: ...
