"""``pushflow history CAMPAIGN``: the campaign's occurrences, newest first, and their sends.

Per occurrence: its key, instant and status, the revision it fired, its sends counted by state
(added up in the database, never loaded one by one), how many sent ones were found by a lookup
after their outcome was unknown, the failure codes of failed and unknown sends (a lookup that
did not settle an unknown send leaves ``not-found:<query>`` or ``unclear:<query>``), the
MessageIds and task ids the service answered, and how many subjects were revoked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pushflow.ledger import Ledger, Occurrence, SendSummary
from pushflow.lifecycle.session import LifecycleSession
from pushflow.lifecycle.tables import counts, ids, shown, table, when

#: Occurrences listed by default.
LIMIT = 20


@dataclass(frozen=True)
class OccurrenceReport:
    """One occurrence and what its sends came to."""

    occurrence: Occurrence
    revision: str | None
    sends: SendSummary
    revoked: int = 0

    def to_json(self) -> dict[str, Any]:
        sends = self.sends
        return {
            "key": self.occurrence.key,
            "instant": when(self.occurrence.instant),
            "status": self.occurrence.status,
            "revision": self.revision,
            "sends": dict(sorted(sends.counts.items())),
            "resolved": dict(sorted(sends.resolved.items())),
            "failures": dict(sorted(sends.codes.items())),
            "apis": sends.apis,
            "message_ids": sends.message_ids,
            "task_ids": sends.task_ids,
            "first_sent_at": when(sends.first_sent_at),
            "last_sent_at": when(sends.last_sent_at),
            "revoked": self.revoked,
        }

    def row(self) -> list[str]:
        sends = self.sends
        failures = ", ".join(f"{code} ×{n}" for code, n in sorted(sends.codes.items())) or "-"
        answered = [f"msg {i}" for i in sends.message_ids] + [f"task {i}" for i in sends.task_ids]
        notes = [f"{n} found by lookup" for n in [sum(sends.resolved.values())] if n]
        notes += [f"revoked {self.revoked}"] if self.revoked else []
        return [
            self.occurrence.key,
            shown(self.occurrence.instant),
            self.occurrence.status,
            counts(sends.counts) + (f" ({', '.join(notes)})" if notes else ""),
            failures,
            ids(answered),
        ]


HEADERS = ("OCCURRENCE", "INSTANT", "STATUS", "SENDS", "FAILURES", "IDS")


def occurrence_reports(
    ledger: Ledger, campaign: str, *, limit: int | None = LIMIT, id_limit: int | None = 1000
) -> list[OccurrenceReport]:
    """The campaign's latest occurrences, newest first, each with its sends added up (and at
    most ``id_limit`` of its message and task ids each; None: all)."""
    newest = sorted(
        ledger.occurrences(campaign), key=lambda o: (o.instant, o.created_at), reverse=True
    )
    if limit is not None:
        newest = newest[:limit]
    digests = {r.id: r.digest for r in ledger.revisions(campaign)}
    revoked: dict[str, int] = {}
    for revocation in ledger.revocations(campaign, states=["revoked"]):
        revoked[revocation.occurrence] = revoked.get(revocation.occurrence, 0) + 1
    return [
        OccurrenceReport(
            occurrence,
            digests.get(occurrence.revision_id),
            ledger.send_summary(campaign, occurrence.key, id_limit=id_limit),
            revoked.get(occurrence.key, 0),
        )
        for occurrence in newest
    ]


@dataclass
class History:
    campaign: str
    file: str | None
    state: str
    occurrences: list[OccurrenceReport] = field(default_factory=list)
    limit: int | None = LIMIT

    def to_json(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign,
            "file": self.file,
            "state": self.state,
            "occurrences": [o.to_json() for o in self.occurrences],
        }

    def to_text(self) -> str:
        count = len(self.occurrences)
        more = " (the latest; raise --limit for more)" if self.limit == count else ""
        title = f"{self.campaign}: {count} occurrence{'s' if count != 1 else ''}{more}"
        if not self.occurrences:
            return f"{title}. Nothing has fired yet."
        return "\n".join([title, *table(HEADERS, [o.row() for o in self.occurrences])])


def history(session: LifecycleSession, name: str, *, limit: int | None = LIMIT) -> History:
    """The history of campaign ``name`` (refused if unknown or never applied)."""
    ref, _ = session.applied(name)
    reports = occurrence_reports(session.ledger, name, limit=limit)
    return History(name, ref.file, session.where, reports, limit)
