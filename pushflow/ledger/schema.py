"""The ledger's tables (SQLAlchemy Core), the *current* schema version's shape.

Migration 1 creates these from empty; a later migration that changes a table here must also
state the change as a step in :mod:`pushflow.ledger.migrations` for databases already at an older
version.

Why the keys are what they are (exactly-once rests on them):

- ``sends`` has the primary key (campaign, occurrence, target): one row per send, ever. Claiming
  a send is inserting its row; the database refuses a second row, so two appliers or daemons can
  never both own one send. The row then carries the outcome, so a recorded send is never
  repeated.
- ``occurrences`` has the primary key (campaign, key); ``sends`` refers to it, so a send cannot
  exist for an occurrence nobody recorded.
- ``revisions`` allows one ``active`` row per campaign (a partial unique index): there is always
  a single answer to "what was reviewed and applied".
- ``sends`` has one more index on PostgreSQL, ``ix_sends_claimed`` (migration 4): the primary
  key of the ``claimed`` sends only, which the search for stale claims of an occurrence reads.
  Partial, so it holds the calls in flight rather than every send ever made. Keyed like the
  primary key, so a statement about one send finds it in a lookup whichever of the two indexes
  the planner takes: migration 3's ``ix_sends_claimed_lease`` (the lease expiry of the claimed
  sends) cost the same as the primary key to a planner without statistics (a new database, or a
  table emptied), which then took it for the record of each target and read every claim entry
  still in it, live or dead, per target: 23 s instead of 8.3 s for 100,000 targets, and growing
  with the square of the targets. SQLite has none: no SQLite plan used one (its statements bind
  the state as a parameter, and SQLite matches a partial index only on literals), while every
  claim and record paid to maintain it (a sixth of SQLite's work and a quarter of the pages
  written per call). Before migration 3 both had ``ix_sends_state_lease`` on (state, lease) of
  every send.
- On PostgreSQL a record of a call's sends is one call of the function
  :data:`FINISH_SENDS` (migration 5), which updates them one by one by key inside the server.
- ``revocations`` (migration 2) has one row per revoked unit of an occurrence: a task
  (RevokePushTask) or a target's message (RevokePushMessage), unique per (campaign, occurrence,
  api, subject), so revoking twice calls the service once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (naive text) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the ledger stores aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

CAMPAIGN = String(200)
OCCURRENCE = String(100)

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", String(200), nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
)

#: One row (id 1) counting changes to what should run; the daemon polls it.
state_version = Table(
    "state_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False),
)

apply_lock = Table(
    "apply_lock",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("token", String(32), nullable=False),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("user", String(100), nullable=False),
    Column("since", UTCDateTime, nullable=False),
)

revisions = Table(
    "revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign", CAMPAIGN, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("spec", JSON, nullable=False),
    Column("audience_digest", String(64)),
    Column("epoch", Integer, nullable=False, server_default=text("0")),
    Column("status", String(12), nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
    Column("applied_by", String(400), nullable=False),
    Index("ix_revisions_campaign_epoch", "campaign", "epoch", "applied_at"),
    Index(
        "ux_revisions_active",
        "campaign",
        unique=True,
        sqlite_where=text("status = 'active'"),
        postgresql_where=text("status = 'active'"),
    ),
)

occurrences = Table(
    "occurrences",
    metadata,
    Column("campaign", CAMPAIGN, primary_key=True),
    Column("key", OCCURRENCE, primary_key=True),
    Column("instant", UTCDateTime, nullable=False),
    Column("revision_id", Integer, ForeignKey("revisions.id"), nullable=False),
    Column("status", String(12), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_occurrences_status_instant", "status", "instant"),
)

sends = Table(
    "sends",
    metadata,
    Column("campaign", CAMPAIGN, primary_key=True),
    Column("occurrence", OCCURRENCE, primary_key=True),
    Column("target", String(255), primary_key=True),
    Column("idempotency_key", String(128), nullable=False),
    Column("api", String(64), nullable=False),
    Column("state", String(10), nullable=False),
    Column("claim_owner", String(200)),
    Column("lease_expires_at", UTCDateTime),
    Column("attempts", Integer, nullable=False),
    Column("message_id", String(128)),
    Column("task_id", String(128)),
    Column("result_code", String(64)),
    Column("error", Text),
    Column("claimed_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    ForeignKeyConstraint(["campaign", "occurrence"], ["occurrences.campaign", "occurrences.key"]),
    # Migration 4: only the sends in flight (a few calls' worth), and only on PostgreSQL.
    Index(
        "ix_sends_claimed",
        "campaign",
        "occurrence",
        "target",
        postgresql_where=text("state = 'claimed'"),
    ).ddl_if(dialect="postgresql"),
)

#: The columns a record may set (``pushflow.ledger.sends._finish_each``), in the order of the
#: parameters of :data:`FINISH_SENDS` after the first five.
FINISH_COLUMNS = (
    "state",
    "message_id",
    "task_id",
    "result_code",
    "error",
    "finished_at",
    "lease_expires_at",
)
#: PostgreSQL only (migration 5): the record of a call's sends, one ``UPDATE`` per target by the
#: whole primary key, looped over an array inside the server. One statement from the client
#: instead of a pipeline of one per target (each its own bind, execute and answer on both
#: sides), and still, per target, the one plan that looks the send up by its key: a single
#: ``UPDATE … target = ANY(…)`` or a join with ``unnest`` is planned, without statistics, as a
#: scan of every claim of the occurrence (see ``ix_sends_claimed`` above and
#: :func:`pushflow.ledger.claims.one_send`). Its arguments: campaign, occurrence, owner, the
#: targets (in order: concurrent records lock rows in one order), the names of the columns to
#: set (of :data:`FINISH_COLUMNS`), then a value for each of those columns (ignored where the
#: column is not named). It returns how many sends it changed: only ``claimed`` ones of
#: ``owner`` (the fence).
FINISH_SENDS = "pushflow_finish_sends"
FINISH_SENDS_DDL = f"""\
CREATE OR REPLACE FUNCTION {FINISH_SENDS}(
    p_campaign text, p_occurrence text, p_owner text, p_targets text[], p_set text[],
    p_state text, p_message_id text, p_task_id text, p_result_code text, p_error text,
    p_finished_at timestamptz, p_lease_expires_at timestamptz
) RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
    one text;
    total integer := 0;
    changed integer;
    set_state boolean := 'state' = ANY (p_set);
    set_message_id boolean := 'message_id' = ANY (p_set);
    set_task_id boolean := 'task_id' = ANY (p_set);
    set_result_code boolean := 'result_code' = ANY (p_set);
    set_error boolean := 'error' = ANY (p_set);
    set_finished_at boolean := 'finished_at' = ANY (p_set);
    set_lease_expires_at boolean := 'lease_expires_at' = ANY (p_set);
