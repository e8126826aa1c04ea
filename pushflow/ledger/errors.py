"""Errors of the state store, all :class:`~pushflow.errors.PushflowError` subclasses.

::

    PushflowError
    └── LedgerError               the state cannot be used as asked
        ├── StateLocationError    the ``state:`` setting or PUSHFLOW_STATE_URL is not usable
        ├── SchemaTooNewError     the state was written by a newer pushflow
        └── LockTimeoutError      another apply holds the state; names the holder

Messages name the state by a URL with any password masked: secrets never reach output.
"""

from __future__ import annotations

from datetime import datetime

from pushflow.errors import PushflowError


class LedgerError(PushflowError):
    """The state store cannot do what was asked."""


class StateLocationError(LedgerError):
    """The configured state location is not a usable path or database URL."""


class SchemaTooNewError(LedgerError):
    """The state's schema version is newer than this pushflow knows: refusing to touch it."""

    def __init__(self, where: str, found: int, known: int) -> None:
        self.found = found
        self.known = known
        super().__init__(
            f"{where}: state schema version {found} is newer than this pushflow supports "
            f"({known}); upgrade pushflow to use this state"
        )


class LockTimeoutError(LedgerError):
    """The apply lock stayed held by someone else for the whole timeout."""

    def __init__(
        self,
        where: str,
        name: str,
        waited: float,
        holder: str | None,
        since: datetime | None,
    ) -> None:
        self.holder = holder
        self.since = since
        who = f"held by {holder}" if holder else "held by an unknown holder"
        when = f" since {since.isoformat(timespec='seconds')}" if since else ""
        super().__init__(
            f"{where}: the {name} lock is {who}{when}; gave up after waiting {waited:g}s "
            "(another pushflow apply is running; retry later or raise --lock-timeout)"
        )
