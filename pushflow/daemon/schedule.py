"""A local schedule as the daemon uses it: the ledger's schedule row and the revision it names.

The campaign is rebuilt from the *recorded* revision (what was reviewed and applied), never from
the working tree; only the campaign's file location is taken from the trigger, because audience
paths are relative to it and the audience is read at fire time (and checked against the digest
recorded at apply, :mod:`.occurrence`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from pushflow.apply.fire import Campaign
from pushflow.errors import Location
from pushflow.ledger import Revision, Schedule
from pushflow.spec.campaign import CampaignDocument
from pushflow.spec.strategy import Strategy

_STRATEGY: TypeAdapter[Strategy] = TypeAdapter(Strategy)


@dataclass(frozen=True)
class LocalSchedule:
    """What the daemon fires for one campaign: its schedule row and the revision it names."""

    schedule: Schedule
    revision: Revision

    @property
    def name(self) -> str:
        return self.schedule.campaign

    @property
    def trigger(self) -> dict[str, Any]:
        return self.schedule.trigger

    @property
    def identity(self) -> tuple[int, str]:
        """What makes a schedule "changed" for reconcile: its revision and its trigger."""
        return self.revision.id, repr(sorted(self.trigger.items()))

    @cached_property
    def strategy(self) -> Strategy:
        return _STRATEGY.validate_python(self.trigger["strategy"])

    @property
    def zone(self) -> str | None:
        zone = self.trigger.get("timezone")
        return str(zone) if zone else None

    @property
    def zones(self) -> tuple[str, ...] | None:
        """Local-time delivery: the time zones of the applied audience, one occurrence each
        (None: the campaign's zone applies)."""
        zones = self.trigger.get("zones")
        return None if zones is None else tuple(str(zone) for zone in zones)

    @property
    def epoch(self) -> int:
        return int(self.trigger.get("epoch") or 0)

    @cached_property
    def campaign(self) -> Campaign:
        """The campaign as applied (the revision's spec, defaults included)."""
        return CampaignDocument.model_validate(self.revision.spec).root

    @property
    def catch_up(self) -> timedelta:
        return self.campaign.catch_up_window()

    def path(self, root: Path) -> Path:
        """The campaign's file: audience paths are relative to it."""
        return root / str(self.trigger["file"])

    def locate(self, root: Path) -> Any:
        """Where a value was written, for error messages: the file (the revision keeps no
        positions)."""
        where = Location(str(self.trigger["file"]))
        return lambda _path: where
