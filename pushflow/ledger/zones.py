"""Local-time delivery in the ledger: one send per target across the zones of one wall time.

A local-time campaign records one occurrence per time zone, keyed ``2026-12-01T09:00@Europe/Berlin``
(docs/timing.md), each with its own instant and status; sends are rows of those occurrences as
usual. The *send*, though, is the wall-clock occurrence × target: a target that was sent its
09:00 push in Berlin and then moved to New York (a new revision of the audience) must not get
09:00 again in New York. So claiming sends of a local-time occurrence first drops the targets that
already have a send in a *sibling* occurrence (same campaign, same wall-clock key, another zone)
that is ``sent``, ``claimed`` (it is being sent, or its process died mid-call) or ``unknown``
(unless the caller resends unknown sends on purpose). A ``failed`` send reached nobody: the
target may still get the occurrence in its new zone.

The check runs in the claim's own transaction. SQLite serialises writers, so it is atomic there;
on PostgreSQL the claim first takes a transaction-scoped advisory lock on (campaign, wall-clock
key), so two processes claiming sibling zones at once cannot both pass the check. No column or
table is needed for this (the zone is part of the key): no migration.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection

from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from pushflow.ledger.base import in_chunks
from pushflow.ledger.schema import occurrences, sends
from pushflow.timing.occurrence import ZONE_SEPARATOR, split_local_key


def sent_in_other_zones(
    conn: Connection,
    campaign: str,
    occurrence: str,
    targets: Collection[str],
    *,
    resend_unknown: bool,
) -> set[str]:
    """Which of ``targets`` already have their send of ``occurrence``'s wall-clock time in
    another zone (empty for an occurrence that is not local-time)."""
    wall, zone = split_local_key(occurrence)
    if zone is None or not targets:
        return set()
    if conn.dialect.name == "postgresql":
        key = zlib.crc32(f"{campaign}\0{wall}".encode())
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    prefix = wall + ZONE_SEPARATOR
    siblings = [
        key
        for (key,) in conn.execute(
            select(occurrences.c.key).where(
                occurrences.c.campaign == campaign,
                occurrences.c.key.startswith(prefix, autoescape=True),
            )
        )
        if key != occurrence and split_local_key(key)[0] == wall
    ]
    if not siblings:
        return set()
    blocking = ["sent", "claimed"] if resend_unknown else ["sent", "claimed", "unknown"]
    found: set[str] = set()
    for chunk in in_chunks(sorted(targets)):
        query = select(sends.c.target).where(
            sends.c.campaign == campaign,
            sends.c.occurrence.in_(siblings),
            sends.c.target.in_(list(chunk)),
            sends.c.state.in_(blocking),
        )
        found.update(target for (target,) in conn.execute(query))
    return found
