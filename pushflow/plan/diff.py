"""Compare a plan with the state: what is new, what changed, what was removed, what is done.

The state is the ledger (``pushflow/ledger``): the revision of each campaign that was applied and
the sends already made. A plan read against it says, per campaign:

- **new** — never applied: ``send`` (now) or ``schedule``;
- **unchanged** — the applied revision is this one and nothing is left to send;
- **changed** — the keys that differ from the applied revision (``message``, ``audience``…);
  for a ``now`` campaign, only targets that have no send yet would be sent (``+500 new targets``);
  for a local-time campaign, a target already sent a wall-clock time in another zone is not
  counted in its new zone's group (:meth:`State.done_in_other_zones`);
  a content edit alone sends nothing (keys do not depend on content: bump ``epoch`` to resend);
- **removed** — applied, but no longer in the project: ``cancel`` its scheduled work.

Reading the state never writes it: a SQLite state that does not exist yet is an empty state.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

from pushflow.ledger import Ledger, Revision, resolve
from pushflow.ledger.records import SendState
from pushflow.ledger.url import describe
from pushflow.timing.occurrence import split_local_key

#: Send states that mean "this target was reached" (or might have been: unknown is not resent
#: without --resend-unknown, so it is not new either).
DONE: tuple[SendState, ...] = ("sent", "unknown")


@dataclass
class State:
    """What the plan needs from the ledger, read once."""

    where: str
    version: int | None
    revisions: dict[str, Revision] = field(default_factory=dict)
    ledger: Ledger | None = None
    #: Send states that count as done: ``unknown`` too, unless the user asks to resend them.
    done_states: tuple[SendState, ...] = DONE

    def done(self, campaign: str, occurrence: str) -> Iterator[str]:
        """Targets of ``campaign`` × ``occurrence`` already sent (or unknown), sorted by id."""
        if self.ledger is None:
            return
        after: str | None = None
        while True:
            page = self.ledger.sends(campaign, occurrence, states=self.done_states, after=after)
            if not page:
                return
            for send in page:
                yield send.target
            after = page[-1].target

    def unknown_warning(self, campaign: str) -> str | None:
        """What a reviewer should know of ``campaign``'s sends whose outcome is unknown (they
        count as done, so the plan would otherwise not show them); None when there are none, or
        when the user asked to resend them (they are then planned as sends)."""
        if self.ledger is None or "unknown" not in self.done_states:
            return None
        count = self.ledger.send_counts(campaign).get("unknown", 0)
        if not count:
            return None
        sends = "send has" if count == 1 else "sends have"
        return (
            f"{count} {sends} an unknown outcome (a call got no answer, or the process stopped "
            f"before recording it) and will not be resent: `pushflow history {campaign}` lists "
            "them; `pushflow apply --resend-unknown` looks them up on the service first and "
            "resends only those it cannot find"
        )

    def done_on_every(
        self, campaign: str, occurrence: str, platforms: tuple[str, ...]
    ) -> Iterator[str]:
        """Targets done on every one of ``platforms`` (their sends are recorded per platform as
        ``platform:id``: see ``compile.send_target``), sorted by id; :meth:`done` without."""
        if not platforms:
            return self.done(campaign, occurrence)
        streams = [self._done_prefixed(campaign, occurrence, f"{p}:") for p in platforms]
        return _common(streams)

    def _done_prefixed(self, campaign: str, occurrence: str, prefix: str) -> Iterator[str]:
        """The ids of ``prefix``-ed sends done, the prefix removed, sorted."""
        if self.ledger is None:
            return
        after = prefix  # every "prefix:id" sorts after "prefix:" itself
        while page := self.ledger.sends(campaign, occurrence, states=self.done_states, after=after):
            for send in page:
                if not send.target.startswith(prefix):
                    return
                yield send.target[len(prefix) :]
            after = page[-1].target

    def done_in_other_zones(self, campaign: str, occurrence: str) -> Iterator[str]:
        """Local-time delivery: targets already sent (or unknown) ``occurrence``'s wall-clock
        time in another zone's occurrence (they moved zone), sorted by id, maybe repeated."""
        wall, zone = split_local_key(occurrence)
        if self.ledger is None or zone is None:
            return iter(())
        siblings = [
            other.key
            for other in self.ledger.occurrences(campaign)
            if other.key != occurrence and split_local_key(other.key)[0] == wall
        ]
        return heapq.merge(*(self.done(campaign, key) for key in siblings))


def _exists(url: URL) -> bool:
    if url.get_backend_name() != "sqlite":
        return True
    return bool(url.database) and Path(str(url.database)).is_file()


@contextmanager
def read_state(
    state: str,
    root: Path,
    environ: Mapping[str, str] | None = None,
    *,
    resend_unknown: bool = False,
) -> Iterator[State]:
    """The state at ``state`` (``pushflow.yaml``'s setting; ``PUSHFLOW_STATE_URL`` wins).
    With ``resend_unknown``, sends whose outcome is unknown count as still to send."""
    url = resolve(state, root, environ)
    done: tuple[SendState, ...] = ("sent",) if resend_unknown else DONE
    if not _exists(url):
        yield State(describe(url), None, done_states=done)
        return
    with Ledger(url) as ledger:
        revisions = {revision.campaign: revision for revision in ledger.active_revisions()}
        yield State(describe(url), ledger.state_version(), revisions, ledger, done)


def changed_keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The top-level keys (one level deeper for message, audience, channels, strategy) whose
    values differ, for a reviewer: ``message.title``, ``strategy``, ``audience.source``."""
    changed = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict) and key != "strategy":
            changed += [
                f"{key}.{inner}"
                for inner in sorted(set(old) | set(new))
                if old.get(inner) != new.get(inner)
            ]
        else:
            changed.append(key)
    return changed


def _common(streams: list[Iterator[str]]) -> Iterator[str]:
    """The values in every one of ``streams`` (each sorted, without repeats), sorted."""
    heads = [next(stream, None) for stream in streams]
    while all(head is not None for head in heads):
        top = max(head for head in heads if head is not None)
        if all(head == top for head in heads):
            yield top
            heads = [next(stream, None) for stream in streams]
            continue
        for index, stream in enumerate(streams):
            while heads[index] is not None and heads[index] < top:  # type: ignore[operator]
                heads[index] = next(stream, None)
