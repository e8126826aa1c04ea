"""The emulator's service clock: follows the wall clock, or is frozen, and can be moved.

Business time (scheduled pushes, 7-day revoke window, 24 h TBD lifetime, quotas) reads
:meth:`Clock.now`. Signature timestamps are checked against :meth:`Clock.wall`, the machine's
clock, because the official SDKs stamp requests with the machine's time whatever the emulator's
service clock says (freezegun patches both alike).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class Clock:
    """A movable UTC clock: ``now() = (frozen instant or wall time) + offset``."""

    def __init__(self, frozen_at: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen: datetime | None = _utc(frozen_at) if frozen_at else None
        self._offset = timedelta(0)

    @staticmethod
    def wall() -> datetime:
        """The machine's current UTC time (what the SDKs sign with)."""
        return datetime.fromtimestamp(time.time(), UTC)

    def now(self) -> datetime:
        """The service's current UTC time."""
        with self._lock:
            base = self._frozen if self._frozen is not None else self.wall()
            return base + self._offset

    @property
    def frozen(self) -> bool:
        with self._lock:
            return self._frozen is not None

    def freeze(self, at: datetime | None = None) -> datetime:
        """Stop the clock at ``at`` (default: the current service time)."""
        instant = _utc(at) if at is not None else self.now()
        with self._lock:
            self._frozen = instant
            self._offset = timedelta(0)
        return instant

    def unfreeze(self) -> datetime:
        """Let the clock run again from where it stands (keeps the offset to the wall clock)."""
        current = self.now()
        with self._lock:
            self._frozen = None
            self._offset = current - self.wall()
        return current

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock by ``delta`` (may be negative), frozen or not."""
        with self._lock:
            if self._frozen is not None:
                self._frozen = self._frozen + delta
            else:
                self._offset = self._offset + delta
        return self.now()

    def set(self, at: datetime) -> datetime:
        """Jump to ``at``; a running clock keeps running from there."""
        instant = _utc(at)
        with self._lock:
            if self._frozen is not None:
                self._frozen = instant
            else:
                self._offset = instant - self.wall()
        return instant

    def reset(self) -> None:
        """Follow the wall clock again, unfrozen and without offset."""
        with self._lock:
            self._frozen = None
            self._offset = timedelta(0)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant (``Z`` or offset; naive means UTC)."""
    return _utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


def to_millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def from_millis(millis: int) -> datetime:
    return datetime.fromtimestamp(millis / 1000, UTC)