BEGIN
    FOREACH one IN ARRAY p_targets LOOP
        UPDATE sends SET
            state = CASE WHEN set_state THEN p_state ELSE state END,
            message_id = CASE WHEN set_message_id THEN p_message_id ELSE message_id END,
            task_id = CASE WHEN set_task_id THEN p_task_id ELSE task_id END,
            result_code = CASE WHEN set_result_code THEN p_result_code ELSE result_code END,
            error = CASE WHEN set_error THEN p_error ELSE error END,
            finished_at = CASE WHEN set_finished_at THEN p_finished_at ELSE finished_at END,
            lease_expires_at =
                CASE WHEN set_lease_expires_at THEN p_lease_expires_at ELSE lease_expires_at END
        WHERE campaign = p_campaign AND occurrence = p_occurrence AND target = one
            AND state = 'claimed' AND claim_owner = p_owner;
        GET DIAGNOSTICS changed = ROW_COUNT;
        total := total + changed;
    END LOOP;
    RETURN total;
END
$fn$"""


@event.listens_for(sends, "after_create")
def create_finish_sends(_table: Table, conn: Connection, **_: object) -> None:
    """:data:`FINISH_SENDS` on PostgreSQL, made with the ``sends`` table: a new state
    (migration 1 creates the current schema) gets it there, an older one from migration 5."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(FINISH_SENDS_DDL)


schedules = Table(
    "schedules",
    metadata,
    Column("campaign", CAMPAIGN, primary_key=True),
    Column("revision_id", Integer, ForeignKey("revisions.id"), nullable=False),
    Column("trigger", JSON, nullable=False),
    Column("next_fire_at", UTCDateTime),
    Column("status", String(12), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

server_tasks = Table(
    "server_tasks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign", CAMPAIGN, nullable=False),
    Column("occurrence", OCCURRENCE, nullable=False),
    Column("revision_id", Integer, ForeignKey("revisions.id"), nullable=False),
    Column("provider", String(10), nullable=False),
    Column("app", String(100), nullable=False),
    Column("api", String(64), nullable=False),
    Column("task_id", String(128), nullable=False),
    Column("fire_at", UTCDateTime),
    Column("status", String(12), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("provider", "app", "task_id", name="uq_server_tasks_task"),
    Index("ix_server_tasks_campaign_status", "campaign", "status"),
)

#: Migration 2. One row per revoke of an occurrence's sends: ``api`` is
#: ``mpaas.RevokePushTask`` (``subject`` the task id) or ``mpaas.RevokePushMessage``
#: (``subject`` the target, ``message_id`` the msgKey it was pushed with); ``state`` is
#: ``revoked`` or ``failed`` (the service refused; a later revoke tries again).
revocations = Table(
    "revocations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign", CAMPAIGN, nullable=False),
    Column("occurrence", OCCURRENCE, nullable=False),
    Column("api", String(64), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("message_id", String(128)),
    Column("state", String(10), nullable=False),
    Column("result_code", String(64)),
    Column("error", Text),
    Column("sent_at", UTCDateTime),
    Column("revoked_at", UTCDateTime, nullable=False),
    Column("revoked_by", String(400), nullable=False),
    UniqueConstraint("campaign", "occurrence", "api", "subject", name="uq_revocations_subject"),
)
