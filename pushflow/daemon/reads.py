"""Revisions by id for the daemon's reconcile: the active ones in one query (a daemon of 10 000
campaigns starting up must not make tens of thousands of round trips). The other bulk questions
are the ledger's own (``latest_instants``, ``first_applied_all``, ``unfinished_occurrences``)."""

from __future__ import annotations

from pushflow.ledger import Ledger, Revision


def revisions_by_id(ledger: Ledger, ids: set[int]) -> dict[int, Revision]:
    """The revisions ``ids`` name: the active ones in one query, any other one by one."""
    found = {revision.id: revision for revision in ledger.active_revisions()}
    for missing in ids - found.keys():
        revision = ledger.revision(missing)
        if revision is not None:
            found[missing] = revision
    return found
