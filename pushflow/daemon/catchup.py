"""Where each campaign resumes, and whether a late occurrence is sent or recorded ``missed``.

A campaign owes the occurrences after it was first applied (at its ``epoch``). The daemon keeps,
per campaign, the instant up to which it has handled them (its *cursor*); on start the cursor is
the latest occurrence the ledger recorded for the campaign, or the first apply if none was. Each
run handles ``due(since=cursor, now=now)`` (half-open windows: nothing handled twice, nothing
skipped) and moves the cursor to ``now``.

An occurrence handled late (the daemon was stopped, or every daemon was) is sent if it is at
most the campaign's ``catch_up`` window late (default 1 h), and recorded ``missed`` otherwise,
never to be sent. Both are decisions about the occurrence's key, so N daemons reach the same one
and the ledger holds it once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pushflow.daemon.schedule import LocalSchedule
from pushflow.timing import Occurrence

Verdict = Literal["fire", "missed"]


def resume_from(
    schedule: LocalSchedule,
    *,
    last_recorded: datetime | None,
    first_applied: datetime | None,
) -> datetime:
    """The cursor a campaign starts from: the later of its latest recorded occurrence and its
    first apply at this epoch (the revision's own apply when the ledger has no earlier one)."""
    anchor = first_applied or schedule.revision.applied_at
    return anchor if last_recorded is None else max(anchor, last_recorded)


def lateness(occurrence: Occurrence, now: datetime) -> timedelta:
    """How late handling ``occurrence`` at ``now`` is (zero or more)."""
    return max(now - occurrence.instant, timedelta(0))


def verdict(occurrence: Occurrence, now: datetime, window: timedelta) -> Verdict:
    """``fire`` within the catch-up window, ``missed`` after it."""
    return "fire" if lateness(occurrence, now) <= window else "missed"
