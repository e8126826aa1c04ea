"""The records the ledger hands out: frozen dataclasses, one per table row kind.

Times are aware datetimes in UTC on both backends
(see :class:`~pushflow.ledger.schema.UTCDateTime`).
"""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

RevisionStatus = Literal["active", "superseded", "removed"]
OccurrenceStatus = Literal["pending", "sending", "done", "missed", "cancelled", "failed"]
SendState = Literal["claimed", "sent", "failed", "unknown"]
ScheduleStatus = Literal["active", "cancelled"]
ServerTaskStatus = Literal["scheduled", "cancelled", "fired", "failed"]

#: ``result_code`` of a send settled ``sent`` by a lookup (``found:QueryPushRecords``), and of
#: an ``unknown`` send a lookup did not find (``not-found:…``) or could not tell (``unclear:…``).
FOUND = "found:"
NOT_FOUND = "not-found:"
UNCLEAR = "unclear:"


@dataclass(frozen=True)
class Actor:
    """Who did something: the host, process and OS user of an apply or a daemon."""

    host: str
    pid: int
    user: str

    @classmethod
    def current(cls) -> Actor:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry (containers)
            user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
        return cls(host=socket.gethostname(), pid=os.getpid(), user=user)

    def __str__(self) -> str:
        return f"{self.user}@{self.host} pid {self.pid}"


@dataclass(frozen=True)
class Revision:
    """One applied revision of a campaign: exactly what was reviewed, and when it took effect."""

    id: int
    campaign: str
    digest: str
    spec: dict[str, Any]
    audience_digest: str | None
    epoch: int
    status: RevisionStatus
    applied_at: datetime
    applied_by: str


@dataclass(frozen=True)
class Occurrence:
    """One firing of a campaign, identified by its key (see docs/timing.md)."""

    campaign: str
    key: str
    instant: datetime
    revision_id: int
    status: OccurrenceStatus
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Claim:
    """A send this caller now owns and must finish with ``record_*`` or ``release``."""

    target: str
    key: str
    attempts: int


@dataclass(frozen=True)
class Send:
    """One occurrence × target: the unit of exactly-once."""

    campaign: str
    occurrence: str
    target: str
    idempotency_key: str
    api: str
    state: SendState
    claim_owner: str | None
    lease_expires_at: datetime | None
    attempts: int
    message_id: str | None
    task_id: str | None
    result_code: str | None
    error: str | None
    claimed_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class Schedule:
    """A desired local schedule: what the daemon should fire for a campaign's revision."""

    campaign: str
    revision_id: int
    trigger: dict[str, Any]
    next_fire_at: datetime | None
    status: ScheduleStatus
    updated_at: datetime


@dataclass(frozen=True)
class ServerTask:
    """Work scheduled on the service (mPaaS task id, EMAS PushTime message id)."""

    id: int
    campaign: str
    occurrence: str
    revision_id: int
    provider: str
    app: str
    api: str
    task_id: str
    fire_at: datetime | None
    status: ServerTaskStatus
    created_at: datetime
    updated_at: datetime


RevocationState = Literal["revoked", "failed"]


@dataclass(frozen=True)
class Revocation:
    """A revoke of sent messages: one task (RevokePushTask) or one target's message
    (RevokePushMessage) of an occurrence."""

    id: int
    campaign: str
    occurrence: str
    api: str
    subject: str
    message_id: str | None
    state: RevocationState
    result_code: str | None
    error: str | None
    sent_at: datetime | None
    revoked_at: datetime
    revoked_by: str


@dataclass(frozen=True)
class SendSummary:
    """The sends of one occurrence, added up: counts by state, failure codes, the ids the
    service answered (distinct, sorted; EMAS MassPush's comma-joined ids split), when the
    sent ones were recorded, and how many sent ones were found by a lookup, by the query that
    found them (``{"QueryPushAnalysisTaskList": 25}``)."""

    counts: dict[str, int]
    codes: dict[str, int]
    apis: list[str]
    message_ids: list[str]
    task_ids: list[str]
    first_sent_at: datetime | None
    last_sent_at: datetime | None
    resolved: dict[str, int] = field(default_factory=dict)
