"""EMAS: find unknown Push and MassPush calls in QueryPushRecords.

QueryPushRecords (SDK ``QueryPushRecordsRequest``) lists an AppKey's pushes in a time span
(``StartTime``/``EndTime``, ISO 8601 UTC, a span of at most 7 days), filterable by ``Source``
(``API``), with each push's ``MessageId``, ``PushTime``, ``PushType``, ``DeviceType``,
``Target`` (the kind), ``Title`` and ``Body``: not the ids it went to, nor the JobKey or the
IdempotentToken. So a push is recognised by its content in the minutes its call can have been
made (from its claim to the end of the claim's lease, a few minutes' clock skew either side):

- each push an unknown call would make (one for ``Push``, one per task for ``MassPush``) has a
  *signature*: (DeviceType, PushType, Target, Title, Body);
- the span's records made through the API, less those whose MessageId the ledger already holds
  for this occurrence's sent sends, are counted by signature, and so are the pushes of all the
  occurrence's unknown calls;
- a call is **found** when, for each of its signatures, the records count exactly as many as
  the unknown calls need (each of those calls was made; the MessageId is recorded when a
  signature is needed once, so the record is that call's); **not found** when no record has any
  of its signatures; **unclear** otherwise (some calls of a shared content were made, not
  which; or pushes of the same content from elsewhere in the span).

The one way this can be wrong: another sender pushing exactly the same title and body to the
same AppKey through the API within those minutes, while the unknown call never arrived.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pushflow.apply.lookup import SKEW, Finding, LookupContext, Unknown
from pushflow.apply.sender import Client
from pushflow.providers import EmasClient, ProviderError
from pushflow.providers.emas_models import (
    MassPushRequest,
    PushInfo,
    PushRequest,
    PushTask,
    QueryPushRecordsRequest,
)

QUERY = "QueryPushRecords"
#: Records per page and most pages (SDK QueryPushRecordsRequest: PageSize ≤ 100, Page ≤ 10 000).
PAGE_SIZE = 100
MAX_PAGES = 10_000
#: Longest span queried at once (the service refuses more than 7 days).
MAX_SPAN = timedelta(days=6)

Signature = tuple[str, str, str, str, str]


class TooManyRecords(Exception):
    """More records in the span than the paging reaches."""


def _signature(task: PushTask) -> Signature:
    return (
        task.device_type.upper(),
        task.push_type,
        task.target,
        task.title or "",
        task.body or "",
    )


def _record(info: PushInfo) -> Signature:
    return (
        (info.device_type or "").upper(),
        info.push_type or "",
        info.target or "",
        info.title or "",
        info.body or "",
    )


def signatures(unknown: Unknown) -> list[Signature]:
    """The pushes the call makes, in order (one per MassPush task)."""
    request = unknown.call.request
    if isinstance(request, MassPushRequest):
        return [_signature(task) for task in request.push_task]
    if isinstance(request, PushRequest):
        return [_signature(request)]
    raise TypeError(f"{unknown.call.api} is not looked up in the push records")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Span:
    """A time span read at once, and the unknown calls (by index) whose windows it covers."""

    start: datetime
    end: datetime
    members: tuple[int, ...]


def spans(unknowns: Sequence[Unknown], now: datetime) -> list[Span]:
    """The time spans to read: the calls' windows, merged where they overlap while a span stays
    under 7 days. A call is matched against the records of its own span only."""
    merged: list[Span] = []
    for index in sorted(range(len(unknowns)), key=lambda i: unknowns[i].since):
        unknown = unknowns[index]
        start, end = unknown.since, min(unknown.until, now + SKEW)
        if merged:
            last = merged[-1]
            if start <= last.end and max(end, last.end) - last.start <= MAX_SPAN:
                merged[-1] = Span(last.start, max(end, last.end), (*last.members, index))
                continue
        merged.append(Span(start, end, (index,)))
    return merged


async def _records(
    client: EmasClient, app_key: int, start: datetime, end: datetime
) -> list[PushInfo]:
    found: list[PushInfo] = []
    for page in range(1, MAX_PAGES + 1):
        answer = await client.query_push_records(
            QueryPushRecordsRequest(
                app_key=app_key,
                start_time=_iso(start),
                end_time=_iso(end),
                source="API",
                page=page,
                page_size=PAGE_SIZE,
            )
        )
        infos = answer.push_infos.push_info
        found += infos
        if len(infos) < PAGE_SIZE or (answer.total is not None and len(found) >= answer.total):
            return found
    raise TooManyRecords(f"more than {MAX_PAGES * PAGE_SIZE} pushes between {start} and {end}")


def _app_key(unknown: Unknown) -> int:
    request = unknown.call.request
    if not isinstance(request, PushRequest | MassPushRequest):
        raise TypeError(f"{unknown.call.api} is not looked up in the push records")
    return request.app_key


class RecordsLookup:
    """Matches the calls' pushes against the records of their minutes, per AppKey."""

    query = QUERY

    async def __call__(
        self, client: Client, unknowns: Sequence[Unknown], context: LookupContext
    ) -> list[Finding]:
        if not isinstance(client, EmasClient):
            raise TypeError("QueryPushRecords is an EMAS query")
        findings: dict[int, Finding] = {}
        by_key: dict[int, list[int]] = defaultdict(list)
        for index, unknown in enumerate(unknowns):
            by_key[_app_key(unknown)].append(index)
        for app_key, indexes in by_key.items():
            group = [unknowns[i] for i in indexes]
            answers = await self._group(client, app_key, group, context)
            findings.update(zip(indexes, answers, strict=True))
        return [findings[i] for i in range(len(unknowns))]

    async def _group(
        self, client: EmasClient, app_key: int, unknowns: Sequence[Unknown], context: LookupContext
    ) -> list[Finding]:
        findings: dict[int, Finding] = {}
        recorded: set[str] | None = None
        for span in spans(unknowns, context.now):
            members = [unknowns[i] for i in span.members]
            try:
                infos = await _records(client, app_key, span.start, span.end)
            except (ProviderError, TooManyRecords) as error:
                failed = Finding("unclear", QUERY, f"the lookup failed: {error}")
                findings.update((i, failed) for i in span.members)
                continue
            if infos and recorded is None:
                recorded = await context.recorded_message_ids()
            have: dict[Signature, list[str]] = defaultdict(list)
            for info in sorted(infos, key=lambda info: info.push_time or ""):
                if info.message_id and info.message_id not in (recorded or set()):
                    have[_record(info)].append(info.message_id)
            need = Counter(sig for unknown in members for sig in signatures(unknown))
            findings.update(
                (i, _verdict(signatures(unknown), have, need))
                for i, unknown in zip(span.members, members, strict=True)
            )
        return [findings[i] for i in range(len(unknowns))]


def _verdict(
    mine: list[Signature], have: dict[Signature, list[str]], need: Counter[Signature]
) -> Finding:
    counts = {sig: len(have.get(sig, [])) for sig in mine}
    if all(count == 0 for count in counts.values()):
        return Finding("not-found", QUERY, "no push of this content in the call's minutes")
    if all(counts[sig] == need[sig] for sig in mine):
        ids = [have[sig][0] if need[sig] == 1 else None for sig in mine]
        known = [one for one in ids if one is not None]
        message_id = ",".join(known) if len(known) == len(ids) else None
        shown = f"message {message_id}" if message_id else "pushes of this content"
        return Finding("found", QUERY, f"{shown} in the call's minutes", message_id=message_id)
    found, wanted = sum(counts.values()), sum(need[sig] for sig in set(mine))
    return Finding(
        "unclear",
        QUERY,
        f"{found} pushes of this content in the call's minutes where unknown calls would make "
        f"{wanted}: which were made cannot be told",
    )
