"""The sweep: finish occurrences a stopped process left ``pending`` or ``sending``.

A daemon killed mid-send leaves its occurrence ``sending`` and some sends ``claimed``. Every
``sweep_interval`` each daemon looks for occurrences untouched for longer than a claim's lease
and fires them again through the same path (:meth:`.occurrence.OccurrenceHandler.send`): the
claims already recorded stop anything being sent twice, the stale ones are settled by
:func:`pushflow.apply.occurrence.settle_stale_claims` (an EMAS claim is retaken and resent with
its IdempotentToken, which the service deduplicates; an mPaaS one becomes ``unknown``), and
targets never claimed are sent. An occurrence found later than its campaign's catch-up window
is not resumed: it becomes ``failed`` with a log line (what was sent stays sent).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from pushflow.daemon.campaigns import Campaigns
from pushflow.daemon.catchup import verdict
from pushflow.daemon.occurrence import OPEN, OccurrenceHandler
from pushflow.daemon.schedule import LocalSchedule
from pushflow.timing import Occurrence
from pushflow.timing.occurrence import split_local_key

log = logging.getLogger("pushflow.daemon")


async def sweep(
    handler: OccurrenceHandler,
    campaigns: Campaigns,
    *,
    clock: Callable[[], datetime],
    stale_after: timedelta,
) -> int:
    """Resume every stale unfinished occurrence of a scheduled campaign; how many."""
    ledger = handler.ledger
    now = clock()
    rows = await asyncio.to_thread(
        ledger.unfinished_occurrences, older_than=now - stale_after, until=now
    )
    resumed = 0
    for row in rows:
        entry = campaigns.entries.get(row.campaign)
        if entry is None or (row.campaign, row.key) in handler.active:
            continue
        schedule = entry.schedule
        if row.revision_id != schedule.revision.id:
            revision = ledger.revision(row.revision_id)
            if revision is None:
                continue
            schedule = LocalSchedule(schedule.schedule, revision)
        zone = split_local_key(row.key)[1] or schedule.zone or "UTC"
        occurrence = Occurrence.at_instant(row.instant, zone, key=row.key)
        fields = {"campaign": row.campaign, "occurrence": row.key, "event": "sweep"}
        if verdict(occurrence, now, schedule.catch_up) == "missed":
            if ledger.set_occurrence_status(row.campaign, row.key, "failed", only_from=OPEN):
                log.error(
                    "occurrence stopped mid-send and was not finished within the catch-up "
                    "window: marked failed",
                    extra=fields,
                )
            continue
        log.info("resuming an unfinished occurrence", extra=fields)
        await handler.send(schedule, occurrence)
        resumed += 1
    return resumed
