"""Each target's time zone, for local-time delivery: the audience's ``timezone_column``.

A campaign whose strategy has ``local_time: true`` sends its wall-clock time in each target's own
zone. The zone is the row's value in the source's ``timezone_column`` (an IANA name such as
``Europe/Berlin``, blanks around it ignored); a row that leaves it empty (or a JSONL object or an
inline entry without the key, or a plain inline id) gets the campaign's ``timezone``. A value that
is not an IANA zone is a bad row (``audience-row-timezone``), reported at its row with a
suggestion when one is close, like a bad id.

Zone names repeat across millions of rows; each distinct value is looked up once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pushflow.audience.sources import Row, RowError
from pushflow.errors import Problem
from pushflow.spec.campaign import EmasCampaign, MpaasCampaign
from pushflow.spec.strategy import zone_hint, zone_problem


@dataclass
class ZoneColumn:
    """How a row's zone is read: the column, and the zone of rows that leave it empty."""

    column: str
    fallback: str
    _known: dict[str, str | None] = field(default_factory=dict, repr=False)

    def problem(self, value: Any) -> str | None:
        """Why ``value`` (a cell of the column) is not a zone, or None when it is one or empty."""
        if value is None:
            return None
        if not isinstance(value, str):
            return (
                f"time zone in `{self.column}` must be text (an IANA name), got "
                f"{type(value).__name__}"
            )
        known = self._known
        if value not in known:
            name = value.strip()
            wrong = bool(name) and zone_problem(name) is not None
            known[value] = (
                f"unknown IANA time zone {name!r} in column `{self.column}`{zone_hint(name)}"
                if wrong
                else None
            )
        return known[value]

    def zone(self, value: Any) -> str:
        """The zone a (checked) cell names: the cell, or the fallback when it is empty."""
        if isinstance(value, str):
            return value.strip() or self.fallback
        return self.fallback

    def of(self, columns: Mapping[str, Any]) -> str:
        """The zone of a row given as a mapping of its columns."""
        return self.zone(columns.get(self.column))


def zone_checked(rows: Iterable[Row | RowError], zones: ZoneColumn) -> Iterator[Row | RowError]:
    """``rows`` with every row whose zone is not an IANA zone turned into a positioned
    :class:`RowError`."""
    for row in rows:
        if isinstance(row, Row):
            wrong = zones.problem(row.columns.get(zones.column))
            if wrong is not None:
                yield RowError(Problem(row.location, wrong, rule="audience-row-timezone"))
                continue
        yield row


def zone_column(campaign: MpaasCampaign | EmasCampaign) -> ZoneColumn | None:
    """How the campaign's audience names each target's zone: for a local-time strategy with a
    ``timezone_column`` (rows leaving it empty get the campaign's ``timezone``); else None."""
    column = campaign.timezone_column()
    if not campaign.local_time() or column is None:
        return None
    return ZoneColumn(column, campaign.timezone or "UTC")
