"""The ledger: pushflow's state store (see docs/ledger.md).

SQLAlchemy Core, one schema, SQLite (default, a file under ``.pushflow/``) or PostgreSQL.
"""

from pushflow.ledger.claims import new_owner
from pushflow.ledger.errors import (
    LedgerError,
    LockTimeoutError,
    SchemaTooNewError,
    StateLocationError,
)
from pushflow.ledger.records import (
    Actor,
    Claim,
    Occurrence,
    Revision,
    Revocation,
    Schedule,
    Send,
    SendSummary,
    ServerTask,
)
from pushflow.ledger.store import Ledger
from pushflow.ledger.url import resolve

__all__ = [
    "Actor",
    "Claim",
    "Ledger",
    "LedgerError",
    "LockTimeoutError",
    "Occurrence",
    "Revision",
    "Revocation",
    "Schedule",
    "SchemaTooNewError",
    "Send",
    "SendSummary",
    "ServerTask",
    "StateLocationError",
    "new_owner",
    "resolve",
]
