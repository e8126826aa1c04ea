"""The frequency cap: at most ``max`` sends to one target within any ``per``, across campaigns.

A target's sends are the occurrences of every campaign of the plan whose audience lists it (each
occurrence in the plan's horizon; a campaign the plan leaves unchanged still sends its), and the
sends the state already holds near them (``sent``, ``unknown`` and ``claimed``: each may have
reached the target; a server-scheduled send is recorded when scheduled, at its occurrence's
instant). The window is rolling: sends at ``t`` and ``t + per`` are in different windows.

Audiences can hold millions of targets, so nothing is loaded per campaign: each campaign's
targets are spooled to a file, one id a line in sorted order (as the audience store reads them
back), and the files and the state's sends (paged by target, per occurrence) are merged as
sorted streams. Memory is one page per stream; time is one pass. Targets that share the same
campaigns and no history share the same verdict, which is computed once; and when all the
plan's sends together cannot break the cap and the state holds nothing near them, no file is
read at all.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from pushflow.ledger import Ledger
from pushflow.ledger.records import SendState
from pushflow.plan.keys import EVERYONE
from pushflow.spec.policy import FrequencyCap

#: Send states that may have reached the target.
HISTORY_STATES: tuple[SendState, ...] = ("sent", "unknown", "claimed")


@dataclass(frozen=True, order=True)
class Event:
    """One send to a target: a campaign's occurrence at an instant."""

    at: datetime
    campaign: str
    occurrence: str
    #: Whether this plan makes the send (False: recorded in the state).
    planned: bool = field(default=True, compare=False)
    #: Whether the campaign is one the plan changes (sends or schedules).
    changed: bool = field(default=True, compare=False)

    @property
    def identity(self) -> tuple[str, str, datetime]:
        return self.campaign, self.occurrence, self.at


@dataclass(frozen=True)
class Counted:
    """A campaign of the plan whose targets are counted: its spooled ids and its sends."""

    name: str
    ids: Path
    events: tuple[Event, ...]


@dataclass
class Excess:
    """Targets over the cap, blamed on one campaign: how many, and the first one's sends."""

    targets: int
    example: str
    window: tuple[Event, ...]


class IdSpool:
    """Files of sorted target ids, one a line, in a folder the caller removes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._count = 0

    def write(self, ids: Iterable[str]) -> Path:
        self._count += 1
        path = self.folder / f"policy-ids-{self._count}.txt"
        with path.open("w", encoding="utf-8") as handle:
            handle.writelines(target + "\n" for target in ids)
        return path


def normal_key(key: str) -> str:
    """A recorded occurrence key as the plan names it: ``server:K@revision`` → ``K``."""
    if key.startswith("server:"):
        return key.removeprefix("server:").rsplit("@", 1)[0]
    return key


def excess_window(events: Sequence[Event], cap: FrequencyCap) -> tuple[Event, ...] | None:
    """The first window of ``per`` holding more than ``max`` of ``events`` (sorted by instant)
    and a send the plan changes; None when there is none."""
    left = 0
    for right, event in enumerate(events):
        while event.at - events[left].at >= cap.per:
            left += 1
        if right - left + 1 > cap.max:
            window = events[left : right + 1]
            if any(e.changed for e in window):
                return tuple(window)
    return None


def check_frequency(
    cap: FrequencyCap,
    counted: Sequence[Counted],
    ledger: Ledger | None,
    order: Sequence[str],
) -> dict[str, Excess]:
    """Targets over the cap, by the campaign blamed: the first changed one (in ``order``) with a
    send in the window."""
    planned = sorted(event for campaign in counted for event in campaign.events)
    if not planned:
        return {}
    history = _history(ledger, planned[0].at - cap.per, planned[-1].at + cap.per)
    if not history and excess_window(planned, cap) is None:
        return {}
    rank = {name: index for index, name in enumerate(order)}
    sources = [c.events for c in counted] + [(event,) for event, _ in history]
    found: dict[str, Excess] = {}
    verdicts: dict[tuple[int, ...], tuple[Event, ...] | None] = {}
    firsts = len(counted)
    with ExitStack() as stack:
        streams: list[Iterator[tuple[str, int]]] = [
            _lines(stack.enter_context(c.ids.open(encoding="utf-8")), index)
            for index, c in enumerate(counted)
        ]
        streams += [_tagged(targets, firsts + index) for index, (_, targets) in enumerate(history)]
        for target, group in groupby(heapq.merge(*streams), key=itemgetter(0)):
            indexes = tuple(index for _, index in group)
            if len(indexes) == 1 and len(sources[indexes[0]]) <= cap.max:
                continue
            if indexes[-1] < firsts:  # planned sends only: the same campaigns, the same verdict
                if indexes not in verdicts:
                    verdicts[indexes] = excess_window(_events(sources, indexes), cap)
                window = verdicts[indexes]
            else:
                window = excess_window(_events(sources, indexes), cap)
            if window is None:
                continue
            blamed = min((e.campaign for e in window if e.changed), key=lambda n: rank[n])
            excess = found.get(blamed)
            if excess is None:
                found[blamed] = Excess(1, target, window)
            else:
                excess.targets += 1
    return found


def _events(sources: Sequence[tuple[Event, ...]], indexes: tuple[int, ...]) -> list[Event]:
    """The sends of one target, a recorded send the plan also makes counted once."""
    events: dict[tuple[str, str, datetime], Event] = {}
    for index in indexes:
        for event in sources[index]:
            events.setdefault(event.identity, event)
    return sorted(events.values())


def _lines(handle: Iterable[str], index: int) -> Iterator[tuple[str, int]]:
    for line in handle:
        yield line[:-1], index


def _tagged(targets: Iterator[str], index: int) -> Iterator[tuple[str, int]]:
    for target in targets:
        yield target, index


def _history(
    ledger: Ledger | None, after: datetime, before: datetime
) -> list[tuple[Event, Iterator[str]]]:
    """The state's occurrences near the plan's sends, each with a sorted stream of its targets."""
    if ledger is None:
        return []
    return [
        (
            Event(o.instant, o.campaign, normal_key(o.key), planned=False, changed=False),
            _sent(ledger, o.campaign, o.key),
        )
        for o in ledger.occurrences_between(after, before)
    ]


def _sent(ledger: Ledger, campaign: str, occurrence: str) -> Iterator[str]:
    """The targets of an occurrence's sends that may have reached them, sorted, paged."""
    after: str | None = None
    while page := ledger.sends(campaign, occurrence, states=HISTORY_STATES, after=after):
        for send in page:
            if send.target != EVERYONE:
                yield send.target
        after = page[-1].target
